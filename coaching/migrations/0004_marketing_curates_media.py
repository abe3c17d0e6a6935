"""Lets marketing add, change and choose coaching videos (wagtailmedia) in every collection."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MEDIA_PERMISSIONS = ["add_media", "change_media", "delete_media", "choose_media"]


def forwards(apps, schema_editor):
    # Permissions normally appear after migrate; marketing needs them now, on a fresh database.
    app_config = apps.get_app_config("wagtailmedia")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    Collection = apps.get_model("wagtailcore.Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore.GroupCollectionPermission")
    marketing = Group.objects.get(name="Marketing")
    root = Collection.objects.get(depth=1)
    for permission in Permission.objects.filter(content_type__app_label="wagtailmedia",
                                                codename__in=MEDIA_PERMISSIONS):
        GroupCollectionPermission.objects.get_or_create(group=marketing, collection=root, permission=permission)


def backwards(apps, schema_editor):
    GroupCollectionPermission = apps.get_model("wagtailcore.GroupCollectionPermission")
    GroupCollectionPermission.objects.filter(
        group__name="Marketing", permission__content_type__app_label="wagtailmedia",
        permission__codename__in=MEDIA_PERMISSIONS,
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("coaching", "0003_videos_transcripts_pitches"),
        ("knowledge", "0002_roles_and_page_tree"),
        ("wagtailmedia", "0005_alter_media_options"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

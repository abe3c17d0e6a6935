"""Lets marketing name, describe and remove video series in the admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

SERIES_PERMISSIONS = ["add_series", "change_series", "delete_series", "view_series"]


def forwards(apps, schema_editor):
    # Permissions normally appear after migrate; marketing needs them now, on a fresh database.
    app_config = apps.get_app_config("coaching")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    marketing = Group.objects.get(name="Marketing")
    marketing.permissions.add(*Permission.objects.filter(content_type__app_label="coaching",
                                                         codename__in=SERIES_PERMISSIONS))


def backwards(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    marketing = Group.objects.get(name="Marketing")
    marketing.permissions.remove(*Permission.objects.filter(content_type__app_label="coaching",
                                                            codename__in=SERIES_PERMISSIONS))


class Migration(migrations.Migration):
    dependencies = [
        ("coaching", "0004_marketing_curates_media"),
        ("knowledge", "0002_roles_and_page_tree"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

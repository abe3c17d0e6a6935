"""Lets marketing and managers set up chat channels and read the delivery log in the admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CHANNEL_PERMISSIONS = ["add_chatchannel", "change_chatchannel", "delete_chatchannel", "view_chatchannel"]
LOG_PERMISSIONS = ["view_chatmessage"]
GROUPS = ("Marketing", "Managers")


def forwards(apps, schema_editor):
    # Permissions normally appear after migrate; the groups need them now, on a fresh database.
    app_config = apps.get_app_config("chat")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="chat", codename__in=CHANNEL_PERMISSIONS + LOG_PERMISSIONS
    )
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.add(*permissions)


def backwards(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    permissions = Permission.objects.filter(content_type__app_label="chat")
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0001_initial"),
        ("knowledge", "0002_roles_and_page_tree"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

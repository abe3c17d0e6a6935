"""Managers see revenue: the permission the leaderboard checks."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def forwards(apps, schema_editor):
    app_config = apps.get_app_config("leaderboard")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    managers, _ = Group.objects.get_or_create(name="Managers")
    managers.permissions.add(Permission.objects.get(content_type__app_label="leaderboard", codename="view_revenue"))


class Migration(migrations.Migration):
    dependencies = [
        ("leaderboard", "0001_initial"),
        ("knowledge", "0002_roles_and_page_tree"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

"""Managers import deals, map CRM owners, edit scoring weights and manage teams and profiles."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MANAGER_PERMISSIONS = [
    ("leaderboard", "import_deals"),
    ("leaderboard", "change_scoringsettings"),
    ("leaderboard", "add_team"), ("leaderboard", "change_team"), ("leaderboard", "delete_team"),
    ("leaderboard", "add_repprofile"), ("leaderboard", "change_repprofile"), ("leaderboard", "delete_repprofile"),
    ("wagtailadmin", "access_admin"),
]


def forwards(apps, schema_editor):
    app_config = apps.get_app_config("leaderboard")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    managers, _ = Group.objects.get_or_create(name="Managers")
    for app_label, codename in MANAGER_PERMISSIONS:
        managers.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


class Migration(migrations.Migration):
    dependencies = [
        ("leaderboard", "0003_people_deals_activity_tokens_scoring"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

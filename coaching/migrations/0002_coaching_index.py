"""Adds the Coaching section below Home and lets marketing curate it."""

from django.db import migrations

SECTION_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]


def forwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    GroupPagePermission = apps.get_model("wagtailcore.GroupPagePermission")
    home = Page.objects.get(depth=2, content_type__app_label="knowledge", content_type__model="homepage")
    content_type, _ = ContentType.objects.get_or_create(app_label="coaching", model="coachingindexpage")
    last_child = Page.objects.filter(depth=3, path__startswith=home.path).order_by("-path").first()
    step = int(last_child.path[-4:], 36) + 1 if last_child else 1
    path = home.path + _base36(step).rjust(4, "0")
    coaching = apps.get_model("coaching.CoachingIndexPage").objects.create(
        title="Coaching", draft_title="Coaching", slug="coaching", content_type=content_type,
        path=path, depth=3, numchild=0, url_path=home.url_path + "coaching/",
        locale_id=home.locale_id, live=True,
    )
    Page.objects.filter(pk=home.pk).update(numchild=Page.objects.filter(depth=3, path__startswith=home.path).count())
    marketing = Group.objects.get(name="Marketing")
    for codename in SECTION_PAGE_PERMISSIONS:
        permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
        GroupPagePermission.objects.get_or_create(group=marketing, page_id=coaching.pk, permission=permission)


def _base36(number: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


class Migration(migrations.Migration):
    dependencies = [
        ("coaching", "0001_initial"),
        ("knowledge", "0002_roles_and_page_tree"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

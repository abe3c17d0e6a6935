"""Creates the three roles and the page tree (Home, Tips, Coaching) that the other apps fill."""

from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations

SECTION_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]


def ensure_permissions(apps):
    """Permissions normally appear after migrate; roles need them now, on a fresh database."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None


def create_page(apps, model_name, *, title, slug, path, depth, url_path, locale):
    ContentType = apps.get_model("contenttypes.ContentType")
    app_label, model = model_name.split(".")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model.lower())
    return apps.get_model(model_name).objects.create(
        title=title, draft_title=title, slug=slug, content_type=content_type, path=path,
        depth=depth, numchild=0, url_path=url_path, locale=locale, live=True,
    )


def forwards(apps, schema_editor):
    ensure_permissions(apps)
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    Locale = apps.get_model("wagtailcore.Locale")
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    GroupPagePermission = apps.get_model("wagtailcore.GroupPagePermission")
    DjangoSite = apps.get_model("sites.Site")

    # Replace Wagtail's placeholder welcome page with the feed.
    Page.objects.filter(depth=2, content_type__app_label="wagtailcore").delete()
    locale = Locale.objects.order_by("pk").first()
    home = create_page(apps, "knowledge.HomePage", title="Home", slug="home", path="00010001",
                       depth=2, url_path="/home/", locale=locale)
    tips = create_page(apps, "knowledge.TipIndexPage", title="Tips", slug="tips",
                       path="000100010001", depth=3, url_path="/home/tips/", locale=locale)
    Page.objects.filter(pk=home.pk).update(numchild=1)
    Page.objects.filter(depth=1).update(numchild=1)
    Site.objects.all().delete()
    hostname, _, port = settings.SITE_DOMAIN.partition(":")
    Site.objects.create(hostname=hostname, port=int(port or 80), root_page_id=home.pk,
                        is_default_site=True, site_name="Huddle")
    # comments-xtd redirects through the sites framework: its domain must be the real one.
    DjangoSite.objects.update_or_create(pk=settings.SITE_ID, defaults={"domain": settings.SITE_DOMAIN,
                                                                       "name": "Huddle"})

    reps, _ = Group.objects.get_or_create(name="Reps")
    managers, _ = Group.objects.get_or_create(name="Managers")
    marketing, _ = Group.objects.get_or_create(name="Marketing")
    marketing.permissions.add(
        *Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin"),
        *Permission.objects.filter(content_type__app_label="knowledge",
                                   codename__in=["add_account", "change_account", "delete_account"]),
    )
    for codename in SECTION_PAGE_PERMISSIONS:
        permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
        GroupPagePermission.objects.get_or_create(group=marketing, page_id=tips.pk, permission=permission)


def backwards(apps, schema_editor):
    apps.get_model("auth.Group").objects.filter(name__in=["Reps", "Managers", "Marketing"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0001_initial"),
        ("sites", "0002_alter_domain_unique"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

"""Microposts and comments are no longer in Wagtail's reference index: their old rows go."""

from django.db import migrations


def forget_rows(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ReferenceIndex = apps.get_model("wagtailcore", "ReferenceIndex")
    gone = ContentType.objects.filter(
        app_label__in=["knowledge", "django_comments_xtd"], model__in=["micropost", "xtdcomment"]
    )
    ReferenceIndex.objects.filter(base_content_type__in=gone).delete()
    ReferenceIndex.objects.filter(content_type__in=gone).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0010_pending_updates"),
        ("wagtailcore", "0078_referenceindex"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forget_rows, migrations.RunPython.noop)]

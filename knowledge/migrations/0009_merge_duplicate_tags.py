"""Merges tags that differ only in case, a leading #, spaces, underscores or hyphens."""

from django.db import migrations


def merge(apps, schema_editor):
    from knowledge.tagging import merge_duplicate_tags, tagged_item_models

    tag_model = apps.get_model("taggit", "Tag")
    merge_duplicate_tags(tag_model, tagged_item_models(tag_model))


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0008_mentions_and_feed_tokens"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(merge, migrations.RunPython.noop)]

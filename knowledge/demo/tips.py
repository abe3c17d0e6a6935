"""Demo tips, bulk-inserted as pages below the tips index."""

import datetime
import random
import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify
from taggit.models import Tag
from wagtail.models import Page

from .. import demo_content
from ..models import Account, TipIndexPage, TipPage, TipPageTag, default_verified_until
from .context import BATCH, SeedContext
from .people import demo_user_ids

DEMO_UNVERIFIED_TIPS = 3  # the newest tips, shown "Not yet verified"


def _tip_body(template: dict) -> list[dict]:
    """Raw StreamField data (what the database stores) for a tip template."""
    blocks = [
        {
            "type": "paragraph",
            "id": str(uuid.uuid4()),
            "value": "".join(f"<p>{escape(text)}</p>" for text in template["body"]),
        }
    ]
    if template.get("talk_track"):
        blocks.append({"type": "talk_track", "id": str(uuid.uuid4()), "value": template["talk_track"]})
    if template.get("objection"):
        blocks.append(
            {
                "type": "objection",
                "id": str(uuid.uuid4()),
                "value": {"objection": template["objection"], "response": template["response"]},
            }
        )
    if template.get("checklist"):
        blocks.append(
            {
                "type": "checklist",
                "id": str(uuid.uuid4()),
                "value": [{"type": "item", "id": str(uuid.uuid4()), "value": step} for step in template["checklist"]],
            }
        )
    return blocks


def tags_by_name(names) -> dict[str, int]:
    """Tag ids by lower-case name, creating the missing tags in one go."""
    names = sorted({name.lower() for name in names})
    existing = {tag.name.lower(): tag.pk for tag in Tag.objects.filter(name__in=names)}
    missing = [
        Tag(name=name, slug=slugify(name) or f"tag-{index}") for index, name in enumerate(names) if name not in existing
    ]
    Tag.objects.bulk_create(missing, ignore_conflicts=True)
    return {tag.name.lower(): tag.pk for tag in Tag.objects.filter(name__in=names)}


def seed_tips(context: SeedContext) -> int:
    """Tips as pages under Tips, in bulk: path, depth and url_path computed as treebeard would.

    Page.add_child saves one page at a time (tree lock, revision, search index); at 20,000 tips
    that takes many minutes, so rows go in batches and the search index is rebuilt afterwards
    with ``manage.py update_index``.
    """
    rng = random.Random(context.seed + 2)
    index = TipIndexPage.objects.get()
    authors = demo_user_ids(context)
    accounts = list(Account.objects.order_by("pk").values_list("pk", "industry"))
    # Queried by path, not get_children(): treebeard answers "no children" when numchild is 0.
    children = Page.objects.filter(path__startswith=index.path, depth=index.depth + 1)
    existing_slugs = set(children.values_list("slug", flat=True))
    wanted = context.size.tips
    templates = demo_content.TIPS
    tag_ids = tags_by_name(tag for template in templates for tag in template["tags"])
    content_type = ContentType.objects.get_for_model(TipPage)
    last_child = children.order_by("-path").values_list("path", flat=True).first()
    step = Page._str2int(last_child[-Page.steplen :]) if last_child else 0
    now = timezone.now()
    # Spread publishing over ~150 days so that some tips are past their verification.
    spacing = datetime.timedelta(minutes=max(1, 150 * 24 * 60 // max(wanted, 1)))
    plan = []
    for number in range(wanted):
        template = templates[number % len(templates)]
        account_id, industry = accounts[rng.randrange(len(accounts))] if accounts else (None, "")
        title = template["title"] if number < len(templates) else f"{template['title']} (#{number + 1})"
        slug = slugify(title)[:80]
        if slug in existing_slugs:
            continue
        plan.append((number, template, title, slug, account_id, industry))
    created = 0
    fields = list(TipPage._meta.local_concrete_fields)
    for start in context.progress(range(0, len(plan), BATCH), "Tips", total=(len(plan) + BATCH - 1) // BATCH):
        pages, tips, tag_rows = [], [], []
        for number, template, title, slug, account_id, industry in plan[start : start + BATCH]:
            step += 1
            published = now - spacing * number - datetime.timedelta(seconds=number % 60)
            author_id = authors[number % len(authors)] if authors else None
            pages.append(
                Page(
                    title=title,
                    draft_title=title,
                    slug=slug,
                    content_type=content_type,
                    path=Page._get_path(index.path, index.depth + 1, step),
                    depth=index.depth + 1,
                    numchild=0,
                    url_path=f"{index.url_path}{slug}/",
                    live=True,
                    has_unpublished_changes=False,
                    first_published_at=published,
                    last_published_at=published,
                    latest_revision_created_at=published,
                    owner_id=author_id,
                    locale_id=index.locale_id,
                )
            )
            tips.append(
                TipPage(
                    summary=template["summary"],
                    body=_tip_body(template),
                    account_id=account_id,
                    industry=industry,
                    product=demo_content.PRODUCTS[number % len(demo_content.PRODUCTS)],
                    stage=template["stage"],
                    author_id=author_id,
                    # The newest few are as a rep just shared them: marketing has not checked them yet.
                    verified_until=(
                        None if number < DEMO_UNVERIFIED_TIPS else default_verified_until(published.date())
                    ),
                )
            )
        Page.objects.bulk_create(pages)
        for page, tip in zip(pages, tips, strict=True):
            tip.page_ptr_id = tip.pk = page.pk
        # The child table only: bulk_create refuses multi-table models, _insert does not.
        TipPage._base_manager._insert(tips, fields=fields, using=connection.alias)
        for (_number, template, *_), page in zip(plan[start : start + BATCH], pages, strict=True):
            tag_rows.extend(TipPageTag(tag_id=tag_ids[tag], content_object_id=page.pk) for tag in template["tags"])
        TipPageTag.objects.bulk_create(tag_rows)
        created += len(pages)
    Page.objects.filter(pk=index.pk).update(numchild=children.count())
    return created

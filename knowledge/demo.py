"""Demo users, accounts, tips, microposts and reactions: knowledge's part of ``seed_demo``."""

import datetime
import random
import uuid
from dataclasses import dataclass, field
from typing import TextIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify
from taggit.models import Tag
from wagtail.models import Page, Site

from . import demo_content
from .microposts import hashtags
from .models import (
    Account,
    ContentView,
    FeaturedCollection,
    FeaturedCollectionItem,
    HelpfulMark,
    KnowledgeSettings,
    Micropost,
    MicropostTag,
    TipIndexPage,
    TipPage,
    TipPageTag,
    default_verified_until,
)
from .progress import progress
from .roles import MANAGERS, MARKETING, REPS

DEMO_PASSWORD = "huddle-demo"


@dataclass(frozen=True)
class Size:
    name: str
    reps: int
    accounts: int
    tips: int
    microposts: int
    videos: int
    deals: int
    activity_events: int
    commented_tips: int = 0  # tips that get a short discussion (the demo only: benches keep theirs bare)


SIZES = {
    "small": Size(
        "small",
        reps=20,
        accounts=24,
        tips=20,  # one of each written tip and micropost: no repeats in the demo's search results
        microposts=15,
        videos=6,
        deals=200,
        activity_events=0,
        commented_tips=12,
    ),
    "large": Size(
        "large",
        reps=1_000,
        accounts=2_000,
        tips=20_000,
        microposts=100_000,
        videos=200,
        deals=100_000,
        activity_events=1_000_000,
    ),
}


@dataclass
class SeedContext:
    size: Size
    seed: int
    stdout: TextIO
    stderr: TextIO
    verbosity: int = 1
    summary: dict[str, int] = field(default_factory=dict)

    def __post_init__(self):
        self.random = random.Random(self.seed)

    def progress(self, items, label, total=None):
        return progress(items, label, total=total, stream=self.stderr, enabled=self.verbosity > 0)


FIRST_NAMES = [
    "Ava",
    "Ben",
    "Chloe",
    "Diego",
    "Emma",
    "Farid",
    "Grace",
    "Hiro",
    "Isla",
    "Jonas",
    "Kemi",
    "Liam",
    "Maya",
    "Noah",
    "Olivia",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tariq",
    "Uma",
    "Victor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoe",
]
LAST_NAMES = [
    "Anders",
    "Baker",
    "Chen",
    "Diaz",
    "Evans",
    "Fischer",
    "Garcia",
    "Hughes",
    "Ito",
    "Jones",
    "Khan",
    "Lopez",
    "Müller",
    "Nguyen",
    "Okafor",
    "Patel",
    "Reyes",
    "Singh",
    "Tanaka",
    "Walsh",
]
INDUSTRIES = [
    "Manufacturing",
    "Healthcare",
    "Financial services",
    "Retail",
    "Logistics",
    "Education",
    "Public sector",
    "Software",
    "Energy",
    "Hospitality",
]
ACCOUNT_WORDS = [
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Hooli",
    "Vandelay",
    "Soylent",
    "Tyrell",
    "Cyberdyne",
    "Wonka",
    "Aperture",
    "Massive",
    "Pied Piper",
    "Oscorp",
    "Nakatomi",
    "Gringotts",
    "Monarch",
    "Dunder",
    "Blue Sun",
    "Prestige",
    "Vehement",
    "Sterling",
]
ACCOUNT_SUFFIXES = [
    "Corp",
    "Health",
    "Bank",
    "Logistics",
    "Retail",
    "Labs",
    "Energy",
    "Group",
    "Systems",
]

# The three logins the README and `make run` print, plus the named team members.
DEMO_LOGINS = [
    ("rep", REPS, "Riley", "Rep"),
    ("marketing", MARKETING, "Morgan", "Marketer"),
    ("manager", MANAGERS, "Mona", "Manager"),
]
TEAM_MANAGERS = [
    ("manager", "Mona", "Manager"),
    ("manager2", "Marcus", "Lee"),
    ("manager3", "Mei", "Tan"),
]


def demo_reps(size: Size) -> list[str]:
    """Usernames of the demo reps: ``rep`` first, then rep001, rep002, ..."""
    return ["rep"] + [f"rep{number:03d}" for number in range(1, size.reps)]


def seed(context: SeedContext) -> None:
    users = _seed_users(context)
    accounts = _seed_accounts(context)
    context.summary["users"] = users
    context.summary["accounts"] = accounts
    context.summary["tips"] = _seed_tips(context)
    context.summary["microposts"] = _seed_microposts(context)
    marks, views = _seed_reactions(context)
    context.summary["helpful marks"] = marks
    context.summary["views"] = views
    context.summary["comments"] = _seed_comments(context)
    _seed_curation(context)


def _seed_users(context: SeedContext) -> int:
    User = get_user_model()
    groups = {group.name: group for group in Group.objects.filter(name__in=[REPS, MARKETING, MANAGERS])}
    password = make_password(DEMO_PASSWORD)
    rng = context.random
    wanted = []
    for username, role, first, last in DEMO_LOGINS:
        wanted.append((username, role, first, last))
    for username, first, last in TEAM_MANAGERS[1:]:
        wanted.append((username, MANAGERS, first, last))
    for username in demo_reps(context.size)[1:]:
        wanted.append((username, REPS, rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)))

    existing = set(User.objects.filter(username__in=[w[0] for w in wanted]).values_list("username", flat=True))
    new_users = [
        User(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@huddle.example",
            password=password,
            is_staff=role == MARKETING,
        )
        for username, role, first, last in wanted
        if username not in existing
    ]
    # bulk_create skips the post_save that puts new users in Reps: set each role here instead.
    for batch_start in context.progress(range(0, len(new_users), 500), "Users", total=(len(new_users) + 499) // 500):
        User.objects.bulk_create(new_users[batch_start : batch_start + 500])
    roles = {username: role for username, role, _, _ in wanted}
    created = User.objects.filter(username__in=[user.username for user in new_users])
    Membership = User.groups.through
    Membership.objects.bulk_create(
        [
            Membership(user_id=user_id, group_id=groups[roles[username]].pk)
            for user_id, username in created.values_list("pk", "username")
        ],
        batch_size=1000,
    )
    return len(new_users)


def _seed_accounts(context: SeedContext) -> int:
    rng = random.Random(context.seed + 1)
    wanted = {}
    for word in ACCOUNT_WORDS:
        for suffix in ACCOUNT_SUFFIXES:
            if len(wanted) >= context.size.accounts:
                break
            wanted.setdefault(f"{word} {suffix}".lower(), (f"{word} {suffix}", rng.choice(INDUSTRIES)))
    number = 1
    while len(wanted) < context.size.accounts:
        name = f"{rng.choice(ACCOUNT_WORDS)} {rng.choice(ACCOUNT_SUFFIXES)} {number}"
        wanted.setdefault(name.lower(), (name, rng.choice(INDUSTRIES)))
        number += 1
    existing = {name.lower() for name in Account.objects.values_list("name", flat=True)}
    new = [
        Account(name=name, industry=industry, crm_id=f"ACC-{index:05d}")
        for index, (key, (name, industry)) in enumerate(sorted(wanted.items()), start=1)
        if key not in existing
    ]
    Account.objects.bulk_create(new, batch_size=1000)
    return len(new)


BATCH = 1000
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


def _tags_by_name(names) -> dict[str, int]:
    """Tag ids by lower-case name, creating the missing tags in one go."""
    names = sorted({name.lower() for name in names})
    existing = {tag.name.lower(): tag.pk for tag in Tag.objects.filter(name__in=names)}
    missing = [
        Tag(name=name, slug=slugify(name) or f"tag-{index}") for index, name in enumerate(names) if name not in existing
    ]
    Tag.objects.bulk_create(missing, ignore_conflicts=True)
    return {tag.name.lower(): tag.pk for tag in Tag.objects.filter(name__in=names)}


def _demo_user_ids(context: SeedContext) -> list[int]:
    return list(
        get_user_model()
        .objects.filter(username__in=demo_reps(context.size))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _seed_tips(context: SeedContext) -> int:
    """Tips as pages under Tips, in bulk: path, depth and url_path computed as treebeard would.

    Page.add_child saves one page at a time (tree lock, revision, search index); at 20,000 tips
    that takes many minutes, so rows go in batches and the search index is rebuilt afterwards
    with ``manage.py update_index``.
    """
    rng = random.Random(context.seed + 2)
    index = TipIndexPage.objects.get()
    authors = _demo_user_ids(context)
    accounts = list(Account.objects.order_by("pk").values_list("pk", "industry"))
    # Queried by path, not get_children(): treebeard answers "no children" when numchild is 0.
    children = Page.objects.filter(path__startswith=index.path, depth=index.depth + 1)
    existing_slugs = set(children.values_list("slug", flat=True))
    wanted = context.size.tips
    templates = demo_content.TIPS
    tag_ids = _tags_by_name(tag for template in templates for tag in template["tags"])
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


def _seed_microposts(context: SeedContext) -> int:
    rng = random.Random(context.seed + 3)
    authors = _demo_user_ids(context)
    usernames = demo_reps(context.size)
    accounts = list(Account.objects.order_by("pk").values_list("pk", flat=True))
    missing = context.size.microposts - Micropost.objects.filter(author_id__in=authors).count()
    if missing <= 0 or not authors:
        return 0
    templates = demo_content.MICROPOSTS
    tag_ids = _tags_by_name(tag for text in templates for tag in hashtags(text))
    now = timezone.now()
    spacing = datetime.timedelta(seconds=max(30, 90 * 24 * 3600 // context.size.microposts))
    created = 0
    for start in context.progress(range(0, missing, BATCH), "Microposts", total=(missing + BATCH - 1) // BATCH):
        posts = []
        for number in range(start, min(start + BATCH, missing)):
            author_index = rng.randrange(len(authors))
            mention = usernames[(author_index + 1 + rng.randrange(len(usernames) - 1)) % len(usernames)]
            text = templates[number % len(templates)].format(mention=mention)
            posts.append(
                Micropost(
                    author_id=authors[author_index],
                    text=text,
                    account_id=rng.choice(accounts) if accounts and number % 3 == 0 else None,
                    created_at=now - spacing * number - datetime.timedelta(seconds=number % 29),
                )
            )
        Micropost.objects.bulk_create(posts)
        MicropostTag.objects.bulk_create(
            [
                MicropostTag(tag_id=tag_ids[tag], content_object_id=post.pk)
                for post in posts
                for tag in hashtags(post.text)
            ]
        )
        created += len(posts)
    return created


def _seed_reactions(context: SeedContext) -> tuple[int, int]:
    """Helpful marks and views from other reps, then the denormalised counters from them."""
    rng = random.Random(context.seed + 4)
    users = _demo_user_ids(context)
    if HelpfulMark.objects.exists() or len(users) < 2:
        return 0, 0
    tip_type = ContentType.objects.get_for_model(TipPage)
    post_type = ContentType.objects.get_for_model(Micropost)
    now = timezone.now()
    marks = views = 0
    tips = TipPage.objects.values_list("pk", "author_id").order_by("pk")
    posts = Micropost.objects.values_list("pk", "author_id").order_by("pk")
    for content_type, rows, mark_rate, view_rate in (
        (tip_type, tips, 4, 6),
        (post_type, posts, 1, 0),
    ):
        total = rows.count()
        for start in context.progress(
            range(0, total, BATCH),
            f"Reactions on {content_type.model}s",
            total=(total + BATCH - 1) // BATCH,
        ):
            new_marks, new_views = [], []
            for object_id, author_id in rows[start : start + BATCH]:
                people = [user for user in rng.sample(users, min(len(users), 8)) if user != author_id]
                for user in people[: rng.randint(0, mark_rate)]:
                    new_marks.append(
                        HelpfulMark(
                            user_id=user,
                            content_type=content_type,
                            object_id=object_id,
                            created_at=now - datetime.timedelta(hours=rng.randint(1, 24 * 20)),
                        )
                    )
                for user in people[: rng.randint(0, view_rate)]:
                    new_views.append(
                        ContentView(
                            user_id=user,
                            content_type=content_type,
                            object_id=object_id,
                            day=(now - datetime.timedelta(days=rng.randint(0, 60))).date(),
                        )
                    )
            HelpfulMark.objects.bulk_create(new_marks, ignore_conflicts=True)
            ContentView.objects.bulk_create(new_views, ignore_conflicts=True)
            marks += len(new_marks)
            views += len(new_views)
    _recount(TipPage, tip_type, "helpful_count", HelpfulMark)
    _recount(TipPage, tip_type, "view_count", ContentView)
    _recount(Micropost, post_type, "helpful_count", HelpfulMark)
    return marks, views


DEMO_COMMENTS = [
    "Used this on a renewal call this morning. The security-review angle got us a second meeting.",
    "Worth adding: send the one-page summary before the call, not after. Buyers forward it.",
    "Same pattern at our healthcare accounts: procurement wants the audit report up front.",
    "Tried it last week and the champion looped in finance on her own. Thanks for writing it down.",
    "Does this still work when the buyer already has an incumbent? Curious what you'd change.",
    "This saved me a week of back and forth with legal.",
    "I'd open with the customer story first, then the numbers. Landed better with the VP.",
    "Bookmarking this for the Q1 kickoff.",
]
DEMO_REPLIES = [
    "With an incumbent I lead with the switching plan: who does what in the first 30 days.",
    "Good call, I'll add that to the tip.",
]


def _seed_comments(context: SeedContext) -> int:
    """A short discussion under some tips, with one reply, so a new reader sees comments at work."""
    from django_comments_xtd.models import XtdComment

    from .comments import commenter

    if not context.size.commented_tips or XtdComment.objects.exists():
        return 0
    people = {user.pk: user for user in get_user_model().objects.filter(pk__in=_demo_user_ids(context))}
    if len(people) < 3:
        return 0
    rng = random.Random(context.seed + 6)
    tip_type = ContentType.objects.get_for_model(TipPage)
    now = timezone.now()
    written = 0

    def comment(tip_id, user_id, posted, text, parent=None):
        author = commenter(people[user_id])
        return XtdComment.objects.create(
            content_type=tip_type,
            object_pk=str(tip_id),
            site_id=settings.SITE_ID,
            user=people[user_id],
            user_name=author["name"],
            user_email=author["email"],
            comment=text,
            submit_date=posted,
            is_public=True,
            parent_id=parent.pk if parent else 0,
        )

    tips = TipPage.objects.live().order_by("pk").values_list("pk", "author_id")[: context.size.commented_tips]
    for number, (tip_id, author_id) in enumerate(tips):
        others = [pk for pk in people if pk != author_id]
        posted = now - datetime.timedelta(days=rng.randint(2, 20), hours=rng.randint(0, 8))
        first = None
        for commenter_id in rng.sample(others, rng.randint(1, 3)):
            posted += datetime.timedelta(hours=rng.randint(1, 30))
            posted_comment = comment(tip_id, commenter_id, posted, rng.choice(DEMO_COMMENTS))
            first = first or posted_comment
            written += 1
        if number % 4 == 0 and author_id in people:  # the author answers the first comment
            reply_at = posted + datetime.timedelta(minutes=20)
            comment(tip_id, author_id, reply_at, rng.choice(DEMO_REPLIES), parent=first)
            written += 1
    return written


def _recount(model, content_type, field_name: str, reaction_model) -> None:
    counts = (
        reaction_model.objects.filter(content_type=content_type, object_id=OuterRef("pk"))
        .order_by()
        .values("object_id")
        .annotate(total=Count("pk"))
        .values("total")
    )
    model._base_manager.update(**{field_name: Coalesce(Subquery(counts), Value(0))})


def _seed_curation(context: SeedContext) -> None:
    """Featured tips, pinned collections, a few stale and retired tips, the posting guidelines."""
    by_title = {
        tip.title: tip
        for tip in TipPage.objects.filter(
            title__in=[template["title"] for template in demo_content.TIPS]
        ).defer_streamfields()
    }
    TipPage.objects.filter(title__in=demo_content.FEATURED).update(featured=True)
    for position, (title, description, tip_titles) in enumerate(demo_content.COLLECTIONS):
        collection, created = FeaturedCollection.objects.get_or_create(
            title=title, defaults={"description": description, "position": position}
        )
        if created:
            FeaturedCollectionItem.objects.bulk_create(
                [
                    FeaturedCollectionItem(collection=collection, tip=by_title[name], sort_order=order)
                    for order, name in enumerate(tip_titles)
                    if name in by_title
                ]
            )
    stale = by_title.get("Executive sponsor e-mail that gets read")
    if stale is not None:
        TipPage.objects.filter(pk=stale.pk).update(verified_until=timezone.localdate() - datetime.timedelta(days=3))
    retired, replacement = (
        by_title.get("Qualify out early and politely"),
        by_title.get("Find a champion before the demo"),
    )
    if retired is not None:
        TipPage.objects.filter(pk=retired.pk).update(retired=True, replaced_by=replacement)
    for site in Site.objects.all():
        knowledge_settings = KnowledgeSettings.for_site(site)
        if not knowledge_settings.posting_guidelines:
            knowledge_settings.posting_guidelines = demo_content.GUIDELINES
            knowledge_settings.save()

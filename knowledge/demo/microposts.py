"""Demo microposts, with their #hashtags as tags and @mentions of other reps."""

import datetime
import random

from django.utils import timezone

from .. import demo_content
from ..microposts import hashtags
from ..models import Account, Micropost, MicropostTag
from .context import BATCH, SeedContext
from .people import demo_reps, demo_user_ids
from .tips import tags_by_name


def seed_microposts(context: SeedContext) -> int:
    rng = random.Random(context.seed + 3)
    authors = demo_user_ids(context)
    usernames = demo_reps(context.size)
    accounts = list(Account.objects.order_by("pk").values_list("pk", flat=True))
    missing = context.size.microposts - Micropost.objects.filter(author_id__in=authors).count()
    if missing <= 0 or not authors:
        return 0
    templates = demo_content.MICROPOSTS
    tag_ids = tags_by_name(tag for text in templates for tag in hashtags(text))
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

"""Demo comments: a short discussion under some tips."""

import datetime
import random

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django_comments_xtd.models import XtdComment

from ..comments import commenter
from ..models import TipPage
from .context import SeedContext
from .people import demo_user_ids

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


def seed_comments(context: SeedContext) -> int:
    """A short discussion under some tips, with one reply, so a new reader sees comments at work."""
    if not context.size.commented_tips or XtdComment.objects.exists():
        return 0
    people = {user.pk: user for user in get_user_model().objects.filter(pk__in=demo_user_ids(context))}
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

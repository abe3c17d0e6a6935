"""Which tips need review, and the reminders their authors get."""

import datetime
from collections.abc import Callable

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from .links import absolute
from .models import TipPage

# An app that tells authors of their stale tips itself (notifications: once per lapse, in the app
# and by e-mail as each author chose) takes the reminders over, so that an author gets one e-mail
# about a stale tip, not this reminder too. It returns how many tips it told their authors of.
_reminder_owner: Callable[[datetime.date | None], int] | None = None


def hand_reminders_to(owner: Callable[[datetime.date | None], int] | None) -> None:
    global _reminder_owner
    _reminder_owner = owner


def reminder_owner() -> Callable[[datetime.date | None], int] | None:
    return _reminder_owner


def review_reminders(today=None) -> dict:
    """Stale tips grouped by author (authors with an e-mail address only), oldest first."""
    grouped: dict = {}
    stale = (
        TipPage.objects.stale(today)
        .filter(author__isnull=False, author__is_active=True)
        .exclude(author__email="")
        .select_related("author")
        .defer_streamfields()
    )
    for tip in stale:
        grouped.setdefault(tip.author, []).append(tip)
    return grouped


def send_review_reminder(author, tips: list[TipPage]) -> None:
    lines = [f"- {tip.title} (verified until {tip.verified_until:%d %b %Y}): {absolute(tip.url or '')}" for tip in tips]
    name = author.first_name or author.username
    body = (
        f"Hi {name},\n\n{len(tips)} of your tips may be out of date. Please check them and "
        f"edit what changed; marketing will verify them again.\n\n" + "\n".join(lines) + "\n\nThanks!\nHuddle\n"
    )
    send_mail(f"{len(tips)} of your tips need a review", body, settings.DEFAULT_FROM_EMAIL, [author.email])


def days_stale(tip: TipPage) -> int:
    if not tip.verified_until:
        return 0
    return max((timezone.localdate() - tip.verified_until).days, 0)

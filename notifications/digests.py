"""The e-mail digest: what happened in what a person follows since they last looked, ranked.

Each person's digest for a period (a day, an ISO week) is claimed with a unique ``DigestRun`` row
before it is sent, so a worker restarted mid-run never sends one twice. A claim whose e-mail
never went out is not retried: its items were not marked seen, so the next digest carries them.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from .models import DigestFrequency, DigestRun, Notification, NotificationSettings, period_of
from .unsubscribe import unsubscribe_headers, unsubscribe_url

logger = logging.getLogger(__name__)

ITEMS_PER_DIGEST = 10
LOOKBACK = {DigestFrequency.DAILY: datetime.timedelta(days=1), DigestFrequency.WEEKLY: datetime.timedelta(days=7)}


@dataclass
class DigestItem:
    row: Notification
    score: float
    helpful: int
    verified: bool


def _frequency_filter(frequency: str) -> Q:
    """People on this frequency: weekly is the default for those who never chose."""
    chosen = Q(notification_settings__digest=frequency)
    if frequency == DigestFrequency.WEEKLY:
        chosen |= Q(notification_settings__isnull=True)
    return chosen


def due_user_ids(frequency: str, now: datetime.datetime | None = None) -> list[int]:
    """People on ``frequency`` with unseen digest items and no digest claimed for this period."""
    now = now or timezone.now()
    period = period_of(frequency, now)
    claimed = DigestRun.objects.filter(period=period).values("user_id")
    has_items = Notification.objects.filter(
        digest=True, read_at__isnull=True, created_at__gte=now - LOOKBACK[frequency]
    ).values("recipient_id")
    return list(
        get_user_model()
        .objects.filter(_frequency_filter(frequency), is_active=True, pk__in=has_items)
        .exclude(email="")
        .exclude(notification_settings__email_off=True)
        .exclude(pk__in=claimed)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _since(user, frequency: str, now: datetime.datetime) -> datetime.datetime:
    """The later of: the period's start, the person's last visit, the end of their last digest."""
    floor = now - LOOKBACK[frequency]
    visit = NotificationSettings.objects.filter(user=user).values_list("last_visit_at", flat=True).first()
    seen = DigestRun.objects.filter(user=user, sent_at__isnull=False).aggregate(last=Max("seen_until"))["last"]
    return max(moment for moment in (floor, visit, seen) if moment is not None)


def _viewed(user, rows: list[Notification]) -> set[tuple[int, int]]:
    from knowledge.models import ContentView

    object_ids = {row.object_id for row in rows if row.object_id}
    return set(
        ContentView.objects.filter(user=user, object_id__in=object_ids).values_list("content_type_id", "object_id")
    )


RANKING_FIELDS = ("helpful_count", "verified_until", "retired", "live")


@dataclass(frozen=True)
class TargetFacts:
    helpful: int
    verified: bool
    listed: bool


def target_facts(keys: set[tuple[int, int]], known: dict) -> dict:
    """What ranking reads of each item (helpful marks, verified, still listed), a few columns per
    kind in one query each; ``known`` keeps what earlier people's digests loaded."""
    missing: dict[int, set[int]] = {}
    for content_type_id, object_id in keys:
        if (content_type_id, object_id) not in known:
            missing.setdefault(content_type_id, set()).add(object_id)
    today = timezone.localdate()
    for content_type_id, ids in missing.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        names = {field.name for field in model._meta.get_fields()}
        fields = [name for name in RANKING_FIELDS if name in names]
        for values in model._default_manager.filter(pk__in=ids).values("pk", *fields):
            verified_until = values.get("verified_until")
            known[(content_type_id, values["pk"])] = TargetFacts(
                helpful=values.get("helpful_count") or 0,
                verified=bool(verified_until and verified_until >= today),
                listed=values.get("live", True) and not values.get("retired", False),
            )
        for object_id in ids:  # deleted since
            known.setdefault((content_type_id, object_id), None)
    return known


def ranked_items(user, frequency: str, now: datetime.datetime | None = None, *, known: dict | None = None) -> list:
    """Unseen digest rows since ``_since``, best first: helpful marks, verification, freshness.

    Rows read in the app, items the person opened since, items an earlier digest carried, and
    items deleted or retired since are left out.
    """
    now = now or timezone.now()
    known = {} if known is None else known
    since = _since(user, frequency, now)
    rows = list(
        Notification.objects.filter(recipient=user, digest=True, read_at__isnull=True, created_at__gt=since)
        .select_related("actor")
        .order_by("-created_at")[:200]
    )
    viewed = _viewed(user, rows)
    target_facts({(row.content_type_id, row.object_id) for row in rows if row.object_id}, known)
    items, seen_targets = [], set()
    for row in rows:
        key = (row.content_type_id, row.object_id)
        if key in viewed or key in seen_targets:
            continue
        seen_targets.add(key)
        facts = known.get(key) if row.object_id else TargetFacts(0, False, True)
        if facts is None or not facts.listed:
            continue
        age_days = (now - row.created_at).total_seconds() / 86400
        score = 3 * facts.helpful + (5 if facts.verified else 0) + max(0.0, 7 - age_days)
        items.append(DigestItem(row=row, score=score, helpful=facts.helpful, verified=facts.verified))
    items.sort(key=lambda item: (-item.score, -item.row.pk))
    return items


def digest_message(user, items: list[DigestItem], frequency: str) -> EmailMultiAlternatives:
    from knowledge.links import absolute

    shown = items[:ITEMS_PER_DIGEST]
    stop_digest = unsubscribe_url(user, "digest")
    context = {
        "user": user,
        "items": shown,
        "more": len(items) - len(shown),
        "period_label": "today" if frequency == DigestFrequency.DAILY else "this week",
        "frequency": frequency,
        "notifications_link": absolute(reverse("notifications")),
        "preferences_link": absolute(reverse("notification_preferences")),
        "stop_digest": stop_digest,
        "stop_all": unsubscribe_url(user),
    }
    count = len(items)
    message = EmailMultiAlternatives(
        subject=f"Your Huddle {frequency} digest: {count} new item{'s' if count != 1 else ''} in what you follow",
        body=render_to_string("notifications/email/digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers=unsubscribe_headers(stop_digest),
    )
    message.attach_alternative(render_to_string("notifications/email/digest.html", context), "text/html")
    return message


def _claim(user_id: int, period: str) -> DigestRun | None:
    try:
        with transaction.atomic():
            return DigestRun.objects.create(user_id=user_id, period=period)
    except IntegrityError:
        return None  # claimed already: sent, or being sent by another worker


def send_digests(frequency: str, *, now: datetime.datetime | None = None, progress=None) -> int:
    """Sends every due digest of ``frequency`` over one SMTP connection; returns how many went out."""
    now = now or timezone.now()
    period = period_of(frequency, now)
    users = get_user_model().objects.in_bulk(due_user_ids(frequency, now))
    sent = 0
    known: dict = {}  # ranking facts of items, shared by everyone's digests in this run
    connection = get_connection()
    try:
        for done, user in enumerate(users.values(), start=1):
            if progress:
                progress(done, len(users))
            items = ranked_items(user, frequency, now, known=known)
            if not items:
                continue
            run = _claim(user.pk, period)
            if run is None:
                continue
            message = digest_message(user, items, frequency)
            message.connection = connection
            try:
                message.send()
            except (OSError, ValueError) as error:
                logger.warning("digest for %s not sent: %s", user.pk, error)
                connection.close()
                continue
            run.sent_at = timezone.now()
            run.item_count = len(items)
            run.seen_until = max(item.row.created_at for item in items)
            run.save(update_fields=["sent_at", "item_count", "seen_until"])
            sent += 1
    finally:
        connection.close()
    return sent


@task()
def send_due_digests() -> dict:
    """Queued by ``manage.py send_notifications``: the daily digests, and the weekly ones once a week."""
    return {frequency: send_digests(frequency) for frequency in (DigestFrequency.DAILY, DigestFrequency.WEEKLY)}

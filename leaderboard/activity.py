"""Recording activity events, with the fair-play rules decided once, when an event happens."""

from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from knowledge import contracts

from .models import ActivityEvent
from .rollups import day_start

Verb = ActivityEvent.Verb
Skipped = ActivityEvent.Skipped

# Kinds that score for the content's owner rather than for the person acting.
RECEIVED = {Verb.HELPFUL_RECEIVED, Verb.COACHING_RECEIVED, Verb.CONTENT_VIEWED}


def daily_cap() -> int:
    return settings.LEADERBOARD_DAILY_CAP


def helpful_pair_weekly_cap() -> int:
    return settings.LEADERBOARD_HELPFUL_PAIR_WEEKLY_CAP


def account_of(instance) -> int | None:
    """The account a piece of content is about, as its ``knowledge.contracts`` declaration says."""
    return contracts.account_id_of(instance)


def owner_of(instance):
    """The person whose content it is, as its ``knowledge.contracts`` declaration says."""
    return contracts.owner_of(instance)


def _skip_reason(verb: str, actor, rep, owner, now) -> str:
    if owner is not None and owner.pk == actor.pk and not verb.startswith("shared_"):
        # Acting on one's own content (commenting, marking helpful, viewing) scores nothing.
        return Skipped.OWN_CONTENT
    day = timezone.localtime(now).date()
    counted = ActivityEvent.objects.filter(
        rep=rep,
        verb=verb,
        skipped="",
        created_at__gte=day_start(day),
        created_at__lt=day_start(day + timedelta(days=1)),
    )
    if counted.count() >= daily_cap():
        return Skipped.DAILY_CAP
    if verb == Verb.HELPFUL_RECEIVED:
        same_pair = ActivityEvent.objects.filter(
            verb=verb, actor=actor, rep=rep, skipped="", created_at__gte=now - timedelta(days=7)
        )
        if same_pair.count() >= helpful_pair_weekly_cap():
            return Skipped.PAIR_CAP
    return ""


def record(verb: str, *, actor, target=None, owner=None, when=None) -> ActivityEvent | None:
    """Writes one event; it is kept but scores nothing when a fair-play rule says so."""
    if actor is None or not getattr(actor, "pk", None):
        return None
    verb = Verb(verb)
    owner = owner if owner is not None else (owner_of(target) if target is not None else None)
    rep = owner if verb in RECEIVED else actor
    if rep is None:
        return None
    now = when or timezone.now()
    event = ActivityEvent(
        actor=actor,
        rep=rep,
        verb=verb,
        owner=owner,
        created_at=now,
        skipped=_skip_reason(verb, actor, rep, owner, now),
    )
    if target is not None and getattr(target, "pk", None):
        event.content_type = ContentType.objects.get_for_model(target)
        event.object_id = target.pk
        event.account_id = account_of(target)
    event.save()
    return event


def withdraw(verb: str, *, actor, target) -> int:
    """Removes the latest matching event (a helpful mark taken back); returns how many went."""
    content_type = ContentType.objects.get_for_model(target)
    latest = (
        ActivityEvent.objects.filter(verb=verb, actor=actor, content_type=content_type, object_id=target.pk)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    if latest is None:
        return 0
    return ActivityEvent.objects.filter(pk=latest).delete()[0]


def fair_play_rules() -> list[str]:
    """The rules in plain words, for the leaderboard page."""
    return [
        "Acting on your own content earns nothing: commenting on your own tip, marking it helpful or viewing it.",
        f"Each kind of activity counts at most {daily_cap()} times a day per person; "
        "anything beyond that is recorded but scores nothing.",
        f"Helpful marks from the same colleague count at most {helpful_pair_weekly_cap()} times in any seven days.",
        "Points per kind of activity are set by managers; changing them re-scores all history.",
    ]

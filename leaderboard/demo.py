"""Demo teams, rep profiles, deals and activity: the last part of ``manage.py seed_demo``.

Each rep gets a hidden "habit" that raises both how much they share and how often they win,
and tenure raises both too, so the analysis page has a believable, partly confounded association.
"""

import datetime
import random
from decimal import Decimal

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from knowledge import contracts
from knowledge.demo import TEAM_MANAGERS, SeedContext, demo_reps
from knowledge.models import Account

from . import rollups
from .models import ActivityEvent, Deal, ExchangeRate, RepProfile, Team

BATCH = 10_000
TEAM_NAMES = ["East", "West", "Central"]
STAGES_OPEN = ["Prospecting", "Discovery", "Proposal", "Negotiation"]
Verb = ActivityEvent.Verb
# Kinds of synthetic activity and how often each occurs, per 100 events.
SYNTHETIC_MIX = [
    (Verb.COMMENTED, 30),
    (Verb.SHARED_MICROPOST, 20),
    (Verb.HELPFUL_RECEIVED, 20),
    (Verb.COACHING_GIVEN, 10),
    (Verb.COACHING_RECEIVED, 10),
    (Verb.SHARED_TIP, 7),
    (Verb.SHARED_VIDEO, 3),
]
DEAL_KINDS = ["renewal", "expansion", "new logo", "pilot"]
FORMER_OWNERS = ["Jordan Former", "Casey Left-Company"]
# Rates into USD at the start of each month, drifting a little: EUR and GBP deals convert.
DEMO_RATES = {"EUR": Decimal("1.0816"), "GBP": Decimal("1.2650")}


def seed(context: SeedContext) -> None:
    reps = _seed_people(context)
    if not reps:
        return
    context.summary["exchange rates"] = _seed_rates()
    context.summary["deals"] = _seed_deals(context, reps)
    context.summary["activity events"] = written = _seed_activity(context, reps)
    if written:
        # Bulk inserts send no signals: count them into the daily roll-ups (caps applied) once.
        rollups.rebuild(progress=lambda rep_ids, total: context.progress(rep_ids, "Counting activity", total=total))


def _habits(context: SeedContext, rep_ids: list[int]) -> dict[int, float]:
    rng = random.Random(context.seed + 60)
    return {rep_id: rng.uniform(0.15, 1.0) for rep_id in rep_ids}


def _seed_people(context: SeedContext) -> dict[int, dict]:
    """Teams with their managers, a profile per rep; returns rep id -> habit and tenure."""
    User = get_user_model()
    rng = random.Random(context.seed + 61)
    managers = dict(
        User.objects.filter(username__in=[name for name, _, _ in TEAM_MANAGERS]).values_list("username", "pk")
    )
    teams = []
    for name, (manager_name, _, _) in zip(TEAM_NAMES, TEAM_MANAGERS, strict=True):
        team, _ = Team.objects.get_or_create(name=name, defaults={"manager_id": managers.get(manager_name)})
        teams.append(team)
    reps = list(
        User.objects.filter(username__in=demo_reps(context.size))
        .order_by("username")
        .values_list("pk", "username", "first_name", "last_name")
    )
    have = set(RepProfile.objects.values_list("user_id", flat=True))
    today = timezone.localdate()
    new = []
    for index, (pk, _username, first, last) in enumerate(reps):
        team = teams[index % len(teams)]
        start = today - datetime.timedelta(days=rng.randint(60, 8 * 365))
        if pk not in have:
            new.append(
                RepProfile(
                    user_id=pk,
                    team=team,
                    manager_id=team.manager_id,
                    start_date=start,
                    crm_names=[f"{first} {last}".strip()],
                )
            )
    RepProfile.objects.bulk_create(new, batch_size=1000)
    context.summary["rep profiles"] = len(new)
    habits = _habits(context, [pk for pk, *_ in reps])
    starts = dict(RepProfile.objects.filter(user_id__in=habits).values_list("user_id", "start_date"))
    return {
        pk: {"habit": habit, "tenure": ((today - starts[pk]).days / 365 if starts.get(pk) else 1.0)}
        for pk, habit in habits.items()
    }


def _seed_rates() -> int:
    """Monthly EUR and GBP rates for the demo's 15 months; CHF is left without, on purpose."""
    if ExchangeRate.objects.filter(currency__in=DEMO_RATES).exists():
        return 0
    today = timezone.localdate()
    first = datetime.date(today.year - 1, today.month, 1) - datetime.timedelta(days=62)
    rates, month = [], first.replace(day=1)
    while month <= today:
        step = (month.year - first.year) * 12 + month.month - first.month
        for currency, base in DEMO_RATES.items():
            drift = Decimal(((step * 7) % 11) - 5) / Decimal(400)
            rates.append(ExchangeRate(currency=currency, to_currency="USD", rate=base + drift, valid_from=month))
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return len(ExchangeRate.objects.bulk_create(rates))


def _demo_currency(number: int) -> str:
    """Most demo deals are in dollars; some in euros and pounds, and a few in francs that
    have no rate, so the board shows what it does with a deal it cannot convert."""
    if number in (3, 4):
        return "CHF"
    if number % 7 == 1:
        return "EUR"
    if number % 11 == 2:
        return "GBP"
    return "USD"


def _seed_deals(context: SeedContext, reps: dict[int, dict]) -> int:
    if Deal.objects.filter(crm_id__startswith="DEMO-").exists():
        return 0
    rng = random.Random(context.seed + 62)
    accounts = list(Account.objects.values_list("pk", "name"))
    rep_ids = list(reps)
    today = timezone.localdate()
    created = 0
    total = context.size.deals
    for start in context.progress(range(0, total, BATCH), "Deals", total=(total + BATCH - 1) // BATCH):
        deals = []
        for number in range(start, min(start + BATCH, total)):
            account_id, account_name = rng.choice(accounts) if accounts else (None, "Unknown account")
            close = today - datetime.timedelta(days=rng.randint(-60, 365))
            owner_id = rng.choice(rep_ids)
            traits = reps[owner_id]
            win_chance = 0.2 + 0.3 * traits["habit"] + 0.03 * min(traits["tenure"], 6)
            if close > today:
                status, stage = Deal.Status.OPEN, rng.choice(STAGES_OPEN)
            elif rng.random() < win_chance:
                status, stage = Deal.Status.WON, "Closed Won"
            else:
                status, stage = Deal.Status.LOST, "Closed Lost"
            owner_name = ""
            if number % 97 == 0:  # a few deals of people who left: the unmapped-owners page has work
                owner_id, owner_name = None, FORMER_OWNERS[number % len(FORMER_OWNERS)]
            amount = Decimal(rng.randrange(20, 1200) * 100)
            currency = _demo_currency(number)
            if currency == "CHF":  # recent and won, so this quarter's board names them
                close, status, stage = today - datetime.timedelta(days=2), Deal.Status.WON, "Closed Won"
            deals.append(
                Deal(
                    crm_id=f"DEMO-{number + 1:06d}",
                    name=f"{account_name} — {rng.choice(DEAL_KINDS)}",
                    account_id=account_id,
                    account_name=account_name,
                    owner_id=owner_id,
                    owner_name=owner_name,
                    amount=amount,
                    currency=currency,
                    stage=stage,
                    status=status,
                    close_date=close,
                    last_imported_at=timezone.now(),
                )
            )
        Deal.objects.bulk_create(deals)
        created += len(deals)
    Deal.objects.filter(crm_id__startswith="DEMO-").convert_amounts()  # bulk_create skips save()
    return created


def _content_types():
    """(content type, model) for every kind of shared content (tips, microposts, videos, pitches), by label."""
    return {
        model._meta.label: (ContentType.objects.get_for_model(model), model)
        for model in apps.get_models()
        if contracts.declares(model)
    }


def _seed_activity(context: SeedContext, reps: dict[int, dict]) -> int:
    # Publishing demo videos already recorded events through signals; bulk-seeded tips did not.
    if ActivityEvent.objects.filter(verb=Verb.SHARED_TIP).exists():
        return 0
    kinds = _content_types()
    written = _events_from_content(context, kinds)
    written += _views_before_won_deals(context, reps, kinds)
    written += _synthetic_events(context, reps, kinds)
    return written


def _bulk(events: list[ActivityEvent]) -> int:
    ActivityEvent.objects.bulk_create(events, batch_size=2000)
    return len(events)


def _events_from_content(context: SeedContext, kinds) -> int:
    """Turn the demo content other apps seeded in bulk (so without signals) into events."""
    written = 0
    now = timezone.now()
    for content_type, model in kinds.values():
        verb = Verb(model.content_kind.verb)
        account_field = f"{model.account_field}_id" if model.account_field else None
        fields = ["pk", f"{model.owner_field}_id", model.time_field] + ([account_field] if account_field else [])
        recorded = set(
            ActivityEvent.objects.filter(verb=verb, content_type=content_type).values_list("object_id", flat=True)
        )
        batch = []
        for values in model._default_manager.values_list(*fields).iterator(chunk_size=BATCH):
            pk, author, when = values[:3]
            if author is None or pk in recorded:  # shared through the site: its event exists
                continue
            batch.append(
                ActivityEvent(
                    actor_id=author,
                    rep_id=author,
                    owner_id=author,
                    verb=verb,
                    content_type=content_type,
                    object_id=pk,
                    created_at=when or now,
                    account_id=values[3] if account_field else None,
                )
            )
            if len(batch) >= BATCH:
                written += _bulk(batch)
                batch = []
        written += _bulk(batch)
    written += _reactions_as_events(context, kinds)
    return written


def _reactions_as_events(context: SeedContext, kinds) -> int:
    try:
        HelpfulMark = apps.get_model("knowledge.HelpfulMark")
        ContentView = apps.get_model("knowledge.ContentView")
    except LookupError:
        return 0
    owners = {}
    for content_type, model in kinds.values():
        owner_field = f"{model.owner_field}_id"
        account_field = f"{model.account_field}_id" if model.account_field else owner_field
        for pk, author, account in model._default_manager.values_list("pk", owner_field, account_field).iterator(
            chunk_size=BATCH
        ):
            owners[(content_type.pk, pk)] = (author, account if model.account_field else None)
    written = 0
    for model, verb in ((HelpfulMark, Verb.HELPFUL_RECEIVED), (ContentView, Verb.CONTENT_VIEWED)):
        time_field = "created_at" if verb == Verb.HELPFUL_RECEIVED else "day"
        batch = []
        rows = model.objects.values_list("user_id", "content_type_id", "object_id", time_field)
        for user, type_id, object_id, when in rows.iterator(chunk_size=BATCH):
            author, account = owners.get((type_id, object_id), (None, None))
            if author is None or author == user:
                continue
            if isinstance(when, datetime.date) and not isinstance(when, datetime.datetime):
                when = datetime.datetime.combine(when, datetime.time(10), datetime.UTC)
            batch.append(
                ActivityEvent(
                    actor_id=user,
                    rep_id=author,
                    owner_id=author,
                    verb=verb,
                    content_type_id=type_id,
                    object_id=object_id,
                    account_id=account,
                    created_at=when,
                )
            )
            if len(batch) >= BATCH:
                written += _bulk(batch)
                batch = []
        written += _bulk(batch)
    return written


def _views_before_won_deals(context: SeedContext, reps: dict[int, dict], kinds) -> int:
    """Owners reading tips about their account before winning: what influenced revenue credits."""
    if "knowledge.TipPage" not in kinds:
        return 0
    tip_type, TipPage = kinds["knowledge.TipPage"]
    tips_by_account: dict[int, list[tuple[int, int]]] = {}
    for pk, author, account in (
        TipPage.objects.filter(account__isnull=False)
        .values_list("pk", "author_id", "account_id")
        .iterator(chunk_size=BATCH)
    ):
        if author:
            tips_by_account.setdefault(account, []).append((pk, author))
    rng = random.Random(context.seed + 63)
    written, batch = 0, []
    won = (
        Deal.objects.won()
        .filter(owner__isnull=False, account__isnull=False)
        .values_list("owner_id", "account_id", "close_date")
    )
    for owner, account, close in won.iterator(chunk_size=BATCH):
        tips = tips_by_account.get(account)
        if not tips or rng.random() > 0.3 + 0.4 * reps.get(owner, {"habit": 0.5})["habit"]:
            continue
        for tip_id, author in rng.sample(tips, min(len(tips), rng.randint(1, 2))):
            if author == owner:
                continue
            when = datetime.datetime.combine(
                close - datetime.timedelta(days=rng.randint(1, 80)),
                datetime.time(rng.randint(8, 18)),
                datetime.UTC,
            )
            batch.append(_tip_view(owner, author, tip_type.pk, tip_id, account, when))
        if len(batch) >= BATCH:
            written += _bulk(batch)
            batch = []
    return written + _bulk(batch)


def _tip_view(actor: int, author: int, type_id: int, tip_id: int, account, when) -> ActivityEvent:
    """``actor`` read ``author``'s tip (about ``account``) at ``when``: the author's contribution."""
    return ActivityEvent(
        actor_id=actor,
        rep_id=author,
        owner_id=author,
        verb=Verb.CONTENT_VIEWED,
        content_type_id=type_id,
        object_id=tip_id,
        account_id=account,
        created_at=when,
    )


def _synthetic_events(context: SeedContext, reps: dict[int, dict], kinds) -> int:
    """Enough further activity (and views) to reach the size asked for, spread over a year."""
    rep_ids = list(reps)
    if len(rep_ids) < 2:
        return 0
    rng = random.Random(context.seed + 64)
    wanted = max(context.size.activity_events, 60 * len(rep_ids))
    views_wanted = context.size.activity_events  # the large size also asks for as many views
    weights = [reps[rep]["habit"] + 0.1 * min(reps[rep]["tenure"], 5) for rep in rep_ids]
    verbs = [verb for verb, share in SYNTHETIC_MIX for _ in range(share)]
    tip_targets = []
    if "knowledge.TipPage" in kinds:
        tip_type, TipPage = kinds["knowledge.TipPage"]
        tip_targets = [
            (tip_type.pk, pk, author, account)
            for pk, author, account in TipPage.objects.filter(author__isnull=False).values_list(
                "pk", "author_id", "account_id"
            )
        ]
    written = 0
    total = wanted + views_wanted
    # Written in time order, as a live site would: index inserts append rather than land at
    # random places, which keeps a million-row SQLite insert fast.
    first, step = timezone.now() - datetime.timedelta(days=365), 365 * 86400 / total
    for start in context.progress(range(0, total, BATCH), "Activity events", total=(total + BATCH - 1) // BATCH):
        batch = []
        actors = rng.choices(rep_ids, weights=weights, k=min(BATCH, total - start))
        for offset, actor in enumerate(actors):
            when = first + datetime.timedelta(seconds=(start + offset) * step)
            if rng.random() < views_wanted / total and tip_targets:
                type_id, object_id, author, account = tip_targets[rng.randrange(len(tip_targets))]
                if author != actor:
                    batch.append(_tip_view(actor, author, type_id, object_id, account, when))
                continue
            verb = rng.choice(verbs)
            other = rep_ids[rng.randrange(len(rep_ids))]
            while other == actor:
                other = rep_ids[rng.randrange(len(rep_ids))]
            if verb in (Verb.HELPFUL_RECEIVED, Verb.COACHING_RECEIVED):
                batch.append(ActivityEvent(actor_id=other, rep_id=actor, owner_id=actor, verb=verb, created_at=when))
            elif verb.startswith("shared_"):
                batch.append(ActivityEvent(actor_id=actor, rep_id=actor, owner_id=actor, verb=verb, created_at=when))
            else:
                batch.append(ActivityEvent(actor_id=actor, rep_id=actor, owner_id=other, verb=verb, created_at=when))
        written += _bulk(batch)
    return written

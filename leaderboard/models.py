from bisect import bisect_right
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Case, F, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce, Round
from django.utils import timezone
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from config.keys import HashedKey, hash_key

from .admin_forms import CurrencyCodesForm


class Team(models.Model):
    """A sales team and the manager it reports to."""

    name = models.CharField(max_length=100, unique=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_teams",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class RepProfile(models.Model):
    """What the leaderboard knows about a rep: team, tenure and the names a CRM uses for them."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rep_profile")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="direct_reports",
    )
    start_date = models.DateField(null=True, blank=True, help_text="First day in sales here; tenure counts from it.")
    crm_names = models.JSONField(
        "CRM owner names",
        default=list,
        blank=True,
        help_text="Owner names the CRM uses for this rep; deals with these names link to them.",
    )
    crm_emails = models.JSONField("CRM e-mails", default=list, blank=True)

    class Meta:
        ordering = ["user__username"]

    def __str__(self):
        return f"Profile of {self.user}"

    def tenure_years(self, on: date | None = None) -> float | None:
        if not self.start_date:
            return None
        return ((on or timezone.localdate()) - self.start_date).days / 365.25


class DealQuerySet(models.QuerySet):
    def won(self) -> "DealQuerySet":
        return self.filter(status=Deal.Status.WON)

    def closed_between(self, start: date, end: date) -> "DealQuerySet":
        return self.filter(close_date__gte=start, close_date__lte=end)

    def unmapped(self) -> "DealQuerySet":
        return self.filter(owner__isnull=True).exclude(owner_name="")

    def convert_amounts(self, into: str | None = None) -> int:
        """Stores each deal's amount in the reporting currency, at the latest rate on or before
        its close date (today's for an open deal without one); NULL when no rate exists.

        One UPDATE: rates change rarely and the board is read all day, so the conversion is
        kept beside the amount instead of being looked up for every deal on every read.
        """
        into = into or ScoringSettings.current().reporting_currency
        rate = (
            ExchangeRate.objects.filter(
                currency=OuterRef("currency"),
                to_currency=into,
                valid_from__lte=Coalesce(OuterRef("close_date"), Value(timezone.localdate())),
            )
            .order_by("-valid_from")
            .values("rate")[:1]
        )
        return self.update(
            amount_reporting=Case(
                When(currency=into, then=F("amount")),
                default=Round(F("amount") * Subquery(rate), 2),
                output_field=models.DecimalField(max_digits=18, decimal_places=2),
            )
        )


class Deal(models.Model):
    """A CRM opportunity, upserted by the CRM's id."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        WON = "won", "Won"
        LOST = "lost", "Lost"

    crm_id = models.CharField("CRM id", max_length=100, unique=True)
    name = models.CharField(max_length=300)
    account = models.ForeignKey(
        "knowledge.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="deals"
    )
    # The CRM's account and owner as text: kept when no Huddle account or rep matches yet.
    account_name = models.CharField(max_length=200, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deals",
    )
    owner_name = models.CharField(max_length=200, blank=True, db_index=True)
    owner_email = models.CharField(max_length=254, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    currency = models.CharField(max_length=3, default="USD")
    # ``amount`` in the reporting currency at the close date's rate; NULL while no rate covers
    # it, and then left out of every sum (never added in its own currency).
    amount_reporting = models.DecimalField(
        "amount in the reporting currency",
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        editable=False,
    )
    stage = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=4, choices=Status.choices, default=Status.OPEN)
    close_date = models.DateField(null=True, blank=True)
    last_imported_at = models.DateTimeField(null=True, blank=True)

    objects = DealQuerySet.as_manager()

    class Meta:
        permissions = [
            ("view_revenue", "Can see revenue figures on the leaderboard"),
            ("import_deals", "Can import deals and map CRM owners to reps"),
        ]
        indexes = [
            # The board's revenue per owner for a period, and the won deals whose owners' views
            # influence counts, read from the index alone.
            models.Index(
                fields=["close_date", "owner", "currency", "status", "amount_reporting", "account"],
                name="deal_period_totals",
            ),
            models.Index(fields=["owner", "account", "status"], name="deal_owner_account"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or {"amount", "currency", "close_date"} & set(update_fields):
            self.amount_reporting = ExchangeRate.objects.convert(self.amount, self.currency, self.close_date)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "amount_reporting"}
        super().save(*args, **kwargs)


CURRENCY_CODE = RegexValidator(r"^[A-Z]{3}$", "Use a three-letter ISO code such as EUR.")


class ExchangeRateQuerySet(models.QuerySet):
    def into(self, currency: str) -> "ExchangeRateQuerySet":
        return self.filter(to_currency=currency)

    def rate_on(self, currency: str, day: date, *, into: str) -> "Decimal | None":
        """The latest rate on or before ``day``, or None when none is that old."""
        return (
            self.into(into)
            .filter(currency=currency, valid_from__lte=day)
            .order_by("-valid_from")
            .values_list("rate", flat=True)
            .first()
        )

    def convert(
        self, amount: "Decimal", currency: str, day: date | None, *, into: str | None = None
    ) -> "Decimal | None":
        """``amount`` of ``currency`` in the reporting currency on ``day``; None without a rate."""
        into = into or ScoringSettings.current().reporting_currency
        if currency == into:
            return amount
        rate = self.rate_on(currency, day or timezone.localdate(), into=into)
        if rate is None:
            return None
        return (amount * rate).quantize(Decimal("0.01"))

    def table(self, into: str | None = None) -> "RateTable":
        """Every rate into the reporting currency, loaded once, for converting many deals."""
        into = into or ScoringSettings.current().reporting_currency
        table = RateTable(into)
        for currency, valid_from, rate in (
            self.into(into).order_by("currency", "valid_from").values_list("currency", "valid_from", "rate")
        ):
            days, rates = table.rates.setdefault(currency, ([], []))
            days.append(valid_from)
            rates.append(rate)
        return table

    def delete(self):
        currencies = set(self.values_list("currency", flat=True))
        result = super().delete()
        _rates_changed(currencies)
        return result


class RateTable:
    """Rates held in memory: an import converts thousands of deals without a query each."""

    def __init__(self, into: str):
        self.into = into
        self.rates: dict[str, tuple[list[date], list[Decimal]]] = {}

    def convert(self, amount: Decimal, currency: str, day: date | None) -> Decimal | None:
        if currency == self.into:
            return amount
        if currency not in self.rates:
            return None
        days, rates = self.rates[currency]
        index = bisect_right(days, day or timezone.localdate())
        return (amount * rates[index - 1]).quantize(Decimal("0.01")) if index else None


def _rates_changed(currencies: set[str] | None) -> None:
    from . import currencies as conversion  # the module imports these models

    conversion.rates_changed(currencies)


class ExchangeRate(models.Model):
    """What one unit of a currency is worth in the reporting currency, from a date on."""

    currency = models.CharField(max_length=3, validators=[CURRENCY_CODE], help_text="e.g. EUR")
    to_currency = models.CharField(
        "in",
        max_length=3,
        blank=True,
        validators=[CURRENCY_CODE],
        help_text="The reporting currency the rate converts into; empty means the current one. "
        "Rates into another currency wait unused until it is the reporting currency again.",
    )
    rate = models.DecimalField(
        max_digits=18,
        decimal_places=8,
        validators=[MinValueValidator(Decimal("0.00000001"))],
        help_text="One unit of the currency is worth this much: 1.0816 for EUR in USD.",
    )
    valid_from = models.DateField(help_text="Deals closed on or after this day (until the next rate) use this rate.")

    objects = ExchangeRateQuerySet.as_manager()

    base_form_class = CurrencyCodesForm

    class Meta:
        ordering = ["currency", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "to_currency", "valid_from"], name="one_rate_per_day")
        ]

    def __str__(self):
        return f"1 {self.currency} = {self.rate.normalize():f} {self.to_currency} from {self.valid_from}"

    def save(self, *args, **kwargs):
        self.to_currency = self.to_currency or ScoringSettings.current().reporting_currency
        previous = (
            ExchangeRate.objects.filter(pk=self.pk).values_list("currency", flat=True).first() if self.pk else None
        )
        super().save(*args, **kwargs)
        _rates_changed({self.currency, previous} - {None})

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        _rates_changed({self.currency})
        return result

    def clean(self):
        self.currency = (self.currency or "").strip().upper()
        self.to_currency = (self.to_currency or "").strip().upper() or ScoringSettings.current().reporting_currency
        if self.currency == self.to_currency:
            raise ValidationError({"currency": "A currency needs no rate into itself."})


class ActivityEvent(models.Model):
    """One thing a person did that may score; weights apply when the board is read."""

    class Verb(models.TextChoices):
        SHARED_TIP = "shared_tip", "Shared a tip"
        SHARED_VIDEO = "shared_video", "Shared a video"
        SHARED_MICROPOST = "shared_micropost", "Posted a micropost"
        SHARED_PITCH = "shared_pitch", "Shared a pitch"
        COMMENTED = "commented", "Commented"
        HELPFUL_RECEIVED = "helpful_received", "Helpful mark received"
        COACHING_GIVEN = "coaching_given", "Coaching given"
        COACHING_RECEIVED = "coaching_received", "Coaching received"
        CONTENT_VIEWED = "content_viewed", "Content viewed by someone else"

    class Skipped(models.TextChoices):
        COUNTED = "", "Counted"
        OWN_CONTENT = "own_content", "Own content"
        DAILY_CAP = "daily_cap", "Over the daily cap"
        PAIR_CAP = "pair_cap", "Same two people too often this week"

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activity")
    # Who the event scores for: the actor, or the content's owner for "received" kinds and views.
    rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    verb = models.CharField(max_length=20, choices=Verb.choices)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The account the content is about, copied here so attribution is one join.
    account = models.ForeignKey("knowledge.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    skipped = models.CharField(max_length=12, choices=Skipped.choices, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The leaderboard: counted events in a period, grouped by rep and verb (index-only).
            models.Index(fields=["skipped", "created_at", "rep", "verb"], name="event_board"),
            models.Index(fields=["rep", "created_at"], name="event_rep_time"),
            # Attribution: what a deal's owner viewed about its account before the close.
            models.Index(fields=["verb", "actor", "account", "created_at"], name="event_attribution"),
            models.Index(fields=["content_type", "object_id"], name="event_target"),
        ]

    def __str__(self):
        return f"{self.actor} {self.get_verb_display().lower()}"

    @property
    def counted(self) -> bool:
        return not self.skipped


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> "ApiTokenQuerySet":
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(HashedKey):
    """A key for the JSON API; only its hash is stored, so the key is shown once, at creation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="leaderboard_api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'Salesforce webhook'.")

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    @classmethod
    def for_key(cls, key: str) -> "ApiToken | None":
        return cls.objects.active().select_related("user").filter(key_hash=hash_key(key)).first()


@register_setting(icon="order")
class ScoringSettings(BaseSiteSetting):
    """Points per kind of activity, applied when the board is read: a change re-scores history."""

    shared_tip = models.PositiveSmallIntegerField("Tip shared", default=5)
    shared_video = models.PositiveSmallIntegerField("Video shared", default=5)
    shared_micropost = models.PositiveSmallIntegerField("Micropost posted", default=1)
    shared_pitch = models.PositiveSmallIntegerField("Pitch shared for feedback", default=2)
    commented = models.PositiveSmallIntegerField("Comment written", default=1)
    helpful_received = models.PositiveSmallIntegerField("Helpful mark received", default=8)
    coaching_given = models.PositiveSmallIntegerField("Coaching review given", default=8)
    coaching_received = models.PositiveSmallIntegerField("Coaching review received", default=2)
    content_viewed = models.PositiveSmallIntegerField("Own content viewed by someone else", default=0)
    influence_window_days = models.PositiveSmallIntegerField(
        "Influence window (days)",
        default=90,
        help_text="A won deal credits tips its owner viewed this many days before closing.",
    )
    reporting_currency = models.CharField(
        max_length=3,
        default="USD",
        validators=[CURRENCY_CODE],
        help_text="Revenue is converted into this currency at each deal's close date, using the "
        "exchange rates under Leaderboard > Exchange rates (the default site's choice counts).",
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel(verb) for verb in ActivityEvent.Verb.values],
            heading="Points per event",
        ),
        FieldPanel("influence_window_days"),
        FieldPanel("reporting_currency"),
    ]
    base_form_class = CurrencyCodesForm

    class Meta:
        verbose_name = "leaderboard scoring"

    def save(self, *args, **kwargs):
        self.reporting_currency = self.reporting_currency.strip().upper()
        previous = (
            type(self).objects.filter(pk=self.pk).values_list("reporting_currency", flat=True).first()
            if self.pk
            else None
        )
        super().save(*args, **kwargs)
        if self.reporting_currency != (previous or "USD"):
            _rates_changed(None)  # every deal converts into the new currency

    @classmethod
    def current(cls) -> "ScoringSettings":
        """The default site's settings (unsaved defaults when there is no site yet)."""
        from wagtail.models import Site

        site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
        return cls.for_site(site) if site else cls()

    def weights(self) -> dict[str, int]:
        return {verb: getattr(self, verb) for verb in ActivityEvent.Verb.values}


class ActivityCounts(models.Model):
    """Counted events, a column per kind (the fields of ``ActivityEvent.Verb``)."""

    shared_tip = models.PositiveIntegerField(default=0)
    shared_video = models.PositiveIntegerField(default=0)
    shared_micropost = models.PositiveIntegerField(default=0)
    shared_pitch = models.PositiveIntegerField(default=0)
    commented = models.PositiveIntegerField(default=0)
    helpful_received = models.PositiveIntegerField(default=0)
    coaching_given = models.PositiveIntegerField(default=0)
    coaching_received = models.PositiveIntegerField(default=0)
    content_viewed = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class DailyActivity(ActivityCounts):
    """Counted events per rep and day, a column per kind: what the board adds up.

    Kept up to date from the events (``leaderboard.rollups``) with the fair-play caps applied;
    weights are applied when it is read, so a weight change still re-scores all history.
    """

    rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
        verbose_name_plural = "daily activity"
        constraints = [models.UniqueConstraint(fields=["rep", "day"], name="daily_activity_once")]
        # The board reads a run of days for everyone; the rep page reads one rep (the constraint).
        indexes = [models.Index(fields=["day", "rep"], name="daily_activity_board")]

    def __str__(self):
        return f"{self.rep_id} on {self.day}"


class MonthlyActivity(ActivityCounts):
    """A rep's daily counts summed per calendar month (``month`` is its first day).

    The board reads whole months here and only the days at a period's ragged ends from
    ``DailyActivity``: a year is twelve rows per rep instead of 365.
    """

    rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()

    class Meta:
        verbose_name_plural = "monthly activity"
        constraints = [models.UniqueConstraint(fields=["rep", "month"], name="monthly_activity_once")]
        indexes = [models.Index(fields=["month", "rep"], name="monthly_activity_board")]

    def __str__(self):
        return f"{self.rep_id} in {self.month:%Y-%m}"


class RollupState(models.Model):
    """The caps the daily counts were made with: when the settings differ, history is re-counted."""

    daily_cap = models.PositiveIntegerField()
    helpful_pair_weekly_cap = models.PositiveIntegerField()
    counted_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Counted with caps {self.daily_cap}/{self.helpful_pair_weekly_cap}"

"""Points per kind of activity and the reporting currency, per site."""

from django.core.validators import RegexValidator
from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from ..admin_forms import CurrencyCodesForm
from .activity import ActivityEvent

# The reporting currency and an exchange rate's currencies are ISO codes.
CURRENCY_CODE = RegexValidator(r"^[A-Z]{3}$", "Use a three-letter ISO code such as EUR.")


def rates_changed(currencies: set[str] | None) -> None:
    """Re-converts the deals in ``currencies`` (all of them for None) after a rate or the
    reporting currency changed."""
    from .. import currencies as conversion  # that module imports these models

    conversion.rates_changed(currencies)


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
            rates_changed(None)  # every deal converts into the new currency

    @classmethod
    def current(cls) -> "ScoringSettings":
        """The default site's settings (unsaved defaults when there is no site yet)."""
        from wagtail.models import Site

        site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
        return cls.for_site(site) if site else cls()

    def weights(self) -> dict[str, int]:
        return {verb: getattr(self, verb) for verb in ActivityEvent.Verb.values}

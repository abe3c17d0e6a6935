"""Admin forms for the leaderboard's Wagtail models."""

from wagtail.admin.forms import WagtailAdminModelForm

CURRENCY_FIELDS = ("currency", "to_currency", "reporting_currency")


class CurrencyCodesForm(WagtailAdminModelForm):
    """Takes "eur" for EUR: codes are stored upper case, and checked once upper-cased."""

    def clean(self):
        cleaned = super().clean()
        for name in CURRENCY_FIELDS:
            if isinstance(cleaned.get(name), str):
                cleaned[name] = cleaned[name].strip().upper()
        return cleaned

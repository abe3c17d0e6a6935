from django import forms
from django.contrib.auth import get_user_model

from . import people
from .columns import HUDDLE_COLUMNS
from .csv_reading import ENCODING_CHOICES, FileEncodingError, decoded_lines
from .models import Team
from .scoring import SORT_KEYS, Period, PeriodKey, period_for

MAX_UPLOAD_BYTES = 200 * 1024 * 1024


class BoardFilterForm(forms.Form):
    """The leaderboard's period, team and sort order; bad values fall back to the defaults."""

    period = forms.ChoiceField(choices=PeriodKey.CHOICES, required=False, initial=PeriodKey.THIS_QUARTER)
    start = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False, empty_label="All teams")
    former = forms.BooleanField(
        required=False,
        label="Include former reps",
        help_text="People deactivated since, who have activity in the period (managers only).",
    )
    sort = forms.ChoiceField(
        required=False,
        widget=forms.HiddenInput,
        choices=[(key, key) for name in SORT_KEYS for key in (name, f"-{name}")],
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("period") == PeriodKey.CUSTOM:
            start, end = cleaned.get("start"), cleaned.get("end")
            if not start or not end:
                self.add_error("start", "Custom dates need both a start and an end.")
            elif start > end:
                self.add_error("end", "The end date is before the start date.")
        return cleaned

    def selection(self) -> tuple[Period, Team | None, str]:
        """The period, team and sort to show; the defaults when the form is unbound or invalid."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        period = period_for(
            data.get("period") or PeriodKey.THIS_QUARTER,
            start=data.get("start"),
            end=data.get("end"),
        )
        return period, data.get("team"), data.get("sort") or "rank"

    def wants_former(self) -> bool:
        return bool(self.is_bound and self.is_valid() and self.cleaned_data.get("former"))


class DealUploadForm(forms.Form):
    file = forms.FileField(
        label="CRM export (CSV)",
        help_text="A Salesforce opportunity report, a HubSpot deal export or Huddle's format.",
    )
    encoding = forms.ChoiceField(
        choices=ENCODING_CHOICES,
        initial="utf-8",
        required=False,  # a script posting the form without it means UTF-8
        label="Text encoding",
        help_text="UTF-8 unless the file came from an older Excel on Windows (Windows-1252).",
    )
    dry_run = forms.BooleanField(required=False, label="Dry run: check the file, change nothing")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field_name in HUDDLE_COLUMNS:
            self.fields[f"map_{field_name}"] = forms.CharField(
                required=False,
                max_length=200,
                label=field_name.replace("_", " ").capitalize(),
                help_text="Column name in your file, if Huddle does not recognise it.",
            )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 200 MB; import it with manage.py import_deals.")
        head = upload.read(4096)
        upload.seek(0)
        if b"\0" in head:
            raise forms.ValidationError("This is not a CSV file: export the report as CSV (comma separated).")
        return upload

    def clean_encoding(self):
        return self.cleaned_data["encoding"] or "utf-8"

    def clean(self):
        cleaned = super().clean()
        upload, encoding = cleaned.get("file"), cleaned.get("encoding")
        if upload and encoding:
            # The whole file, before any row is written: a bad byte on line 120 is named here.
            try:
                for _line in decoded_lines(upload.file, encoding):
                    pass
            except FileEncodingError as error:
                self.add_error("file", f"{str(error)[0].upper()}{str(error)[1:]}.")
            finally:
                upload.seek(0)
        return cleaned

    def mapping(self) -> dict[str, str]:
        return {
            name: self.cleaned_data[f"map_{name}"].strip()
            for name in HUDDLE_COLUMNS
            if self.cleaned_data.get(f"map_{name}", "").strip()
        }

    def mapping_fields(self):
        return [self[f"map_{name}"] for name in HUDDLE_COLUMNS]


class OwnerMappingForm(forms.Form):
    owner_name = forms.CharField(max_length=200, widget=forms.HiddenInput)
    rep = forms.CharField(max_length=254, label="Rep")

    def clean_rep(self):
        typed = self.cleaned_data["rep"].strip()
        try:
            person = people.find_person(typed)
        except people.AmbiguousPerson as error:
            names = ", ".join(candidate.label for candidate in error.candidates)
            raise forms.ValidationError(
                f"“{typed}” could be {len(error.candidates)} people: {names}. Pick one from the suggestions."
            ) from error
        except people.PersonNotFound as error:
            hint = (
                f"Did you mean {error.near[0].label}?"
                if error.near
                else "Type part of their name, username or e-mail and pick them from the suggestions."
            )
            raise forms.ValidationError(f"No active user is called “{typed}”. {hint}") from error
        return get_user_model().objects.get(pk=person.pk)


class RatesUploadForm(forms.Form):
    file = forms.FileField(
        label="Exchange rates (CSV)",
        help_text="Columns currency, rate, valid_from and optionally to_currency.",
    )
    encoding = forms.ChoiceField(choices=ENCODING_CHOICES, initial="utf-8", required=False, label="Text encoding")

    def clean_encoding(self):
        return self.cleaned_data["encoding"] or "utf-8"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError("A rates file over 5 MB is not a rates file.")
        if b"\0" in upload.read(4096):
            raise forms.ValidationError("This is not a CSV file: save the rates as CSV.")
        upload.seek(0)
        return upload

"""Forms for sharing videos, posting pitch challenges, submitting and reviewing pitches."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from wagtailmedia.forms import BaseMediaForm
from wagtailmedia.settings import wagtailmedia_settings

from knowledge.forms import AccountNameField
from knowledge.tagging import normalise_tags

from .models import PitchChallenge, RubricCriterion, Stage
from .transcripts import TranscriptError, TranscriptTooLong, parse_transcript
from .uploads import (
    IMAGE_EXTENSIONS,
    check_file_kind,
    check_video_file,
    read_transcript_upload,
    video_limit,
)

VIDEO_ACCEPT = "video/mp4,video/webm,.mp4,.webm"
CAPTION_ACCEPT = ".vtt,.srt,text/vtt,application/x-subrip,text/plain"


def _video_field(**kwargs) -> forms.FileField:
    return forms.FileField(
        widget=forms.ClearableFileInput(attrs={"accept": VIDEO_ACCEPT, "data-max-bytes": video_limit()}),
        help_text=f"MP4 or WebM, up to {filesizeformat(video_limit())}.",
        **kwargs,
    )


class VideoShareForm(forms.Form):
    """Title and a video (file or link) are required; a transcript makes it searchable by phrase."""

    title = forms.CharField(max_length=255, error_messages={"required": "Give the video a title."})
    summary = forms.CharField(max_length=300, required=False, label="One-line summary")
    file = _video_field(required=False, label="Video file")
    external_url = forms.URLField(
        required=False,
        label="…or a link to the video",
        help_text="For videos hosted elsewhere (e.g. the company video portal).",
    )
    transcript_file = forms.FileField(
        required=False,
        label="Transcript file (optional)",
        widget=forms.ClearableFileInput(attrs={"accept": CAPTION_ACCEPT}),
        help_text="WebVTT (.vtt) or SRT (.srt): the captions, and every line searchable.",
    )
    transcript_text = forms.CharField(
        required=False,
        label="…or paste the transcript",
        max_length=500_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="WebVTT, SRT, or plain text.",
    )
    skills = forms.CharField(
        required=False,
        max_length=500,
        help_text="Comma-separated, e.g. discovery, objection handling.",
    )
    account_name = AccountNameField()
    industry = forms.CharField(max_length=100, required=False)
    stage = forms.ChoiceField(choices=[("", "—")] + Stage.choices, required=False, label="Sales stage")
    presenter_name = forms.CharField(
        max_length=150,
        required=False,
        label="Presenter (if not you)",
        help_text="An outside expert's name; leave empty if you present.",
    )
    presenter_title = forms.CharField(max_length=150, required=False, label="Presenter's job title")

    def __init__(self, *args, too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_large = too_large
        self.file_kind = ""
        self.transcript = ""

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise ValidationError("Give the video a title.")
        return title

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if self.too_large:
            raise ValidationError(f"The file is larger than the {filesizeformat(video_limit())} limit for videos.")
        if upload:
            self.file_kind = check_video_file(upload)
        return upload

    def clean_skills(self) -> list[str]:
        skills = normalise_tags(self.cleaned_data["skills"].split(","))  # one spelling per tag
        if any(len(skill) > 100 for skill in skills):
            raise ValidationError("Keep each skill under 100 characters.")
        return skills

    def clean_account_name(self) -> str:
        return " ".join(self.cleaned_data.get("account_name", "").split())

    def clean(self):
        data = super().clean()
        if "file" in self.errors:
            return data
        if not data.get("file") and not data.get("external_url"):
            raise ValidationError("Choose a video file to upload or give a link to the video.", code="empty")
        if data.get("file") and data.get("external_url"):
            self.add_error("external_url", "Give either a file or a link, not both.")
        upload = data.get("transcript_file")
        pasted = data.get("transcript_text", "")
        if upload and pasted.strip():
            self.add_error("transcript_text", "Upload a transcript file or paste one, not both.")
            return data
        field = "transcript_file" if upload else "transcript_text"
        try:
            text = read_transcript_upload(upload) if upload else pasted
            if text.strip():
                parse_transcript(text)
        except ValidationError as error:
            self.add_error(field, error)
            return data
        except TranscriptTooLong as error:
            self.add_error(field, str(error))
            return data
        except TranscriptError as error:
            name = f"{upload.name}: " if upload else ""
            self.add_error(field, f"The transcript could not be read. {name}{error}")
            return data
        self.transcript = text
        return data


class ChallengeForm(forms.ModelForm):
    class Meta:
        model = PitchChallenge
        fields = ["title", "prompt", "due_date"]
        widgets = {
            "prompt": forms.Textarea(attrs={"rows": 3}),
            "due_date": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {"prompt": "e.g. Give the 90-second pitch for product X to a CFO."}

    def clean_due_date(self):
        due = self.cleaned_data["due_date"]
        if due < timezone.localdate():
            raise ValidationError("The due date is in the past.")
        return due


DEFAULT_LEVELS = {1: "Missing", 2: "Weak", 3: "Adequate", 4: "Strong", 5: "Outstanding"}


class CriterionForm(forms.ModelForm):
    """A rubric row: the name is required, a level left blank gets a plain description."""

    class Meta:
        model = RubricCriterion
        fields = ["name", "level_1", "level_2", "level_3", "level_4", "level_5"]
        labels = {"name": "Criterion"}
        widgets = {f"level_{n}": forms.TextInput(attrs={"placeholder": DEFAULT_LEVELS[n]}) for n in range(1, 6)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for level in range(1, 6):
            self.fields[f"level_{level}"].required = False
        self.fields["name"].error_messages["required"] = "Name the criterion (e.g. Clarity)."

    def clean(self):
        data = super().clean()
        for level, text in DEFAULT_LEVELS.items():
            if not (data.get(f"level_{level}") or "").strip():
                data[f"level_{level}"] = text
        return data


class BaseCriterionFormSet(BaseInlineFormSet):
    default_error_messages = {
        "too_few_forms": "Give the rubric at least %(num)d criteria.",
        "too_many_forms": "A rubric has at most %(num)d criteria.",
    }

    def clean(self):
        super().clean()
        names = [
            form.cleaned_data.get("name", "").strip().lower()
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if len(names) != len(set(names)):
            raise ValidationError("Each rubric criterion needs a different name.")


CriterionFormSet = inlineformset_factory(
    PitchChallenge,
    RubricCriterion,
    form=CriterionForm,
    formset=BaseCriterionFormSet,
    extra=4,
    min_num=2,
    max_num=6,
    validate_min=True,
    validate_max=True,
    can_delete=False,
)


class SubmissionForm(forms.Form):
    file = _video_field(label="Your pitch video", error_messages={"required": "Choose your pitch video to upload."})
    note = forms.CharField(max_length=300, required=False, label="Note for reviewers (optional)")

    def __init__(self, *args, too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_large = too_large
        self.file_kind = ""

    def clean_file(self):
        if self.too_large:
            raise ValidationError(f"The file is larger than the {filesizeformat(video_limit())} limit for videos.")
        upload = self.cleaned_data["file"]
        self.file_kind = check_video_file(upload)
        return upload


class ReviewForm(forms.Form):
    """One 1-to-5 score per rubric criterion plus a written comment."""

    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        label="What worked, and one thing to try next time",
        error_messages={"required": "Write a comment: reviews need words, not only scores."},
    )

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[self.score_field(criterion)] = forms.TypedChoiceField(
                label=criterion.name,
                coerce=int,
                widget=forms.RadioSelect,
                choices=[(level, f"{level} — {text}") for level, text in criterion.levels],
                error_messages={
                    "required": f"Score “{criterion.name}” from 1 to 5.",
                    "invalid_choice": f"Scores go from 1 to 5 (“{criterion.name}”).",
                },
            )
        self.order_fields([self.score_field(criterion) for criterion in self.criteria] + ["comment"])

    @staticmethod
    def score_field(criterion) -> str:
        return f"score_{criterion.pk}"

    def scores(self) -> dict[int, int]:
        return {criterion.pk: self.cleaned_data[self.score_field(criterion)] for criterion in self.criteria}


class MediaAdminForm(BaseMediaForm):
    """wagtailmedia's admin form, judging every upload by content as well as by name.

    Video must be MP4 or WebM, audio one of WAGTAILMEDIA's AUDIO_EXTENSIONS, a thumbnail a
    raster image; none may carry a web page (an HTML or SVG file, a polyglot, a renamed file).
    """

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not _is_new_upload(upload):
            return upload  # the stored file, already checked when it came in
        if self.instance.type == "video":
            check_video_file(upload)
        else:
            check_file_kind(upload, allowed=wagtailmedia_settings.AUDIO_EXTENSIONS, what="audio")
        return upload

    def clean_thumbnail(self):
        upload = self.cleaned_data.get("thumbnail")
        if _is_new_upload(upload):
            check_file_kind(upload, allowed=IMAGE_EXTENSIONS, what="image")
        return upload


def _is_new_upload(value) -> bool:
    return bool(value) and hasattr(value, "content_type")

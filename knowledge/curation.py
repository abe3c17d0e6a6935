"""Marketing's curation: verify and retire tips, from the admin dashboard and bulk actions."""

from collections.abc import Iterable

from django import forms
from wagtail.admin.widgets import AdminPageChooser

from .models import TipPage, default_verified_until


def verify_tips(tips: Iterable[TipPage]) -> int:
    """Marks tips checked today: each is fresh again for TIP_VERIFICATION_DAYS."""
    ids = [tip.pk for tip in tips]
    return TipPage.objects.filter(pk__in=ids).curate(verified_until=default_verified_until())


def retire_tips(tips: Iterable[TipPage], *, replaced_by: TipPage | None = None) -> int:
    """Takes tips out of feeds and search; their URLs answer with a notice (and the replacement)."""
    ids = [tip.pk for tip in tips]
    updates = {"retired": True}
    if replaced_by is not None:
        updates["replaced_by"] = replaced_by
    count = TipPage.objects.filter(pk__in=ids).curate(**updates)
    _reindex(ids)
    return count


class RetireForm(forms.Form):
    """ "Retire this tip?" with the tip that replaces it, if there is one."""

    replaced_by = forms.ModelChoiceField(
        queryset=TipPage.objects.all(),
        required=False,
        label="Replaced by",
        help_text="Optional. Readers of a retired tip are sent to this one.",
        widget=AdminPageChooser(target_models=[TipPage]),
    )

    def __init__(self, *args, retiring: Iterable[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.retiring = {int(pk) for pk in retiring if str(pk).isdigit()}  # "all" is not a tip

    def clean_replaced_by(self) -> TipPage | None:
        replacement = self.cleaned_data["replaced_by"]
        if replacement is None:
            return None
        if replacement.pk in self.retiring:
            raise forms.ValidationError("A tip cannot replace itself: choose another tip.")
        if replacement.retired or not replacement.live:
            state = "retired" if replacement.retired else "not published"
            raise forms.ValidationError(
                f"“{replacement.title}” is {state} itself: choose a live tip to send readers to."
            )
        return replacement


def _reindex(ids: list[int]) -> None:
    """update() skips post_save, so the search index hears about the change here."""
    from wagtail.search.index import insert_or_update_object

    for tip in TipPage.objects.filter(pk__in=ids):
        insert_or_update_object(tip)

"""Forms reps fill on the site: a micropost, a tip. Text is kept as text; templates escape it."""

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.html import format_html
from django.utils.text import get_text_list

from .models.accounts import Account, Stage
from .models.microposts import Micropost
from .tagging import MAX_LENGTH, normalise_tags


def account_from_name(name: str) -> Account | None:
    """An account by name, case-insensitively; a name not seen before creates the account.

    Called only once the whole form is valid, so a rejected post creates nothing.
    """
    name = " ".join(name.split())
    if not name:
        return None
    account = Account.objects.named(name)
    return account or Account.objects.create(name=name)


def refuse_unchosen_new_account(
    form: forms.Form, *, name_field: str = "account_name", new_field: str = "new_account"
) -> None:
    """A name no account has is created only when the rep ticked "Create it as a new account".

    Without the tick, a near miss ("Initech" beside Initech Corp and Initech Bank) names the
    accounts it probably meant, so a typo never makes a second account.
    """
    name = form.cleaned_data.get(name_field)
    if not name or form.cleaned_data.get(new_field) or Account.objects.named(name):
        return
    similar = [account.name for account in Account.objects.similar_to(name)]
    if similar:
        message = (
            f"Did you mean {get_text_list(similar, 'or')}? Pick one, or tick "
            f"“Create it as a new account” if “{name}” is a different customer."
        )
    else:
        message = f"There is no account called “{name}” yet. Tick “Create it as a new account” to add it."
    form.add_error(name_field, message)


class AccountNameInput(forms.TextInput):
    """A text box with its own list of existing accounts, filled from the server as the rep types.

    The list sits beside the box, so every form with an account field gets suggestions.
    """

    def _list_id(self, name: str, attrs: dict | None) -> str:
        return f"{(attrs or {}).get('id') or self.attrs.get('id') or 'id_' + name}-options"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        list_id = self._list_id(name, attrs)
        context["widget"]["attrs"].update({"list": list_id, "hx-target": f"#{list_id}"})
        return context

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        return html + format_html('<datalist id="{}"></datalist>', self._list_id(name, attrs))


class AccountNameField(forms.CharField):
    widget = AccountNameInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("label", "Account")
        kwargs.setdefault("help_text", "Start typing to pick an existing account.")
        super().__init__(**kwargs)
        # Suggestions come from the server as the rep types, so every account can be found.
        self.widget.attrs.update(
            {
                "autocomplete": "off",
                "role": "combobox",
                "hx-get": reverse_lazy("account_suggestions"),
                "hx-swap": "innerHTML",
                "hx-trigger": "input changed delay:200ms",
                "hx-sync": "this:replace",
            }
        )


class MicropostForm(forms.Form):
    text = forms.CharField(
        label="Share a quick win",
        max_length=Micropost.MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(
            attrs={
                "rows": 3,
                "maxlength": Micropost.MAX_LENGTH,
                "placeholder": "What worked today? Use #tags and @mention teammates.",
            }
        ),
        error_messages={
            "required": "Write something first: the post is empty.",
            "max_length": "Keep it under %(limit_value)d characters (it has %(show_value)d).",
        },
    )
    account_name = AccountNameField(help_text="", widget=AccountNameInput(attrs={"placeholder": "Account (optional)"}))

    def clean_account_name(self) -> str:
        return " ".join(self.cleaned_data.get("account_name", "").split())


class TipForm(forms.Form):
    """Only the title and what worked are required; everything else helps people find it."""

    title = forms.CharField(max_length=255, error_messages={"required": "Give the tip a title."})
    summary = forms.CharField(max_length=255, required=False, label="One-line summary")
    body = forms.CharField(
        label="What worked",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20_000,
        help_text="Plain text; leave a blank line between paragraphs.",
        error_messages={"required": "Say what worked: the tip is empty."},
    )
    talk_track = forms.CharField(
        label="Talk track (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Words a teammate can say as they are.",
    )
    objection = forms.CharField(label="Objection (optional)", required=False, max_length=300)
    response = forms.CharField(
        label="Response to the objection",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    checklist = forms.CharField(
        label="Checklist (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One step per line.",
    )
    account_name = AccountNameField()
    new_account = forms.BooleanField(
        required=False, label="Create it as a new account", help_text="Only for a customer Huddle does not know yet."
    )
    industry = forms.CharField(max_length=100, required=False)
    product = forms.CharField(max_length=100, required=False)
    stage = forms.ChoiceField(choices=[("", "—")] + Stage.choices, required=False, label="Sales stage")
    tags = forms.CharField(required=False, max_length=500, help_text="Comma-separated, e.g. pricing, champion.")

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise ValidationError("Give the tip a title.")
        return title

    def clean_account_name(self) -> str:
        return " ".join(self.cleaned_data.get("account_name", "").split())

    def clean_tags(self) -> list[str]:
        tags = normalise_tags(self.cleaned_data["tags"].split(","))
        if any(len(tag) > MAX_LENGTH for tag in tags):
            raise ValidationError("Keep each tag under 100 characters.")
        return tags

    def clean(self):
        data = super().clean()
        refuse_unchosen_new_account(self)
        if bool(data.get("objection")) != bool(data.get("response")):
            raise ValidationError("An objection needs its response (or leave both empty).")
        return data

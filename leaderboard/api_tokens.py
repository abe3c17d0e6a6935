"""The "API tokens" page: a manager creates, names, watches and revokes their own tokens.

The key is shown once, in the answer to the POST that created it, and never stored (only its
hash, see ``ApiToken``); the page is never cached.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .models import ApiToken

# Pushing deals is what a token is for; the same permission opens the CSV import.
PERMISSION = "leaderboard.import_deals"


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        label="Token name",
        help_text="What the token is for, so you know which one to revoke, e.g. “Salesforce webhook”.",
    )


def issue_token(*, user, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user`` and its key, readable only now."""
    token = ApiToken(user=user, name=name.strip())
    key = token.issue_key()
    token.save()
    return token, key


@never_cache
@permission_required(PERMISSION, raise_exception=True)
def api_tokens(request):
    new_key = None
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            token, new_key = issue_token(user=request.user, name=form.cleaned_data["name"])
            form = TokenForm()
    else:
        form = TokenForm()
    tokens = ApiToken.objects.filter(user=request.user).order_by("revoked_at", "-created_at")
    return render(
        request,
        "account/api_tokens.html",
        {"form": form, "tokens": tokens, "new_key": new_key, "new_token": new_key and token},
    )


@require_POST
@permission_required(PERMISSION, raise_exception=True)
def revoke_api_token(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)  # another person's token: 404
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    messages.success(request, f"Revoked “{token.name}”: calls with it are refused from now on.")
    return redirect("api_tokens")

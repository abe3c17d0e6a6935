"""Limits on signing in (django-axes: by account and by address) and on password-reset e-mails.

Axes counts failed sign-ins on both login pages (the site's and Wagtail's /admin/login/), locks
an account or an address after ``AXES_FAILURE_LIMIT`` failures, lifts the lock by itself after
``AXES_COOLOFF_TIME``, and keeps the attempts in the database, where a superuser sees and clears
them in /django-admin/axes/. This module adds Huddle's side: the client's address behind the
proxy, the lockout page, and the limit on reset e-mails.
"""

from ipaddress import ip_address

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import PasswordResetView
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from wagtail.admin.views import account

from knowledge.ratelimit import RateLimited, check_rate, too_many_requests


class LoginThrottleBackend(AxesStandaloneBackend):
    """Refuses sign-ins while the account or the address is locked out.

    Only code (the test client, a shell) authenticates without a request; there is no form to
    throttle then, so that path is left to the next backend instead of raising.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class AccountOrAddressHandler(AxesDatabaseHandler):
    """Axes' database handler with a higher limit for an address than for an account.

    A whole office can sign in from one address, so a few colleagues' typos must not lock it;
    an account gets ``AXES_FAILURE_LIMIT`` failures, an address ``LOGIN_ADDRESS_FAILURE_LIMIT``.
    Axes compares one count with one limit, so the address's count is scaled to the account's.
    """

    def get_failures(self, request, credentials=None) -> int:
        # One queryset per AXES_LOCKOUT_PARAMETERS entry, in order: the username, the address.
        by_account, by_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        return max(by_account, by_address * settings.AXES_FAILURE_LIMIT // settings.LOGIN_ADDRESS_FAILURE_LIMIT)


def client_ip(request: HttpRequest) -> str:
    """The visitor's address: nginx's X-Forwarded-For entry when the request came through it.

    Behind the proxy every request arrives from 127.0.0.1, so locking that address would lock
    everyone; the header is trusted only from the proxies gunicorn trusts (FORWARDED_ALLOW_IPS).
    """
    remote = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and remote in settings.TRUSTED_PROXIES:
        candidate = forwarded.split(",")[-1].strip()
        try:
            return str(ip_address(candidate))
        except ValueError:
            return remote
    return remote


def lockout_message(minutes: int) -> str:
    return (
        "Too many failed sign-ins for this account or from your network, so signing in is paused "
        f"for {minutes} minutes after the last attempt. Try again later, or ask an administrator "
        "to unlock it."
    )


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """The sign-in page with the reason and when to come back, as 429 with Retry-After."""
    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds()) if cool_off else 0
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username[:150]})
    response = render(
        request,
        "registration/login.html",
        {"form": form, "locked_out": lockout_message(max(1, seconds // 60)), "next": request.POST.get("next", "")},
        status=429,
    )
    if seconds:
        response["Retry-After"] = str(seconds)
    return response


class PasswordResetLimitMixin:
    """At most PASSWORD_RESET_RATE e-mails per address and PASSWORD_RESET_RATE_PER_ADDRESS per visitor.

    Over the limit the page says so (429) whether or not the address has an account, so the
    answer tells nobody which addresses exist.
    """

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        try:
            check_rate(f"password-reset:email:{email}", settings.PASSWORD_RESET_RATE)
            check_rate(f"password-reset:ip:{client_ip(self.request)}", settings.PASSWORD_RESET_RATE_PER_ADDRESS)
        except RateLimited as error:
            form.add_error(
                None,
                "Too many password-reset e-mails were asked for just now. "
                f"Check your inbox for the last one, or try again in {_minutes(error.retry_after)}.",
            )
            return too_many_requests(self.form_invalid(form), error)
        return super().form_valid(form)


class ThrottledPasswordResetView(PasswordResetLimitMixin, PasswordResetView):
    """The site's reset page (/accounts/password_reset/)."""


class ThrottledAdminPasswordResetView(PasswordResetLimitMixin, account.PasswordResetView):
    """Wagtail's reset page (/admin/password_reset/): the same e-mails, so the same limit."""


def _minutes(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"

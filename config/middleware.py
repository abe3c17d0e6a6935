"""Site-wide request guards: sign-in everywhere, NUL bytes, a database or disk that fails."""

import errno
import logging
import sys

from django.contrib.auth import middleware as auth_middleware
from django.core.signals import got_request_exception
from django.db import connection
from django.db.utils import InterfaceError as DatabaseInterfaceError
from django.db.utils import OperationalError as DatabaseOperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import resolve_url
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

# config/urls.py mounts the Wagtail admin here. It checks access itself and sends a signed-out
# visitor to its own sign-in page (/admin/login/), so the site's sign-in does not step in.
WAGTAIL_ADMIN_ROUTE = "admin/"


class LoginRequiredMiddleware(auth_middleware.LoginRequiredMiddleware):
    """Django's: every view needs a signed-in user unless it is marked ``@login_not_required``.

    Two additions: the Wagtail admin keeps its own sign-in page, and an htmx request, which swaps
    a fragment, is told to load the sign-in page as a whole page.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.resolver_match and request.resolver_match.route.startswith(WAGTAIL_ADMIN_ROUTE):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)

    def handle_no_permission(self, request, view_func):
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=401)
            response["HX-Redirect"] = resolve_url(self.get_login_url(view_func))
            return response
        return super().handle_no_permission(request, view_func)


NUL_MESSAGE = "The request contains a NUL character (%00), which Huddle does not accept. Remove it and try again."


class RefuseNulBytesMiddleware:
    """Answers 400 when the path, the query string or a form or JSON body holds a NUL character.

    PostgreSQL cannot store or compare text containing NUL, so any lookup or search with one
    raised a 500; refusing it here covers every view at once. Multipart bodies are left to the
    forms (Django's CharField refuses NUL): reading them here would fix the upload handlers
    before the upload views can install theirs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._holds_nul(request):
            if request.path.startswith("/api/") or request.content_type == "application/json":
                return JsonResponse({"detail": NUL_MESSAGE}, status=400)
            return HttpResponse(render_to_string("400.html", {"message": NUL_MESSAGE}), status=400)
        return self.get_response(request)

    @staticmethod
    def _holds_nul(request) -> bool:
        if "\x00" in request.path or "\x00" in request.path_info:
            return True
        if _any_nul(request.GET):
            return True
        if request.method in ("POST", "PUT", "PATCH"):
            if request.content_type == "application/x-www-form-urlencoded":
                return _any_nul(request.POST)
            if request.content_type == "application/json":
                return b"\\u0000" in request.body or b"\x00" in request.body
        return False


def _any_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in value for value in data.getlist(key)) for key in data)


# An outage, not a bug: the database restarts, drops connections or is unreachable.
# SQLite reports missing tables as OperationalError too; only these messages mean "try again".
SQLITE_TRANSIENT = (
    "database is locked",
    "database table is locked",
    "disk i/o error",
    "unable to open",
)
RETRY_AFTER_SECONDS = 10


def is_database_outage(error: BaseException) -> bool:
    """True for errors that go away by themselves once the database is back."""
    if not isinstance(error, DatabaseOperationalError | DatabaseInterfaceError):
        return False
    if connection.vendor == "sqlite":
        return any(message in str(error).lower() for message in SQLITE_TRANSIENT)
    return True


def database_unavailable_response(request) -> HttpResponse:
    """The 503 page, rendered without a request context: nothing on it may touch the database."""
    wants_json = request.headers.get("Accept", "").startswith("application/json")
    if request.path.startswith(("/api/", "/healthz")) or wants_json:
        detail = "The database is unavailable; try again shortly."
        response = JsonResponse({"status": "error", "database": "unavailable", "detail": detail}, status=503)
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """A database outage answers 503 with Retry-After and the 'back in a moment' page, not a 500.

    View errors arrive in ``process_exception``. Errors in the middleware below this one (the
    session and user lookups) are already turned into a 500 by Django when they reach here, so
    ``got_request_exception`` marks the request and the 500 is swapped for the 503 page.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        got_request_exception.connect(_mark_database_outage, dispatch_uid="huddle-database-outage")

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code >= 500 and getattr(request, "_database_outage", False):
            return database_unavailable_response(request)
        return response

    def process_exception(self, request, exception):
        if is_database_outage(exception):
            logger.warning("Database unavailable for %s: %s", request.path, exception)
            return database_unavailable_response(request)
        return None


def _mark_database_outage(sender, request=None, **kwargs):
    error = sys.exc_info()[1]
    if request is not None and error is not None and is_database_outage(error):
        logger.warning("Database unavailable for %s: %s", request.path, error)
        request._database_outage = True


DISK_FULL_MESSAGE = (
    "The server's disk is full, so your upload was not saved and nothing was changed. "
    "Please tell an administrator, then try again later."
)
DISK_FULL_PAGE = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Upload not saved · Huddle'
    '</title></head><body style="font-family: system-ui, sans-serif; max-width: 40rem; '
    'margin: 4rem auto; padding: 0 1rem;"><h1>Your upload was not saved</h1><p>{message}</p>'
    '<p><a href="javascript:history.back()">Go back</a> · <a href="/">Back to Huddle</a></p>'
    "</body></html>"
)


class StorageFullMiddleware:
    """A full disk (or quota) while saving an upload answers 507 with a clear message, not a 500.

    The view's transaction has rolled back and config.storage.MediaStorage has removed the
    half-written file, so saying "nothing was changed" is true.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not (isinstance(exception, OSError) and exception.errno in (errno.ENOSPC, errno.EDQUOT)):
            return None
        logger.error("Disk full while handling %s: %s", request.path, exception)
        wants_json = request.headers.get("Accept", "").startswith("application/json")
        if wants_json or request.headers.get("X-Requested-With") == "XMLHttpRequest":
            return JsonResponse({"error": DISK_FULL_MESSAGE}, status=507)
        return HttpResponse(DISK_FULL_PAGE.format(message=DISK_FULL_MESSAGE), status=507)

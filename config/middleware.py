"""The whole site is internal: every page but a short list needs a signed-in user."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.urls import reverse

# Paths open to anonymous visitors: the login page itself, health checks, static files,
# the Wagtail admin (it has its own login) and the API (it authenticates by token).
PUBLIC_PREFIXES = ("/accounts/login/", "/accounts/password_reset/", "/accounts/reset/", "/healthz",
                   "/admin/", "/api/")


class LoginRequiredEverywhereMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.public = PUBLIC_PREFIXES + (settings.STATIC_URL,)

    def __call__(self, request):
        if not request.user.is_authenticated and not request.path.startswith(self.public):
            if request.headers.get("HX-Request"):
                # htmx swaps fragments; tell it to load the login page as a whole page.
                response = HttpResponse(status=401)
                response["HX-Redirect"] = reverse(settings.LOGIN_URL)
                return response
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return self.get_response(request)

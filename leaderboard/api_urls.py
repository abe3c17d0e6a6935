from django.contrib.auth.decorators import login_not_required
from django.urls import path

from .api import api

# Mounted at /api/. The API checks its own tokens, so its views need no session.
# The namespace must be the API's own: Wagtail's admin runs another NinjaAPI.
app_name = api.urls_namespace
urlpatterns = [
    path(str(route.pattern), login_not_required(route.callback), route.default_args, name=route.name)
    for route in api.urls[0]
]

"""The product's URLs plus /bench/bare/, the baseline bench/load.py compares throughput with."""

from django.http import HttpResponse
from django.urls import include, path


def bare(request):
    """Through the same middleware (session, user, sign-in check) but no work of its own."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare, name="bench_bare"),
    path("", include("config.urls")),
]

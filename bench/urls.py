"""The product's URLs plus /bench/bare/, the baseline bench/load.py compares throughput with, and
/bench/bell-stream/, the server-sent-events bell bench/bell.py measures against polling."""

from django.http import HttpResponse
from django.urls import include, path

from bench.bell_stream import bell_stream


def bare(request):
    """Through the same middleware (session, user, sign-in check) but no work of its own."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare, name="bench_bare"),
    path("bench/bell-stream/", bell_stream, name="bench_bell_stream"),
    path("", include("config.urls")),
]

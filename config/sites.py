"""The request's Wagtail site and its root page, from the cache.

Wagtail finds the site for every request that serves a page or links to one: a query over the
sites with their root page, then another for the root page's own type (the home page). Both
change only when an administrator edits a site or the home page, so the pair is cached per host
and port and dropped when either is saved or deleted (``knowledge.signal_handlers.site_changed``).

Wagtail has no public way to hand it a site found elsewhere: ``Site.find_for_request`` returns
what ``request._wagtail_site`` holds and looks the site up only when that attribute is missing.
The middleware sets that attribute; ``tests/test_site_cache.py`` pins the Wagtail behaviour it
relies on, and the README ("Knowledge", on caching) says why.
"""

from django.http.request import split_domain_port
from wagtail.models import Site

from . import caching

SECONDS = 3600


def _find(request) -> Site | None:
    site = Site.find_for_request(request)
    if site is not None:
        site.root_page = site.root_page.specific  # what routing asks for next
    return site


class CachedSiteMiddleware:
    """Sets the site Wagtail's ``Site.find_for_request`` returns, before the view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        hostname, _ = split_domain_port(request.get_host())
        key = f"{hostname}:{request.get_port()}"
        # Wagtail's own per-request slot (private): Site.find_for_request reads it instead of querying.
        request._wagtail_site = caching.cached(caching.SITE, lambda: _find(request), key=key, timeout=SECONDS)

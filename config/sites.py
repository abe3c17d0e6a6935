"""The request's Wagtail site and its root page, from the cache.

Wagtail finds the site for every request that serves a page or links to one: a query over the
sites with their root page, then another for the root page's own type (the home page). Both
change only when an administrator edits a site or the home page, so the pair is cached per host
and port and dropped when either is saved or deleted.
"""

from django.db.models.signals import post_delete, post_save
from django.http.request import split_domain_port
from wagtail.models import Page, Site

from .cache import cached_under_version, new_version

VERSION_KEY = "wagtail:site:version"
SECONDS = 3600


def _find(request) -> Site | None:
    site = Site._find_for_request(request)
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
        key = f"wagtail:site:{hostname}:{request.get_port()}"
        request._wagtail_site = cached_under_version(VERSION_KEY, key, lambda: _find(request), SECONDS)


def site_changed(sender, instance=None, **kwargs) -> None:
    if isinstance(instance, Site) or (
        isinstance(instance, Page) and instance.url_path in {root.root_path for root in Site.get_site_root_paths()}
    ):
        new_version(VERSION_KEY)


def connect() -> None:
    for signal in (post_save, post_delete):
        signal.connect(site_changed, sender=Site, dispatch_uid=f"cached_site_{signal is post_save}")
        # Any page type can be a site's root, and post_save names the concrete class.
        signal.connect(site_changed, dispatch_uid=f"cached_site_page_{signal is post_save}")

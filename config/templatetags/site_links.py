"""``{% site_link "leaderboard" %}``: the header's and footer's fixed links, reversed once.

A ``{% url %}`` costs about 50 µs; base.html has a dozen, so every page paid for them
(bench/pages.py). These links take no arguments that change, so each is reversed once per URL
configuration and script prefix. It needs no request: pages rendered without one (the 400
page) reverse them here instead of reading them from the context.
"""

from functools import cache

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()

# Link name -> (URL name, arguments); ``wagtail_serve`` takes the page's path.
LINKS = {
    "home": ("wagtail_serve", ("",)),
    "tips": ("wagtail_serve", ("tips/",)),
    "coaching": ("wagtail_serve", ("coaching/",)),
    "leaderboard": ("leaderboard", ()),
    "search": ("search", ()),
    "search_suggest": ("search_suggest", ()),
    "tips_feed": ("tips_feed", ()),
    "feeds": ("feeds", ()),
    "admin": ("wagtailadmin_home", ()),
    "api_tokens": ("api_tokens", ()),
    "password_change": ("password_change", ()),
    "logout": ("logout", ()),
}


@cache
def _reversed(script_prefix: str, urlconf: str | None) -> dict[str, str]:
    return {key: reverse(name, args=args) for key, (name, args) in LINKS.items()}


def site_links() -> dict[str, str]:
    """Every fixed link; ``config.context_processors.navigation`` puts them in a page's context
    once per request, so each tag is a dictionary lookup."""
    return _reversed(get_script_prefix(), get_urlconf())


class SiteLinkNode(template.Node):
    def __init__(self, key: str):
        self.key = key

    def render(self, context) -> str:
        url = (context.get("site_links") or site_links())[self.key]
        return conditional_escape(url) if context.autoescape else url


@register.tag
def site_link(parser, token) -> SiteLinkNode:
    """Checked when the template is compiled: an unknown name fails there, not on a page."""
    bits = token.split_contents()
    key = bits[1].strip("'\"") if len(bits) == 2 else ""
    if key not in LINKS:
        raise template.TemplateSyntaxError(f"{{% site_link %}} takes one of {', '.join(LINKS)}; got {bits[1:]}")
    return SiteLinkNode(key)

"""The header's fixed links are reversed once, and are right with or without a request."""

import pytest
from django.template import TemplateSyntaxError, engines
from django.template.loader import render_to_string


def test_a_page_rendered_without_a_request_still_links_home_and_to_the_feeds():
    """Django renders its 400 page with no request, so no context processor runs."""
    page = render_to_string("400.html", {"message": "Bad bytes"})
    for href in ('class="brand" href="/"', 'href="/feeds/tips/"', 'href="/feeds/"'):
        assert href in page


@pytest.mark.django_db
def test_a_signed_in_page_links_to_the_sections_and_the_feeds(rep_client):
    page = rep_client.get("/").content.decode()
    for href in ('href="/tips/"', 'href="/coaching/"', 'href="/leaderboard/"', 'action="/search/"', 'href="/feeds/"'):
        assert href in page


def test_an_unknown_link_name_fails_when_the_template_is_compiled():
    with pytest.raises(TemplateSyntaxError, match="site_link"):
        engines["django"].from_string("{% load site_links %}{% site_link 'nowhere' %}")

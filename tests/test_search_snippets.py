"""Search snippets: the words of a result escaped exactly once, the query's words marked."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from .factories import make_micropost

pytestmark = pytest.mark.django_db


def share(client, title: str, body: str, **fields) -> None:
    """Shares a tip through the site's form, as a rep does (the body is stored as rich text)."""
    response = client.post(reverse("tip_create"), {"title": title, "body": body, **fields})
    assert response.status_code == 302


def snippet_html(response) -> str:
    [hit] = response.context["outcome"].hits
    return str(hit.snippet)


def test_an_apostrophe_and_an_ampersand_show_as_typed(rep_client):
    share(rep_client, "Chasing a quiet buyer", "Don't chase the champion alone: loop in finance & legal early.")
    response = rep_client.get("/search/", {"q": "champion"})
    assertContains(response, "Don&#x27;t chase the <mark>champion</mark> alone: loop in finance &amp; legal early.")
    assertNotContains(response, "&amp;#x27;")
    assertNotContains(response, "&amp;amp;")


def test_markup_typed_in_a_tip_shows_as_text_and_never_runs(rep_client):
    share(rep_client, "Image trick", "Paste <img src=x onerror=alert(1)> into the renewal e-mail and see.")
    response = rep_client.get("/search/", {"q": "renewal"})
    snippet = snippet_html(response)
    assert "&lt;img src=x onerror=alert(1)&gt;" in snippet  # shown as the characters typed
    assert "<img" not in snippet
    assert "&amp;lt;" not in snippet
    assertNotContains(response, "<img src=x", html=False)


def test_plain_text_blocks_keep_what_was_typed(rep_client):
    """A talk track is plain text: an entity typed in it is shown as typed, not decoded."""
    share(rep_client, "Quoting prices", "Say the number first.", talk_track="Write &amp; when you mean ampersand.")
    response = rep_client.get("/search/", {"q": "ampersand"})
    assert "Write &amp;amp; when you mean <mark>ampersand</mark>." in snippet_html(response)


def test_a_micropost_snippet_is_escaped_once(rep, rep_client):
    make_micropost('Customer said "we\'ll sign" <b>today</b> & meant it #closing', author=rep)
    response = rep_client.get("/search/", {"q": "sign"})
    snippet = snippet_html(response)
    assert "we&#x27;ll <mark>sign</mark>" in snippet
    assert "&lt;b&gt;today&lt;/b&gt; &amp; meant" in snippet
    assert "&amp;#x27;" not in snippet

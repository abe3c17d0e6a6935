"""The Atom feed of new tips."""

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from .factories import make_rep, make_tip


@pytest.mark.django_db
def test_atom_feed_lists_new_published_tips(rep_client):
    author = make_rep("author", first_name="Ana", last_name="Author")
    make_tip(
        "Getting past procurement",
        author=author,
        summary="Start the paperwork in week one.",
        stage="closing",
    )
    make_tip("Retired way", author=author, retired=True)
    make_tip("Not yet published", author=author, live=False)
    response = rep_client.get("/feeds/tips/")
    assert response["Content-Type"].startswith("application/atom+xml")
    assertContains(response, "<title>Getting past procurement</title>", html=False)
    assertContains(response, "Start the paperwork in week one.")
    assertContains(response, "<name>Ana Author</name>", html=False)
    assertContains(response, 'term="Closing"', html=False)
    assertNotContains(response, "Retired way")
    assertNotContains(response, "Not yet published")


@pytest.mark.django_db
def test_feed_needs_a_signed_in_user(client):
    assert client.get("/feeds/tips/").status_code == 302

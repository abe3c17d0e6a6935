"""Access is refused one way across the site: PermissionDenied and the one 403 page."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertTemplateUsed

from .factories import make_tip


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "reason"),
    [
        ("challenge_create", "Only managers and marketing can post a pitch challenge."),
        ("leaderboard_analysis", "which only managers can see"),
        ("leaderboard_import", "Only managers can import deals"),
    ],
)
def test_a_refused_page_says_what_is_missing_and_where_to_go(rep_client, url_name, reason):
    response = rep_client.get(reverse(url_name))
    assertContains(response, "You don't have permission to do that", status_code=403)
    assertContains(response, reason, status_code=403)
    assertContains(response, "You are signed in as Rep.", status_code=403)
    assertContains(response, 'href="/">Back to the feed</a>', status_code=403)
    assertTemplateUsed(response, "403.html")


@pytest.mark.django_db
def test_editing_someone_elses_tip_gets_the_same_page(rep, other_rep_client):
    tip = make_tip("Not yours", author=rep)
    response = other_rep_client.get(reverse("tip_edit", args=[tip.pk]))
    assertContains(response, "You can only edit your own tips.", status_code=403)
    assertTemplateUsed(response, "403.html")

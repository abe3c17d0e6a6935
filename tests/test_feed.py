"""The Atom feeds: new tips for a signed-in reader, and each person's private, revocable feeds."""

import re

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
def test_the_signed_in_tips_feed_leaves_out_sections_the_reader_may_not_see(rep_client, other_rep):
    from django.contrib.auth.models import Group
    from wagtail.models import PageViewRestriction

    private = make_tip("Marketing-only launch plan", author=other_rep)
    make_tip("Public tip", author=other_rep)
    restriction = PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.set([Group.objects.get(name="Marketing")])
    response = rep_client.get("/feeds/tips/")
    assertContains(response, "Public tip")
    assertNotContains(response, "Marketing-only launch plan")


@pytest.mark.django_db
def test_feed_needs_a_signed_in_user(client):
    assert client.get("/feeds/tips/").status_code == 302


# Private feeds: a key in the URL instead of a session, revocable, and only what its owner may see.


def private_urls(rep_client) -> dict[str, str]:
    """The feed addresses the Feeds page shows, by label, as a person would copy them."""
    page = rep_client.get("/feeds/").content.decode()
    pairs = re.findall(r'<label for="feed-url-\d+">([^<]+)</label>\s*<input[^>]*value="([^"]+)"', page)
    return {label: url.replace("http://testserver", "") for label, url in pairs}


@pytest.fixture
def content(db, other_rep):
    from .factories import make_account, make_micropost, make_video

    acme = make_account("Acme Corp")
    return {
        "tip": make_tip("Getting past procurement", author=other_rep, account=acme, tags=["pricing"]),
        "post": make_micropost("Closed Acme with the ROI sheet #pricing", author=other_rep, account=acme),
        "video": make_video("Discovery in one question", author=other_rep, tags=["pricing"]),
        "account": acme,
    }


@pytest.mark.django_db
def test_each_person_gets_private_feeds_readable_without_a_session(rep_client, other_rep, content):
    from django.test import Client

    urls = private_urls(rep_client)
    assert set(urls) == {"Tips", "Posts", "Coaching videos"}
    reader = Client()  # a feed reader: no session
    expectations = {
        "Tips": "Getting past procurement",
        "Posts": "Closed Acme with the ROI sheet",
        "Coaching videos": "Discovery in one question",
    }
    for label, title in expectations.items():
        response = reader.get(urls[label])
        assert response.status_code == 200, label
        assert response["Content-Type"].startswith("application/atom+xml")
        assertContains(response, title)
        others = set(expectations.values()) - {title}
        for other in others:
            assertNotContains(response, other)
    # Links point at the host the reader used.
    assertContains(reader.get(urls["Tips"]), f"http://testserver{content['tip'].url}")


@pytest.mark.django_db
def test_tag_account_and_person_feeds_hold_every_kind_about_them(rep_client, other_rep, content):
    from django.test import Client

    reader = Client()
    for query, label in (
        ("tag=pricing", "#pricing"),
        (f"account={content['account'].pk}", "Acme Corp"),
        (f"person={other_rep.username}", "Peer"),
    ):
        page = rep_client.get(f"/feeds/?{query}").content.decode()
        url = re.search(
            rf'<label for="feed-url-4">{re.escape(label)}</label>\s*<input[^>]*value="http://testserver([^"]+)"', page
        )
        assert url, (query, page[page.find("feed-url-4") - 100 : page.find("feed-url-4") + 300])
        response = reader.get(url.group(1))
        assert response.status_code == 200
        assertContains(response, "Closed Acme with the ROI sheet")
        if "account" not in query:
            assertContains(response, "Discovery in one question")
        assertContains(response, "Getting past procurement")


@pytest.mark.django_db
def test_a_feed_shows_only_what_its_owner_may_see(rep_client, rep, marketer, other_rep):
    from django.contrib.auth.models import Group
    from django.test import Client
    from wagtail.models import PageViewRestriction

    private = make_tip("Marketing-only launch plan", author=other_rep)
    make_tip("Public tip", author=other_rep)
    make_tip("Draft idea", author=other_rep, live=False)
    restriction = PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.set([Group.objects.get(name="Marketing")])
    reader = Client()
    response = reader.get(private_urls(rep_client)["Tips"])
    assertContains(response, "Public tip")
    assertNotContains(response, "Marketing-only launch plan")
    assertNotContains(response, "Draft idea")
    marketing_client = Client()
    marketing_client.force_login(marketer)
    assertContains(reader.get(private_urls(marketing_client)["Tips"]), "Marketing-only launch plan")


@pytest.mark.django_db
def test_a_new_key_revokes_the_old_feed_urls(rep_client, rep, content):
    from django.test import Client

    old = private_urls(rep_client)["Tips"]
    reader = Client()
    assert reader.get(old).status_code == 200
    response = rep_client.post("/feeds/new-key/", follow=True)
    assertContains(response, "the old feed URLs no longer work")
    new = private_urls(rep_client)["Tips"]
    assert new != old
    assert reader.get(old).status_code == 404
    assert reader.get(new).status_code == 200
    assert reader.get("/feeds/private/made-up-key/tips/").status_code == 404
    rep.is_active = False
    rep.save()
    assert reader.get(new).status_code == 404


@pytest.mark.django_db
def test_the_feeds_page_and_new_keys_need_a_session(client):
    assert client.get("/feeds/").status_code == 302
    assert client.post("/feeds/new-key/").status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 8])
def test_a_private_feed_costs_the_same_for_1_or_8_items_of_each_kind(
    rep_client, other_rep, count, django_assert_num_queries
):
    from django.test import Client

    from .factories import make_micropost, make_video

    for number in range(count):
        make_tip(f"Tip {number}", author=other_rep, tags=["pricing"])
        make_micropost(f"Post {number} #pricing", author=other_rep)
        make_video(f"Video {number}", author=other_rep, tags=["pricing"])
    url = re.sub(r"/tips/$", "/tags/pricing/", private_urls(rep_client)["Tips"])
    reader = Client()
    with django_assert_num_queries(FEED_QUERIES):
        response = reader.get(url)
    assertContains(response, "<entry>", count=3 * count, html=False)


FEED_QUERIES = 9  # the same for 1 and 8 items of each kind: no query per entry, and no write

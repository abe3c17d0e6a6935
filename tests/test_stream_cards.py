"""Stream cards are rendered once for everyone and cached; each reader still sees their own state."""

import re

import pytest
from django.core.cache import cache
from pytest_django.asserts import assertContains, assertNotContains

from knowledge.models import Micropost
from knowledge.reactions import mark_helpful

from .factories import make_micropost, make_tip

pytestmark = pytest.mark.django_db


def _button_for(html: str, post: Micropost) -> str:
    """The helpful form inside one post's card."""
    card = re.search(rf'<article[^>]*id="post-{post.pk}".*?</article>', html, re.S).group(0)
    return re.search(r'<form class="helpful".*?</form>', card, re.S).group(0)


def test_each_reader_sees_their_own_mark_on_the_same_cached_cards(rep_client, other_rep_client, rep, other_rep):
    post = make_micropost("Lead with the customer's own numbers", author=other_rep)
    mark_helpful(rep, post)
    other_rep_client.get("/")  # the author's visit renders the cards into the cache

    mine = rep_client.get("/").content.decode()
    theirs = other_rep_client.get("/").content.decode()

    assert 'aria-pressed="true"' in _button_for(mine, post)
    assert "1 found this helpful" in _button_for(theirs, post)  # no button on your own post
    assert "<button" not in _button_for(theirs, post)
    assert "huddle-personal" not in mine + theirs
    assert re.search(r'name="csrfmiddlewaretoken" value="[^"]+"', _button_for(mine, post))


def test_edit_and_delete_only_for_the_author_and_remove_for_marketing(
    rep_client, other_rep_client, marketer_client, rep
):
    post = make_micropost("Ask who else signs off", author=rep)
    rep_client.get("/")

    assertContains(rep_client.get("/"), f'href="/microposts/{post.pk}/edit/"')
    peer = other_rep_client.get("/")
    assertNotContains(peer, f"/microposts/{post.pk}/edit/")
    assertNotContains(peer, f"/microposts/{post.pk}/delete/")
    marketing = marketer_client.get("/").content.decode()
    assert f"/microposts/{post.pk}/delete/" in marketing
    assert ">Remove</button>" in marketing


def test_a_new_post_a_mark_or_a_retired_tip_shows_at_once_despite_the_cache(
    rep_client, other_rep_client, rep, other_rep
):
    tip = make_tip("Send the recap within the hour", author=other_rep)
    post = make_micropost("Old news", author=other_rep)
    assertContains(rep_client.get("/"), "Send the recap within the hour")

    response = rep_client.post("/microposts/", {"text": "Fresh today #pricing"}, follow=True)
    assert response.status_code == 200
    assertContains(rep_client.get("/"), "Fresh today")

    mark_helpful(rep, post)
    assert 'aria-pressed="true"' in _button_for(rep_client.get("/").content.decode(), post)

    tip.retired = True
    tip.save()
    assertNotContains(rep_client.get("/"), "Send the recap within the hour")


def test_a_cached_feed_needs_fewer_queries_and_the_same_whatever_its_size(rep_client, other_rep):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(cold: bool) -> int:
        rep_client.get("/")
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            rep_client.get("/")
        return len(captured)

    for number in range(3):
        make_tip(f"Tip {number}", author=other_rep, tags=["pricing"])
        make_micropost(f"Post {number}", author=other_rep)
    small_warm, small_cold = queries(cold=False), queries(cold=True)
    for number in range(3, 15):
        make_tip(f"Tip {number}", author=other_rep, tags=["pricing"])
        make_micropost(f"Post {number}", author=other_rep)
    large_warm, large_cold = queries(cold=False), queries(cold=True)

    assert small_warm == large_warm
    assert small_cold == large_cold
    assert large_warm < large_cold


def test_retiring_from_the_dashboard_takes_the_tip_off_cached_feeds(rep_client, marketer_client, other_rep):
    from django.urls import reverse

    tip = make_tip("Quote the old price list", author=other_rep)
    for url in ("/", "/tips/"):
        assertContains(rep_client.get(url), "Quote the old price list")

    marketer_client.post(reverse("knowledge_tip_retire", args=[tip.pk]), {"next": "/admin/"})

    for url in ("/", "/tips/"):
        assertNotContains(rep_client.get(url), "Quote the old price list")


def _sql(client, url: str) -> tuple[str, list[str]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), [query["sql"] for query in captured.captured_queries]


def test_a_mark_renders_only_the_marked_items_card_again(rep_client, rep, other_rep):
    posts = [make_micropost(f"Post number {n}", author=other_rep) for n in range(6)]
    make_tip("Bring the CFO in early", author=other_rep)
    rep_client.get("/")

    mark_helpful(rep, posts[2])
    html, queries = _sql(rep_client, "/")

    assert 'aria-pressed="true"' in _button_for(html, posts[2])
    assert '<span class="helpful__count">1</span>' in _button_for(html, posts[2])
    assert "Bring the CFO in early" in html and "Post number 5" in html
    post_rows = [sql for sql in queries if '"knowledge_micropost"."text"' in sql]
    assert len(post_rows) == 1 and f"IN ({posts[2].pk})" in post_rows[0]
    assert not any('"knowledge_tippage"."summary"' in sql for sql in queries)  # the tip's card stayed


def test_a_comment_shows_in_the_tips_count_on_cached_cards_at_once(rep_client, other_rep):
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.sites.models import Site
    from django.utils import timezone
    from django_comments_xtd.models import XtdComment

    tip = make_tip("Recap the call in writing", author=other_rep)
    for url in ("/", "/tips/"):
        assertContains(rep_client.get(url), "0 comments")

    XtdComment.objects.create(
        content_type=ContentType.objects.get_for_model(tip),
        object_pk=str(tip.pk),
        site=Site.objects.get_current(),
        user=other_rep,
        comment="Worked for me",
        submit_date=timezone.now(),
    )

    for url in ("/", "/tips/"):
        assertContains(rep_client.get(url), "1 comment<")


def test_the_most_helpful_order_follows_a_new_mark_at_once(rep_client, rep, other_rep):
    older = make_tip("Older tip about pricing", author=other_rep)
    make_tip("Newer tip about pricing", author=other_rep)
    page = rep_client.get("/tips/?sort=helpful").content.decode()
    assert page.index("Newer tip about pricing") < page.index("Older tip about pricing")

    mark_helpful(rep, older)

    page = rep_client.get("/tips/?sort=helpful").content.decode()
    assert page.index("Older tip about pricing") < page.index("Newer tip about pricing")

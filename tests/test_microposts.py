"""Microposts: the feed box, #hashtags to tag pages, @mentions, editing, limits, bad input."""

import pytest
from django.core import mail
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from knowledge.models import Micropost

from .factories import make_micropost, make_tip

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _fresh_rate_limit(settings):
    from django.core.cache import cache

    cache.clear()
    settings.POST_RATE_LIMIT = "10/60"


@pytest.mark.django_db
def test_posting_from_the_feed_box_without_a_reload(rep_client):
    """htmx gets a fresh box plus the new card swapped into the top of the stream."""
    response = rep_client.post(
        reverse("micropost_create"), {"text": "Won Acme with the ROI sheet #pricing"}, headers=HTMX
    )
    assert response.status_code == 200
    assertContains(response, 'id="micropost-box"')
    assertContains(response, 'hx-swap-oob="afterbegin:#stream"')
    assertContains(response, "Won Acme with the ROI sheet")
    post = Micropost.objects.get()
    assert list(post.tags.names()) == ["pricing"]


@pytest.mark.django_db
def test_posting_without_javascript_redirects_back_to_the_feed(rep_client):
    response = rep_client.post(reverse("micropost_create"), {"text": "Plain form post", "next": "/"}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assertContains(response, "Plain form post")


@pytest.mark.django_db
def test_hashtag_links_to_its_tag_page_which_lists_the_post(rep_client, rep):
    make_micropost("Asked for the budget owner by name #Discovery", author=rep)
    home = rep_client.get("/")
    assertContains(home, 'href="/tags/discovery/"')
    tag_page = rep_client.get("/tags/discovery/")
    assertContains(tag_page, "#discovery")
    assertContains(tag_page, "Asked for the budget owner by name")


@pytest.mark.django_db
def test_tag_page_lists_tips_and_posts_with_the_tag_only(rep_client, rep, other_rep):
    make_tip("Price in three options", author=other_rep, tags=["pricing"])
    make_tip("Unrelated tip", author=other_rep, tags=["legal"])
    make_micropost("Middle option won #pricing", author=rep)
    response = rep_client.get("/tags/pricing/")
    assertContains(response, "Price in three options")
    assertContains(response, "Middle option won")
    assertNotContains(response, "Unrelated tip")
    assert rep_client.get("/tags/no-such-tag/").status_code == 404


@pytest.mark.django_db
def test_mentions_link_to_the_profile_and_notify_by_email(rep_client, other_rep):
    rep_client.post(reverse("micropost_create"), {"text": "Thanks @peer for the intro!"})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["peer@example.com"]
    assert "mentioned you" in mail.outbox[0].subject
    assert "Thanks @peer for the intro!" in mail.outbox[0].body
    assertContains(rep_client.get("/"), 'href="/people/peer/"')


@pytest.mark.django_db
def test_mentioning_yourself_or_nobody_sends_nothing(rep_client, rep):
    rep_client.post(reverse("micropost_create"), {"text": "Note to self @rep and @ghost"})
    assert mail.outbox == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Write something first"),
        ("   ", "Write something first"),
        ("x" * 501, "Keep it under 500 characters"),
    ],
)
def test_empty_or_oversize_posts_are_refused_with_a_message(rep_client, text, message):
    response = rep_client.post(reverse("micropost_create"), {"text": text}, headers=HTMX)
    assertContains(response, message)
    assert not Micropost.objects.exists()
    response = rep_client.post(reverse("micropost_create"), {"text": text})
    assert response.status_code == 400
    assertContains(response, message, status_code=400)


@pytest.mark.django_db
def test_script_and_html_come_out_escaped(rep_client, rep):
    make_micropost('<script>alert("x")</script> <b>bold</b> #tag"><img src=x>', author=rep)
    response = rep_client.get("/")
    assertNotContains(response, '<script>alert("x")</script>', html=False)
    assertNotContains(response, "<b>bold</b>", html=False)
    assertNotContains(response, "<img src=x>", html=False)
    assertContains(response, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;")


@pytest.mark.django_db
def test_author_edits_their_post_and_it_shows_edited(rep_client, rep):
    post = make_micropost("First version #draft", author=rep)
    response = rep_client.post(
        reverse("micropost_edit", args=[post.pk]), {"text": "Second version #final"}, follow=True
    )
    assertContains(response, "Second version")
    assertContains(response, "edited")
    post.refresh_from_db()
    assert list(post.tags.names()) == ["final"]


@pytest.mark.django_db
def test_editing_or_deleting_someone_elses_post_changes_nothing(other_rep_client, rep):
    post = make_micropost("Mine", author=rep)
    response = other_rep_client.post(reverse("micropost_edit", args=[post.pk]), {"text": "Hijacked"})
    assertContains(response, "You can only edit your own posts.", status_code=403)
    response = other_rep_client.post(reverse("micropost_delete", args=[post.pk]))
    assertContains(response, "You can only delete your own posts.", status_code=403)
    post.refresh_from_db()
    assert post.text == "Mine"


@pytest.mark.django_db
def test_author_deletes_and_marketing_removes(rep_client, marketer_client, rep):
    own = make_micropost("Oops", author=rep)
    rep_client.post(reverse("micropost_delete", args=[own.pk]))
    other = make_micropost("Off-topic", author=rep)
    response = marketer_client.get("/")
    assertContains(response, "Remove")
    marketer_client.post(reverse("micropost_delete", args=[other.pk]))
    assert not Micropost.objects.exists()


@pytest.mark.django_db
def test_posting_too_fast_is_refused_with_a_clear_message(rep_client, settings):
    settings.POST_RATE_LIMIT = "2/60"
    for number in range(2):
        rep_client.post(reverse("micropost_create"), {"text": f"post {number}"}, headers=HTMX)
    response = rep_client.post(reverse("micropost_create"), {"text": "one too many"}, headers=HTMX)
    assertContains(response, "You&#x27;re posting too fast: at most 2 posts every 60 seconds", status_code=429)
    assert Micropost.objects.count() == 2


@pytest.mark.django_db
def test_posts_are_found_by_search(rep):
    make_micropost("Champion moved teams at Umbrella #champion", author=rep)
    results = Micropost.objects.search("umbrella")
    assert [post.text for post in results] == ["Champion moved teams at Umbrella #champion"]


@pytest.mark.django_db
def test_profile_lists_a_reps_contributions_newest_first(rep_client, other_rep):
    make_tip("Older tip", author=other_rep)
    make_micropost("Newer post", author=other_rep)
    response = rep_client.get(reverse("profile", args=["peer"]))
    content = response.content.decode()
    assert content.index("Newer post") < content.index("Older tip")
    assertContains(response, "Latest contributions")


@pytest.mark.django_db
def test_someone_who_left_keeps_a_profile_with_what_they_shared(rep_client, other_rep):
    """Their tips still link their name here: the page says they left and offers no Follow."""
    make_tip("Bring the security pack early", author=other_rep)
    other_rep.is_active = False
    other_rep.save()
    response = rep_client.get(reverse("profile", args=["peer"]))
    assertContains(response, "Bring the security pack early")
    assertContains(response, "no longer works here")
    assertNotContains(response, "Follow")


@pytest.mark.django_db
def test_a_new_post_says_just_now_and_an_older_one_its_age(rep_client, rep):
    import datetime

    from django.utils import timezone

    make_micropost("Fresh from the demo call", author=rep)
    older = make_micropost("Sent the security pack early", author=rep)
    Micropost.objects.filter(pk=older.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=5))
    response = rep_client.get("/")
    assertContains(response, ">just now</time>", count=1)
    assertContains(response, ">5\xa0minutes ago</time>", count=1)
    assertNotContains(response, "0\xa0minutes ago")


@pytest.mark.django_db
def test_links_in_mention_e_mails_go_to_the_address_the_writer_used(rep, other_rep, settings):
    """Written during a request: the request's host; written with no request: SITE_DOMAIN."""
    from django.test import Client

    from knowledge.microposts import post_micropost

    settings.SITE_DOMAIN = "huddle.example:8000"
    client = Client(HTTP_HOST="127.0.0.1:8123")
    client.force_login(rep)
    client.post(reverse("micropost_create"), {"text": f"Thanks @{other_rep.username}"})
    post = Micropost.objects.get()
    assert f"http://127.0.0.1:8123/microposts/{post.pk}/" in mail.outbox[-1].body
    post_micropost(author=rep, text=f"Again, @{other_rep.username}", account=None)  # a command, a task
    assert "http://huddle.example:8000/microposts/" in mail.outbox[-1].body


@pytest.mark.django_db
def test_the_quick_win_box_suggests_existing_accounts(rep_client):
    response = rep_client.get("/")
    assertContains(response, 'placeholder="Account (optional)"')
    assertContains(response, f'hx-get="{reverse("account_suggestions")}"')
    assertContains(response, '<datalist id="id_account_name-options"></datalist>')

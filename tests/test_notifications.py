"""In-app notifications: rows written with the event, grouped, the bell, the page, follows, preferences."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains
from taggit.models import Tag

from knowledge.microposts import post_micropost
from knowledge.models import Micropost
from knowledge.reactions import mark_helpful, unmark_helpful
from notifications.models import Follow, Kind, Notification, Preference

from .factories import make_account, make_deal, make_micropost, make_rep, make_tip


def bell_count(client) -> str:
    """The number the bell shows on a page ("" when nothing is unread)."""
    html = client.get(reverse("notifications_bell")).content.decode()
    if 'data-testid="bell-count"' not in html:
        return ""
    return html.split('data-testid="bell-count">')[1].split("<")[0]


@pytest.mark.django_db
def test_a_mention_rings_the_bell_and_opening_it_lands_on_the_post(rep, other_rep, other_rep_client):
    post = make_micropost(f"Ask @{other_rep.username} about the Acme rollout", author=rep)
    assert bell_count(other_rep_client) == "1"
    page = other_rep_client.get(reverse("notifications"))
    assertContains(page, "Rep mentioned you on Huddle")
    assertContains(page, "about the Acme rollout")
    row = Notification.objects.get(recipient=other_rep)
    response = other_rep_client.get(reverse("notification_open", args=[row.pk]))
    assert response.status_code == 302 and response["Location"] == post.get_absolute_url()
    assert bell_count(other_rep_client) == ""


@pytest.mark.django_db
def test_notification_rows_roll_back_with_the_event(rep, other_rep, mailoutbox):
    """A post that fails after its mention was recorded leaves no notification and no e-mail."""
    with pytest.raises(RuntimeError), transaction.atomic():
        post_micropost(author=rep, text=f"Thanks @{other_rep.username}")
        assert Notification.objects.filter(recipient=other_rep).count() == 1
        raise RuntimeError("the request failed after the post")
    assert not Micropost.objects.exists()
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_helpful_marks_on_one_item_fold_into_one_notification(rep, rep_client):
    tip = make_tip("Price anchoring in the first call", author=rep)
    markers = [make_rep(f"peer{number}") for number in range(3)]
    for peer in markers:
        mark_helpful(peer, tip)
    [row] = Notification.objects.filter(recipient=rep)
    assert row.headline == "3 people found your tip “Price anchoring in the first call” helpful"
    assert bell_count(rep_client) == "1"
    unmark_helpful(markers[0], tip)
    row.refresh_from_db()
    assert row.headline.startswith("2 people found your tip")
    rep_client.post(reverse("notifications_read_all"))
    mark_helpful(markers[0], tip)  # a mark after reading starts a new notification
    assert Notification.objects.filter(recipient=rep).count() == 2
    assert bell_count(rep_client) == "1"
    assertContains(rep_client.get(reverse("notifications")), "Peer0 found your tip")


@pytest.mark.django_db
def test_mark_one_read_and_mark_all_read(rep, other_rep, other_rep_client):
    for number in range(3):
        make_micropost(f"Note {number} for @{other_rep.username}", author=rep)
    assert bell_count(other_rep_client) == "3"
    first = Notification.objects.filter(recipient=other_rep).first()
    response = other_rep_client.post(reverse("notification_read", args=[first.pk]), HTTP_HX_REQUEST="true")
    assertNotContains(response, "notification--unread")
    assert bell_count(other_rep_client) == "2"
    response = other_rep_client.post(reverse("notifications_read_all"), follow=True)
    assertContains(response, "Marked 2 notifications read.")
    assert bell_count(other_rep_client) == ""


@pytest.mark.django_db
def test_follow_a_tag_with_one_click_and_stop_with_another(rep, rep_client, other_rep):
    make_micropost("Discount talk #pricing", author=other_rep)
    tag = Tag.objects.get(name="pricing")
    page = rep_client.get(reverse("tag_detail", args=[tag.slug]))
    assertContains(page, 'aria-label="Follow #pricing"')
    url = reverse("follow_toggle", args=[ContentType.objects.get_for_model(Tag).pk, tag.pk])
    response = rep_client.post(url, HTTP_HX_REQUEST="true")
    assertContains(response, "✓ Following")
    assertContains(rep_client.get(reverse("tag_detail", args=[tag.slug])), 'aria-label="Stop following #pricing"')
    make_micropost("Never lead with the discount #pricing", author=other_rep)
    [row] = Notification.objects.filter(recipient=rep, kind=Kind.FOLLOWED)
    assert "Never lead with the discount" in row.headline
    assertContains(rep_client.post(url, HTTP_HX_REQUEST="true"), ">Follow<")
    make_micropost("Third #pricing post", author=other_rep)
    assert Notification.objects.filter(recipient=rep, kind=Kind.FOLLOWED).count() == 1


@pytest.mark.django_db
def test_following_an_account_a_person_and_a_tag_gives_one_notification_per_item(rep, rep_client, other_rep):
    acme = make_account("Acme Corp")
    user_type = ContentType.objects.get_for_model(other_rep)
    for obj in (acme, other_rep):
        rep_client.post(reverse("follow_toggle", args=[ContentType.objects.get_for_model(obj).pk, obj.pk]))
    assert Follow.objects.filter(user=rep).count() == 2
    assertContains(rep_client.get(reverse("account_detail", args=[acme.pk])), "Stop following Acme Corp")
    assertContains(rep_client.get(reverse("profile", args=[other_rep.username])), "✓ Following")
    make_micropost("Acme's CFO signs on Fridays", author=other_rep, account=acme)
    assert Notification.objects.filter(recipient=rep, kind=Kind.FOLLOWED).count() == 1
    tip = make_tip("Acme buying committee", author=other_rep, account=acme, live=False)
    tip.save_revision().publish()
    rows = Notification.objects.filter(recipient=rep, kind=Kind.FOLLOWED)
    assert rows.count() == 2
    assert rows.first().url == tip.url
    # Nobody follows themself, and the author hears nothing about their own post.
    response = rep_client.post(reverse("follow_toggle", args=[user_type.pk, rep.pk]))
    assert response.status_code == 403
    assert not Notification.objects.filter(recipient=other_rep).exists()


@pytest.mark.django_db
def test_only_followable_things_can_be_followed(rep_client):
    tip = make_tip("Not followable")
    response = rep_client.post(reverse("follow_toggle", args=[ContentType.objects.get_for_model(tip).pk, tip.pk]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_preferences_switch_a_kind_off_in_the_app_and_e_mail(rep, rep_client, other_rep, mailoutbox):
    page = rep_client.get(reverse("notification_preferences"))
    assertContains(page, 'value="mention:email" id="pref-mention:email" checked')
    assertContains(page, 'value="helpful:app" id="pref-helpful:app" checked')
    assertNotContains(page, 'value="helpful:email" id="pref-helpful:email" checked')
    rep_client.post(
        reverse("notification_preferences"),
        {"on": ["mention:app", "comment:app", "comment:email", "followed:digest"], "digest": "daily"},
    )
    assert Preference.objects.filter(user=rep, kind=Kind.MENTION, channel="email", enabled=False).exists()
    make_micropost(f"Thanks @{rep.username}", author=other_rep)
    assert not mailoutbox
    assert bell_count(rep_client) == "1"
    mark_helpful(other_rep, make_tip("Mine", author=rep))
    assert bell_count(rep_client) == "1"  # helpful marks switched off in the app
    assert rep.notification_settings.digest == "daily"
    response = rep_client.post(reverse("notification_preferences"), {"digest": "hourly"})
    assertContains(response, "Choose how often the digest comes", status_code=400)


@pytest.mark.django_db
def test_a_mention_e_mails_at_once_by_default_and_records_it(rep, other_rep, mailoutbox):
    make_micropost(f"Thanks @{other_rep.username}", author=rep)
    [message] = mailoutbox
    assert message.subject == "Rep mentioned you on Huddle"
    row = Notification.objects.get(recipient=other_rep)
    assert row.email == "sent" and row.emailed_at is not None and row.email_attempts == 1
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


@pytest.mark.django_db
def test_marketing_verifying_and_retiring_tells_the_author(rep, rep_client):
    tip = make_tip("Old pricing sheet", author=rep)
    tip.verify()
    tip.retire()
    headlines = list(Notification.objects.filter(recipient=rep).values_list("summary", flat=True))
    assert headlines == ["retired your tip “Old pricing sheet”", "verified your tip “Old pricing sheet”"]
    assertContains(rep_client.get(reverse("notifications")), "Marketing verified your tip “Old pricing sheet”")


@pytest.mark.django_db
def test_first_run_offers_to_follow_the_tags_of_ones_accounts(rep, rep_client, other_rep):
    acme = make_account("Acme Corp")
    make_deal("D-1", owner=rep, account=acme)
    make_tip("Acme's procurement", author=other_rep, account=acme, tags=["procurement", "security"])
    page = rep_client.get("/")
    assertContains(page, "Stay in the loop on your accounts?")
    assertContains(page, "#procurement")
    response = rep_client.post(reverse("notifications_first_run"), {"choice": "follow", "next": "/"}, follow=True)
    assertContains(response, "You now follow 2 tags: #procurement, #security.")
    assertNotContains(response, "Stay in the loop on your accounts?")
    assert Follow.objects.filter(user=rep).count() == 2


@pytest.mark.django_db
def test_first_run_not_now_asks_no_more(rep, rep_client, other_rep):
    acme = make_account("Acme Corp")
    make_tip("Mine about Acme", author=rep, account=acme, tags=["renewal"])
    assertContains(rep_client.get("/"), "Stay in the loop")
    response = rep_client.post(reverse("notifications_first_run"), {"choice": "skip"}, follow=True)
    assertNotContains(response, "Stay in the loop")
    assert not Follow.objects.filter(user=rep).exists()


@pytest.mark.django_db
def test_the_header_costs_at_most_one_query_and_none_when_cached(rep, rep_client, other_rep):
    """The bell's count and the first-run question come from one cached query per person."""
    for number in range(5):
        make_micropost(f"Post {number} for @{rep.username}", author=other_rep)
    with CaptureQueriesContext(connection) as cold:
        page = rep_client.get("/")
    assertContains(page, 'data-testid="bell-count">5<')
    header = [q["sql"] for q in cold.captured_queries if "notifications_" in q["sql"]]
    assert len(header) == 1, header
    with CaptureQueriesContext(connection) as warm:
        rep_client.get("/")
    assert not [q["sql"] for q in warm.captured_queries if "notifications_" in q["sql"]]


@pytest.mark.django_db
def test_the_feed_with_the_bell_costs_the_feeds_queries(rep, rep_client, other_rep, django_assert_num_queries):
    """A warm feed page: session and user; the bell adds none."""
    from .test_home_feed import HOME_QUERIES

    make_micropost(f"Hello @{rep.username}", author=other_rep)
    rep_client.get("/")
    with django_assert_num_queries(HOME_QUERIES):
        page = rep_client.get("/")
    assertContains(page, 'data-testid="bell-count">1<')


@pytest.mark.django_db
def test_the_bell_poll_is_two_queries_session_and_user(rep, rep_client, django_assert_num_queries):
    rep_client.get(reverse("notifications_bell"))
    with django_assert_num_queries(2):
        response = rep_client.get(reverse("notifications_bell"), HTTP_HX_REQUEST="true")
    assertContains(response, 'id="notification-bell"')
    assertContains(response, 'hx-trigger="every 10s"')


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 25])
def test_the_notifications_page_queries_do_not_grow(rep, rep_client, other_rep, count):
    for number in range(count):
        make_micropost(f"Post {number} for @{rep.username}", author=make_rep(f"writer{number}"))
    rep_client.get(reverse("notifications"))
    with CaptureQueriesContext(connection) as queries:
        page = rep_client.get(reverse("notifications"))
    assertContains(page, "mentioned you on Huddle", count=count)
    # session, user, the page's count and rows (with their actors)
    assert len(queries.captured_queries) <= 4, [q["sql"] for q in queries.captured_queries]


@pytest.mark.django_db
def test_a_person_is_followed_from_their_page_and_the_form_comes_back_there(rep, rep_client, other_rep):
    """The profile's Follow button works without JavaScript too: it posts, then returns to the profile."""
    profile = reverse("profile", args=[other_rep.username])
    page = rep_client.get(profile).content.decode()
    assert 'aria-label="Follow Peer"' in page
    form = page[page.index('class="follow-form"') :]
    action = form.split('action="')[1].split('"')[0]
    back = form.split('name="next" value="')[1].split('"')[0]
    assert back == profile
    response = rep_client.post(action, {"next": back}, follow=True)
    assert response.redirect_chain[-1][0] == profile
    assertContains(response, "Following Peer.")
    assertContains(response, 'aria-label="Stop following Peer"')
    make_micropost("Lead with the customer story", author=other_rep)
    assert Notification.objects.get(recipient=rep, kind=Kind.FOLLOWED).headline.startswith("Peer shared")
    # One's own page offers nothing to follow.
    assertNotContains(rep_client.get(reverse("profile", args=[rep.username])), "follow-form")


@pytest.mark.django_db
def test_a_review_of_my_pitch_rings_my_bell_and_leads_to_the_pitch(manager, rep, rep_client, other_rep_client):
    from .factories import make_challenge, make_submission
    from .test_pitch_practice import review_data

    challenge = make_challenge("Pitch the CFO", created_by=manager)
    submission = make_submission(challenge, submitter=rep)
    other_rep_client.post(reverse("pitch_review", args=[submission.pk]), review_data(challenge))
    assert bell_count(rep_client) == "1"
    assertContains(rep_client.get(reverse("notifications")), "Peer reviewed your pitch for “Pitch the CFO”")
    row = Notification.objects.get(recipient=rep, kind=Kind.REVIEW)
    assert rep_client.get(reverse("notification_open", args=[row.pk])).url == submission.get_absolute_url()


@pytest.mark.django_db
def test_a_comment_on_my_tip_and_a_reply_to_my_comment_reach_the_bell(rep, rep_client, other_rep, other_rep_client):
    from django_comments_xtd.models import XtdComment

    from .test_comments import comment_form_data

    tip = make_tip("Handling procurement", author=rep)
    third = make_rep("third")
    third_client = type(rep_client)()
    third_client.force_login(third)
    third_client.post("/comments/post/", comment_form_data(third_client, tip, "Which template?"))
    parent = XtdComment.objects.get()
    other_rep_client.post(
        "/comments/post/", comment_form_data(other_rep_client, tip, "The short one", reply_to=parent.pk)
    )
    assert bell_count(rep_client) == "2"  # the author hears of both comments on the tip
    third_client.get("/")
    page = third_client.get(reverse("notifications"))
    assertContains(page, "Peer replied to your comment on “Handling procurement”")
    assertContains(page, "The short one")
    assert list(Notification.objects.filter(recipient=rep).values_list("kind", flat=True)) == [
        Kind.COMMENT,
        Kind.COMMENT,
    ]


HEADER_PAGES = {
    "tip": lambda tip, author: tip.url,
    "profile": lambda tip, author: reverse("profile", args=[author.username]),
    "notifications": lambda tip, author: reverse("notifications"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(HEADER_PAGES))
def test_the_bell_costs_one_query_on_a_cold_page_and_none_on_a_warm_one(
    rep, rep_client, other_rep, name, django_assert_num_queries
):
    """On any page the unread count is read once per person and then served from the cache."""
    from notifications.header import forget_header

    tip = make_tip("Discovery questions", author=other_rep)
    make_micropost(f"See the discovery tip, @{rep.username}", author=other_rep)
    url = HEADER_PAGES[name](tip, other_rep)
    rep_client.get(url)
    with CaptureQueriesContext(connection) as warm:
        page = rep_client.get(url)
    assertContains(page, 'data-testid="bell-count">1<')
    # The header's one query is the only one that reads announcement receipts.
    assert not [q["sql"] for q in warm.captured_queries if "notifications_announcementreceipt" in q["sql"]]
    forget_header(rep.pk)
    with django_assert_num_queries(len(warm.captured_queries) + 1):
        page = rep_client.get(url)
    assertContains(page, 'data-testid="bell-count">1<')

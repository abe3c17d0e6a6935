"""Comment moderation: marketing's list in the Wagtail admin, bulk remove and restore, Huddle's
look on every comment page, and nothing on them that loads from another host."""

import datetime
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.sites.models import Site
from django.utils import timezone
from django_comments_xtd.models import XtdComment
from pytest_django.asserts import assertContains, assertNotContains

from .factories import make_micropost, make_rep, make_tip
from .test_comments import comment_form_data

LIST_URL = "/admin/comments/"


def make_comment(obj, user, text, *, removed=False, days_ago=0):
    return XtdComment.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_pk=str(obj.pk),
        site=Site.objects.get_current(),
        user=user,
        user_name=user.username,
        user_email=user.email,
        comment=text,
        is_removed=removed,
        submit_date=timezone.now() - datetime.timedelta(days=days_ago),
    )


def bulk_url(action, comments, next_url=LIST_URL):
    ids = "&".join(f"id={comment.pk}" for comment in comments)
    return f"/admin/bulk/django_comments_xtd/xtdcomment/{action}/?{ids}&next={next_url}"


@pytest.fixture
def tip(db):
    return make_tip("Getting past procurement", author=make_rep("author", first_name="Ana"))


@pytest.mark.django_db
def test_marketing_lists_comments_and_filters_them(marketer_client, rep, other_rep, tip):
    other_tip = make_tip("Discovery in one question", author=other_rep)
    make_comment(tip, rep, "Sent the security pack early")
    make_comment(tip, other_rep, "Spam spam spam", removed=True)
    make_comment(other_tip, rep, "Old thought", days_ago=40)
    make_comment(make_micropost("Won Globex", author=other_rep), rep, "Congrats!")
    response = marketer_client.get(LIST_URL)
    for text in ("Sent the security pack early", "Spam spam spam", "Old thought", "Congrats!"):
        assertContains(response, text)
    assertContains(response, "Removed")
    assertContains(response, "Getting past procurement")
    first = XtdComment.objects.get(comment="Sent the security pack early")
    assertContains(response, f'href="{tip.url}#c{first.pk}"')

    def shown(query):
        content = marketer_client.get(f"{LIST_URL}?{query}").content.decode()
        return {
            text
            for text in ("Sent the security pack early", "Spam spam spam", "Old thought", "Congrats!")
            if text in content
        }

    assert shown("status=removed") == {"Spam spam spam"}
    assert shown("status=visible") == {"Sent the security pack early", "Old thought", "Congrats!"}
    assert shown(f"tip={tip.pk}") == {"Sent the security pack early", "Spam spam spam"}
    assert shown(f"user={other_rep.pk}") == {"Spam spam spam"}
    since = (timezone.localdate() - datetime.timedelta(days=7)).isoformat()
    assert shown(f"submit_date_from={since}") == {"Sent the security pack early", "Spam spam spam", "Congrats!"}
    assert shown(f"kind={ContentType.objects.get_for_model(tip).pk}") == {
        "Sent the security pack early",
        "Spam spam spam",
        "Old thought",
    }


@pytest.mark.django_db
def test_reps_do_not_see_the_comment_list(rep_client, rep, tip):
    make_comment(tip, rep, "Mine")
    response = rep_client.get(LIST_URL)
    assert response.status_code in (302, 403)
    assertNotContains(response, "Mine", status_code=response.status_code)
    rep_client.post(bulk_url("delete", XtdComment.objects.all()))
    assert not XtdComment.objects.filter(is_removed=True).exists()


@pytest.mark.django_db
def test_marketing_removes_in_bulk_after_confirming_and_restores(marketer_client, rep, other_rep, tip):
    first, second, third = (make_comment(tip, rep, f"Comment number {n}") for n in (1, 2, 3))
    confirm = marketer_client.get(bulk_url("delete", [first, second]))
    assertContains(confirm, "Remove these 2 comments?")
    assertContains(confirm, "Comment number 1")
    assert not XtdComment.objects.filter(is_removed=True).exists()  # nothing happens before yes
    response = marketer_client.post(bulk_url("delete", [first, second]), follow=True)
    assertContains(response, "2 comments removed.")
    assert set(XtdComment.objects.filter(is_removed=True)) == {first, second}
    page = marketer_client.get(tip.url).content.decode()
    assert page.count("This comment was removed.") == 2 and "Comment number 3" in page
    marketer_client.post(bulk_url("restore_comments", [second]), follow=True)
    assert set(XtdComment.objects.filter(is_removed=True)) == {first}
    assertContains(marketer_client.get(tip.url), "Comment number 2")


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 12])
def test_the_comment_list_costs_the_same_for_2_or_12_comments(
    marketer_client, rep, tip, count, django_assert_num_queries
):
    post = make_micropost("Won Globex", author=rep)
    for number in range(count):
        make_comment(tip if number % 2 else post, rep, f"Comment {number}")
    marketer_client.get(LIST_URL)  # warm the per-process caches (content types, permissions)
    with django_assert_num_queries(LIST_QUERIES):
        response = marketer_client.get(LIST_URL)
    assertContains(response, "Comment ", count=count)


LIST_QUERIES = 19  # the same for 2 and 12 comments: no query per row

# Every page a person can reach about comments, on the site and in the admin.
FOREIGN_URL = re.compile(r"""(?:https?:)?//(?!testserver[/:"'])[\w.-]+\.[a-z]{2,}""", re.I)


def foreign_urls(html: str) -> list[str]:
    return FOREIGN_URL.findall(html)


@pytest.mark.django_db
def test_no_comment_page_loads_anything_from_another_host(rep_client, marketer_client, rep, other_rep, tip, settings):
    comment = make_comment(tip, rep, "Ask @author about it")
    removed = make_comment(tip, other_rep, "Gone", removed=True)
    pages = {
        "tip with thread": rep_client.get(tip.url),
        "tip as moderator": marketer_client.get(tip.url),
        "micropost thread": rep_client.get(make_micropost("Hi", author=other_rep).get_absolute_url()),
        "preview with an error": rep_client.post("/comments/post/", comment_form_data(rep_client, tip, " ")),
        "refused": rep_client.post("/comments/post/", {"content_type": "leaderboard.deal"}),
        "edit": rep_client.get(f"/comments/{comment.pk}/edit/"),
        "like": other_rep_client_get(other_rep, f"/comments/like/{comment.pk}/"),
        "dislike": other_rep_client_get(other_rep, f"/comments/dislike/{comment.pk}/"),
        "liked": rep_client.get(f"/comments/liked/?c={comment.pk}"),
        "disliked": rep_client.get(f"/comments/disliked/?c={comment.pk}"),
        "posted": rep_client.get(f"/comments/posted/?c={comment.pk}"),
        "delete": marketer_client.get(f"/comments/delete/{comment.pk}/"),
        "deleted": marketer_client.get(f"/comments/deleted/?c={removed.pk}"),
        "admin list": marketer_client.get(LIST_URL),
        "admin confirm": marketer_client.get(bulk_url("delete", [comment, removed])),
        "admin edit": marketer_client.get(f"{LIST_URL}edit/{comment.pk}/"),
    }
    settings.POST_RATE_LIMIT = "0/60"
    pages["over the limit"] = rep_client.post("/comments/post/", comment_form_data(rep_client, tip, "More"))
    for name, response in pages.items():
        assert response.status_code in (200, 400, 429), (name, response.status_code)
        html = response.content.decode()
        assert "gravatar" not in html.lower(), name
        if name.startswith("admin"):
            # The admin links to Wagtail's documentation; nothing may load from elsewhere.
            html = " ".join(re.findall(r"""(?:src|srcset)=["'][^"']*["']|<link[^>]*>|url\([^)]*\)""", html))
        assert foreign_urls(html) == [], name
    site_pages = [name for name in pages if not name.startswith("admin")]
    for name in site_pages:  # Huddle's look: its stylesheet and header, not a bare third-party page
        assertContains(pages[name], "/static/css/huddle.css", status_code=pages[name].status_code)


def other_rep_client_get(user, url):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.get(url)


@pytest.mark.django_db
def test_the_moderators_remove_page_returns_to_the_tip_on_the_port_in_use(marketer_client, rep, tip):
    comment = make_comment(tip, rep, "Off topic")
    response = marketer_client.post(
        f"/comments/delete/{comment.pk}/", {"next": f"{tip.url}#c{comment.pk}"}, SERVER_PORT="8123"
    )
    assert response.status_code == 302
    assert response["Location"].startswith(tip.url)
    comment.refresh_from_db()
    assert comment.is_removed

"""The Wagtail admin as Huddle: its branding, and a useful dashboard for each role."""

import datetime
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from knowledge.models import TipPage

from .factories import make_challenge, make_rep, make_submission, make_tip

pytestmark = pytest.mark.django_db


def test_the_admin_wears_huddles_name_and_logo(marketer_client):
    response = marketer_client.get(reverse("wagtailadmin_home"))
    assertContains(response, "<title>Dashboard - Huddle admin</title>", html=True)
    assertContains(response, '<h1 class="w-h1 w-mt-0">Huddle admin</h1>', html=True)
    assertContains(response, 'src="/static/img/huddle-logo.svg"')
    assertNotContains(response, "wagtailadmin/images/favicon.ico")
    assert finders.find("img/huddle-logo.svg")


def test_the_admin_sign_in_page_says_huddle_and_loads_nothing_from_the_internet():
    response = Client().get(reverse("wagtailadmin_login"))
    assertContains(response, "Sign in to Huddle admin")
    assertNotContains(response, "Sign in to Wagtail")
    assertContains(response, 'src="/static/img/huddle-logo.svg"')
    remote = re.compile(r"<(?:script|img|link|iframe|source)[^>]+(?:src|href)=[\"']?(?:https?:)?//")
    assert remote.findall(response.content.decode()) == []


def test_a_managers_dashboard_links_to_the_leaderboard_weights_deals_teams_and_profiles(manager_client):
    response = manager_client.get(reverse("wagtailadmin_home"))
    assertContains(response, "For managers")
    for label, url in [
        ("Leaderboard", reverse("leaderboard")),
        ("Analysis", reverse("leaderboard_analysis")),
        ("Import deals", reverse("leaderboard_import")),
        ("Scoring weights", reverse("wagtailsettings:edit", args=["leaderboard", "scoringsettings"])),
        ("Teams", reverse("wagtailsnippets_leaderboard_team:list")),
        ("Rep profiles", reverse("wagtailsnippets_leaderboard_repprofile:list")),
    ]:
        assertContains(response, f'<a href="{url}">{label}</a>', html=True)
        assert manager_client.get(url, follow=True).status_code == 200, label
    assertNotContains(response, "Tips to review")


def test_scoring_weights_are_in_a_managers_admin_menu(manager_client):
    """The sidebar (drawn from JSON props) lists the scoring settings for a manager."""
    settings_url = reverse("wagtailsettings:edit", args=["leaderboard", "scoringsettings"])
    response = manager_client.get(reverse("wagtailadmin_home"))
    assert settings_url in response.content.decode()
    assertContains(manager_client.get(settings_url, follow=True), "Tip shared")


def test_a_manager_sees_pitches_awaiting_their_feedback(manager, manager_client):
    rep = make_rep("riley", first_name="Riley", last_name="Rep")
    peer = make_rep("pat", first_name="Pat", last_name="Peer")
    challenge = make_challenge("Pitch the ROI calculator", created_by=manager)
    waiting = make_submission(challenge, submitter=rep)
    reviewed = make_submission(challenge, submitter=peer)
    reviewed.reviews.create(reviewer=manager)
    response = manager_client.get(reverse("wagtailadmin_home"))
    assertContains(response, "Pitches awaiting your feedback")
    assertContains(response, f'<a href="{waiting.get_absolute_url()}">Riley Rep</a>', html=True)
    assertNotContains(response, "Pat Peer")


def test_marketing_sees_tips_to_review_and_recent_comments(marketer_client, rep):
    from django.contrib.contenttypes.models import ContentType
    from django_comments_xtd.models import XtdComment

    tip = make_tip("Discovery questions", author=rep)
    TipPage.objects.filter(pk=tip.pk).update(verified_until=timezone.localdate() - datetime.timedelta(days=3))
    comment = XtdComment.objects.create(
        content_type=ContentType.objects.get_for_model(TipPage),
        object_pk=str(tip.pk),
        site_id=1,
        user=rep,
        comment="Worked for me at Initech",
        submit_date=timezone.now(),
    )
    response = marketer_client.get(reverse("wagtailadmin_home"))
    assertContains(response, "Tips to review")
    assertContains(response, "Recent comments")
    assertContains(response, f'<a href="{tip.url}#c{comment.pk}">Worked for me at Initech</a>', html=True)
    assertContains(response, "<td>Discovery questions</td>", html=True)
    assertNotContains(response, "For managers")


def test_the_marketing_dashboard_costs_the_same_queries_for_1_or_10_comments(marketer_client, rep):
    """The recent comments panel fetches its comments and their tips in a fixed number of queries."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django_comments_xtd.models import XtdComment

    def queries_with(comment_count: int) -> int:
        start = XtdComment.objects.count()
        for number in range(start, comment_count):
            tip = make_tip(f"Tip {number}", author=rep)
            XtdComment.objects.create(
                content_type=ContentType.objects.get_for_model(TipPage),
                object_pk=str(tip.pk),
                site_id=1,
                user=rep,
                comment=f"Comment {number}",
                submit_date=timezone.now(),
            )
        marketer_client.get(reverse("wagtailadmin_home"))  # warm the caches a second visit finds
        with CaptureQueriesContext(connection) as captured:
            response = marketer_client.get(reverse("wagtailadmin_home"))
        assertContains(response, f"Comment {comment_count - 1}")
        return len(captured)

    assert queries_with(1) == queries_with(10)


def test_the_dashboard_and_menu_send_nobody_to_wagtail_org(manager_client):
    response = manager_client.get(reverse("wagtailadmin_home"))
    assertNotContains(response, "editor guide")
    assertNotContains(response, "wagtail.org")
    assertContains(response, '<a class="w-underline w-underline-offset-[3px]" href="/">Back to Huddle</a>', html=True)


def test_each_verify_and_retire_button_names_its_tip_for_screen_readers(marketer_client, rep):
    tip = make_tip("Discovery questions", author=rep)
    TipPage.objects.filter(pk=tip.pk).update(verified_until=timezone.localdate() - datetime.timedelta(days=3))
    response = marketer_client.get(reverse("wagtailadmin_home"))
    assertContains(response, 'Verify<span class="w-sr-only"> “Discovery questions”</span>')
    assertContains(response, 'Retire…<span class="w-sr-only"> “Discovery questions”</span>')

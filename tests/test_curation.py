"""Marketing's curation: verify and retire (one and in bulk), tips to review, reminders, roles."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from knowledge.models import Micropost, TipPage

from .factories import make_micropost, make_rep, make_tip


def stale_tip(title, *, days_ago, author):
    tip = make_tip(title, author=author)
    TipPage.objects.filter(pk=tip.pk).update(verified_until=timezone.localdate() - datetime.timedelta(days=days_ago))
    tip.refresh_from_db()
    return tip


@pytest.fixture
def author(db):
    return make_rep("author", first_name="Ana")


@pytest.mark.django_db
def test_dashboard_lists_tips_to_review_oldest_first(marketer_client, author):
    stale_tip("Recently stale", days_ago=2, author=author)
    stale_tip("Long stale", days_ago=40, author=author)
    make_tip("Fresh tip", author=author, verified_until=timezone.localdate() + datetime.timedelta(days=30))
    make_tip("Just shared", author=author)
    response = marketer_client.get("/admin/")
    assertContains(response, "Tips to review")
    content = response.content.decode()
    assert content.index("Long stale") < content.index("Recently stale")
    assert "Fresh tip" not in content
    assert content.index("Recently stale") < content.index("Not yet verified") < content.index("Just shared")


@pytest.mark.django_db
def test_verify_and_retire_from_the_dashboard(marketer_client, rep_client, author):
    to_verify = stale_tip("Verify me", days_ago=5, author=author)
    to_retire = stale_tip("Retire me", days_ago=5, author=author)
    marketer_client.post(reverse("knowledge_tip_verify", args=[to_verify.pk]), {"next": "/admin/"})
    marketer_client.post(reverse("knowledge_tip_retire", args=[to_retire.pk]), {"next": "/admin/"})
    to_verify.refresh_from_db()
    to_retire.refresh_from_db()
    assert to_verify.verified_until == timezone.localdate() + datetime.timedelta(days=90)
    assert to_retire.retired
    assertNotContains(rep_client.get(to_verify.url), "may be out of date")
    assertNotContains(rep_client.get("/"), "Retire me")
    assertContains(rep_client.get(to_retire.url), "This tip is retired.")


@pytest.mark.django_db
def test_reps_cannot_verify_or_retire(rep_client, author):
    tip = stale_tip("Stale", days_ago=5, author=author)
    rep_client.post(reverse("knowledge_tip_retire", args=[tip.pk]))
    tip.refresh_from_db()
    assert not tip.retired


@pytest.mark.django_db
def test_bulk_verify_and_retire_in_the_page_listing(marketer_client, author):
    first = stale_tip("First", days_ago=5, author=author)
    second = stale_tip("Second", days_ago=5, author=author)
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "verify_tips"])
    query = f"?id={first.pk}&id={second.pk}&next=/admin/"
    assertContains(marketer_client.get(url + query), "Verify these tips?")
    marketer_client.post(url + query, {})
    assert not TipPage.objects.stale().exists()
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "retire_tips"])
    marketer_client.post(url + query, {})
    assert TipPage.objects.filter(retired=True).count() == 2


@pytest.mark.django_db
def test_review_reminders_tell_each_author_of_each_stale_tip_once(author):
    """With notifications installed, the reminder is the stale-tip notification: one e-mail per tip and lapse."""
    from io import StringIO

    other = make_rep("other")
    stale_tip("Ana's old tip", days_ago=3, author=author)
    stale_tip("Ana's older tip", days_ago=9, author=author)
    stale_tip("Other's old tip", days_ago=3, author=other)
    make_tip("Fresh", author=author)
    out = StringIO()
    call_command("send_review_reminders", "--dry-run", stdout=out)
    assert "Would remind 2 author(s) about 3 tip(s)" in out.getvalue()
    assert mail.outbox == []
    call_command("send_review_reminders", stdout=out)
    assert "3 tip(s) newly told to their authors" in out.getvalue()
    assert sorted((message.to[0], message.subject.split("”")[0]) for message in mail.outbox) == [
        ("author@example.com", "Your tip “Ana's old tip"),
        ("author@example.com", "Your tip “Ana's older tip"),
        ("other@example.com", "Your tip “Other's old tip"),
    ]
    call_command("send_review_reminders", stdout=out)  # the next day's run: nothing new to say
    assert len(mail.outbox) == 3


@pytest.mark.django_db
def test_without_notifications_the_reminder_groups_an_authors_stale_tips(author, monkeypatch):
    """The command's own e-mail, for a Huddle without the notifications app."""
    from knowledge import freshness

    monkeypatch.setattr(freshness, "_reminder_owner", None)
    stale_tip("Ana's old tip", days_ago=3, author=author)
    stale_tip("Ana's older tip", days_ago=9, author=author)
    call_command("send_review_reminders", stdout=__import__("io").StringIO())
    [ana] = mail.outbox
    assert ana.subject == "2 of your tips need a review"
    assert ana.body.index("Ana's older tip") < ana.body.index("Ana's old tip")


@pytest.mark.django_db
def test_marketing_can_edit_settings_collections_and_remove_posts(marketer, marketer_client, author):
    assert marketer.has_perm("knowledge.change_knowledgesettings")
    assert marketer.has_perm("knowledge.delete_micropost")
    assert marketer.has_perm("knowledge.change_featuredcollection")
    from wagtail.models import Site

    site = Site.objects.get(is_default_site=True)
    assert marketer_client.get(f"/admin/settings/knowledge/knowledgesettings/{site.pk}/").status_code == 200
    post = make_micropost("Off-topic", author=author)
    response = marketer_client.post(reverse("wagtailsnippets_knowledge_micropost:delete", args=[post.pk]))
    assert response.status_code == 302
    assert not Micropost.objects.exists()


@pytest.mark.django_db
def test_marketing_edits_tips_in_the_admin_including_bulk_loaded_ones(marketer_client):
    import io

    from knowledge.demo import SIZES, SeedContext, seed

    seed(SeedContext(size=SIZES["small"], seed=1, stdout=io.StringIO(), stderr=io.StringIO(), verbosity=0))
    tip = TipPage.objects.order_by("pk").first()
    assert tip.latest_revision_id is None  # seeded in bulk: no revision yet
    response = marketer_client.get(reverse("wagtailadmin_pages:edit", args=[tip.pk]))
    assertContains(response, tip.title)
    assertContains(response, "Verified until")
    assertContains(marketer_client.get(reverse("wagtailadmin_home")), "Tips to review")
    # The demo keeps verified tips beside a few a rep has just shared.
    assert TipPage.objects.filter(verified_until__gte=timezone.localdate()).count() > 3
    assert TipPage.objects.unverified().count() == 3


@pytest.mark.django_db
def test_publishing_a_draft_written_before_a_verify_or_retire_keeps_the_curation(author):
    from knowledge.curation import retire_tips, verify_tips

    replacement = make_tip("The better way", author=author)
    to_retire = stale_tip("Old pricing script", days_ago=5, author=author)
    to_verify = stale_tip("Discovery questions", days_ago=5, author=author)
    for tip in (to_retire, to_verify):
        tip.title += " (edited)"
        tip.save_revision(user=author)  # a draft waiting for approval

    retire_tips([to_retire], replaced_by=replacement)
    verify_tips([to_verify])
    for tip in (to_retire, to_verify):
        TipPage.objects.get(pk=tip.pk).get_latest_revision().publish()

    to_retire.refresh_from_db()
    to_verify.refresh_from_db()
    assert to_retire.title == "Old pricing script (edited)"
    assert to_retire.retired and to_retire.replaced_by_id == replacement.pk
    assert to_verify.title == "Discovery questions (edited)"
    assert to_verify.verified_until == timezone.localdate() + datetime.timedelta(days=90)


@pytest.mark.django_db
def test_retire_asks_first_and_points_readers_to_the_replacement(marketer_client, rep_client, author):
    """Retire opens "Retire this tip?"; confirming with a replacement sends readers there."""
    old = stale_tip("Old pricing script", days_ago=5, author=author)
    better = make_tip("Pricing script 2027", author=author)
    url = reverse("knowledge_tip_retire", args=[old.pk])
    confirm = marketer_client.get(url, {"next": "/admin/"})
    assertContains(confirm, "Retire this tip?")
    assertContains(confirm, "Replaced by")
    old.refresh_from_db()
    assert not old.retired  # opening the confirmation changes nothing

    response = marketer_client.post(url, {"next": "/admin/", "replaced_by": better.pk}, follow=True)
    assertContains(response, "“Old pricing script” is retired")
    assertContains(response, "Readers are sent to “Pricing script 2027”")
    page = rep_client.get(old.url)
    assertContains(page, "This tip is retired.")
    assertContains(page, f'<a href="{better.url}">Pricing script 2027</a>', html=True)


@pytest.mark.django_db
def test_retire_without_a_replacement_is_allowed(marketer_client, rep_client, author):
    old = stale_tip("Old pricing script", days_ago=5, author=author)
    marketer_client.post(reverse("knowledge_tip_retire", args=[old.pk]), {"replaced_by": ""})
    old.refresh_from_db()
    assert old.retired and old.replaced_by_id is None
    assertNotContains(rep_client.get(old.url), "instead.")


@pytest.mark.django_db
def test_a_tip_cannot_be_replaced_by_itself_or_a_retired_tip(marketer_client, author):
    old = stale_tip("Old pricing script", days_ago=5, author=author)
    gone = make_tip("Gone too", author=author, retired=True)
    url = reverse("knowledge_tip_retire", args=[old.pk])
    response = marketer_client.post(url, {"replaced_by": old.pk})
    assertContains(response, "A tip cannot replace itself")
    response = marketer_client.post(url, {"replaced_by": gone.pk})
    assertContains(response, "“Gone too” is retired itself")
    old.refresh_from_db()
    assert not old.retired


@pytest.mark.django_db
def test_admin_users_who_cannot_publish_tips_are_refused_retire_and_verify(author):
    """A manager reaches the admin but may not publish tips: the admin refuses, nothing changes."""
    from django.test import Client

    from knowledge.roles import MANAGERS

    from .factories import make_user

    client = Client()
    client.force_login(make_user("boss", role=MANAGERS))
    tip = stale_tip("Stale", days_ago=5, author=author)
    for response in (
        client.get(reverse("knowledge_tip_retire", args=[tip.pk]), follow=True),
        client.post(reverse("knowledge_tip_retire", args=[tip.pk]), follow=True),
        client.post(reverse("knowledge_tip_verify", args=[tip.pk]), follow=True),
    ):
        assertContains(response, "Sorry, you do not have permission to access this area.")
    tip.refresh_from_db()
    assert not tip.retired and tip.is_stale


@pytest.mark.django_db
def test_the_tip_editor_and_page_listing_offer_retire(marketer_client, author):
    tip = make_tip("Discovery questions", author=author)
    retire_url = reverse("knowledge_tip_retire", args=[tip.pk])
    assertContains(marketer_client.get(reverse("wagtailadmin_pages:edit", args=[tip.pk])), retire_url)
    listing = marketer_client.get(reverse("wagtailadmin_explore", args=[tip.get_parent().pk]))
    assertContains(listing, retire_url)


@pytest.mark.django_db
def test_bulk_retire_sets_one_replacement_for_all(marketer_client, author):
    first = stale_tip("First", days_ago=5, author=author)
    second = stale_tip("Second", days_ago=5, author=author)
    better = make_tip("Better", author=author)
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "retire_tips"])
    query = f"?id={first.pk}&id={second.pk}&next=/admin/"
    assertContains(marketer_client.get(url + query), "Replaced by")
    marketer_client.post(url + query, {"replaced_by": better.pk})
    assert set(TipPage.objects.filter(retired=True).values_list("replaced_by", flat=True)) == {better.pk}


@pytest.mark.django_db
def test_confirming_retire_with_nothing_but_the_button_retires_without_a_replacement(marketer_client, author):
    tip = stale_tip("Old pricing script", days_ago=5, author=author)
    response = marketer_client.post(reverse("knowledge_tip_retire", args=[tip.pk]))
    assert response.status_code == 302
    tip.refresh_from_db()
    assert tip.retired and tip.replaced_by_id is None

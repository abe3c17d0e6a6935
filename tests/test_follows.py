"""Following a coaching series and a collection from where they are shown, and what that brings."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from pytest_django.asserts import assertContains

from knowledge.models import FeaturedCollection, FeaturedCollectionItem
from notifications.models import Kind, Notification

from .factories import make_series, make_tip, make_video


def follow_url(obj) -> str:
    return reverse("follow_toggle", args=[ContentType.objects.get_for_model(obj).pk, obj.pk])


@pytest.mark.django_db
def test_a_series_is_followed_from_the_coaching_page_and_its_videos(rep, rep_client, other_rep):
    series = make_series("Discovery basics")
    first = make_video("Open with one question", author=other_rep, series=series)
    by_series = rep_client.get("/coaching/?view=series")
    assertContains(by_series, 'aria-label="Follow Discovery basics"')
    assertContains(rep_client.get(first.url), 'aria-label="Follow Discovery basics"')

    assertContains(rep_client.post(follow_url(series), HTTP_HX_REQUEST="true"), "✓ Following")
    assertContains(rep_client.get(first.url), 'aria-label="Stop following Discovery basics"')
    make_video("Ask about the last quarter", author=other_rep, series=series, series_position=1)
    [row] = Notification.objects.filter(recipient=rep, kind=Kind.FOLLOWED)
    assert "Ask about the last quarter" in row.headline

    rep_client.post(follow_url(series), HTTP_HX_REQUEST="true")  # and again to stop
    make_video("Summarise before you pitch", author=other_rep, series=series, series_position=2)
    assert Notification.objects.filter(recipient=rep, kind=Kind.FOLLOWED).count() == 1


@pytest.mark.django_db
def test_a_collection_is_followed_from_the_home_page_and_hears_of_each_tip_added(rep, rep_client, marketer):
    collection = FeaturedCollection.objects.create(title="Onboarding essentials")
    FeaturedCollectionItem.objects.create(collection=collection, tip=make_tip("Your first call"), sort_order=0)
    assertContains(rep_client.get("/"), 'aria-label="Follow Onboarding essentials"')

    response = rep_client.post(follow_url(collection), {"next": "/"})
    assert response.status_code == 302
    assertContains(rep_client.get("/"), 'aria-label="Stop following Onboarding essentials"')
    added = make_tip("Mapping the buying committee")
    FeaturedCollectionItem.objects.create(collection=collection, tip=added, sort_order=1)
    [row] = Notification.objects.filter(recipient=rep, kind=Kind.FOLLOWED)
    assert row.headline == ("Marketing added “Mapping the buying committee” to the collection “Onboarding essentials”")
    assert row.url == added.url

"""Marketing curates coaching videos and series in the Wagtail admin."""

import pytest
from pytest_django.asserts import assertContains
from wagtailmedia.models import Media

from coaching.models import CoachingVideoPage

from .coaching_support import VTT
from .factories import make_series, make_video, video_upload


@pytest.mark.django_db
def test_marketing_curates_videos_in_the_admin(marketer_client):
    video = make_video("Curate me", transcript=VTT)
    assert marketer_client.get(f"/admin/pages/{video.pk}/edit/").status_code == 200
    video.transcript_source = "WEBVTT\n\n00:00:01.000 => 00:00:02.000\nbroken\n"
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        video.full_clean()
    assert "Line 3: expected a cue timing" in str(error.value.message_dict["transcript_source"])


@pytest.mark.django_db
def test_the_admin_media_upload_checks_content_too(marketer_client):
    from wagtail.models import Collection

    data = {
        "title": "Renamed",
        "collection": Collection.get_first_root_node().pk,
        "duration": 0,
        "tags": "",
    }
    response = marketer_client.post(
        "/admin/media/video/add/", {**data, "file": video_upload("notes.mp4", b"plain text\n" * 30)}
    )
    assertContains(response, "is not an MP4 or WebM video")
    assert not Media.objects.exists()
    marketer_client.post("/admin/media/video/add/", {**data, "file": video_upload()})
    assert Media.objects.get().type == "video"


@pytest.mark.django_db
def test_marketing_manages_series_in_the_admin(marketer_client, rep_client):
    series = make_series("Closing")
    make_video("Ask for the order", series=series)
    listing = marketer_client.get("/admin/snippets/coaching/series/")
    assertContains(listing, "Closing")
    response = marketer_client.post(
        "/admin/snippets/coaching/series/add/", {"title": "Discovery", "description": "Questions."}
    )
    assert response.status_code == 302
    from coaching.models import Series

    assert Series.objects.filter(title="Discovery").exists()
    assert rep_client.get("/admin/snippets/coaching/series/").status_code in (302, 403)


@pytest.mark.django_db
def test_a_video_curated_in_the_admin_is_authored_by_its_creator(marketer):
    from coaching.models import CoachingIndexPage

    index = CoachingIndexPage.objects.get()
    video = CoachingVideoPage(
        title="Admin-made",
        slug="admin-made",
        owner=marketer,
        external_url="https://video.example/v/9",
    )
    index.add_child(instance=video)
    video.save_revision(user=marketer).publish(user=marketer)
    video.refresh_from_db()
    assert video.author == marketer

"""Transcripts: WebVTT/SRT become cues, bad files name the wrong line, cues link to their second."""

import time
import tracemalloc

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from coaching.models import CoachingVideoPage, TranscriptCue
from coaching.transcripts import (
    MAX_CUES,
    TranscriptError,
    TranscriptTooLong,
    format_vtt_time,
    parse_transcript,
    to_webvtt,
)
from coaching.uploads import TRANSCRIPT_MAX_BYTES

from .factories import make_rep, make_video

VTT = """WEBVTT
Kind: captions

NOTE recorded on the sales floor

intro
00:00:01.000 --> 00:00:04.500 align:start
<v Riley>Start every discovery call</v>
with one open question.

00:01:23.000 --> 00:01:27.000
Ask what the <b>cost of doing nothing</b> is &amp; wait.

02:05.250 --> 02:09.000
Then summarise in their words.
"""

SRT = """1
00:00:02,000 --> 00:00:05,000
Name the champion early.

2
00:01:23,400 --> 00:01:26,000
Confirm the budget owner.
"""


def test_webvtt_becomes_plain_cues_in_order():
    cues = parse_transcript(VTT)
    assert [(cue.start, cue.end) for cue in cues] == [(1.0, 4.5), (83.0, 87.0), (125.25, 129.0)]
    assert cues[0].text == "Start every discovery call with one open question."
    assert cues[1].text == "Ask what the cost of doing nothing is & wait."


def test_srt_becomes_cues():
    cues = parse_transcript(SRT)
    assert [(cue.start, cue.text) for cue in cues] == [
        (2.0, "Name the champion early."),
        (83.4, "Confirm the budget owner."),
    ]


def test_plain_text_is_searchable_without_times():
    cues = parse_transcript("First paragraph.\n\nSecond paragraph.")
    assert [(cue.start, cue.text) for cue in cues] == [
        (0.0, "First paragraph."),
        (0.0, "Second paragraph."),
    ]


# Lines 1-4 of a good file; the next block starts on line 5.
VTT_FIRST_CUE = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nfine\n\n"
SRT_FIRST_CUE = "1\n00:00:01,000 --> 00:00:02,000\nfine\n\n"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (
            VTT_FIRST_CUE + "00:00:0x.000 --> 00:00:04.000\nbroken\n",
            6,
            "cue timing",
        ),
        ("WEBVTT\n\n00:00:05.000 --> 00:00:02.000\nbackwards\n", 3, "ends"),
        (
            VTT_FIRST_CUE + "00:61:00.000 --> 00:62:00.000\nbad minutes\n",
            6,
            "59",
        ),
        (
            SRT_FIRST_CUE + "second\n00:00:03,000 --> 00:00:04,000\ntext\n",
            5,
            "cue number",
        ),
        (
            SRT_FIRST_CUE + "2\n00:00:03,000 -> 00:00:04,000\ntext --> x\n",
            6,
            "cue timing",
        ),
    ],
)
def test_malformed_caption_files_name_the_wrong_line(text, line, words):
    with pytest.raises(TranscriptError) as error:
        parse_transcript(text)
    assert error.value.line == line
    assert str(error.value).startswith(f"Line {line}:")
    assert words in str(error.value)


def test_webvtt_output_round_trips():
    class Row:
        def __init__(self, start, end, text):
            self.start_seconds, self.end_seconds, self.text = start, end, text

    vtt = to_webvtt([Row(83.0, 87.25, "Ask about cost"), Row(0, 0, "untimed")])
    assert vtt.startswith("WEBVTT\n\n00:01:23.000 --> 00:01:27.250\nAsk about cost\n")
    assert "untimed" not in vtt
    assert [cue.text for cue in parse_transcript(vtt)] == ["Ask about cost"]


@pytest.mark.django_db
def test_publishing_a_video_indexes_each_cue_with_a_link_to_its_second():
    author = make_rep("presenter")
    video = make_video("The cost of doing nothing", author=author, transcript=VTT)
    assert video.cues.count() == 3
    hits = list(TranscriptCue.objects.listed().search("cost of doing nothing"))
    assert [hit.start_seconds for hit in hits] == [83.0]
    assert hits[0].get_absolute_url() == f"{video.url}#t=83"
    # The page itself is found by its transcript too.
    from coaching.models import CoachingVideoPage

    assert list(CoachingVideoPage.objects.live().search("summarise")) == [video]


@pytest.mark.django_db
def test_unpublished_videos_leave_cue_search():
    video = make_video("Budget owners", transcript=SRT)
    assert len(TranscriptCue.objects.listed().search("budget owner")[:10]) == 1
    video.unpublish()
    assert list(TranscriptCue.objects.listed().search("budget owner")) == []


@pytest.mark.django_db
def test_captions_track_serves_webvtt(rep_client):
    video = make_video("Champions", transcript=SRT)
    response = rep_client.get(reverse("coaching_captions", args=[video.pk]))
    assert response["Content-Type"].startswith("text/vtt")
    body = response.content.decode()
    assert body.startswith("WEBVTT")
    assert "00:01:23.400 --> 00:01:26.000\nConfirm the budget owner." in body


# --- Limits: one transcript cannot take a worker down (issue 15, finding 5).


def many_cues(count: int, text: str = "x") -> str:
    """A WebVTT file of ``count`` tiny cues: 100,000 of them weigh 1.7 MB, under the 2 MB cap."""
    return "WEBVTT\n\n" + f"0:00 --> 0:01\n{text}\n\n" * count


def timed_cues(count: int) -> str:
    lines = ["WEBVTT", ""]
    for number in range(count):
        start = format_vtt_time(number)
        lines += [f"{start} --> {format_vtt_time(number + 0.9)}", f"Line {number} of the talk.", ""]
    return "\n".join(lines)


def caption_upload(text: str, name: str = "talk.vtt"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode(), content_type="text/vtt")


@pytest.mark.django_db
def test_a_transcript_of_100000_cues_is_refused_at_once_and_the_form_kept(rep_client):
    """It once took 108 s and 500 MB inline; now the form says why within a second or two."""
    huge = many_cues(100_000)
    assert 1_600_000 < len(huge) < TRANSCRIPT_MAX_BYTES
    started = time.perf_counter()
    response = rep_client.post(
        reverse("video_create"),
        {
            "title": "All hands recording",
            "external_url": "https://videos.example.com/all-hands",
            "transcript_file": caption_upload(huge),
        },
    )
    elapsed = time.perf_counter() - started
    assert elapsed < 5, f"took {elapsed:.1f} s"
    assertContains(response, "The transcript has more than 2,000 cues", status_code=400)
    assertContains(response, "split the recording", status_code=400)
    assertContains(response, 'value="All hands recording"', status_code=400)
    assert not CoachingVideoPage.objects.exists() and not TranscriptCue.objects.exists()


def test_parsing_a_huge_transcript_holds_one_cue_at_a_time_not_the_file():
    """Lines are read in place and parsing stops at the cap: well under a megabyte of memory."""
    huge = many_cues(100_000)
    tracemalloc.start()
    try:
        with pytest.raises(TranscriptTooLong) as error:
            parse_transcript(huge)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert error.value.line == 3 + 3 * MAX_CUES
    assert peak < 2_000_000, f"peak {peak / 1e6:.1f} MB"


def test_too_many_words_are_refused_too():
    with pytest.raises(TranscriptTooLong, match=r"The transcript's words pass 200 KB \(at line \d"):
        parse_transcript(many_cues(1_000, text="word " * 50))
    with pytest.raises(TranscriptTooLong, match="more than 2,000 cues"):
        parse_transcript("\n\n".join(["A paragraph."] * (MAX_CUES + 1)))  # plain text too
    assert len(parse_transcript(many_cues(MAX_CUES))) == MAX_CUES  # the cap itself is fine


@pytest.mark.django_db
def test_the_admin_refuses_a_huge_transcript_with_the_same_words():
    from django.core.exceptions import ValidationError

    video = make_video("Huge", transcript=SRT)
    video.transcript_source = many_cues(MAX_CUES + 1)
    with pytest.raises(ValidationError) as error:
        video.full_clean()
    assert "more than 2,000 cues" in str(error.value.message_dict["transcript_source"])


@pytest.mark.django_db
def test_a_2000_cue_transcript_is_shown_200_lines_at_a_time(rep_client, settings):
    """The video page stays small; htmx (or a plain link) brings the next lines."""
    settings.SEMANTIC_SEARCH = False  # what is measured here is the page, not the encoder
    response = rep_client.post(
        reverse("video_create"),
        {
            "title": "Quarterly kickoff",
            "external_url": "https://videos.example.com/kickoff",
            "transcript_file": caption_upload(timed_cues(MAX_CUES)),
        },
    )
    assert response.status_code == 302
    video = CoachingVideoPage.objects.get()
    assert video.cues.count() == MAX_CUES

    page = rep_client.get(video.url)
    assert len(page.content) < 120_000, f"{len(page.content)} bytes"
    assertContains(page, '<a class="transcript__time"', count=200)
    assertContains(page, "Line 199 of the talk.")
    assertNotContains(page, "Line 200 of the talk.")
    assertContains(page, "Show more of the transcript")
    assertContains(page, f"{MAX_CUES - 200} more lines")

    more = rep_client.get(f"{video.url}?transcript_page=2", HTTP_HX_REQUEST="true")
    assert len(more.content) < 60_000
    assertNotContains(more, "<html")  # a fragment to append, not the page again
    assertContains(more, '<a class="transcript__time"', count=200)
    assertContains(more, '<ol class="transcript__cues list-plain" start="201">')
    assertContains(more, "Line 200 of the talk.")
    assertContains(more, "?transcript_page=3")

    last = rep_client.get(f"{video.url}?transcript_page={MAX_CUES // 200}", HTTP_HX_REQUEST="true")
    assertContains(last, f"Line {MAX_CUES - 1} of the talk.")
    assertContains(last, f"End of the transcript ({MAX_CUES} lines).")
    assertNotContains(last, "Show more")

    plain = rep_client.get(f"{video.url}?transcript_page=2")  # without JavaScript
    assertContains(plain, "<html")
    assertContains(plain, "Line 200 of the talk.")
    assertContains(plain, "From the start of the transcript")


# The worker recycles database connections between tasks, which a test transaction cannot survive.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_a_worker_the_cues_are_built_and_indexed_in_the_background(rep_client, settings):
    from io import StringIO

    from django.core.management import call_command

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    response = rep_client.post(
        reverse("video_create"),
        {
            "title": "Budget owners",
            "external_url": "https://videos.example.com/budget",
            "transcript_file": caption_upload(SRT, "talk.srt"),
        },
    )
    assert response.status_code == 302
    video = CoachingVideoPage.objects.get()
    assert not video.cues.exists()  # the request did not parse and index them
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO(), stderr=StringIO())
    assert video.cues.count() == 2
    assert [hit.video_id for hit in TranscriptCue.objects.listed().search("budget owner")] == [video.pk]


@pytest.mark.django_db
def test_republishing_rewrites_the_cues_in_place_and_the_index_follows():
    """A new transcript reuses the cue rows (one index batch, no delete per cue); old words go."""
    video = make_video("Champions", transcript=VTT)
    ids = sorted(video.cues.values_list("pk", flat=True))
    video.transcript_source = SRT
    video.save_revision().publish()
    assert sorted(video.cues.values_list("pk", flat=True)) == ids[:2]
    assert [cue.text for cue in video.cues.all()] == ["Name the champion early.", "Confirm the budget owner."]
    assert [hit.pk for hit in TranscriptCue.objects.listed().search("budget owner")] == [ids[1]]
    assert list(TranscriptCue.objects.listed().search("summarise")) == []  # the dropped third cue
    assert list(TranscriptCue.objects.listed().search("discovery")) == []  # the rewritten first

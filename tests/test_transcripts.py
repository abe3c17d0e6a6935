"""Transcripts: WebVTT/SRT become cues, bad files name the wrong line, cues link to their second."""

import pytest
from django.urls import reverse

from coaching.models import TranscriptCue
from coaching.transcripts import TranscriptError, parse_transcript, to_webvtt

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

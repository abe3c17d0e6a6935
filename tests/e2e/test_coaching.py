"""Coaching in the browser: share a video with captions, find a moment in it; pitch practice."""

import base64
import re
import time

import pytest

from coaching.models import (
    CoachingVideoPage,
    PitchChallenge,
    PitchReview,
    PitchSubmission,
    WatchProgress,
)

from ..coaching_support import seed_demo_coaching
from ..factories import TINY_WEBM, make_manager, make_rep
from .conftest import pause, screenshot, screenshots, type_keys

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TRANSCRIPT = """WEBVTT

00:00:00.000 --> 00:00:01.800
Start every discovery call with one open question.

00:00:02.000 --> 00:00:03.800
Ask what the cost of doing nothing is, then stay quiet.

00:01:23.000 --> 00:01:29.000
Summarise in the buyer's own words.
"""

# Chromium records a real, playable WebM from a canvas: no ffmpeg needed on the machine.
RECORD_WEBM = """async (seconds) => {
  const canvas = Object.assign(document.createElement("canvas"), {width: 160, height: 120});
  const paint = canvas.getContext("2d");
  const recorder = new MediaRecorder(canvas.captureStream(15), {mimeType: "video/webm;codecs=vp8"});
  const parts = [];
  recorder.ondataavailable = (event) => parts.push(event.data);
  let frame = 0;
  const timer = setInterval(() => {
    paint.fillStyle = `hsl(${frame++ * 15}, 70%, 50%)`;
    paint.fillRect(0, 0, 160, 120);
  }, 60);
  recorder.start();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  recorder.stop();
  clearInterval(timer);
  await new Promise((resolve) => (recorder.onstop = resolve));
  const bytes = new Uint8Array(await new Blob(parts).arrayBuffer());
  let binary = "";
  bytes.forEach((byte) => (binary += String.fromCharCode(byte)));
  return btoa(binary);
}"""
PLAYER = "document.querySelector('video#player')"


def test_a_rep_shares_a_video_with_captions_and_a_search_lands_on_the_moment(page, sign_in):
    rep = make_rep("riley", first_name="Riley")
    sign_in(rep)
    page.goto("/coaching/new/")
    webm = base64.b64decode(page.evaluate(RECORD_WEBM, 4))
    assert webm.startswith(b"\x1a\x45\xdf\xa3")
    page.get_by_role("textbox", name="Title", exact=True).fill("The cost of doing nothing")
    page.get_by_label("Video file").set_input_files({"name": "talk.webm", "mimeType": "video/webm", "buffer": webm})
    page.get_by_label("Transcript file (optional)").set_input_files(
        {"name": "talk.vtt", "mimeType": "text/vtt", "buffer": TRANSCRIPT.encode()}
    )
    page.get_by_label("Skills").fill("discovery")
    screenshot(page, "coaching-share-form")
    page.get_by_role("button", name="Share video").click()

    page.wait_for_url(re.compile(r"/coaching/the-cost-of-doing-nothing/$"))
    video = CoachingVideoPage.objects.get()
    assert page.get_by_role("heading", level=1).inner_text() == "The cost of doing nothing"
    player = page.locator("video#player")
    assert player.locator("source").get_attribute("src") == video.video.url
    track = player.locator("track[kind=captions]")
    assert track.get_attribute("src") == f"/coaching/videos/{video.pk}/captions.vtt"
    assert track.get_attribute("default") is not None

    # It plays, with the first caption showing.
    page.wait_for_function(f"{PLAYER}.readyState >= 2")
    page.evaluate(f"{PLAYER}.muted = true; {PLAYER}.play()")
    page.wait_for_function(f"{PLAYER}.currentTime > 0.3")
    captions = page.evaluate(
        f"(() => {{ const t = {PLAYER}.textTracks[0]; return [t.mode, t.cues.length, "
        f"t.activeCues.length ? t.activeCues[0].text : ''] }})()"
    )
    assert captions == ["showing", 3, "Start every discovery call with one open question."]
    page.wait_for_function(f"{PLAYER}.currentTime > 1.5")
    page.evaluate(f"{PLAYER}.pause()")  # pausing sends the progress beacon
    screenshot(page, "coaching-video-page")
    for _ in range(50):
        if WatchProgress.objects.filter(user=rep, video=video).exists():
            break
        time.sleep(0.1)
    page.reload()
    assert re.fullmatch(r"You watched \d+%", page.locator(".player__progress .badge").inner_text())
    assert page.get_by_role("link", name=re.compile(r"^Continue from 0:0[12]$")).is_visible()

    # Search a phrase said at 0:02: the hit links to #t=2 and the player starts there.
    page.goto("/search/?q=cost+of+doing+nothing")
    moment = page.get_by_role("link", name=re.compile(r"The cost of doing nothing — at 0:02"))
    assert moment.get_attribute("href").endswith("/coaching/the-cost-of-doing-nothing/#t=2")
    moment.click()
    page.wait_for_url(re.compile(r"#t=2$"))
    assert page.locator("#player-start").inner_text() == "Starting at 0:02"
    page.wait_for_function(f"{PLAYER}.readyState >= 1")
    assert page.evaluate(f"{PLAYER}.currentTime") == 2
    screenshot(page, "coaching-video-at-moment")

    # A transcript line later in the talk seeks too: 1:23 is #t=83.
    line = page.get_by_role("link", name="1:23")
    assert line.get_attribute("href") == "#t=83"
    line.click()
    assert page.locator("#player-start").inner_text() == "Starting at 1:23"
    assert page.url.endswith("#t=83")

    page.goto("/coaching/")
    assert page.get_by_role("link", name="The cost of doing nothing").is_visible()
    screenshot(page, "coaching-index")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(video.url)
    # On a phone the transcript comes straight under the player, before the comments.
    player = page.locator(".player").bounding_box()
    transcript = page.locator(".transcript").bounding_box()
    comments = page.get_by_role("heading", name=re.compile("^Comments")).bounding_box()
    assert player["y"] < transcript["y"] < comments["y"], (player, transcript, comments)
    assert transcript["y"] < 844 + 400, transcript  # within a short scroll of the player
    screenshot(page, "coaching-video-page-phone")
    page.goto("/coaching/")
    screenshot(page, "coaching-index-phone")


def _wait_until_played_from(page, second: float) -> float:
    """Waits for the player to have seeked and to play on from ``second``; returns where it is."""
    page.wait_for_function(
        f"{PLAYER}.readyState >= 2 && !{PLAYER}.seeking && !{PLAYER}.paused && {PLAYER}.currentTime > {second} + 0.3"
    )
    return page.evaluate(f"{PLAYER}.currentTime")


def test_a_transcript_hit_and_a_transcript_line_start_the_demo_video_at_that_second(page, sign_in):
    """The demo's videos play, and Django's /media/ answers ranges, so the player really seeks."""
    seed_demo_coaching(videos=1)
    sign_in(make_rep("riley", first_name="Riley"))
    page.goto("/search/")
    type_keys(page.get_by_role("searchbox").first, "exact words the buyer uses")
    pause(page)
    page.keyboard.press("Enter")
    hit = page.get_by_role("link", name="Open discovery with one question — at 0:15")
    assert hit.get_attribute("href").endswith("/coaching/open-discovery-with-one-question/#t=15")
    pause(page)
    hit.click()
    page.wait_for_url(re.compile(r"#t=15$"))
    assert page.locator("#player-start").inner_text() == "Starting at 0:15"
    page.wait_for_function(f"{PLAYER}.readyState >= 2 && !{PLAYER}.seeking")
    state = page.evaluate(
        f"(() => {{ const v = {PLAYER}; return {{error: v.error && v.error.code, "
        f"duration: v.duration, time: v.currentTime, "
        f"seekable: v.seekable.length ? v.seekable.end(0) : 0}} }})()"
    )
    assert state["error"] is None
    assert 36 < state["duration"] < 38
    assert state["seekable"] > 36  # the whole video can be reached, not only what was buffered
    assert 15 <= state["time"] < 16
    page.evaluate(f"{PLAYER}.muted = true; {PLAYER}.play()")
    assert 15.3 < _wait_until_played_from(page, 15) < 19
    screenshots(page, "coaching-demo-video-at-0-15")

    # Clicking a line of the transcript moves the player there, as the scrub bar would.
    line = page.get_by_role("link", name="0:22")
    assert line.get_attribute("href") == "#t=22"
    pause(page)
    line.click()
    assert page.locator("#player-start").inner_text() == "Starting at 0:22"
    assert 22.3 < _wait_until_played_from(page, 22) < 26
    captions = page.evaluate(f"{PLAYER}.textTracks[0].activeCues[0].text")
    assert captions == "Play those words back in the proposal, not your product names."

    # And back to the start of the talk: seeking backwards works too.
    pause(page)
    page.get_by_role("link", name="0:01").click()
    assert 1.3 < _wait_until_played_from(page, 1) < 5

    # The scrub bar: a click three quarters along the player's timeline (37 s long).
    box = page.locator("video#player").bounding_box()
    timeline = (box["x"] + box["width"] * 0.75, box["y"] + box["height"] - 12)
    page.mouse.move(*timeline)
    pause(page)
    page.mouse.click(*timeline)
    page.wait_for_function(f"!{PLAYER}.seeking && {PLAYER}.currentTime > 20")
    assert 24 < page.evaluate(f"{PLAYER}.currentTime") < 33
    _leave_the_player(page)


def test_a_long_transcript_shows_more_lines_on_request_and_they_seek_too(page, sign_in, settings):
    """A 450-line transcript opens with 200 lines; "Show more" adds the next 200 in place."""
    from django.core.files import File

    from coaching.demo import DEMO_MEDIA
    from coaching.sharing import store_video_file
    from coaching.transcripts import format_vtt_time

    from ..factories import make_video

    settings.SEMANTIC_SEARCH = False
    rep = make_rep("riley", first_name="Riley")
    lines = ["WEBVTT", ""]
    for number in range(450):  # a cue every 0.08 s: all 450 inside the 37-second demo talk
        start = number * 0.08
        lines += [f"{format_vtt_time(start)} --> {format_vtt_time(start + 0.08)}", f"Point {number}.", ""]
    with (DEMO_MEDIA / "open-discovery-with-one-question.webm").open("rb") as handle:
        media = store_video_file(File(handle, name="talk.webm"), kind="webm", title="Talk", user=rep)
    video = make_video("Long talk", author=rep, transcript="\n".join(lines), video=media, external_url="")
    sign_in(rep)
    page.goto(video.url)
    transcript = page.locator(".transcript")
    assert transcript.get_by_role("listitem").count() == 200
    more = page.get_by_role("link", name="Show more of the transcript")
    assert more.is_visible() and page.get_by_text("250 more lines", exact=True).is_visible()
    screenshots(page, "coaching-long-transcript")
    pause(page)
    more.click()
    page.get_by_text("50 more lines", exact=True).wait_for()
    assert transcript.get_by_role("listitem").count() == 400
    assert page.url.endswith(video.url)  # the page stayed; htmx added the lines

    line = transcript.get_by_role("listitem").filter(has_text="Point 300.").get_by_role("link")
    assert line.get_attribute("href") == "#t=24"
    pause(page)
    line.click()
    assert page.locator("#player-start").inner_text() == "Starting at 0:24"
    assert 24.3 < _wait_until_played_from(page, 24) < 28

    pause(page)
    page.get_by_role("link", name="Show more of the transcript").click()
    page.get_by_text("End of the transcript (450 lines).").wait_for()
    assert transcript.get_by_role("listitem").count() == 450
    _leave_the_player(page)


def _leave_the_player(page) -> None:
    """Pauses and leaves, letting the progress beacon land before the test's data is flushed."""
    page.evaluate(f"{PLAYER}.pause()")
    page.goto("about:blank")
    page.wait_for_timeout(500)


def test_a_rep_is_told_a_renamed_text_file_is_not_a_video(page, sign_in):
    sign_in(make_rep("riley"))
    page.goto("/coaching/new/")
    page.get_by_role("textbox", name="Title", exact=True).fill("Notes")
    page.get_by_label("Video file").set_input_files(
        {"name": "notes.mp4", "mimeType": "video/mp4", "buffer": b"these are meeting notes\n" * 40}
    )
    page.get_by_role("button", name="Share video").click()
    error = page.get_by_role("alert").filter(has_text="is not an MP4 or WebM video")
    error.wait_for()
    assert "“notes.mp4” is not an MP4 or WebM video (its content is text)" in error.inner_text()
    assert not CoachingVideoPage.objects.exists()


def test_a_manager_posts_a_challenge_a_rep_submits_and_a_peer_reviews(browser, live_server, page, sign_in):
    manager = make_manager("mona", first_name="Mona")
    rep = make_rep("riley", first_name="Riley")
    peer = make_rep("sam", first_name="Sam")

    sign_in(manager)
    page.goto("/coaching/challenges/new/")
    page.get_by_role("textbox", name="Title", exact=True).fill("Pitch Analytics to a CFO")
    page.get_by_label("Prompt").fill("Give the 90-second pitch for Analytics to a CFO.")
    page.get_by_label("Due date").fill("2099-12-31")
    criteria = page.get_by_role("textbox", name="Criterion", exact=True)
    criteria.nth(0).fill("Clarity")
    criteria.nth(1).fill("Business value")
    screenshot(page, "coaching-challenge-form")
    page.get_by_role("button", name="Post challenge").click()
    page.wait_for_url(re.compile(r"/coaching/challenges/\d+/$"))
    challenge = PitchChallenge.objects.get()
    assert [c.name for c in challenge.criteria.all()] == ["Clarity", "Business value"]

    rep_context = browser.new_context(base_url=live_server.url)
    rep_page = rep_context.new_page()
    _sign_in_context(rep_context, live_server, rep)
    rep_page.goto(challenge.get_absolute_url())
    rep_page.get_by_label("Your pitch video").set_input_files(
        {"name": "pitch.webm", "mimeType": "video/webm", "buffer": TINY_WEBM}
    )
    rep_page.get_by_role("button", name="Submit pitch").click()
    rep_page.wait_for_url(re.compile(r"/coaching/pitches/\d+/$"))
    submission = PitchSubmission.objects.get()
    assert rep_page.get_by_role("heading", level=1).inner_text() == "Your pitch"

    peer_context = browser.new_context(base_url=live_server.url)
    peer_page = peer_context.new_page()
    _sign_in_context(peer_context, live_server, peer)
    peer_page.goto(challenge.get_absolute_url())
    peer_page.get_by_role("link", name="Watch and review Riley's pitch").click()
    peer_page.locator("fieldset", has_text="Clarity").get_by_role("radio", name="4 — Strong").check()
    peer_page.locator("fieldset", has_text="Business value").get_by_role("radio", name="3 — Adequate").check()
    peer_page.get_by_label("What worked, and one thing to try next time").fill("Great open; name the ROI sooner.")
    screenshot(peer_page, "coaching-review-form")
    peer_page.get_by_role("button", name="Send review").click()
    peer_page.get_by_text("Thanks for coaching a teammate").wait_for()
    review = PitchReview.objects.get()
    assert (review.reviewer, review.submission) == (peer, submission)

    rep_page.reload()
    assert rep_page.get_by_text("Great open; name the ROI sooner.").is_visible()
    assert rep_page.get_by_role("row", name=re.compile(r"Clarity 4\.0")).is_visible()
    screenshot(rep_page, "coaching-pitch-feedback")
    page.goto(challenge.get_absolute_url())
    assert page.get_by_role("heading", name="Average scores per rep").is_visible()
    screenshot(page, "coaching-challenge-manager")
    rep_context.close()
    peer_context.close()


def _sign_in_context(context, live_server, user):
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}])

"""Pitch practice: challenges with rubrics, submissions, peer reviews, averages, notifications."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from coaching.models import PitchChallenge, PitchReview, PitchScore, PitchSubmission
from coaching.signals import review_submitted
from knowledge import signals as knowledge_signals

from .factories import make_challenge, make_rep, make_submission, video_upload


def challenge_data(**overrides):
    data = {
        "title": "Pitch product X to a CFO",
        "prompt": "Give the 90-second pitch for product X to a CFO.",
        "due_date": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
        "criteria-TOTAL_FORMS": "6",
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "2",
        "criteria-MAX_NUM_FORMS": "6",
        "criteria-0-name": "Clarity",
        "criteria-0-level_1": "Rambling",
        "criteria-0-level_5": "Crisp",
        "criteria-1-name": "Business value",
    }
    data.update(overrides)
    return data


def review_data(challenge, scores=(4, 5), comment="Strong open; land the number sooner."):
    data = {"comment": comment}
    for criterion, score in zip(challenge.criteria.all(), scores, strict=False):
        data[f"score_{criterion.pk}"] = score
    return data


@pytest.mark.django_db
def test_a_manager_posts_a_challenge_with_a_rubric(manager, manager_client):
    response = manager_client.post(reverse("challenge_create"), challenge_data())
    challenge = PitchChallenge.objects.get()
    assert response["Location"] == challenge.get_absolute_url()
    assert challenge.created_by == manager
    clarity, value = challenge.criteria.all()
    assert (clarity.name, clarity.level_1, clarity.level_3, clarity.level_5) == (
        "Clarity",
        "Rambling",
        "Adequate",
        "Crisp",
    )
    assert value.name == "Business value"


@pytest.mark.django_db
def test_marketing_may_post_a_challenge_too(marketer_client):
    marketer_client.post(reverse("challenge_create"), challenge_data())
    assert PitchChallenge.objects.count() == 1


@pytest.mark.django_db
def test_a_rep_cannot_post_a_challenge(rep_client):
    assertContains(
        rep_client.get(reverse("challenge_create")),
        "Only managers and marketing can post a pitch challenge.",
        status_code=403,
    )
    response = rep_client.post(reverse("challenge_create"), challenge_data())
    assertContains(response, "Only managers and marketing can post a pitch challenge.", status_code=403)
    assert not PitchChallenge.objects.exists()
    assertNotContains(rep_client.get(reverse("challenge_list")), "Post a challenge")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"criteria-1-name": ""}, "Give the rubric at least 2 criteria."),
        ({"criteria-1-name": "clarity"}, "Each rubric criterion needs a different name."),
        ({"title": "", "prompt": ""}, "This field is required."),
        ({"due_date": "2001-01-01"}, "The due date is in the past."),
    ],
)
def test_a_bad_challenge_is_refused(manager_client, overrides, message):
    response = manager_client.post(reverse("challenge_create"), challenge_data(**overrides))
    assertContains(response, message, status_code=400)
    assert not PitchChallenge.objects.exists()


@pytest.mark.django_db
def test_a_rubric_has_at_most_six_criteria(manager_client):
    extra = {f"criteria-{n}-name": f"C{n}" for n in range(7)}
    response = manager_client.post(
        reverse("challenge_create"), challenge_data(**{"criteria-TOTAL_FORMS": "7"}, **extra)
    )
    assertContains(response, "at most 6", status_code=400)
    assert not PitchChallenge.objects.exists()


@pytest.mark.django_db
def test_a_rep_submits_and_resubmits_keeping_old_reviews(manager, rep, rep_client, other_rep):
    challenge = make_challenge(created_by=manager)
    shared = []
    knowledge_signals.shared.connect(receiver := lambda sender, instance, user, **kw: shared.append((sender, user)))
    try:
        response = rep_client.post(reverse("pitch_submit", args=[challenge.pk]), {"file": video_upload()})
    finally:
        knowledge_signals.shared.disconnect(receiver)
    first = PitchSubmission.objects.get()
    assert response["Location"] == first.get_absolute_url()
    assert shared == [(PitchSubmission, rep)]
    from coaching.pitches import review_pitch

    review_pitch(
        first,
        reviewer=other_rep,
        scores={c.pk: 3 for c in challenge.criteria.all()},
        comment="Slow start.",
    )
    rep_client.post(reverse("pitch_submit", args=[challenge.pk]), {"file": video_upload("take2.webm")})
    first.refresh_from_db()
    second = PitchSubmission.objects.active().get()
    assert not first.is_active and second.submitter == rep
    page = rep_client.get(second.get_absolute_url())
    assertContains(page, "Slow start.")
    assertContains(page, "Earlier take")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (None, "Choose your pitch video to upload."),
        (
            video_upload("pitch.mp4", b"just some text pretending\n" * 10),
            "is not an MP4 or WebM video",
        ),
    ],
)
def test_a_bad_pitch_upload_is_refused(manager, rep_client, upload, message):
    challenge = make_challenge(created_by=manager)
    data = {"file": upload} if upload else {}
    response = rep_client.post(reverse("pitch_submit", args=[challenge.pk]), data)
    assertContains(response, message, status_code=400)
    assert not PitchSubmission.objects.exists()


@pytest.mark.django_db
def test_a_peer_reviews_and_the_submitter_is_told(manager, rep, other_rep, other_rep_client, mailoutbox):
    challenge = make_challenge(created_by=manager)
    submission = make_submission(challenge, submitter=rep)
    heard = []
    review_submitted.connect(
        listener := lambda sender, instance, reviewer, submitter, **kw: heard.append((reviewer, submitter))
    )
    try:
        response = other_rep_client.post(reverse("pitch_review", args=[submission.pk]), review_data(challenge))
    finally:
        review_submitted.disconnect(listener)
    assert response["Location"] == submission.get_absolute_url()
    review = PitchReview.objects.get()
    assert (review.reviewer, review.comment) == (other_rep, "Strong open; land the number sooner.")
    assert sorted(review.scores.values_list("score", flat=True)) == [4, 5]
    assert heard == [(other_rep, rep)]
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [rep.email]
    assert "reviewed your pitch" in mailoutbox[0].subject
    assert submission.get_absolute_url() in mailoutbox[0].body


@pytest.mark.django_db
def test_reviewing_twice_edits_the_first_review(manager, rep, other_rep_client, mailoutbox):
    challenge = make_challenge(created_by=manager)
    submission = make_submission(challenge, submitter=rep)
    url = reverse("pitch_review", args=[submission.pk])
    other_rep_client.post(url, review_data(challenge))
    response = other_rep_client.post(
        url, review_data(challenge, scores=(2, 2), comment="Second thoughts."), follow=True
    )
    assertContains(response, "You had already reviewed this pitch, so your earlier review was updated.")
    assert PitchReview.objects.get().comment == "Second thoughts."
    assert sorted(PitchScore.objects.values_list("score", flat=True)) == [2, 2]
    assertContains(response, "Edit your review")


@pytest.mark.django_db
def test_updating_a_review_does_not_email_the_submitter_again(manager, rep, other_rep_client, mailoutbox):
    """Only the first review of a pitch sends the submitter an e-mail; edits are silent."""
    challenge = make_challenge(created_by=manager)
    submission = make_submission(challenge, submitter=rep)
    url = reverse("pitch_review", args=[submission.pk])
    other_rep_client.post(url, review_data(challenge))
    assert [message.to for message in mailoutbox] == [[rep.email]]
    for comment in ("Second thoughts.", "Third thoughts."):
        other_rep_client.post(url, review_data(challenge, scores=(2, 3), comment=comment))
    assert PitchReview.objects.get().comment == "Third thoughts."
    assert len(mailoutbox) == 1
    assert "reviewed your pitch" in mailoutbox[0].subject


@pytest.mark.django_db
def test_no_one_reviews_their_own_pitch(manager, rep, rep_client):
    challenge = make_challenge(created_by=manager)
    submission = make_submission(challenge, submitter=rep)
    response = rep_client.post(reverse("pitch_review", args=[submission.pk]), review_data(challenge), follow=True)
    assertContains(response, "You can&#x27;t review your own pitch.")
    assert not PitchReview.objects.exists()
    assertNotContains(rep_client.get(submission.get_absolute_url()), "Review this pitch")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("scores", "message"),
    [
        ((0, 3), "Scores go from 1 to 5"),
        ((6, 3), "Scores go from 1 to 5"),
        ((3,), "from 1 to 5."),
    ],
)
def test_scores_outside_one_to_five_are_refused(manager, rep, other_rep_client, scores, message):
    challenge = make_challenge(created_by=manager)
    submission = make_submission(challenge, submitter=rep)
    response = other_rep_client.post(reverse("pitch_review", args=[submission.pk]), review_data(challenge, scores))
    assertContains(response, message, status_code=400)
    assert not PitchReview.objects.exists()


@pytest.mark.django_db
def test_an_empty_review_is_refused(manager, rep, other_rep_client):
    challenge = make_challenge(created_by=manager)
    submission = make_submission(challenge, submitter=rep)
    response = other_rep_client.post(reverse("pitch_review", args=[submission.pk]), {})
    assertContains(response, "Write a comment", status_code=400)
    assert not PitchReview.objects.exists()


@pytest.mark.django_db
def test_submitter_sees_averages_and_managers_see_averages_per_rep(manager, manager_client, rep, rep_client, other_rep):
    challenge = make_challenge(created_by=manager)
    submission = make_submission(challenge, submitter=rep)
    from coaching.pitches import review_pitch

    clarity, value = challenge.criteria.all()
    review_pitch(submission, reviewer=other_rep, scores={clarity.pk: 4, value.pk: 2}, comment="Good pace.")
    review_pitch(submission, reviewer=manager, scores={clarity.pk: 5, value.pk: 3}, comment="Name the ROI.")
    mine = rep_client.get(submission.get_absolute_url())
    assertContains(mine, "Your average per criterion")
    assertContains(mine, '<td class="num">4.5</td>', html=True)
    assertContains(mine, '<td class="num">2.5</td>', html=True)
    assertContains(mine, "Good pace.")
    assertContains(mine, "Name the ROI.")
    detail = manager_client.get(challenge.get_absolute_url())
    assertContains(detail, "Average scores per rep")
    assertContains(detail, "<strong>3.5</strong>", html=True)
    peer_view = rep_client.get(challenge.get_absolute_url())
    assertNotContains(peer_view, "Average scores per rep")
    # Another rep sees the review count, not the other reviewers' comments.
    third = make_rep("third")
    from django.test import Client

    client = Client()
    client.force_login(third)
    page = client.get(submission.get_absolute_url())
    assertNotContains(page, "Good pace.")
    assertContains(page, "Review this pitch")


# Session, user, challenge, criteria, submissions, mine, roles, averages per rep (two queries).
CHALLENGE_QUERIES = 9
# Session, user, roles and the annotated challenges.
CHALLENGE_LIST_QUERIES = 5
# Session, user, submission with challenge and reviews, the rep's takes with reviews, averages.
FEEDBACK_QUERIES = 10


@pytest.mark.parametrize("count", [1, 6])
@pytest.mark.django_db
def test_challenge_page_queries_do_not_grow(manager, manager_client, count, django_assert_num_queries):
    challenge = make_challenge(created_by=manager)
    from coaching.pitches import review_pitch

    reviewer = make_rep("reviewer")
    for number in range(count):
        submission = make_submission(challenge, submitter=make_rep(f"rep{number}"))
        review_pitch(
            submission,
            reviewer=reviewer,
            scores={c.pk: 3 for c in challenge.criteria.all()},
            comment="ok",
        )
    manager_client.get(challenge.get_absolute_url())
    with django_assert_num_queries(CHALLENGE_QUERIES):
        response = manager_client.get(challenge.get_absolute_url())
    assertContains(response, "Watch and review", count=count)


@pytest.mark.parametrize("count", [1, 5])
@pytest.mark.django_db
def test_challenge_list_queries_do_not_grow(manager, rep_client, count, django_assert_num_queries):
    for number in range(count):
        make_challenge(f"Challenge {number}", created_by=manager)
    rep_client.get(reverse("challenge_list"))  # the site and permissions reach the cache
    with django_assert_num_queries(CHALLENGE_LIST_QUERIES):
        response = rep_client.get(reverse("challenge_list"))
    assertContains(response, "Open until", count=count)


@pytest.mark.parametrize("count", [1, 4])
@pytest.mark.django_db
def test_pitch_feedback_queries_do_not_grow(manager, rep, rep_client, count, django_assert_num_queries):
    from coaching.pitches import review_pitch

    challenge = make_challenge(created_by=manager)
    submission = make_submission(challenge, submitter=rep)
    for number in range(count):
        review_pitch(
            submission,
            reviewer=make_rep(f"peer{number}"),
            scores={c.pk: 4 for c in challenge.criteria.all()},
            comment=f"Comment {number}",
        )
    rep_client.get(submission.get_absolute_url())  # the site and permissions reach the cache
    with django_assert_num_queries(FEEDBACK_QUERIES):
        response = rep_client.get(submission.get_absolute_url())
    assertContains(response, "Comment ", count=count)

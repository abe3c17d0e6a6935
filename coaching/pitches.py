"""Pitch practice: who may post challenges, submitting a pitch, reviewing one, and the averages."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Avg, Count

from knowledge import signals as knowledge_signals
from knowledge.roles import is_manager, is_marketing

from .models import PitchChallenge, PitchReview, PitchScore, PitchSubmission, RubricCriterion
from .sharing import store_video_file
from .signals import review_submitted


class PitchRefused(Exception):
    """The action breaks a pitch-practice rule; the message says which, in plain words."""


def can_create_challenge(user) -> bool:
    return user.is_authenticated and (is_manager(user) or is_marketing(user))


def can_see_all_reviews(user) -> bool:
    return user.is_authenticated and is_manager(user)


def create_challenge(challenge: PitchChallenge, criteria: list[RubricCriterion], *, user) -> PitchChallenge:
    """Saves a challenge and its rubric (2 to 6 criteria, already validated by the forms)."""
    if not can_create_challenge(user):
        raise PitchRefused("Only managers and marketing can post a pitch challenge.")
    with transaction.atomic():
        challenge.created_by = user
        challenge.save()
        for position, criterion in enumerate(criteria):
            criterion.challenge = challenge
            criterion.position = position
            criterion.save()
    return challenge


def submit_pitch(challenge: PitchChallenge, *, submitter, upload, kind: str, note: str = "") -> PitchSubmission:
    """Stores the pitch; the rep's earlier one stays (with its reviews) but is no longer active."""
    if not challenge.is_open:
        raise PitchRefused("This challenge is closed: its due date has passed.")
    with transaction.atomic():
        PitchSubmission.objects.filter(challenge=challenge, submitter=submitter, is_active=True).update(is_active=False)
        media = store_video_file(upload, kind=kind, title=f"Pitch: {challenge.title}", user=submitter)
        submission = PitchSubmission.objects.create(challenge=challenge, submitter=submitter, media=media, note=note)
    knowledge_signals.shared.send(sender=PitchSubmission, instance=submission, user=submitter)
    return submission


def review_pitch(
    submission: PitchSubmission, *, reviewer, scores: dict[int, int], comment: str
) -> tuple[PitchReview, bool]:
    """Saves or updates ``reviewer``'s review; returns (review, created).

    Only the first review e-mails the submitter: a reviewer correcting a score should not
    send another message each time.
    """
    if submission.submitter_id == reviewer.pk:
        raise PitchRefused("You can't review your own pitch.")
    if not submission.is_active:
        raise PitchRefused("This pitch was replaced by a newer one: review the new one instead.")
    criteria = {criterion.pk for criterion in submission.challenge.criteria.all()}
    if set(scores) != criteria:
        raise PitchRefused("Score every criterion of the rubric.")
    if any(not 1 <= score <= 5 for score in scores.values()):
        raise PitchRefused("Scores go from 1 to 5.")
    with transaction.atomic():
        review, created = PitchReview.objects.select_for_update().get_or_create(
            submission=submission, reviewer=reviewer, defaults={"comment": comment}
        )
        if not created:
            review.comment = comment
            review.save(update_fields=["comment", "updated_at"])
        for criterion_id, score in scores.items():
            PitchScore.objects.update_or_create(review=review, criterion_id=criterion_id, defaults={"score": score})
        if created:  # inside the transaction: the submitter's notification is written with the review
            review_submitted.send(
                sender=PitchReview, instance=review, reviewer=reviewer, submitter=submission.submitter
            )
    return review, created


@dataclass
class CriterionAverage:
    criterion: RubricCriterion
    average: float | None
    count: int


def criterion_averages(challenge: PitchChallenge, submissions) -> list[CriterionAverage]:
    """Average score per criterion over the reviews of ``submissions``, in rubric order."""
    rows = {
        row["criterion_id"]: row
        for row in PitchScore.objects.filter(review__submission__in=submissions)
        .values("criterion_id")
        .annotate(average=Avg("score"), count=Count("pk"))
    }
    return [
        CriterionAverage(
            criterion,
            rows.get(criterion.pk, {}).get("average"),
            rows.get(criterion.pk, {}).get("count", 0),
        )
        for criterion in challenge.criteria.all()
    ]


def averages_by_rep(challenge: PitchChallenge) -> list[dict]:
    """For managers: each rep's active pitch, with the average of every criterion, best first."""
    criteria = list(challenge.criteria.all())
    scores = (
        PitchScore.objects.filter(review__submission__challenge=challenge, review__submission__is_active=True)
        .values("review__submission__submitter_id", "criterion_id")
        .annotate(average=Avg("score"))
    )
    by_rep: dict[int, dict[int, float]] = defaultdict(dict)
    for row in scores:
        by_rep[row["review__submission__submitter_id"]][row["criterion_id"]] = row["average"]
    submissions = (
        challenge.submissions.active()
        .with_review_counts()
        .select_related("submitter")
        .order_by("submitter__first_name", "submitter__username")
    )
    table = []
    for submission in submissions:
        averages = [by_rep[submission.submitter_id].get(criterion.pk) for criterion in criteria]
        known = [value for value in averages if value is not None]
        table.append(
            {
                "submission": submission,
                "averages": averages,
                "overall": sum(known) / len(known) if known else None,
            }
        )
    return sorted(table, key=lambda row: (row["overall"] is None, -(row["overall"] or 0)))

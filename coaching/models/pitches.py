"""Pitch practice: challenges with a rubric, the reps' submissions, and reviews that score them."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Avg, Count, Prefetch, Q
from django.urls import reverse
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from knowledge.contracts import ContentKind, SharedContent


class PitchChallengeQuerySet(models.QuerySet):
    def open(self) -> PitchChallengeQuerySet:
        from django.utils import timezone

        return self.filter(due_date__gte=timezone.localdate())


class PitchChallenge(ClusterableModel):
    """A pitch prompt posted by a manager or marketer, with a rubric of 2 to 6 criteria."""

    title = models.CharField(max_length=200)
    prompt = models.TextField()
    due_date = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="pitch_challenges",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PitchChallengeQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("challenge_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        from django.utils import timezone

        return self.due_date >= timezone.localdate()


class RubricCriterion(models.Model):
    """One thing a pitch is scored on, with what each score from 1 to 5 means."""

    challenge = ParentalKey(PitchChallenge, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=100)
    level_1 = models.CharField("1 means", max_length=300)
    level_2 = models.CharField("2 means", max_length=300)
    level_3 = models.CharField("3 means", max_length=300)
    level_4 = models.CharField("4 means", max_length=300)
    level_5 = models.CharField("5 means", max_length=300)

    class Meta:
        ordering = ["challenge", "position", "pk"]

    def __str__(self):
        return self.name

    @property
    def levels(self) -> list[tuple[int, str]]:
        return [
            (1, self.level_1),
            (2, self.level_2),
            (3, self.level_3),
            (4, self.level_4),
            (5, self.level_5),
        ]


class PitchSubmissionQuerySet(models.QuerySet):
    def active(self) -> PitchSubmissionQuerySet:
        return self.filter(is_active=True)

    def with_review_counts(self) -> PitchSubmissionQuerySet:
        return self.annotate(review_count=Count("reviews", distinct=True))


class PitchSubmission(SharedContent, models.Model):
    """A rep's pitch for a challenge; resubmitting deactivates the old one, keeping its reviews."""

    # Declared for its owner and activity verb; never registered: a pitch stays with its challenge.
    content_kind = ContentKind("pitch", "Pitch", "Pitches", verb="shared_pitch")
    owner_field = "submitter"
    account_field = None
    tags_field = None

    challenge = models.ForeignKey(PitchChallenge, on_delete=models.CASCADE, related_name="submissions")
    submitter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pitch_submissions")
    media = models.ForeignKey("wagtailmedia.Media", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    is_active = models.BooleanField(default=True)

    objects = PitchSubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "submitter"],
                condition=Q(is_active=True),
                name="one_active_pitch_per_rep",
            ),
        ]

    def __str__(self):
        return f"{self.submitter} for {self.challenge}"

    def get_absolute_url(self):
        return reverse("submission_detail", args=[self.pk])

    def indexed_text(self) -> str:
        return self.note

    @property
    def video_url(self) -> str:
        return self.media.url if self.media_id else ""


class PitchReviewQuerySet(models.QuerySet):
    def with_scores(self) -> PitchReviewQuerySet:
        return self.select_related("reviewer").prefetch_related(
            Prefetch("scores", queryset=PitchScore.objects.select_related("criterion"))
        )


class PitchReview(models.Model):
    """One reviewer's scores and comment on one submission (editable, never duplicated)."""

    submission = models.ForeignKey(PitchSubmission, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pitch_reviews_given")
    comment = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PitchReviewQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "reviewer"], name="one_review_per_reviewer"),
        ]

    def __str__(self):
        return f"{self.reviewer} on {self.submission}"

    def get_absolute_url(self):
        return self.submission.get_absolute_url()


class PitchScore(models.Model):
    """A 1-to-5 score for one rubric criterion in one review."""

    review = models.ForeignKey(PitchReview, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(RubricCriterion, on_delete=models.CASCADE, related_name="scores")
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])

    class Meta:
        ordering = ["criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="one_score_per_criterion"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="score_between_1_and_5"),
        ]

    def __str__(self):
        return f"{self.criterion}: {self.score}"


def average_scores(submissions) -> dict[int, float]:
    """Average score per criterion id over the reviews of ``submissions``."""
    rows = (
        PitchScore.objects.filter(review__submission__in=submissions)
        .values("criterion_id")
        .annotate(average=Avg("score"))
    )
    return {row["criterion_id"]: row["average"] for row in rows}

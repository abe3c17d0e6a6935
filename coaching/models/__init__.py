"""Coaching's models, a module per job; every name is importable from here, as before."""

# isort: off
# In the order the models were declared before the split, so the app registry (and with it
# content types and search indexing) lists them as before.
from .videos import (
    CoachingIndexPage,
    CoachingVideoManager,
    CoachingVideoPage,
    CoachingVideoQuerySet,
    CoachingVideoTag,
    Series,
    Stage,
)
from .transcript_cues import TranscriptCue, TranscriptCueQuerySet, format_timestamp
from .progress import WatchProgress
from .pitches import (
    PitchChallenge,
    PitchChallengeQuerySet,
    PitchReview,
    PitchReviewQuerySet,
    PitchScore,
    PitchSubmission,
    PitchSubmissionQuerySet,
    RubricCriterion,
    average_scores,
)
# isort: on

__all__ = [
    "CoachingIndexPage",
    "CoachingVideoManager",
    "CoachingVideoPage",
    "CoachingVideoQuerySet",
    "CoachingVideoTag",
    "PitchChallenge",
    "PitchChallengeQuerySet",
    "PitchReview",
    "PitchReviewQuerySet",
    "PitchScore",
    "PitchSubmission",
    "PitchSubmissionQuerySet",
    "RubricCriterion",
    "Series",
    "Stage",
    "TranscriptCue",
    "TranscriptCueQuerySet",
    "WatchProgress",
    "average_scores",
    "format_timestamp",
]

"""Signals coaching sends so that other apps (the leaderboard) can record activity.

Coaching never imports the leaderboard. Videos and pitches also send knowledge's ``shared``.
"""

from django.dispatch import Signal

# A peer or manager reviewed a pitch for the first time (edits of a review do not send it again).
# sender=PitchReview; kwargs: instance (the review), reviewer, submitter
review_submitted = Signal()

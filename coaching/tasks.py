"""Background work for coaching: a video's transcript cues and index, e-mail about pitch reviews."""

from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task


def _absolute(url: str) -> str:
    scheme = "https" if getattr(settings, "SECURE_SSL_REDIRECT", False) else "http"
    return f"{scheme}://{settings.SITE_DOMAIN}{url}"


@task()
def notify_pitch_review(review_id: int, created: bool = True) -> int:
    """E-mails the submitter that a peer reviewed (or updated a review of) their pitch."""
    from .models import PitchReview

    review = (
        PitchReview.objects.select_related(
            "reviewer", "submission__submitter", "submission__challenge"
        )
        .filter(pk=review_id)
        .first()
    )
    if review is None or not review.submission.submitter.email:
        return 0
    submitter, reviewer = review.submission.submitter, review.reviewer
    name = reviewer.get_full_name() or reviewer.username
    verb = "reviewed" if created else "updated their review of"
    subject = f"{name} {verb} your pitch for “{review.submission.challenge.title}”"
    body = (
        f"Hi {submitter.get_full_name() or submitter.username},\n\n"
        f"{name} {verb} your pitch for “{review.submission.challenge.title}”:\n\n"
        f"{review.comment}\n\n"
        f"See the scores and every comment: {_absolute(review.submission.get_absolute_url())}\n"
    )
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [submitter.email])


@task()
def rebuild_transcript_cues(video_id: int) -> int:
    """Rebuilds and indexes the cues of a published video from its transcript (read again)."""
    from .models import CoachingVideoPage
    from .transcripts import replace_cues

    video = CoachingVideoPage.objects.filter(pk=video_id).first()
    if video is None:  # deleted before the worker got to it
        return 0
    return replace_cues(video)

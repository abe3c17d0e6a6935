"""Demo coaching for ``manage.py seed_demo``: series, videos with transcripts, pitch practice.

Runs after knowledge's part (users and accounts exist). Idempotent: videos are found again by
slug, series by title, challenges by title.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.core.files import File
from django.utils import timezone
from django.utils.text import slugify
from wagtail.images import get_image_model
from wagtailmedia.models import get_media_model

from knowledge.demo import SeedContext, demo_reps
from knowledge.models import Account
from knowledge.tagging import normalise_tags

from .demo_content import (
    CHALLENGES,
    CUE_SECONDS,
    DEMO_MEDIA,
    EXPERTS,
    PITCH_TAKES,
    REVIEW_COMMENTS,
    SERIES,
    TALKS,
    pitch_media_name,
    talk_media_name,
    talk_poster_name,
    transcript_for,
)
from .models import (
    CoachingIndexPage,
    CoachingVideoPage,
    PitchChallenge,
    PitchReview,
    PitchScore,
    PitchSubmission,
    RubricCriterion,
    Series,
)
from .pitches import submit_pitch
from .sharing import store_video_file
from .signals import review_submitted

# Demos seeded before the videos were real linked to this made-up host; seeding again fixes them.
VIDEO_PORTAL = "https://videos.huddle.example/watch/"


def seed(context: SeedContext) -> None:
    series = _seed_series()
    context.summary["videos"] = _seed_videos(context, series)
    challenges, submissions, reviews = _seed_pitch_practice(context)
    context.summary["pitch challenges"] = challenges
    context.summary["pitches"] = submissions
    context.summary["pitch reviews"] = reviews


def _seed_series() -> list[Series]:
    return [
        Series.objects.get_or_create(title=title, defaults={"description": description})[0]
        for title, description in SERIES
    ]


def _video_specs(count: int):
    for number in range(count):
        title, skills, stage, series_index, lines = TALKS[number % len(TALKS)]
        take = number // len(TALKS)
        yield (
            number,
            (f"{title} ({take + 1})" if take else title),
            skills,
            stage,
            series_index,
            lines,
        )


def demo_video(name: str, *, title: str, user):
    """The wagtailmedia item holding one committed demo video, stored once and then reused."""
    Media = get_media_model()
    existing = Media.objects.filter(title=title, type="video").first()
    if existing is not None and existing.file and existing.file.storage.exists(existing.file.name):
        return existing
    with (DEMO_MEDIA / name).open("rb") as handle:
        media = store_video_file(File(handle, name=name), kind="webm", title=title, user=user)
    media.width, media.height = 640, 360
    media.save(update_fields=["width", "height"])
    return media


def demo_poster(title: str):
    """The wagtail image of a talk's poster frame, stored once and then reused."""
    Image = get_image_model()
    name = f"Poster: Demo: {title}"
    existing = Image.objects.filter(title=name).first()
    if existing is not None:
        return existing
    image = Image(title=name)
    with (DEMO_MEDIA / talk_poster_name(title)).open("rb") as handle:
        image.file.save(talk_poster_name(title), File(handle), save=False)
    image.save()
    return image


def _talk_video(title: str, lines: list[str], *, user):
    media = demo_video(talk_media_name(title), title=f"Demo: {title}", user=user)
    if not media.duration:
        media.duration = len(lines) * CUE_SECONDS + 2
        media.save(update_fields=["duration"])
    return media


def _seed_videos(context: SeedContext, series: list[Series]) -> int:
    User = get_user_model()
    index = CoachingIndexPage.objects.get()
    usernames = demo_reps(context.size)
    authors = {user.username: user for user in User.objects.filter(username__in=usernames)}
    accounts = list(Account.objects.order_by("pk")[:50])
    taken = set(CoachingVideoPage.objects.values_list("slug", flat=True))
    _repair_linked_demo_videos()
    rng = context.random
    created = 0
    specs = list(_video_specs(context.size.videos))
    for number, title, skills, stage, series_index, lines in context.progress(specs, "Coaching videos"):
        slug = slugify(title)[:60]
        if slug in taken:
            continue
        author = authors.get(usernames[number % len(usernames)])
        expert = EXPERTS[number % len(EXPERTS)] if number % 3 == 2 else None
        account = rng.choice(accounts) if accounts and number % 2 else None
        talk_title = TALKS[number % len(TALKS)][0]
        video = CoachingVideoPage(
            title=title,
            slug=slug,
            summary=lines[0],
            video=_talk_video(talk_title, lines, user=author),
            poster=demo_poster(talk_title),
            transcript_source=transcript_for(lines),
            author=author,
            owner=author,
            presenter=None if expert else author,
            presenter_name=expert[0] if expert else "",
            presenter_title=expert[1] if expert else "",
            stage=stage,
            series=series[series_index] if series_index is not None else None,
            series_position=number,
            account=account,
            industry=account.industry if account else "",
            duration_seconds=len(lines) * CUE_SECONDS + 2,
            live=False,
        )
        video.tags.add(*normalise_tags(skills))  # "objection handling" joins the tips' objection-handling
        index.add_child(instance=video)
        video.save_revision(user=author).publish(user=author, skip_permission_checks=True)
        taken.add(slug)
        created += 1
    return created


def _repair_linked_demo_videos() -> None:
    """Demo videos seeded when they linked to a made-up host get the committed file instead."""
    talks = {slugify(title)[:60]: (title, lines) for title, *_, lines in TALKS}
    linked = CoachingVideoPage.objects.filter(video__isnull=True, external_url__startswith=VIDEO_PORTAL)
    for page in linked:
        slug = page.external_url.removeprefix(VIDEO_PORTAL)
        talk = talks.get(slug) or talks.get(slug.rsplit("-", 1)[0])
        if talk is None:
            continue
        page.video = _talk_video(*talk, user=page.owner)
        page.poster = demo_poster(talk[0])
        page.external_url = ""
        page.save_revision(user=page.owner).publish(user=page.owner, skip_permission_checks=True)


# The stand-in pitch files that earlier demos stored: a header and zeros, which nothing plays.
STUB_PITCH_BYTES = 84


def _repair_stub_pitches() -> None:
    """Pitches seeded as 84-byte stand-ins get a committed take that plays."""
    for submission in PitchSubmission.objects.select_related("media").filter(media__title__startswith="Pitch: "):
        stored = submission.media.file
        if not stored or not stored.storage.exists(stored.name):
            continue
        if stored.storage.size(stored.name) > STUB_PITCH_BYTES:
            continue
        with (DEMO_MEDIA / pitch_media_name(submission.pk % len(PITCH_TAKES))).open("rb") as handle:
            stored.storage.delete(stored.name)
            stored.save(stored.name.rsplit("/", 1)[-1], File(handle), save=False)
        submission.media.save(update_fields=["file"])


def _seed_pitch_practice(context: SeedContext) -> tuple[int, int, int]:
    User = get_user_model()
    manager = User.objects.filter(username="manager").first()
    marketer = User.objects.filter(username="marketing").first()
    reps = list(User.objects.filter(username__in=demo_reps(context.size)[:6]).order_by("username"))
    today = timezone.localdate()
    _repair_stub_pitches()
    made = submitted = reviewed = 0
    for number, (title, prompt, days, criteria) in enumerate(CHALLENGES):
        challenge, new = PitchChallenge.objects.get_or_create(
            title=title,
            defaults={
                "prompt": prompt,
                "due_date": today + datetime.timedelta(days=days),
                "created_by": manager if number == 0 else marketer,
            },
        )
        if not new:
            continue
        made += 1
        for position, name in enumerate(criteria):
            RubricCriterion.objects.create(
                challenge=challenge,
                position=position,
                name=name,
                level_1="Missing",
                level_2="Weak",
                level_3="Adequate",
                level_4="Strong",
                level_5="Outstanding",
            )
        if not challenge.is_open:
            continue
        for rep_number, rep in enumerate(reps[1:5]):  # "rep" itself is left to try it
            take = pitch_media_name(rep_number % len(PITCH_TAKES))
            with (DEMO_MEDIA / take).open("rb") as handle:
                submission = submit_pitch(
                    challenge,
                    submitter=rep,
                    upload=File(handle, name=f"pitch-{rep.username}.webm"),
                    kind="webm",
                    note="First take, feedback welcome!",
                )
            submitted += 1
            reviewers = [
                reviewer
                for reviewer in (reps[0], manager, reps[(rep_number + 2) % len(reps)])
                if reviewer and reviewer.pk != rep.pk
            ][: 2 + rep_number % 2]
            for reviewer_number, reviewer in enumerate(reviewers):
                reviewed += _demo_review(context, submission, reviewer, reviewer_number)
    return made, submitted, reviewed


def _demo_review(context: SeedContext, submission: PitchSubmission, reviewer, number: int) -> int:
    """A review without the e-mail (demo data mails no one), still announced to the leaderboard."""
    review, created = PitchReview.objects.get_or_create(
        submission=submission,
        reviewer=reviewer,
        defaults={"comment": REVIEW_COMMENTS[(submission.pk + number) % len(REVIEW_COMMENTS)]},
    )
    if not created:
        return 0
    PitchScore.objects.bulk_create(
        [
            PitchScore(review=review, criterion=criterion, score=context.random.randint(2, 5))
            for criterion in submission.challenge.criteria.all()
        ]
    )
    review_submitted.send(sender=PitchReview, instance=review, reviewer=reviewer, submitter=submission.submitter)
    return 1

"""Demo coaching for ``manage.py seed_demo``: series, videos with transcripts, pitch practice.

Runs after knowledge's part (users and accounts exist). Idempotent: videos are found again by
slug, series by title, challenges by title.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files import File
from django.utils import timezone
from django.utils.text import slugify
from wagtail.images import get_image_model
from wagtailmedia.models import get_media_model

from knowledge.demo import SeedContext, demo_reps
from knowledge.models import Account
from knowledge.tagging import normalise_tags

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
from .transcripts import format_vtt_time

SERIES = [
    (
        "Discovery that sticks",
        "Questions that get buyers talking about cost, urgency and who decides.",
    ),
    ("Objections, handled", "Short answers to the pushback reps hear every week."),
    ("Negotiation without discounts", "Trading value instead of margin."),
]

# (title, skills, stage, series index or None, the lines said, in order)
TALKS = [
    (
        "Open discovery with one question",
        ["discovery", "questioning"],
        "discovery",
        0,
        [
            "Start every discovery call with one open question and then stop talking.",
            "Ask what happens if nothing changes this quarter.",
            "Write down the exact words the buyer uses for their problem.",
            "Play those words back in the proposal, not your product names.",
            "The cost of doing nothing is the number that gets budget moved.",
        ],
    ),
    (
        "Find the economic buyer early",
        ["discovery", "stakeholders"],
        "discovery",
        0,
        [
            "Ask who signs, and who can say no after they sign.",
            "A champion who cannot name the economic buyer is a coach, not a champion.",
            "Offer a short executive summary the champion can forward.",
            "Book the second meeting before you leave the first.",
        ],
    ),
    (
        "It is too expensive",
        ["objection handling", "pricing"],
        "negotiation",
        1,
        [
            "When a buyer says it is too expensive, ask: compared to what?",
            "Too expensive usually means the value is not clear yet.",
            "Go back to the cost of doing nothing you found in discovery.",
            "Never answer a price objection with a discount in the same breath.",
        ],
    ),
    (
        "We already use a competitor",
        ["objection handling", "competition"],
        "prospecting",
        1,
        [
            "Congratulate them: it means they already believe in the category.",
            "Ask what they would change about the current tool if they could.",
            "Pick one gap and show it, not ten features.",
            "Offer a side-by-side on their own data, not a generic demo.",
        ],
    ),
    (
        "Trade, never give",
        ["negotiation", "pricing"],
        "negotiation",
        2,
        [
            "Every concession needs something in return: term, volume or a case study.",
            "Say if we can do that, can you sign by the end of the month?",
            "Keep a list of low-cost, high-value things you can trade.",
            "Silence after your offer is a tool; let the buyer fill it.",
        ],
    ),
    (
        "Multi-threading a stalled deal",
        ["stakeholders", "closing"],
        "closing",
        None,
        [
            "A deal with one contact is a deal at risk.",
            "Ask your champion who else will be affected by the change.",
            "Send each stakeholder one line about what is in it for them.",
            "Summarise the mutual plan with dates and owners after every call.",
        ],
    ),
    (
        "The two-minute demo",
        ["demo", "storytelling"],
        "demo",
        None,
        [
            "Show the outcome first, then how you got there.",
            "One customer story beats five features.",
            "Stop after two minutes and ask what they would use first.",
        ],
    ),
    (
        "Renewals start on day one",
        ["renewal", "customer success"],
        "renewal",
        None,
        [
            "Agree the success measure at kickoff, in writing.",
            "Share a short value report every quarter.",
            "Renewal conversations go better when the buyer has the numbers already.",
        ],
    ),
]
EXPERTS = [("Dana Whitfield", "VP Sales, guest speaker"), ("Oren Malik", "Negotiation coach")]
# Demos seeded before the videos were real linked to this made-up host; seeding again fixes them.
VIDEO_PORTAL = "https://videos.huddle.example/watch/"
CUE_SECONDS = 7
# Short WebM videos (VP9 + Opus) the project made with demo_media/make_demo_media.py: each
# says its lines at the seconds transcript_for() gives them. Committed, never downloaded.
DEMO_MEDIA = Path(__file__).resolve().parent / "demo_media"
PITCH_TAKES = [
    (
        "Pitch: Huddle Analytics for a CFO",
        [
            "Your team spends two days a month building the revenue forecast by hand.",
            "Huddle Analytics builds it every morning, so those two days go back to selling.",
            "Can we run it on last quarter's numbers together next Tuesday?",
        ],
    ),
    (
        "Pitch: answering the price objection",
        [
            "You are right, we cost more than the other vendor on the first invoice.",
            "Customers like you get the difference back within one quarter.",
            "Shall I show you the numbers from a team your size?",
        ],
    ),
]

CHALLENGES = [
    (
        "Pitch Huddle Analytics to a CFO",
        "Give the 90-second pitch for Huddle Analytics to a CFO who cares about cash.",
        14,
        ["Clarity", "Business value", "Call to action"],
    ),
    (
        "Handle the price objection",
        "Respond in one minute to: “You are 30% more expensive than the other vendor.”",
        -7,
        ["Empathy", "Reframing value", "Confidence"],
    ),
]
REVIEW_COMMENTS = [
    "Strong open. Land the number earlier: the CFO wants the payback in the first 20 seconds.",
    "Good pace and eye contact. Try ending with a specific next step instead of a question.",
    "Clear story. Cut the feature list in the middle and keep the customer example.",
    "Confident delivery. Name the cost of doing nothing before the price comes up.",
]


def cue_start(number: int) -> int:
    """The second at which a demo video says its line ``number``."""
    return 1 + number * CUE_SECONDS


def talk_media_name(title: str) -> str:
    return f"{slugify(title)}.webm"


def talk_poster_name(title: str) -> str:
    return f"{slugify(title)}.jpg"


def pitch_media_name(number: int) -> str:
    return f"pitch-take-{number + 1}.webm"


def transcript_for(lines: list[str]) -> str:
    out = ["WEBVTT", ""]
    for number, line in enumerate(lines):
        start = cue_start(number)
        out += [
            f"{format_vtt_time(start)} --> {format_vtt_time(start + CUE_SECONDS - 0.5)}",
            line,
            "",
        ]
    return "\n".join(out)


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

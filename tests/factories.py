"""Plain helpers that make test data; each app's section adds its own ``make_*``."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from knowledge.models import Account
from knowledge.roles import MANAGERS, MARKETING, REPS

PASSWORD = "huddle-test-pw"


def make_user(username: str, *, role: str = REPS, first_name: str = "", last_name: str = "", **extra):
    """A user in one role (new users land in Reps; other roles replace it)."""
    user = get_user_model().objects.create_user(
        username=username,
        password=PASSWORD,
        email=f"{username}@example.com",
        first_name=first_name or username.title(),
        last_name=last_name,
        **extra,
    )
    if role != REPS:
        user.groups.set([Group.objects.get(name=role)])
    return user


def make_rep(username: str = "rep", **kwargs):
    return make_user(username, role=REPS, **kwargs)


def make_manager(username: str = "manager", **kwargs):
    return make_user(username, role=MANAGERS, **kwargs)


def make_marketer(username: str = "marketing", **kwargs):
    return make_user(username, role=MARKETING, **kwargs)


def make_account(name: str = "Acme Corp", *, industry: str = "Manufacturing", crm_id: str | None = None):
    return Account.objects.create(name=name, industry=industry, crm_id=crm_id)


# Leaderboard
def make_deal(crm_id: str, *, owner=None, account=None, amount="1000.00", status="won", close_date=None, **extra):
    """A deal; won and closed today unless told otherwise."""
    from datetime import date
    from decimal import Decimal

    from leaderboard.models import Deal

    return Deal.objects.create(
        crm_id=crm_id,
        name=extra.pop("name", f"Deal {crm_id}"),
        owner=owner,
        account=account,
        amount=Decimal(amount),
        status=status,
        close_date=close_date or date.today(),
        **extra,
    )


def make_rep_profile(user, *, team: str | None = None, start_date=None, crm_names=(), crm_emails=()):
    from leaderboard.models import RepProfile, Team

    team_obj = Team.objects.get_or_create(name=team)[0] if team else None
    return RepProfile.objects.update_or_create(
        user=user,
        defaults={
            "team": team_obj,
            "start_date": start_date,
            "crm_names": list(crm_names),
            "crm_emails": list(crm_emails),
        },
    )[0]


# Knowledge
def make_tip(
    title: str = "Re-engage a buyer who stopped answering",
    *,
    author=None,
    account=None,
    summary: str = "",
    body: str = "Send a short break-up e-mail.",
    tags=(),
    stage: str = "",
    live: bool = True,
    **extra,
):
    """A published tip under Tips (pages need ``parent.add_child(instance=...)``)."""
    from django.utils.text import slugify
    from wagtail.coreutils import find_available_slug
    from wagtail.rich_text import RichText

    from knowledge.models import TipIndexPage, TipPage

    index = TipIndexPage.objects.get()
    tip = TipPage(
        title=title,
        slug=find_available_slug(index, slugify(title)[:80] or "tip"),
        author=author,
        owner=author,
        account=account,
        summary=summary,
        stage=stage,
        live=live,
        body=[("paragraph", RichText(f"<p>{body}</p>"))],
        **extra,
    )
    if live:
        from django.utils import timezone

        tip.first_published_at = tip.last_published_at = extra.get("first_published_at") or timezone.now()
    tip.tags.set(list(tags))
    index.add_child(instance=tip)
    return tip


def make_micropost(text: str = "Opened with the ROI calculator #pricing", *, author, account=None):
    from knowledge.microposts import post_micropost

    return post_micropost(author=author, text=text, account=account)


# Coaching
TINY_MP4 = (
    b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"  # ftyp box: what makes it an MP4
    b"\x00\x00\x00\x08free" + b"\x00" * 64
)
TINY_WEBM = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm" + b"\x00" * 64


def video_upload(name: str = "pitch.mp4", content: bytes = TINY_MP4, content_type: str = "video/mp4"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


def make_series(title: str = "Discovery basics", **extra):
    from coaching.models import Series

    return Series.objects.get_or_create(title=title, defaults=extra)[0]


def make_video(
    title: str = "Open discovery with one question",
    *,
    author=None,
    transcript: str = "",
    series=None,
    series_position: int = 0,
    tags=(),
    external_url: str = "https://video.example/v/1",
    live: bool = True,
    **extra,
):
    """A coaching video under Coaching, published (so its transcript becomes indexed cues)."""
    from django.utils.text import slugify
    from wagtail.coreutils import find_available_slug

    from coaching.models import CoachingIndexPage, CoachingVideoPage

    index = CoachingIndexPage.objects.get()
    video = CoachingVideoPage(
        title=title,
        slug=find_available_slug(index, slugify(title)[:60] or "video"),
        author=author,
        owner=author,
        presenter=author,
        transcript_source=transcript,
        series=series,
        series_position=series_position,
        external_url=external_url,
        live=False,
        **extra,
    )
    video.tags.set(list(tags))
    index.add_child(instance=video)
    if live:
        video.save_revision(user=author).publish(user=author, skip_permission_checks=True)
        video.refresh_from_db()
    return video


def make_challenge(
    title: str = "Pitch product X to a CFO", *, created_by, criteria=("Clarity", "Value"), days: int = 7
):
    import datetime

    from django.utils import timezone

    from coaching.models import PitchChallenge, RubricCriterion

    challenge = PitchChallenge.objects.create(
        title=title,
        prompt="Give the 90-second pitch for product X to a CFO.",
        created_by=created_by,
        due_date=timezone.localdate() + datetime.timedelta(days=days),
    )
    for position, name in enumerate(criteria):
        RubricCriterion.objects.create(
            challenge=challenge,
            position=position,
            name=name,
            **{f"level_{n}": f"{name} level {n}" for n in range(1, 6)},
        )
    return challenge


def make_submission(challenge, *, submitter):
    from coaching.pitches import submit_pitch

    return submit_pitch(challenge, submitter=submitter, upload=video_upload(), kind="mp4")

"""Sharing a coaching video from the site: store the upload, create and publish the page."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.text import slugify
from wagtail.models import Collection
from wagtailmedia.models import get_media_model

from .media_probe import apply_probe
from .models import CoachingIndexPage, CoachingVideoPage


@dataclass
class VideoDraft:
    title: str
    summary: str = ""
    file: UploadedFile | None = None
    file_kind: str = ""  # "mp4" or "webm", judged by content
    external_url: str = ""
    transcript: str = ""
    skills: list[str] = field(default_factory=list)
    account: object | None = None
    industry: str = ""
    stage: str = ""
    presenter_name: str = ""
    presenter_title: str = ""


def store_video_file(upload: UploadedFile, *, kind: str, title: str, user):
    """A wagtailmedia item holding the upload, named by its real type (fixing a renamed file)."""
    Media = get_media_model()
    base = slugify(upload.name.rsplit(".", 1)[0])[:80] or "video"
    upload.name = f"{base}.{kind}"
    media = Media(
        title=title[:255],
        type="video",
        uploaded_by_user=user,
        collection=Collection.get_first_root_node(),
    )
    media.file.save(upload.name, upload, save=False)  # a temp-file upload is moved, not read into memory
    media.save()
    return media


# Paths under /coaching/ that the site's own views answer before Wagtail's page tree.
RESERVED_SLUGS = {"new", "videos", "challenges", "pitches"}


def unique_slug(parent, title: str) -> str:
    base = slugify(title)[:60] or "video"
    taken = set(parent.get_children().filter(slug__startswith=base).values_list("slug", flat=True))
    taken |= RESERVED_SLUGS
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def share_video(draft: VideoDraft, *, author) -> CoachingVideoPage:
    """Creates and publishes a video page under Coaching, authored and presented by ``author``."""
    parent = CoachingIndexPage.objects.get()
    with transaction.atomic():
        media = (
            store_video_file(draft.file, kind=draft.file_kind, title=draft.title, user=author) if draft.file else None
        )
        page = CoachingVideoPage(
            title=draft.title,
            slug=unique_slug(parent, draft.title),
            summary=draft.summary,
            video=media,
            external_url=draft.external_url,
            transcript_source=draft.transcript,
            author=author,
            presenter=None if draft.presenter_name else author,
            presenter_name=draft.presenter_name,
            presenter_title=draft.presenter_title,
            account=draft.account,
            industry=draft.industry,
            stage=draft.stage,
            owner=author,
        )
        if media:
            apply_probe(page, media)
        if draft.skills:
            page.tags.add(*draft.skills)
        parent.add_child(instance=page)
        # Reps publish their own videos from the site; admin page permissions are for curation.
        page.save_revision(user=author).publish(user=author, skip_permission_checks=True)
    return page

"""The Coaching section, its series and its videos."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.models import PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from config.people import person_name
from knowledge.contracts import ContentKind
from knowledge.models import HuddlePage, SharedPage, Stage
from knowledge.semantic.chunking import chunk_cues

from ..transcripts import TranscriptError, parse_transcript


class CoachingIndexPage(HuddlePage):
    """The Coaching section: coaching videos and pitch challenges live below it."""

    max_count = 1
    parent_page_types = ["knowledge.HomePage"]
    subpage_types: list[str] = ["coaching.CoachingVideoPage"]

    class Meta:
        verbose_name = "coaching index"

    def get_context(self, request, *args, **kwargs):
        from ..listing import coaching_index_context

        context = super().get_context(request, *args, **kwargs)
        context.update(coaching_index_context(self, request))
        return context


class Series(models.Model):
    """A playlist of coaching videos; each video's ``series_position`` sets the order.

    A snippet: wagtail_hooks.py registers its admin views.
    """

    title = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)

    panels = [FieldPanel("title"), FieldPanel("description")]

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "series"

    def __str__(self):
        return self.title


class CoachingVideoTag(TaggedItemBase):
    """Skills a video teaches (taggit's shared Tag, so tag pages list tips and videos together)."""

    content_object = ParentalKey("coaching.CoachingVideoPage", on_delete=models.CASCADE, related_name="tagged_items")


class CoachingVideoQuerySet(PageQuerySet):
    def listed(self) -> CoachingVideoQuerySet:
        """What lists and search show: published and not retired."""
        return self.live().filter(retired=False)

    def for_cards(self) -> CoachingVideoQuerySet:
        """Everything a video card shows, in a fixed number of queries."""
        return self.select_related("series", "presenter", "author", "poster", "video", "account").prefetch_related(
            "tags"
        )


CoachingVideoManager = PageManager.from_queryset(CoachingVideoQuerySet)


class CoachingVideoPage(SharedPage):
    """A short coaching video (an uploaded file or a link) with a searchable transcript."""

    content_kind = ContentKind("video", "Video", "Coaching videos", verb="shared_video")
    account_tags_field = "tags"  # a video is often tagged with the account it demos to
    card_template = "coaching/includes/video_stream_card.html"

    summary = models.CharField(max_length=300, blank=True)
    video = models.ForeignKey("wagtailmedia.Media", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    external_url = models.URLField(
        "external video link",
        blank=True,
        help_text="For videos hosted elsewhere (used when no file is uploaded).",
    )
    presenter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="coaching_videos_presented",
    )
    presenter_name = models.CharField(max_length=150, blank=True, help_text="An outside expert's name.")
    presenter_title = models.CharField(max_length=150, blank=True, help_text="The outside expert's job title.")
    series = models.ForeignKey(Series, null=True, blank=True, on_delete=models.SET_NULL, related_name="videos")
    series_position = models.PositiveIntegerField(default=0, help_text="Order within the series (lowest first).")
    tags = ClusterTaggableManager(through=CoachingVideoTag, blank=True, verbose_name="skills")
    account = models.ForeignKey(
        "knowledge.Account",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="coaching_videos",
    )
    industry = models.CharField(max_length=100, blank=True)
    stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    duration_seconds = models.PositiveIntegerField(default=0)
    poster = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Raw WebVTT/SRT (or plain) text; the cues below are rebuilt from it whenever it changes.
    transcript_source = models.TextField("transcript", blank=True, help_text="WebVTT or SRT captions, or plain text.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="coaching_videos_shared",
    )
    retired = models.BooleanField(default=False, help_text="Retired videos leave lists and search.")
    # Denormalised counters (kept by knowledge.reactions) make "most helpful/viewed" one column.
    helpful_count = models.PositiveIntegerField(default=0, editable=False)
    view_count = models.PositiveIntegerField(default=0, editable=False)

    objects = CoachingVideoManager()

    parent_page_types = ["coaching.CoachingIndexPage"]
    subpage_types: list[str] = []

    content_panels = HuddlePage.content_panels + [
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldPanel("video"),
                FieldPanel("external_url"),
                FieldPanel("poster"),
                FieldPanel("duration_seconds"),
            ],
            heading="Video",
        ),
        FieldPanel("transcript_source"),
        MultiFieldPanel(
            [
                FieldPanel("presenter"),
                FieldRowPanel([FieldPanel("presenter_name"), FieldPanel("presenter_title")]),
            ],
            heading="Presenter",
        ),
        FieldRowPanel([FieldPanel("series"), FieldPanel("series_position")], heading="Series"),
        FieldPanel("tags"),
        FieldRowPanel([FieldPanel("account"), FieldPanel("industry"), FieldPanel("stage")]),
        FieldPanel("author"),
        FieldPanel("retired"),
    ]

    search_fields = HuddlePage.search_fields + [
        index.SearchField("title", boost=3),
        index.SearchField("summary", boost=2),
        index.SearchField("transcript_text"),
        index.SearchField("presenter_display"),
        index.RelatedFields("tags", [index.SearchField("name", boost=2)]),
        index.AutocompleteField("title"),
        index.FilterField("retired"),
        index.FilterField("account"),
        index.FilterField("stage"),
        index.FilterField("industry"),
        index.FilterField("author"),
        index.FilterField("series"),
    ]

    class Meta:
        verbose_name = "coaching video"

    def clean(self):
        super().clean()
        if not self.video_id and not self.external_url:
            raise ValidationError({"external_url": "Upload a video file or give a link to one."})
        if self.transcript_source.strip():
            try:
                parse_transcript(self.transcript_source)
            except TranscriptError as error:
                raise ValidationError({"transcript_source": str(error)}) from error

    def get_context(self, request, *args, **kwargs):
        from ..watching import video_page_context

        context = super().get_context(request, *args, **kwargs)
        context.update(video_page_context(self, request))
        return context

    def get_template(self, request, *args, **kwargs):
        from ..watching import wants_transcript_fragment

        if wants_transcript_fragment(request):
            return "coaching/includes/transcript_cues.html"
        return super().get_template(request, *args, **kwargs)

    @classmethod
    def listed(cls) -> CoachingVideoQuerySet:
        return cls.objects.listed()

    def shared_owner(self):
        """Who shared it; a video curated without one is credited to its presenter."""
        return self.author or self.presenter

    def shared_owner_id(self) -> int | None:
        return self.author_id or self.presenter_id

    def indexed_text(self) -> str:
        return self.summary

    def embedded_chunks(self) -> list[tuple]:
        """Chunk 0 is the title and summary; each transcript chunk follows with its start second."""
        chunks: list[tuple] = [(0, ". ".join(part for part in (self.title, self.summary) if part.strip()))]
        try:
            cues = parse_transcript(self.transcript_source) if self.transcript_source.strip() else []
        except TranscriptError:
            cues = []  # the admin form refuses bad captions; an old bad one just has no transcript vectors
        chunks += [(n + 1, text, start) for n, text, start in chunk_cues((cue.start, cue.text) for cue in cues)]
        return chunks

    @property
    def transcript_text(self) -> str:
        return " ".join(cue.text for cue in self.cues.all())

    @property
    def presenter_display(self) -> str:
        """The presenter's name: a Huddle user, or an outside expert with their title."""
        if self.presenter_id:
            return person_name(self.presenter)
        return self.presenter_name

    @property
    def is_listed(self) -> bool:
        return self.live and not self.retired

    @property
    def video_url(self) -> str:
        return self.video.url if self.video_id else ""

    @property
    def video_mime_type(self) -> str:
        if not self.video_id:
            return ""
        return "video/webm" if self.video.file.name.lower().endswith(".webm") else "video/mp4"

    def get_captions_url(self) -> str:
        return reverse("coaching_captions", args=[self.pk])

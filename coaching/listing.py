"""What the coaching index shows: videos (newest, by series, by skill) and open challenges."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from taggit.models import Tag

from knowledge.listings import StreamFilter

from .models import CoachingVideoPage, PitchChallenge, Series, WatchProgress

VIDEOS_PER_PAGE = 12


def listed_videos() -> QuerySet[CoachingVideoPage]:
    """Live, unretired videos with what a card shows, in a fixed number of queries."""
    return CoachingVideoPage.objects.listed().for_cards()


def skill_tags() -> QuerySet[Tag]:
    """Skills used by at least one listed video, most used first."""
    listed = CoachingVideoPage.objects.live().filter(retired=False)
    return (
        Tag.objects.filter(coaching_coachingvideotag_items__content_object__in=listed)
        .annotate(video_count=Count("coaching_coachingvideotag_items", distinct=True))
        .order_by("-video_count", "name")
    )


def series_with_videos() -> QuerySet[Series]:
    listed = listed_videos().order_by("series_position", "title")
    return (
        Series.objects.filter(videos__live=True, videos__retired=False)
        .distinct()
        .prefetch_related(Prefetch("videos", queryset=listed, to_attr="listed_videos"))
    )


def coaching_index_context(page, request) -> dict:
    videos = listed_videos().descendant_of(page)
    skill = request.GET.get("skill", "").strip()
    if skill:
        videos = videos.filter(tags__slug=skill)
    view = "series" if request.GET.get("view") == "series" else "newest"
    context: dict = {"skill": skill, "view": view, "skills": list(skill_tags()[:30])}
    if view == "series":
        context["series_list"] = series_with_videos()
    else:
        paginator = Paginator(videos.order_by("-first_published_at", "-pk"), VIDEOS_PER_PAGE)
        context["videos"] = paginator.get_page(request.GET.get("page"))
    context["challenges"] = (
        PitchChallenge.objects.open()
        .annotate(submission_count=Count("submissions", filter=Q(submissions__is_active=True)))
        .select_related("created_by")[:10]
    )
    if request.user.is_authenticated:
        context["progress_by_video"] = {
            row.video_id: row.percent
            for row in WatchProgress.objects.filter(user=request.user).only(
                "video_id", "furthest_seconds", "duration_seconds"
            )
        }
    return context


def video_source(filters: StreamFilter) -> QuerySet[CoachingVideoPage]:
    """Videos in the home feed and on tag, account and profile pages, newest first."""
    videos = listed_videos()
    if filters.tag is not None:
        videos = videos.filter(tags=filters.tag)
    if filters.account is not None:
        videos = videos.filter(account=filters.account)
    if filters.author is not None:
        videos = videos.filter(author=filters.author)
    return videos

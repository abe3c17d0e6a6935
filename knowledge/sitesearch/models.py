from django.conf import settings
from django.db import models
from django.db.models import Count, Max, Q
from django.utils import timezone


class SearchLogQuerySet(models.QuerySet):
    def since(self, days: int) -> "SearchLogQuerySet":
        return self.filter(created_at__gte=timezone.now() - timezone.timedelta(days=days))

    def popular(self) -> "SearchLogQuerySet":
        """One row per normalised query: how often, how many found nothing, when last."""
        return (
            self.values("normalized_query")
            .annotate(
                searches=Count("id"), empty=Count("id", filter=Q(result_count=0)), last_searched=Max("created_at")
            )
            .order_by("-searches", "normalized_query")
        )


class SearchLog(models.Model):
    """One search a person ran: what marketing reads to decide what to write next."""

    query = models.CharField(max_length=255)
    normalized_query = models.CharField(max_length=255, db_index=True)
    result_count = models.PositiveIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = SearchLogQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "search"
        verbose_name_plural = "searches"

    def __str__(self):
        return f"{self.query} ({self.result_count})"

    @staticmethod
    def normalize(query: str) -> str:
        return " ".join(query.lower().split())[:255]

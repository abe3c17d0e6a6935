"""What people did that may score: the events, and their counts per rep by day and by month."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class ActivityEvent(models.Model):
    """One thing a person did that may score; weights apply when the board is read."""

    class Verb(models.TextChoices):
        SHARED_TIP = "shared_tip", "Shared a tip"
        SHARED_VIDEO = "shared_video", "Shared a video"
        SHARED_MICROPOST = "shared_micropost", "Posted a micropost"
        SHARED_PITCH = "shared_pitch", "Shared a pitch"
        COMMENTED = "commented", "Commented"
        HELPFUL_RECEIVED = "helpful_received", "Helpful mark received"
        COACHING_GIVEN = "coaching_given", "Coaching given"
        COACHING_RECEIVED = "coaching_received", "Coaching received"
        CONTENT_VIEWED = "content_viewed", "Content viewed by someone else"

    class Skipped(models.TextChoices):
        COUNTED = "", "Counted"
        OWN_CONTENT = "own_content", "Own content"
        DAILY_CAP = "daily_cap", "Over the daily cap"
        PAIR_CAP = "pair_cap", "Same two people too often this week"

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activity")
    # Who the event scores for: the actor, or the content's owner for "received" kinds and views.
    rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    verb = models.CharField(max_length=20, choices=Verb.choices)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The account the content is about, copied here so attribution is one join.
    account = models.ForeignKey("knowledge.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    skipped = models.CharField(max_length=12, choices=Skipped.choices, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The leaderboard: counted events in a period, grouped by rep and verb (index-only).
            models.Index(fields=["skipped", "created_at", "rep", "verb"], name="event_board"),
            models.Index(fields=["rep", "created_at"], name="event_rep_time"),
            # Attribution: what a deal's owner viewed about its account before the close.
            models.Index(fields=["verb", "actor", "account", "created_at"], name="event_attribution"),
            models.Index(fields=["content_type", "object_id"], name="event_target"),
            # A rep page's influence: the views of one author's items, answered from the index
            # alone (the author's events lie scattered over the table: 46 ms at 10,000,000 events
            # when each was read from the table, 23 ms from this index).
            models.Index(
                fields=["owner", "verb", "actor", "account", "created_at", "content_type", "object_id"],
                name="event_owner_influence",
            ),
        ]

    def __str__(self):
        return f"{self.actor} {self.get_verb_display().lower()}"

    @property
    def counted(self) -> bool:
        return not self.skipped


class ActivityCounts(models.Model):
    """Counted events, a column per kind (the fields of ``ActivityEvent.Verb``)."""

    shared_tip = models.PositiveIntegerField(default=0)
    shared_video = models.PositiveIntegerField(default=0)
    shared_micropost = models.PositiveIntegerField(default=0)
    shared_pitch = models.PositiveIntegerField(default=0)
    commented = models.PositiveIntegerField(default=0)
    helpful_received = models.PositiveIntegerField(default=0)
    coaching_given = models.PositiveIntegerField(default=0)
    coaching_received = models.PositiveIntegerField(default=0)
    content_viewed = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class DailyActivity(ActivityCounts):
    """Counted events per rep and day, a column per kind: what the board adds up.

    Kept up to date from the events (``leaderboard.rollups``) with the fair-play caps applied;
    weights are applied when it is read, so a weight change still re-scores all history.
    """

    rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
        verbose_name_plural = "daily activity"
        constraints = [models.UniqueConstraint(fields=["rep", "day"], name="daily_activity_once")]
        # The board reads a run of days for everyone; the rep page reads one rep (the constraint).
        indexes = [models.Index(fields=["day", "rep"], name="daily_activity_board")]

    def __str__(self):
        return f"{self.rep_id} on {self.day}"


class MonthlyActivity(ActivityCounts):
    """A rep's daily counts summed per calendar month (``month`` is its first day).

    The board reads whole months here and only the days at a period's ragged ends from
    ``DailyActivity``: a year is twelve rows per rep instead of 365.
    """

    rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()

    class Meta:
        verbose_name_plural = "monthly activity"
        constraints = [models.UniqueConstraint(fields=["rep", "month"], name="monthly_activity_once")]
        indexes = [models.Index(fields=["month", "rep"], name="monthly_activity_board")]

    def __str__(self):
        return f"{self.rep_id} in {self.month:%Y-%m}"


class RollupState(models.Model):
    """The caps the daily counts were made with: when the settings differ, history is re-counted."""

    daily_cap = models.PositiveIntegerField()
    helpful_pair_weekly_cap = models.PositiveIntegerField()
    counted_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Counted with caps {self.daily_cap}/{self.helpful_pair_weekly_cap}"

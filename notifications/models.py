"""Notifications, follows and how each person wants to hear about things."""

import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from chat.models import Service as ChatService
from config.people import person_name


class Kind(models.TextChoices):
    MENTION = "mention", "Someone @mentions me"
    COMMENT = "comment", "Comments on my content"
    REPLY = "reply", "Replies to my comments"
    HELPFUL = "helpful", "Helpful marks on my content"
    REVIEW = "review", "Reviews of my pitches"
    FOLLOWED = "followed", "New content in what I follow"
    CURATION = "curation", "Marketing verifies or retires my tip"
    STALE = "stale", "A tip of mine may be out of date"


class Channel(models.TextChoices):
    APP = "app", "In Huddle"
    EMAIL = "email", "E-mail at once"
    DIGEST = "digest", "In the e-mail digest"
    CHAT = "chat", "Chat (Slack or Teams)"


# Quiet by default: e-mail at once only for what is addressed to the person; what they follow
# waits for the digest; chat stays off until they give a webhook and switch it on.
DEFAULTS: dict[str, set[str]] = {
    Kind.MENTION: {Channel.APP, Channel.EMAIL},
    Kind.COMMENT: {Channel.APP, Channel.EMAIL},
    Kind.REPLY: {Channel.APP, Channel.EMAIL},
    Kind.HELPFUL: {Channel.APP},
    Kind.REVIEW: {Channel.APP, Channel.EMAIL},
    Kind.FOLLOWED: {Channel.APP, Channel.DIGEST},
    Kind.CURATION: {Channel.APP},
    Kind.STALE: {Channel.APP, Channel.EMAIL},
}


class Delivery(models.TextChoices):
    NONE = "", "Not to be sent"
    PENDING = "pending", "Waiting for the worker"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class NotificationQuerySet(models.QuerySet):
    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True, in_app=True)

    def listed(self) -> "NotificationQuerySet":
        """What the bell and the notifications page show (not rows meant only for e-mail or chat)."""
        return self.filter(in_app=True)

    def for_user(self, user) -> "NotificationQuerySet":
        return self.filter(recipient=user)


class Notification(models.Model):
    """One thing a person is told, written in the same transaction as the event that caused it.

    Helpful marks on one item fold into one unread row ("3 people found your tip helpful").
    ``email`` records the e-mail's delivery, so a restarted worker sends nothing twice.
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_count = models.PositiveIntegerField(default=1)
    # What it is about (a tip, a post, a comment's content): for the digest's ranking.
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    summary = models.CharField(max_length=300, help_text="What happened, after the actor's name.")
    excerpt = models.TextField(blank=True)
    url = models.CharField(max_length=500, help_text="Where the notification leads on the site.")
    link = models.CharField(max_length=600, blank=True, help_text="The same, absolute, for e-mail and chat.")
    group_key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Channels it was written for: the bell and page list in_app rows, the digest takes digest rows.
    in_app = models.BooleanField(default=True)
    digest = models.BooleanField(default=False)
    email = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.NONE, blank=True)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_error = models.CharField(max_length=300, blank=True)
    # The person's own chat webhook (NotificationSettings.chat_webhook_url), delivered like e-mail.
    chat = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.NONE, blank=True)
    chat_claimed_at = models.DateTimeField(null=True, blank=True)
    chat_attempts = models.PositiveSmallIntegerField(default=0)
    chat_error = models.CharField(max_length=300, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-updated_at"], name="notification_feed"),
            models.Index(
                fields=["recipient"],
                name="notification_unread",
                condition=models.Q(read_at__isnull=True, in_app=True),
            ),
            models.Index(fields=["email"], name="notification_email_due", condition=~models.Q(email="")),
            models.Index(fields=["chat"], name="notification_chat_due", condition=~models.Q(chat="")),
        ]

    def __str__(self):
        return f"{self.recipient}: {self.headline}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("notification_open", args=[self.pk])

    @property
    def who(self) -> str:
        """Who did it: a name, "3 people", marketing's curation, or nobody (a tip going stale)."""
        if self.actor_count > 1:
            return f"{self.actor_count} people"
        if self.actor is not None:
            return person_name(self.actor)
        if self.kind == Kind.STALE:
            return ""
        return "Marketing" if self.kind in (Kind.CURATION, Kind.FOLLOWED) else "Someone"

    @property
    def headline(self) -> str:
        if not self.who:
            return self.summary[:1].upper() + self.summary[1:]
        return f"{self.who} {self.summary}"


class FollowQuerySet(models.QuerySet):
    def of(self, obj) -> "FollowQuerySet":
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)


class Follow(models.Model):
    """A person follows a tag, an account, a colleague, a coaching series or a collection."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(default=timezone.now)

    objects = FollowQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "content_type", "object_id"], name="follow_once")]
        indexes = [models.Index(fields=["content_type", "object_id"], name="follow_target")]

    def __str__(self):
        return f"{self.user} follows {self.content_type.model} {self.object_id}"


class Preference(models.Model):
    """A person's choice for one kind of event on one channel, where it differs from DEFAULTS."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    enabled = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "channel"], name="one_preference_per_kind_channel")
        ]

    def __str__(self):
        return f"{self.user}: {self.kind} by {self.channel} {'on' if self.enabled else 'off'}"


class DigestFrequency(models.TextChoices):
    NEVER = "never", "Never"
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"


class NotificationSettings(models.Model):
    """What a person chose once: the digest, first-run follows, their chat webhook, their last visit."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    digest = models.CharField(max_length=10, choices=DigestFrequency.choices, default=DigestFrequency.WEEKLY)
    first_run_done = models.BooleanField(default=False)
    last_visit_at = models.DateTimeField(null=True, blank=True)
    email_off = models.BooleanField(default=False, help_text="Unsubscribed from every e-mail.")
    chat_service = models.CharField(max_length=10, choices=ChatService.choices, default=ChatService.SLACK)
    chat_webhook_url = models.URLField(
        max_length=500,
        blank=True,
        help_text="An incoming webhook of one's own (a private Slack channel, a Teams chat workflow).",
    )

    def __str__(self):
        return f"Notification settings of {self.user}"


class DigestRun(models.Model):
    """One digest for one person and one period, claimed before it is sent: never sent twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=20, help_text="2026-12-06 (daily) or 2026-W49 (weekly).")
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    item_count = models.PositiveIntegerField(default=0)
    seen_until = models.DateTimeField(null=True, blank=True, help_text="Items up to here were in it.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "period"], name="one_digest_per_period")]

    def __str__(self):
        return f"Digest {self.period} for {self.user}"


def period_of(frequency: str, now: datetime.datetime | None = None) -> str:
    """The period a digest sent now belongs to: the day, or the ISO week."""
    day = timezone.localdate(now or timezone.now())
    if frequency == DigestFrequency.DAILY:
        return day.isoformat()
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


class Announcement(models.Model):
    """A must-read post from marketing to everyone or to one team; it stays on top until read."""

    title = models.CharField(max_length=150)
    body = models.TextField(max_length=3000)
    team = models.ForeignKey(
        "leaderboard.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty: everyone.",
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("view_read_receipts", "Can see who has read an announcement")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("announcement_detail", args=[self.pk])


class AnnouncementReceipt(models.Model):
    """One reader of an announcement, written when it is posted; ``read_at`` stays empty until read."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="receipts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["announcement", "user"], name="one_receipt_per_reader")]
        indexes = [models.Index(fields=["user"], name="announcement_unread", condition=models.Q(read_at__isnull=True))]

    def __str__(self):
        return f"{self.user} {'read' if self.read_at else 'has not read'} {self.announcement}"

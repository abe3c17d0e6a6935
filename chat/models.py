"""Chat channels that follow a tag, an account or a collection, and each message sent to them."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


class Service(models.TextChoices):
    SLACK = "slack", "Slack"
    TEAMS = "teams", "Microsoft Teams"


def check_webhook_url(service: str, url: str) -> None:
    """Refuses an address no chat service gives out (ValidationError with the reason)."""
    if not url.startswith("https://"):
        raise ValidationError("Chat services give https:// webhook addresses; paste the whole one.")
    if service == Service.SLACK and not url.startswith("https://hooks.slack"):
        raise ValidationError("A Slack incoming webhook starts with https://hooks.slack.com/services/.")


class ChatChannelQuerySet(models.QuerySet):
    def active(self) -> "ChatChannelQuerySet":
        return self.filter(active=True)


class ChatChannel(models.Model):
    """A Slack or Teams channel told, through its incoming webhook, about new content in one thing it follows."""

    name = models.CharField(max_length=80, help_text="How the channel is called in chat, e.g. #emea-sales.")
    service = models.CharField(max_length=10, choices=Service.choices, default=Service.SLACK)
    webhook_url = models.URLField(
        max_length=500,
        help_text="The channel's incoming-webhook address (Slack: https://hooks.slack.com/services/…; "
        "Teams: the address of the channel's “Post to a channel when a webhook request is received” workflow).",
    )
    # Exactly one of the three: what the channel follows.
    tag = models.ForeignKey("taggit.Tag", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(
        "knowledge.Account", null=True, blank=True, on_delete=models.CASCADE, related_name="chat_channels"
    )
    collection = models.ForeignKey(
        "knowledge.FeaturedCollection", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    active = models.BooleanField(default=True, help_text="Untick to stop sending without losing the settings.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ChatChannelQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(tag__isnull=False, account__isnull=True, collection__isnull=True)
                    | models.Q(tag__isnull=True, account__isnull=False, collection__isnull=True)
                    | models.Q(tag__isnull=True, account__isnull=True, collection__isnull=False)
                ),
                name="chat_channel_follows_one_thing",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.get_service_display()})"

    def clean(self):
        chosen = [name for name in ("tag", "account", "collection") if getattr(self, f"{name}_id")]
        if len(chosen) != 1:
            raise ValidationError("Choose exactly one thing to follow: a tag, an account or a collection.")
        if self.webhook_url:
            try:
                check_webhook_url(self.service, self.webhook_url)
            except ValidationError as error:
                raise ValidationError({"webhook_url": error.messages}) from error

    @property
    def follows(self) -> str:
        if self.tag_id:
            return f"#{self.tag}"
        if self.account_id:
            return f"account {self.account}"
        return f"collection “{self.collection}”"


class Status(models.TextChoices):
    PENDING = "pending", "Waiting"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class ChatMessageQuerySet(models.QuerySet):
    def due(self, now: datetime.datetime) -> "ChatMessageQuerySet":
        return self.filter(status=Status.PENDING, next_attempt_at__lte=now)


class ChatMessage(models.Model):
    """One message for one channel, written in the event's transaction; the delivery log.

    ``event`` names what happened (a shared tip, a tip added to a collection): one message per
    channel and event, so an event seen twice is still sent once.
    """

    channel = models.ForeignKey(ChatChannel, on_delete=models.CASCADE, related_name="messages")
    event = models.CharField(max_length=120)
    title = models.CharField(max_length=300)
    text = models.CharField(max_length=600, blank=True)
    link = models.CharField(max_length=600)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = ChatMessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["channel", "event"], name="one_chat_message_per_event")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="chat_message_due")]

    def __str__(self):
        return f"{self.title} → {self.channel.name}"

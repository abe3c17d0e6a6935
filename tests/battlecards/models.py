from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from wagtail.search import index

from knowledge import signals
from knowledge.contracts import ContentKind, SharedContent


class Battlecard(SharedContent, index.Indexed, models.Model):
    """How to win against one competitor at one account: a few lines a rep keeps at hand."""

    content_kind = ContentKind("battlecard", "Battlecard", "Battlecards", verb="shared_tip")
    owner_field = "owner"  # not "author": nothing may find the owner by its field's name
    tags_field = None
    card_template = "battlecards/battlecard_card.html"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey("knowledge.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    competitor = models.CharField(max_length=100)
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    helpful_count = models.PositiveIntegerField(default=0, editable=False)

    search_fields = [
        index.SearchField("competitor", boost=2),
        index.SearchField("text"),
        index.FilterField("owner"),
        index.FilterField("account"),
        index.FilterField("created_at"),
        index.FilterField("id"),
    ]

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Against {self.competitor}"

    def get_absolute_url(self):
        # A battlecard has no page of its own: it is read on its account's page, or its owner's.
        if self.account_id:
            return f"{reverse('account_detail', args=[self.account_id])}#battlecard-{self.pk}"
        return f"{reverse('profile', args=[self.owner.username])}#battlecard-{self.pk}"

    def indexed_text(self) -> str:
        return f"{self.competitor}. {self.text}"


def share_battlecard(*, owner, competitor: str, text: str, account=None) -> Battlecard:
    """Saves a battlecard and announces the share, as tips and microposts do."""
    card = Battlecard.objects.create(owner=owner, competitor=competitor, text=text, account=account)
    signals.shared.send(sender=Battlecard, instance=card, user=owner)
    return card

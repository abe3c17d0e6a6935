from django.conf import settings
from django.db import models


class Deal(models.Model):
    """A CRM opportunity, upserted by the CRM's id."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        WON = "won", "Won"
        LOST = "lost", "Lost"

    crm_id = models.CharField("CRM id", max_length=100, unique=True)
    name = models.CharField(max_length=300)
    account = models.ForeignKey(
        "knowledge.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="deals"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="deals"
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    currency = models.CharField(max_length=3, default="USD")
    status = models.CharField(max_length=4, choices=Status.choices, default=Status.OPEN)
    close_date = models.DateField(null=True, blank=True)

    class Meta:
        permissions = [("view_revenue", "Can see revenue figures on the leaderboard")]

    def __str__(self):
        return self.name

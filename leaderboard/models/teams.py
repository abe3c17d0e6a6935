"""Who is on the board: sales teams and what the leaderboard knows about each rep."""

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone


class Team(models.Model):
    """A sales team and the manager it reports to."""

    name = models.CharField(max_length=100, unique=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_teams",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class RepProfile(models.Model):
    """What the leaderboard knows about a rep: team, tenure and the names a CRM uses for them."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rep_profile")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="direct_reports",
    )
    start_date = models.DateField(null=True, blank=True, help_text="First day in sales here; tenure counts from it.")
    crm_names = models.JSONField(
        "CRM owner names",
        default=list,
        blank=True,
        help_text="Owner names the CRM uses for this rep; deals with these names link to them.",
    )
    crm_emails = models.JSONField("CRM e-mails", default=list, blank=True)

    class Meta:
        ordering = ["user__username"]

    def __str__(self):
        return f"Profile of {self.user}"

    def tenure_years(self, on: date | None = None) -> float | None:
        if not self.start_date:
            return None
        return ((on or timezone.localdate()) - self.start_date).days / 365.25

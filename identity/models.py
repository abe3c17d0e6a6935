"""What the identity provider pushes through SCIM, the keys it uses, and who is signed in where."""

from django.conf import settings
from django.db import models

from config.keys import HashedKey


class ScimTokenQuerySet(models.QuerySet):
    def active(self) -> "ScimTokenQuerySet":
        return self.filter(revoked_at__isnull=True)


class ScimToken(HashedKey):
    """A bearer key for the SCIM endpoints, made in the admin; only its hash is stored."""

    name = models.CharField(max_length=100, help_text="Who uses it, e.g. 'Okta provisioning'.")

    objects = ScimTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "SCIM token"


class ProvisionedAccount(models.Model):
    """A person the identity provider created or manages through SCIM, with its own id for them."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provisioned_account")
    external_id = models.CharField(max_length=255, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "provisioned account"

    def __str__(self):
        return f"{self.user} ({self.external_id or 'no external id'})"


class DirectoryGroup(models.Model):
    """A group the identity provider pushes through SCIM; its name maps to roles and teams.

    Membership is the provider's: Huddle turns it into roles and a team with the same
    ``DIRECTORY_*`` mapping LDAP and SAML sign-in use (``identity.groups``).
    """

    display_name = models.CharField(max_length=255, unique=True)
    external_id = models.CharField(max_length=255, blank=True, db_index=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="directory_groups")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["display_name"]
        verbose_name = "directory group"

    def __str__(self):
        return self.display_name


class SignedInSession(models.Model):
    """One session a person signed in with, so that deactivating them can end it at once.

    Kept because no session engine can be asked for one user's sessions without reading all of them.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signed_in_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = "signed-in session"

    def __str__(self):
        return f"{self.user} until {self.expires_at:%Y-%m-%d %H:%M}"

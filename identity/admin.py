"""The SCIM tokens and what the provider pushed, in the Django admin (/django-admin/)."""

from django.contrib import admin

from config.keys import HashedKeyAdmin

from .models import DirectoryGroup, ProvisionedAccount, ScimToken


@admin.register(ScimToken)
class ScimTokenAdmin(HashedKeyAdmin):
    shown_once = (
        "The SCIM token for “{name}” is {key} — copy it into the identity provider now: "
        "it is not stored and will not be shown again."
    )
    list_display = ["name", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    fields = ["name", "prefix", "created_at", "last_used_at", "revoked_at"]


@admin.register(DirectoryGroup)
class DirectoryGroupAdmin(admin.ModelAdmin):
    list_display = ["display_name", "external_id", "updated_at"]
    search_fields = ["display_name"]
    filter_horizontal = ["members"]


@admin.register(ProvisionedAccount)
class ProvisionedAccountAdmin(admin.ModelAdmin):
    list_display = ["user", "external_id", "created_at", "updated_at"]
    search_fields = ["user__username", "external_id"]
    raw_id_fields = ["user"]

"""Django admin: API tokens (key shown once, at creation), deals, teams and rep profiles."""

from django.contrib import admin

from config.keys import HashedKeyAdmin

from .models import ActivityEvent, ApiToken, Deal, RepProfile, Team


@admin.register(ApiToken)
class ApiTokenAdmin(HashedKeyAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    fields = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]


@admin.register(Deal)
class DealAdmin(admin.ModelAdmin):
    list_display = [
        "crm_id",
        "name",
        "owner",
        "owner_name",
        "account",
        "amount",
        "currency",
        "amount_reporting",
        "status",
        "close_date",
    ]
    list_filter = ["status"]
    search_fields = ["crm_id", "name", "owner_name", "account_name"]
    raw_id_fields = ["owner", "account"]
    readonly_fields = ["amount_reporting"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "manager"]


@admin.register(RepProfile)
class RepProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "team", "manager", "start_date"]
    list_filter = ["team"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    raw_id_fields = ["user", "manager"]


@admin.register(ActivityEvent)
class ActivityEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "verb", "rep", "skipped"]
    list_filter = ["verb", "skipped"]
    raw_id_fields = ["actor", "rep", "owner", "account"]

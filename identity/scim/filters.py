"""The SCIM filters identity providers look people and groups up with, e.g. ``userName eq "ana"``.

scim2-filter-parser turns a filter into SQL over the columns named here; an attribute that is not
named matches nothing.
"""

from django.contrib.auth import get_user_model
from django_scim.filters import FilterQuery

from identity.models import DirectoryGroup, ProvisionedAccount

_USERS = get_user_model()._meta.db_table
_ACCOUNTS = ProvisionedAccount._meta.db_table
_GROUPS = DirectoryGroup._meta.db_table


class UserFilter(FilterQuery):
    model_getter = get_user_model
    attr_map = {
        ("id", None, None): f"{_USERS}.id",
        ("userName", None, None): f"{_USERS}.username",
        ("name", "givenName", None): f"{_USERS}.first_name",
        ("name", "familyName", None): f"{_USERS}.last_name",
        ("emails", None, None): f"{_USERS}.email",
        ("emails", "value", None): f"{_USERS}.email",
        ("active", None, None): f"{_USERS}.is_active",
        ("externalId", None, None): f"{_ACCOUNTS}.external_id",
    }
    joins = (f"LEFT JOIN {_ACCOUNTS} ON {_ACCOUNTS}.user_id = {_USERS}.id",)

    @classmethod
    def search(cls, filter_query, request=None):
        return super().search(filter_query, request).prefetch_related("provisioned_account", "directory_groups")


class GroupFilter(FilterQuery):
    model_getter = lambda: DirectoryGroup  # noqa: E731
    attr_map = {
        ("id", None, None): f"{_GROUPS}.id",
        ("displayName", None, None): f"{_GROUPS}.display_name",
        ("externalId", None, None): f"{_GROUPS}.external_id",
    }

    @classmethod
    def search(cls, filter_query, request=None):
        return super().search(filter_query, request).prefetch_related("members")


def extra_filter_kwargs_getter(model):
    """Superusers are the break-glass accounts: the provider neither sees nor changes them."""

    def extra_filter_kwargs(request, *args, **kwargs):
        return {"is_superuser": False} if model is get_user_model() else {}

    return extra_filter_kwargs


def queryset_post_processor_getter(model):
    """A page of users or groups reads their groups or members in one query, not one per row."""

    def prefetch(request, queryset, *args, **kwargs):
        if model is get_user_model():
            return queryset.prefetch_related("provisioned_account", "directory_groups")
        if model is DirectoryGroup:
            return queryset.prefetch_related("members")
        return queryset

    return prefetch

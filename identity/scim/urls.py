"""The SCIM routes, open to the provider's bearer token rather than a session (``auth.ScimTokenCheck``)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import re_path
from django.views.decorators.csrf import csrf_exempt
from django_scim.views import ServiceProviderConfigView

from .views import (
    GroupSearchView,
    GroupsView,
    NotImplementedHere,
    ResourceTypesView,
    SchemasView,
    UserSearchView,
    UsersView,
    unknown_endpoint,
)

app_name = "scim"  # django-scim2 reverses its routes in this namespace

urlpatterns = [
    # A bearer token, not a cookie, proves who calls: no session, so no CSRF check either.
    re_path(route, login_not_required(csrf_exempt(view)), name=name)
    for route, view, name in [
        (r"^$", NotImplementedHere.as_view(), "root"),
        (r"^\.search$", NotImplementedHere.as_view(), "search"),
        (r"^Users/\.search$", UserSearchView.as_view(), "users-search"),
        (r"^Users(?:/(?P<uuid>[^/]+))?$", UsersView.as_view(), "users"),
        (r"^Groups/\.search$", GroupSearchView.as_view(), "groups-search"),
        (r"^Groups(?:/(?P<uuid>[^/]+))?$", GroupsView.as_view(), "groups"),
        (r"^ServiceProviderConfig$", ServiceProviderConfigView.as_view(), "service-provider-config"),
        (r"^ResourceTypes(?:/(?P<uuid>[^/]+))?$", ResourceTypesView.as_view(), "resource-types"),
        (r"^Schemas(?:/(?P<uuid>[^/]+))?$", SchemasView.as_view(), "schemas"),
        (r"^(Me|Bulk)$", NotImplementedHere.as_view(), "not-implemented"),
        (r"^.*$", unknown_endpoint, "unknown"),
    ]
]

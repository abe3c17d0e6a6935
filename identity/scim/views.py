"""django-scim2's views as Huddle serves them at /scim/v2/ (routes in ``urls``).

The subclasses here fill what django-scim2 leaves out of RFC 7644 and a conformance checker
(scim2-tester, tests/test_scim_conformance.py) asks for: ``attributes`` and ``excludedAttributes``, counts on
the discovery lists, and SCIM error bodies for a 404.
"""

import json

from django.urls import reverse
from django_scim import exceptions, views
from django_scim.models import SCIMServiceProviderConfig

from .auth import error

ALWAYS_RETURNED = {"id", "schemas"}


class ServiceProviderConfig(SCIMServiceProviderConfig):
    """What Huddle's SCIM does, for the provider's discovery."""

    def to_dict(self):
        config = super().to_dict()
        config.update(
            {
                "filter": {"supported": True, "maxResults": 200},
                "changePassword": {"supported": True},
                "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
            }
        )
        return config


def base_location(request=None, *args, **kwargs) -> str:
    """Resources' ``meta.location`` on the address the provider called."""
    return f"{request.scheme}://{request.get_host()}" if request is not None else ""


def project(resource: dict, wanted: set[str], excluded: set[str]) -> dict:
    """``resource`` with only the ``attributes`` asked for, or without the ``excludedAttributes``.

    Names are matched without regard to case; ``name.givenName`` keeps or drops one sub-attribute.
    """
    kept = {}
    for key, value in resource.items():
        lowered = key.lower()
        subs = {name.split(".", 1)[1] for name in (wanted or excluded) if name.startswith(lowered + ".")}
        if lowered in ALWAYS_RETURNED:
            kept[key] = value
        elif wanted:
            if lowered in wanted:
                kept[key] = value
            elif subs and isinstance(value, dict):
                kept[key] = {sub: item for sub, item in value.items() if sub.lower() in subs}
        elif lowered not in excluded:
            kept[key] = (
                {sub: item for sub, item in value.items() if sub.lower() not in subs}
                if subs and isinstance(value, dict)
                else value
            )
    return kept


class _Resources:
    """Numeric ids (anything else is a SCIM 404), and ``attributes``/``excludedAttributes`` honoured."""

    def get_object(self):
        if not str(self.kwargs.get(self.lookup_url_kwarg, "")).isdigit():
            raise exceptions.NotFoundError(self.kwargs.get(self.lookup_url_kwarg))
        return super().get_object()

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        wanted, excluded = (
            {name.strip().lower() for name in request.GET.get(param, "").split(",") if name.strip()}
            for param in ("attributes", "excludedAttributes")
        )
        if response.status_code in (200, 201) and (wanted or excluded):
            document = json.loads(response.content)
            if "Resources" in document:
                document["Resources"] = [project(item, wanted, excluded) for item in document["Resources"]]
            else:
                document = project(document, wanted, excluded)
            response.content = json.dumps(document)
        return response


class UsersView(_Resources, views.UsersView):
    pass


class GroupsView(_Resources, views.GroupsView):
    pass


class UserSearchView(_Resources, views.UserSearchView):
    pass


class GroupSearchView(_Resources, views.GroupSearchView):
    pass


class _CompleteLists:
    """Discovery lists with ``totalResults`` and a SCIM error for an unknown id (RFC 7644 3.4.2, 3.12)."""

    def get(self, request, uuid=None, *args, **kwargs):
        response = super().get(request, uuid, *args, **kwargs)
        if response.status_code == 404:
            raise exceptions.NotFoundError(uuid)
        document = json.loads(response.content)
        for resource in document.get("Resources", [document]):
            resource.setdefault("meta", {"resourceType": "Schema", "location": self.location(request, resource)})
        if "Resources" in document:
            count = len(document["Resources"])
            document.update({"totalResults": count, "itemsPerPage": count, "startIndex": 1})
        response.content = json.dumps(document)
        return response

    def location(self, request, resource: dict) -> str:
        return base_location(request) + reverse("scim:schemas", kwargs={"uuid": resource["id"]})


class ResourceTypesView(_CompleteLists, views.ResourceTypesView):
    pass


class SchemasView(_CompleteLists, views.SchemasView):
    pass


class NotImplementedHere(views.SCIMView):
    """Bulk, /Me and a search across all resources: 501, with a SCIM error that says so."""

    implemented = False

    def status_501(self, request, *args, **kwargs):
        return error(501, f"Huddle does not implement {request.path}")


def unknown_endpoint(request, *args, **kwargs):
    return error(404, f"No SCIM endpoint at {request.path}")

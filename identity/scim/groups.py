"""A provider's group as a SCIM Group: its members get the roles and team its name maps to."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django_scim import exceptions
from django_scim.adapters import SCIMGroup
from django_scim.constants import SchemaURI

from config.people import person_name
from identity.groups import apply_directory_groups

from .operations import MEMBER_PATH, as_text, bad, changes, member_ids


def apply_roles(user_ids) -> None:
    """Gives each person the roles and team their directory groups map to now."""
    users = get_user_model().objects.filter(pk__in=user_ids).prefetch_related("directory_groups")
    for user in users:
        apply_directory_groups(user, [group.display_name for group in user.directory_groups.all()])


def existing_members(ids: list[int]) -> set[int]:
    """``ids`` if each is a user the provider may manage (not a superuser); a 400 otherwise."""
    found = set(get_user_model().objects.filter(pk__in=ids, is_superuser=False).values_list("pk", flat=True))
    missing = [str(pk) for pk in ids if pk not in found]
    if missing:
        raise bad(f"No user has the id {', '.join(missing)}")
    return found


class ScimGroup(SCIMGroup):
    """Reads and writes a ``DirectoryGroup``; membership changes re-apply the members' roles."""

    id_field = "id"

    def __init__(self, obj, request=None):
        super().__init__(obj, request)
        self._member_ids: set[int] | None = None  # None: membership unchanged

    @classmethod
    def resource_type_dict(cls, request=None):
        return {**super().resource_type_dict(request), "endpoint": "/Groups"}  # relative to the base URL (RFC 7643 6)

    @property
    def display_name(self) -> str:
        return self.obj.display_name

    @property
    def members(self) -> list[dict]:
        from .users import ScimUser

        return [
            {
                "value": str(user.pk),
                "display": person_name(user),
                "$ref": ScimUser(user, self.request).location,
            }
            for user in self.obj.members.all()
        ]

    def to_dict(self) -> dict:
        group = {
            "schemas": [SchemaURI.GROUP],
            "id": str(self.obj.pk),
            "displayName": self.obj.display_name,
            "members": self.members,
            "meta": {
                "resourceType": self.resource_type,
                "created": self.obj.created_at.isoformat(),
                "lastModified": self.obj.updated_at.isoformat(),
                "location": self.location,
            },
        }
        if self.obj.external_id:
            group["externalId"] = self.obj.external_id
        return group

    def validate_dict(self, d):
        if not isinstance(d, dict):
            raise bad("The body must be a SCIM Group object", "invalidSyntax")

    def from_dict(self, d):
        self.obj.display_name = as_text(d.get("displayName"), "displayName", 255, required=True)
        if "externalId" in d:
            self.obj.external_id = as_text(d["externalId"], "externalId", 255)
        self._member_ids = existing_members(member_ids(d.get("members") or []))

    def handle_operations(self, operations):
        """A PATCH: member adds and removes as Okta and Entra ID send them, a rename, an externalId."""
        members = set(self.obj.members.values_list("pk", flat=True))
        for change in changes(operations):
            path, value = change.path, change.value
            if path == "members":
                if change.op == "remove":
                    members -= set(member_ids(value)) if value is not None else members
                elif change.op == "add":
                    members |= existing_members(member_ids(value))
                else:
                    members = existing_members(member_ids(value))
            elif (one := MEMBER_PATH.match(path)) and change.op == "remove":
                members -= set(member_ids([{"value": one.group(1)}]))
            elif path == "displayname" and change.op != "remove":
                self.obj.display_name = as_text(value, "displayName", 255, required=True)
            elif path == "externalid":
                self.obj.external_id = as_text(None if change.op == "remove" else value, "externalId", 255)
        self._member_ids = members
        self.save()

    @transaction.atomic
    def save(self):
        taken = type(self.obj).objects.filter(display_name__iexact=self.obj.display_name).exclude(pk=self.obj.pk)
        if taken.exists():
            raise exceptions.IntegrityError(
                f'A group is already called "{self.obj.display_name}"', scim_type="uniqueness"
            )
        renamed = (
            self.obj.pk is not None
            and not type(self.obj).objects.filter(pk=self.obj.pk, display_name=self.obj.display_name).exists()
        )
        self.obj.save()
        before = set(self.obj.members.values_list("pk", flat=True))
        after = before if self._member_ids is None else self._member_ids
        if after != before:
            self.obj.members.set(after)
        apply_roles((before | after) if renamed else (before ^ after))

    def delete(self):
        with transaction.atomic():
            former = list(self.obj.members.values_list("pk", flat=True))
            self.obj.delete()
            apply_roles(former)

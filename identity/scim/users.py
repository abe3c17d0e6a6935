"""A Huddle user as a SCIM User: what the provider may read and change about a person."""

from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django_scim import exceptions
from django_scim.adapters import SCIMUser
from django_scim.constants import SchemaURI

from config.people import person_name
from identity.groups import apply_directory_groups
from identity.models import ProvisionedAccount

from .operations import EMAIL_PATH, as_bool, as_text, bad, changes, email_from

NAME_LENGTH = 150


class ScimUser(SCIMUser):
    """Reads and writes a Django user; changes are checked in full before any is saved."""

    id_field = "id"

    def __init__(self, obj, request=None):
        super().__init__(obj, request)
        self._external_id: str | None = None  # None: leave as it is
        self._password: str | None = None

    @classmethod
    def resource_type_dict(cls, request=None):
        return {**super().resource_type_dict(request), "endpoint": "/Users"}  # relative to the base URL (RFC 7643 6)

    @property
    def account(self) -> ProvisionedAccount | None:
        try:
            return self.obj.provisioned_account
        except ProvisionedAccount.DoesNotExist:
            return None

    @property
    def display_name(self) -> str:
        return person_name(self.obj)

    def to_dict(self) -> dict:
        from .groups import ScimGroup

        account = self.account
        user = {
            "schemas": [SchemaURI.USER],
            "id": str(self.obj.pk),
            "userName": self.obj.username,
            "displayName": self.display_name,
            "active": self.obj.is_active,
            "groups": [
                {"value": str(group.pk), "display": group.display_name, "$ref": ScimGroup(group, self.request).location}
                for group in self.obj.directory_groups.all()
            ],
            "meta": {
                "resourceType": self.resource_type,
                "created": self.obj.date_joined.isoformat(),
                "lastModified": (account.updated_at if account else self.obj.date_joined).isoformat(),
                "location": self.location,
            },
        }
        # An attribute with no value is left out rather than sent empty (RFC 7643 2.5).
        if self.obj.first_name or self.obj.last_name:
            user["name"] = {
                "givenName": self.obj.first_name,
                "familyName": self.obj.last_name,
                "formatted": self.display_name,
            }
        if self.obj.email:
            user["emails"] = [{"value": self.obj.email, "primary": True}]
        if account and account.external_id:
            user["externalId"] = account.external_id
        return user

    def validate_dict(self, d):
        if not isinstance(d, dict):
            raise bad("The body must be a SCIM User object", "invalidSyntax")

    def from_dict(self, d):
        """A POST or PUT: the whole user as the provider has them (``active`` unchanged when left out)."""
        self._set_user_name(d.get("userName"))
        name = d.get("name") or {}
        if not isinstance(name, dict):
            raise bad('"name" must be an object with "givenName" and "familyName"')
        self.obj.first_name = as_text(name.get("givenName"), "name.givenName", NAME_LENGTH)
        self.obj.last_name = as_text(name.get("familyName"), "name.familyName", NAME_LENGTH)
        self.obj.email = email_from(d.get("emails") or [])
        if d.get("active") is not None:
            self.obj.is_active = as_bool(d["active"], "active")
        if "externalId" in d:
            self._external_id = as_text(d["externalId"], "externalId", 255)
        if d.get("password") is not None:
            self._password = as_text(d["password"], "password", 128, required=True)

    def handle_operations(self, operations):
        """A PATCH: each change is checked, then the user is saved once; attributes Huddle does not
        keep (title, phone numbers, the enterprise extension) are ignored."""
        for change in changes(operations):
            removed = change.op == "remove"
            path, value = change.path, None if change.op == "remove" else change.value
            if path == "active":
                if not removed:
                    self.obj.is_active = as_bool(value, "active")
            elif path == "username":
                self._set_user_name(value)
            elif path in ("name.givenname", "givenname"):
                self.obj.first_name = as_text(value, "name.givenName", NAME_LENGTH)
            elif path in ("name.familyname", "familyname"):
                self.obj.last_name = as_text(value, "name.familyName", NAME_LENGTH)
            elif path == "name":
                value = value or {}
                if not isinstance(value, dict):
                    raise bad('"name" must be an object with "givenName" and "familyName"')
                self.obj.first_name = as_text(value.get("givenName"), "name.givenName", NAME_LENGTH)
                self.obj.last_name = as_text(value.get("familyName"), "name.familyName", NAME_LENGTH)
            elif EMAIL_PATH.match(path):
                self.obj.email = email_from(value or [])
            elif path == "externalid":
                self._external_id = as_text(value, "externalId", 255)
            elif path == "password" and not removed:
                self._password = as_text(value, "password", 128, required=True)
        self.save()

    @transaction.atomic
    def save(self):
        is_new = self.obj.pk is None
        User = get_user_model()
        if User.objects.filter(username__iexact=self.obj.username).exclude(pk=self.obj.pk).exists():
            raise exceptions.IntegrityError(f'userName "{self.obj.username}" is taken', scim_type="uniqueness")
        if self._password:
            self.obj.set_password(self._password)
        elif is_new:
            self.obj.set_unusable_password()  # signs in through the company's sign-in, not a Huddle password
        self.obj.save()
        account, _ = ProvisionedAccount.objects.get_or_create(user=self.obj)
        if self._external_id is not None:
            account.external_id = self._external_id
        account.save()  # its time is the User's lastModified
        if is_new:
            apply_directory_groups(self.obj, [])  # DIRECTORY_DEFAULT_ROLE until a group says more

    def delete(self):
        """Deactivates: the person's tips, videos and posts keep their name."""
        self.obj.is_active = False
        self.obj.save()

    def _set_user_name(self, value) -> None:
        user_name = as_text(value, "userName", 150, required=True)
        try:
            UnicodeUsernameValidator()(user_name)
        except ValidationError:
            raise bad(f'"{user_name}" is not a valid userName: use letters, digits and @ . + - _') from None
        self.obj.username = user_name

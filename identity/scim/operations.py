"""SCIM values and PATCH operations as Okta and Entra ID send them, checked before anything changes."""

import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django_scim import exceptions

USER_URN = "urn:ietf:params:scim:schemas:core:2.0:user:"
GROUP_URN = "urn:ietf:params:scim:schemas:core:2.0:group:"
# emails, emails.value, emails[type eq "work"].value, emails[primary eq true].value
EMAIL_PATH = re.compile(r"^emails(\[[^\]]*\])?(\.value)?$")
# members[value eq "42"]: how Okta and Entra ID name one member to remove
MEMBER_PATH = re.compile(r'^members\[\s*value\s+eq\s+"([^"]*)"\s*\]$')
OPS = ("add", "remove", "replace")


def bad(detail: str, scim_type: str = "invalidValue") -> exceptions.BadRequestError:
    return exceptions.BadRequestError(detail, scim_type=scim_type)


@dataclass(frozen=True)
class Change:
    op: str  # add, remove or replace
    path: str  # lower case, without the core schema's URN
    value: Any


def changes(operations) -> list[Change]:
    """Each attribute a PATCH's operations change, in order; a malformed operation is refused whole."""
    if not isinstance(operations, list):
        raise bad('"Operations" must be a list of operations', "invalidSyntax")
    found = []
    for number, operation in enumerate(operations, 1):
        if not isinstance(operation, dict):
            raise bad(f"Operation {number} is not an object", "invalidSyntax")
        op = str(operation.get("op", "")).lower()
        if op not in OPS:
            raise bad(
                f'Operation {number}: "op" must be add, remove or replace, not "{operation.get("op")}"', "invalidSyntax"
            )
        path, value = operation.get("path") or "", operation.get("value")
        if not isinstance(path, str):
            raise bad(f'Operation {number}: "path" must be a string', "invalidPath")
        if path:
            found.append(Change(op, normal_path(path), value))
        elif op == "remove":
            raise bad(f'Operation {number}: a remove needs a "path"', "noTarget")
        elif isinstance(value, dict):
            found.extend(Change(op, normal_path(key), item) for key, item in value.items())
        else:
            raise bad(f'Operation {number}: without a "path", "value" must be an object of attributes')
    return found


def normal_path(path: str) -> str:
    path = path.strip().lower()
    for urn in (USER_URN, GROUP_URN):
        if path.startswith(urn):
            return path[len(urn) :]
    return path


def as_bool(value, name: str) -> bool:
    """A boolean; Entra ID has sent "True" and "False" as strings, so those count too."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    raise bad(f'"{name}" must be true or false, not {value!r}')


def as_text(value, name: str, max_length: int, *, required: bool = False) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise bad(f'"{name}" must be a {"non-empty " if required else ""}string')
    value = value.strip()
    if "\x00" in value:
        raise bad(f'"{name}" contains a NUL character')
    if len(value) > max_length:
        raise bad(f'"{name}" is longer than {max_length} characters')
    return value


def email_from(value) -> str:
    """The primary (else the first) address of a SCIM ``emails`` value, or of one address."""
    if isinstance(value, list):
        if not all(isinstance(item, dict) for item in value):
            raise bad('"emails" must be a list of objects with a "value"')
        ordered = sorted(value, key=lambda item: not item.get("primary"))
        value = ordered[0].get("value") if ordered else ""
    elif isinstance(value, dict):  # OneLogin sends one object
        value = value.get("value")
    email = as_text(value, "emails.value", 254)
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            raise bad(f'"{email}" is not an e-mail address') from None
    return email


def member_ids(value) -> list[int]:
    """The user ids of a ``members`` value: a list of ``{"value": "<id>"}``."""
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise bad('"members" must be a list of objects with a "value"')
    ids = []
    for item in value:
        member = str(item.get("value", "")).strip()
        if not member.isdigit():
            raise bad(f'No user has the id "{member}"')
        ids.append(int(member))
    return ids

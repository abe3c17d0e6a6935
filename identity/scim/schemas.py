"""The SCIM schemas Huddle publishes: only the attributes it keeps, so a provider maps no others.

django-scim2 ships the full RFC 7643 User (nickName, phone numbers, addresses...); a provider or a
conformance checker reading that would expect Huddle to keep them all.
"""

from django_scim.constants import SchemaURI

SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"


def attribute(name: str, *, kind: str = "string", mutability: str = "readWrite", **extra) -> dict:
    return {
        "name": name,
        "type": kind,
        "multiValued": False,
        "description": extra.pop("description", ""),
        "required": False,
        "caseExact": False,
        "mutability": mutability,
        "returned": "default",
        "uniqueness": "none",
        **extra,
    }


def reference(name: str, description: str, *, to: str, mutability: str = "readWrite", **extra) -> dict:
    """A multi-valued list of references to users or groups (``value``, ``$ref``, ``display``)."""
    fixed = "immutable" if mutability == "readWrite" else mutability
    return attribute(
        name,
        kind="complex",
        mutability=mutability,
        multiValued=True,
        description=description,
        subAttributes=[
            attribute("value", mutability=fixed),
            attribute("$ref", kind="reference", mutability=fixed, referenceTypes=[to]),
            attribute("display", mutability="readOnly"),
        ],
        **extra,
    )


USER = {
    "schemas": [SCHEMA],
    "id": SchemaURI.USER,
    "name": "User",
    "description": "A Huddle user",
    "attributes": [
        attribute("userName", required=True, uniqueness="server", description="What the person signs in with."),
        attribute(
            "name",
            kind="complex",
            subAttributes=[
                attribute("formatted", mutability="readOnly"),
                attribute("givenName"),
                attribute("familyName"),
            ],
        ),
        attribute("displayName", mutability="readOnly", description="The given and family names."),
        attribute("active", kind="boolean", description="false: signed out everywhere, cannot sign in."),
        attribute("password", mutability="writeOnly", returned="never", description="A local password, optional."),
        attribute(
            "emails",
            kind="complex",
            multiValued=True,
            description="Huddle keeps one address: the primary one, else the first.",
            subAttributes=[attribute("value"), attribute("primary", kind="boolean")],
        ),
        reference("groups", "The directory groups the person is in.", to="Group", mutability="readOnly"),
    ],
}

GROUP = {
    "schemas": [SCHEMA],
    "id": SchemaURI.GROUP,
    "name": "Group",
    "description": "A directory group; DIRECTORY_ROLE_GROUPS and DIRECTORY_TEAM_GROUPS map its name",
    "attributes": [
        attribute("displayName", required=True, uniqueness="server"),
        reference("members", "The people in the group.", to="User"),
    ],
}


def huddle_schemas() -> list[dict]:
    """django-scim2's SCHEMAS_GETTER."""
    return [USER, GROUP]

"""Directory settings from environment variables, read by config/settings/base.py.

Nothing here imports a model: the settings are built before any app loads.
"""

from collections.abc import Mapping

GROUP_TYPES = {
    "groupOfNames": ("GroupOfNamesType", "(objectClass=groupOfNames)"),
    "groupOfUniqueNames": ("GroupOfUniqueNamesType", "(objectClass=groupOfUniqueNames)"),
    "posixGroup": ("PosixGroupType", "(objectClass=posixGroup)"),
    "activeDirectory": ("NestedActiveDirectoryGroupType", "(objectClass=group)"),
}


def parse_mapping(text: str) -> dict[str, str]:
    """'huddle-reps=Reps, sales-managers=Managers' as {'huddle-reps': 'Reps', ...}, keys lower-cased."""
    mapping = {}
    for pair in filter(None, (item.strip() for item in text.split(","))):
        group, separator, target = pair.partition("=")
        if not separator or not group.strip() or not target.strip():
            raise ValueError(f"'{pair}' is not directory-group=Huddle-name")
        mapping[group.strip().lower()] = target.strip()
    return mapping


def ldap_settings(environ: Mapping[str, str]) -> dict:
    """AUTH_LDAP_* settings for the directory at ``LDAP_SERVER_URI``; a clear error for a bad group type."""
    import ldap
    from django_auth_ldap import config

    group_type = environ.get("LDAP_GROUP_TYPE", "groupOfNames")
    if group_type not in GROUP_TYPES:
        raise ValueError(f"LDAP_GROUP_TYPE must be one of {', '.join(GROUP_TYPES)}, not '{group_type}'")
    type_class, group_filter = GROUP_TYPES[group_type]
    user_base = environ["LDAP_USER_SEARCH_BASE"]
    values = {
        "AUTH_LDAP_SERVER_URI": environ["LDAP_SERVER_URI"],
        "AUTH_LDAP_BIND_DN": environ.get("LDAP_BIND_DN", ""),
        "AUTH_LDAP_BIND_PASSWORD": environ.get("LDAP_BIND_PASSWORD", ""),
        "AUTH_LDAP_START_TLS": environ.get("LDAP_START_TLS", "false").lower() in {"1", "true", "yes", "on"},
        "AUTH_LDAP_USER_SEARCH": config.LDAPSearch(
            user_base, ldap.SCOPE_SUBTREE, environ.get("LDAP_USER_FILTER", "(uid=%(user)s)")
        ),
        "AUTH_LDAP_USER_ATTR_MAP": {"first_name": "givenName", "last_name": "sn", "email": "mail"},
        "AUTH_LDAP_ALWAYS_UPDATE_USER": True,
        "AUTH_LDAP_GROUP_SEARCH": config.LDAPSearch(
            environ.get("LDAP_GROUP_SEARCH_BASE", user_base), ldap.SCOPE_SUBTREE, group_filter
        ),
        "AUTH_LDAP_GROUP_TYPE": getattr(config, type_class)(name_attr="cn"),
        "AUTH_LDAP_CONNECTION_OPTIONS": {
            ldap.OPT_NETWORK_TIMEOUT: float(environ.get("LDAP_TIMEOUT", "5")),
            ldap.OPT_TIMEOUT: float(environ.get("LDAP_TIMEOUT", "5")),
            ldap.OPT_REFERRALS: 0,
        },
    }
    if environ.get("LDAP_REQUIRE_GROUP"):
        values["AUTH_LDAP_REQUIRE_GROUP"] = environ["LDAP_REQUIRE_GROUP"]
    return values


def saml_settings(environ: Mapping[str, str], site_url: str) -> dict:
    """djangosaml2's settings for the provider whose metadata is ``SAML_IDP_METADATA`` (a file or a URL)."""
    import saml2
    import saml2.saml

    metadata = environ["SAML_IDP_METADATA"]
    source = {"remote": [{"url": metadata}]} if metadata.startswith(("https://", "http://")) else {"local": [metadata]}
    base = site_url.rstrip("/") + "/saml2/"
    username_attribute = environ.get("SAML_USERNAME_ATTRIBUTE", "uid")
    return {
        "SAML_CONFIG": {
            "xmlsec_binary": environ.get("SAML_XMLSEC_BINARY", "/usr/bin/xmlsec1"),
            "entityid": environ.get("SAML_SP_ENTITY_ID", base + "metadata/"),
            "allow_unknown_attributes": True,
            "service": {
                "sp": {
                    "name": "Huddle",
                    "name_id_format": saml2.saml.NAMEID_FORMAT_UNSPECIFIED,
                    "endpoints": {
                        "assertion_consumer_service": [(base + "acs/", saml2.BINDING_HTTP_POST)],
                        "single_logout_service": [
                            (base + "ls/", saml2.BINDING_HTTP_REDIRECT),
                            (base + "ls/post/", saml2.BINDING_HTTP_POST),
                        ],
                    },
                    "authn_requests_signed": True,
                    "want_response_signed": False,
                    "want_assertions_signed": True,  # an assertion without a valid signature is refused
                    "allow_unsolicited": False,  # only answers to a request this site made
                },
            },
            "metadata": source,
            "key_file": environ["SAML_SP_KEY_FILE"],
            "cert_file": environ["SAML_SP_CERT_FILE"],
            "encryption_keypairs": [
                {"key_file": environ["SAML_SP_KEY_FILE"], "cert_file": environ["SAML_SP_CERT_FILE"]}
            ],
        },
        "SAML_DJANGO_USER_MAIN_ATTRIBUTE": "username",
        "SAML_ATTRIBUTE_MAPPING": {
            username_attribute: ("username",),
            environ.get("SAML_EMAIL_ATTRIBUTE", "mail"): ("email",),
            environ.get("SAML_FIRST_NAME_ATTRIBUTE", "givenName"): ("first_name",),
            environ.get("SAML_LAST_NAME_ATTRIBUTE", "sn"): ("last_name",),
        },
        "SAML_GROUPS_ATTRIBUTE": environ.get("SAML_GROUPS_ATTRIBUTE", "groups"),
        "SAML_CREATE_UNKNOWN_USER": True,
        "SAML_ACS_FAILURE_RESPONSE_FUNCTION": "identity.saml.refused",
        "SAML_SESSION_COOKIE_NAME": "huddle_saml",
        "SAML_SESSION_COOKIE_SAMESITE": "None",
        "SAML_BUTTON_LABEL": environ.get("SAML_BUTTON_LABEL", "Sign in with your company account"),
    }


OIDC_REQUIRED_KEYS = ("id", "name", "server_url", "client_id", "secret")


def oidc_settings(environ: Mapping[str, str]) -> dict:
    """django-allauth's settings for the OpenID Connect providers listed in ``OIDC_PROVIDERS`` (JSON).

    Each provider is ``{"id", "name", "server_url", "client_id", "secret"}`` plus, optionally,
    ``"scope"`` (a list) and ``"groups_claim"``; a clear error names what is missing.
    """
    import json
    import re

    text = environ.get("OIDC_PROVIDERS", "").strip() or "[]"
    try:
        providers = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"OIDC_PROVIDERS is not valid JSON: {error}") from error
    if isinstance(providers, dict):
        providers = [providers]
    apps, seen = [], set()
    for number, provider in enumerate(providers, start=1):
        missing = [key for key in OIDC_REQUIRED_KEYS if not str(provider.get(key, "")).strip()]
        if missing:
            raise ValueError(f"OIDC_PROVIDERS entry {number} lacks {', '.join(missing)}")
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", provider["id"]) or provider["id"] in seen:
            raise ValueError(
                f"OIDC_PROVIDERS entry {number}: id '{provider['id']}' must be unique: lower-case letters, digits, - _"
            )
        seen.add(provider["id"])
        app_settings = {"server_url": provider["server_url"].rstrip("/")}
        for optional in ("scope", "groups_claim", "token_auth_method"):
            if provider.get(optional):
                app_settings[optional] = provider[optional]
        apps.append(
            {
                "provider_id": provider["id"],
                "name": provider["name"],
                "client_id": provider["client_id"],
                "secret": provider["secret"],
                "settings": app_settings,
            }
        )
    return {
        "SOCIALACCOUNT_PROVIDERS": {
            "openid_connect": {
                "provider_class": "identity.oidc.CompanyOpenIDProvider",
                "OAUTH_PKCE_ENABLED": True,
                "APPS": apps,
            }
        },
        "OIDC_GROUPS_CLAIM": environ.get("OIDC_GROUPS_CLAIM", "groups"),
        "ACCOUNT_ADAPTER": "identity.oidc.NoLocalSignUp",
        "SOCIALACCOUNT_ADAPTER": "identity.oidc.CompanyDirectorySignIn",
        "ACCOUNT_EMAIL_VERIFICATION": "none",  # the provider vouches for the address
        "SOCIALACCOUNT_EMAIL_VERIFICATION": "none",
        "SOCIALACCOUNT_STORE_TOKENS": False,  # Huddle calls no provider API after sign-in
    }


def scim_settings() -> dict:
    """django-scim2's settings: Huddle's adapters, filters and token check (identity/scim/)."""
    return {
        "USER_ADAPTER": "identity.scim.users.ScimUser",
        "GROUP_MODEL": "identity.models.DirectoryGroup",
        "GROUP_ADAPTER": "identity.scim.groups.ScimGroup",
        "USER_FILTER_PARSER": "identity.scim.filters.UserFilter",
        "GROUP_FILTER_PARSER": "identity.scim.filters.GroupFilter",
        "GET_EXTRA_MODEL_FILTER_KWARGS_GETTER": "identity.scim.filters.extra_filter_kwargs_getter",
        "GET_QUERYSET_POST_PROCESSOR_GETTER": "identity.scim.filters.queryset_post_processor_getter",
        "SERVICE_PROVIDER_CONFIG_MODEL": "identity.scim.views.ServiceProviderConfig",
        "BASE_LOCATION_GETTER": "identity.scim.views.base_location",
        "AUTH_CHECK_MIDDLEWARE": "identity.scim.auth.ScimTokenCheck",
        "SCHEMAS_GETTER": "identity.scim.schemas.huddle_schemas",
        "NETLOC": "unused",  # required by django-scim2; locations come from the request (base_location)
        "AUTHENTICATION_SCHEMES": [
            {
                "type": "oauthbearertoken",
                "name": "Bearer token",
                "description": "SCIM_TOKEN, or a SCIM token made in the admin, as 'Authorization: Bearer <token>'",
                "primary": True,
            }
        ],
        "WWW_AUTHENTICATE_HEADER": 'Bearer realm="Huddle SCIM"',
    }

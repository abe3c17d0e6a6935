"""SCIM 2.0 provisioning at /scim/v2/: the identity provider creates, updates and deactivates people.

django-scim2 serves the protocol (routing, list responses, filters, discovery, error bodies);
the adapters here say what its Users and Groups are in Huddle:

- a User is a Django user (id: its primary key); superusers stay out of the provider's reach,
  so a break-glass admin cannot be locked out by a mistake in the provider;
- a Group is a ``DirectoryGroup``: the provider's group, whose members get the roles and team
  its name maps to, with the same ``DIRECTORY_*`` mapping LDAP and SAML sign-in use;
- DELETE of a User deactivates them (their content keeps their name), as ``active: false`` does.
"""

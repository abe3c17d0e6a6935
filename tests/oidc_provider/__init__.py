"""A small OpenID provider for the OIDC sign-in tests: django-oauth-toolkit's OpenID Connect support.

tests/oidc_idp.py starts it as its own process (``python -m tests.oidc_provider.serve``) on a free
loopback port, with an RS256 key the test generated and the people and applications it names.
"""

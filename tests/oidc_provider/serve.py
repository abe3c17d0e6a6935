"""Starts the test OpenID provider: migrates its database, loads people and applications, serves.

Run by tests/oidc_idp.py as ``python -m tests.oidc_provider.serve PORT`` with
``DJANGO_SETTINGS_MODULE=tests.oidc_provider.settings`` and ``OIDC_PROVIDER_FOLDER`` set.
"""

import sys

import django


def load_people_and_applications() -> None:
    from django.conf import settings
    from django.contrib.auth.models import Group, User
    from oauth2_provider.models import Application

    for person in settings.PEOPLE:
        user = User.objects.create_user(
            person["username"],
            person["email"],
            person["password"],
            first_name=person.get("first_name", ""),
            last_name=person.get("last_name", ""),
        )
        user.groups.set(Group.objects.get_or_create(name=name)[0] for name in person.get("groups", []))
    for application in settings.APPLICATIONS:
        Application.objects.create(
            name=application["name"],
            client_id=application["client_id"],
            client_secret=application["secret"],
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=" ".join(application["redirect_uris"]),
            algorithm=Application.RS256_ALGORITHM,
            skip_authorization=application.get("skip_authorization", False),
        )


def main(port: str) -> None:
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    load_people_and_applications()
    call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, skip_checks=True)


if __name__ == "__main__":
    main(sys.argv[1])

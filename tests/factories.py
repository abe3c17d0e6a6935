"""Plain helpers that make test data; each app's section adds its own ``make_*``."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from knowledge.models import Account
from knowledge.roles import MANAGERS, MARKETING, REPS

PASSWORD = "huddle-test-pw"


def make_user(username: str, *, role: str = REPS, first_name: str = "", last_name: str = "", **extra):
    """A user in one role (new users land in Reps; other roles replace it)."""
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@example.com",
        first_name=first_name or username.title(), last_name=last_name, **extra,
    )
    if role != REPS:
        user.groups.set([Group.objects.get(name=role)])
    return user


def make_rep(username: str = "rep", **kwargs):
    return make_user(username, role=REPS, **kwargs)


def make_manager(username: str = "manager", **kwargs):
    return make_user(username, role=MANAGERS, **kwargs)


def make_marketer(username: str = "marketing", **kwargs):
    return make_user(username, role=MARKETING, **kwargs)


def make_account(name: str = "Acme Corp", *, industry: str = "Manufacturing", crm_id: str | None = None):
    return Account.objects.create(name=name, industry=industry, crm_id=crm_id)

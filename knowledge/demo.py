"""Demo users and accounts; the first part of ``manage.py seed_demo``."""

import random
from dataclasses import dataclass, field
from typing import TextIO

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from .models import Account
from .progress import progress
from .roles import MANAGERS, MARKETING, REPS

DEMO_PASSWORD = "huddle-demo"


@dataclass(frozen=True)
class Size:
    name: str
    reps: int
    accounts: int
    tips: int
    microposts: int
    videos: int
    deals: int
    activity_events: int


SIZES = {
    "small": Size("small", reps=20, accounts=24, tips=40, microposts=80, videos=6, deals=200,
                  activity_events=0),
    "large": Size("large", reps=1_000, accounts=2_000, tips=20_000, microposts=100_000, videos=200,
                  deals=100_000, activity_events=1_000_000),
}


@dataclass
class SeedContext:
    size: Size
    seed: int
    stdout: TextIO
    stderr: TextIO
    verbosity: int = 1
    summary: dict[str, int] = field(default_factory=dict)

    def __post_init__(self):
        self.random = random.Random(self.seed)

    def progress(self, items, label, total=None):
        return progress(items, label, total=total, stream=self.stderr, enabled=self.verbosity > 0)


FIRST_NAMES = ["Ava", "Ben", "Chloe", "Diego", "Emma", "Farid", "Grace", "Hiro", "Isla", "Jonas", "Kemi",
               "Liam", "Maya", "Noah", "Olivia", "Priya", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Victor",
               "Wen", "Ximena", "Yusuf", "Zoe"]
LAST_NAMES = ["Anders", "Baker", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jones",
              "Khan", "Lopez", "Müller", "Nguyen", "Okafor", "Patel", "Reyes", "Singh", "Tanaka", "Walsh"]
INDUSTRIES = ["Manufacturing", "Healthcare", "Financial services", "Retail", "Logistics", "Education",
              "Public sector", "Software", "Energy", "Hospitality"]
ACCOUNT_WORDS = ["Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay", "Soylent",
                 "Tyrell", "Cyberdyne", "Wonka", "Aperture", "Massive", "Pied Piper", "Oscorp", "Nakatomi",
                 "Gringotts", "Monarch", "Dunder", "Blue Sun", "Prestige", "Vehement", "Sterling"]
ACCOUNT_SUFFIXES = ["Corp", "Health", "Bank", "Logistics", "Retail", "Labs", "Energy", "Group", "Systems"]

# The three logins the README and `make run` print, plus the named team members.
DEMO_LOGINS = [("rep", REPS, "Riley", "Rep"), ("marketing", MARKETING, "Morgan", "Marketer"),
               ("manager", MANAGERS, "Mona", "Manager")]
TEAM_MANAGERS = [("manager", "Mona", "Manager"), ("manager2", "Marcus", "Lee"), ("manager3", "Mei", "Tan")]


def demo_reps(size: Size) -> list[str]:
    """Usernames of the demo reps: ``rep`` first, then rep001, rep002, ..."""
    return ["rep"] + [f"rep{number:03d}" for number in range(1, size.reps)]


def seed(context: SeedContext) -> None:
    users = _seed_users(context)
    accounts = _seed_accounts(context)
    context.summary["users"] = users
    context.summary["accounts"] = accounts


def _seed_users(context: SeedContext) -> int:
    User = get_user_model()
    groups = {group.name: group for group in Group.objects.filter(name__in=[REPS, MARKETING, MANAGERS])}
    password = make_password(DEMO_PASSWORD)
    rng = context.random
    wanted = []
    for username, role, first, last in DEMO_LOGINS:
        wanted.append((username, role, first, last))
    for username, first, last in TEAM_MANAGERS[1:]:
        wanted.append((username, MANAGERS, first, last))
    for username in demo_reps(context.size)[1:]:
        wanted.append((username, REPS, rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)))

    existing = set(User.objects.filter(username__in=[w[0] for w in wanted]).values_list("username", flat=True))
    new_users = [
        User(username=username, first_name=first, last_name=last, email=f"{username}@huddle.example",
             password=password, is_staff=role == MARKETING)
        for username, role, first, last in wanted if username not in existing
    ]
    # bulk_create skips the post_save that puts new users in Reps: set each role here instead.
    for batch_start in context.progress(range(0, len(new_users), 500), "Users",
                                        total=(len(new_users) + 499) // 500):
        User.objects.bulk_create(new_users[batch_start:batch_start + 500])
    roles = {username: role for username, role, _, _ in wanted}
    created = User.objects.filter(username__in=[user.username for user in new_users])
    Membership = User.groups.through
    Membership.objects.bulk_create(
        [Membership(user_id=user_id, group_id=groups[roles[username]].pk)
         for user_id, username in created.values_list("pk", "username")],
        batch_size=1000,
    )
    return len(new_users)


def _seed_accounts(context: SeedContext) -> int:
    rng = random.Random(context.seed + 1)
    wanted = {}
    for word in ACCOUNT_WORDS:
        for suffix in ACCOUNT_SUFFIXES:
            if len(wanted) >= context.size.accounts:
                break
            wanted.setdefault(f"{word} {suffix}".lower(), (f"{word} {suffix}", rng.choice(INDUSTRIES)))
    number = 1
    while len(wanted) < context.size.accounts:
        name = f"{rng.choice(ACCOUNT_WORDS)} {rng.choice(ACCOUNT_SUFFIXES)} {number}"
        wanted.setdefault(name.lower(), (name, rng.choice(INDUSTRIES)))
        number += 1
    existing = {name.lower() for name in Account.objects.values_list("name", flat=True)}
    new = [Account(name=name, industry=industry, crm_id=f"ACC-{index:05d}")
           for index, (key, (name, industry)) in enumerate(sorted(wanted.items()), start=1) if key not in existing]
    Account.objects.bulk_create(new, batch_size=1000)
    return len(new)

"""Demo users: the three logins, the named managers and the numbered reps."""

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from ..roles import MANAGERS, MARKETING, REPS
from .context import SeedContext, Size

DEMO_PASSWORD = "huddle-demo"

FIRST_NAMES = [
    "Ava",
    "Ben",
    "Chloe",
    "Diego",
    "Emma",
    "Farid",
    "Grace",
    "Hiro",
    "Isla",
    "Jonas",
    "Kemi",
    "Liam",
    "Maya",
    "Noah",
    "Olivia",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tariq",
    "Uma",
    "Victor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoe",
]
LAST_NAMES = [
    "Anders",
    "Baker",
    "Chen",
    "Diaz",
    "Evans",
    "Fischer",
    "Garcia",
    "Hughes",
    "Ito",
    "Jones",
    "Khan",
    "Lopez",
    "Müller",
    "Nguyen",
    "Okafor",
    "Patel",
    "Reyes",
    "Singh",
    "Tanaka",
    "Walsh",
]

# The three logins the README and `make run` print, plus the named team members.
DEMO_LOGINS = [
    ("rep", REPS, "Riley", "Rep"),
    ("marketing", MARKETING, "Morgan", "Marketer"),
    ("manager", MANAGERS, "Mona", "Manager"),
]
TEAM_MANAGERS = [
    ("manager", "Mona", "Manager"),
    ("manager2", "Marcus", "Lee"),
    ("manager3", "Mei", "Tan"),
]


def demo_reps(size: Size) -> list[str]:
    """Usernames of the demo reps: ``rep`` first, then rep001, rep002, ..."""
    return ["rep"] + [f"rep{number:03d}" for number in range(1, size.reps)]


def demo_user_ids(context: SeedContext) -> list[int]:
    return list(
        get_user_model()
        .objects.filter(username__in=demo_reps(context.size))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def seed_users(context: SeedContext) -> int:
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
        User(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@huddle.example",
            password=password,
            is_staff=role == MARKETING,
        )
        for username, role, first, last in wanted
        if username not in existing
    ]
    # bulk_create skips the post_save that puts new users in Reps: set each role here instead.
    for batch_start in context.progress(range(0, len(new_users), 500), "Users", total=(len(new_users) + 499) // 500):
        User.objects.bulk_create(new_users[batch_start : batch_start + 500])
    roles = {username: role for username, role, _, _ in wanted}
    created = User.objects.filter(username__in=[user.username for user in new_users])
    Membership = User.groups.through
    Membership.objects.bulk_create(
        [
            Membership(user_id=user_id, group_id=groups[roles[username]].pk)
            for user_id, username in created.values_list("pk", "username")
        ],
        batch_size=1000,
    )
    return len(new_users)

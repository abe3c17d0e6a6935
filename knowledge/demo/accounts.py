"""Demo customer accounts: made-up company names, each in an industry."""

import random

from ..models import INDUSTRY_CHOICES, Account
from .context import SeedContext

ACCOUNT_WORDS = [
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Hooli",
    "Vandelay",
    "Soylent",
    "Tyrell",
    "Cyberdyne",
    "Wonka",
    "Aperture",
    "Massive",
    "Pied Piper",
    "Oscorp",
    "Nakatomi",
    "Gringotts",
    "Monarch",
    "Dunder",
    "Blue Sun",
    "Prestige",
    "Vehement",
    "Sterling",
]
ACCOUNT_SUFFIXES = [
    "Corp",
    "Health",
    "Bank",
    "Logistics",
    "Retail",
    "Labs",
    "Energy",
    "Group",
    "Systems",
]


def seed_accounts(context: SeedContext) -> int:
    rng = random.Random(context.seed + 1)
    wanted = {}
    for word in ACCOUNT_WORDS:
        for suffix in ACCOUNT_SUFFIXES:
            if len(wanted) >= context.size.accounts:
                break
            wanted.setdefault(f"{word} {suffix}".lower(), (f"{word} {suffix}", rng.choice(INDUSTRY_CHOICES)))
    number = 1
    while len(wanted) < context.size.accounts:
        name = f"{rng.choice(ACCOUNT_WORDS)} {rng.choice(ACCOUNT_SUFFIXES)} {number}"
        wanted.setdefault(name.lower(), (name, rng.choice(INDUSTRY_CHOICES)))
        number += 1
    existing = {name.lower() for name in Account.objects.values_list("name", flat=True)}
    new = [
        Account(name=name, industry=industry, crm_id=f"ACC-{index:05d}")
        for index, (key, (name, industry)) in enumerate(sorted(wanted.items()), start=1)
        if key not in existing
    ]
    Account.objects.bulk_create(new, batch_size=1000)
    return len(new)

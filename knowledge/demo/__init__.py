"""Demo users, accounts, tips, microposts and reactions: knowledge's part of ``seed_demo``.

One module per thing seeded (``people``, ``accounts``, ``tips``, ``microposts``,
``reactions``, ``comments``, ``curation``); ``context`` holds the sizes and the
``SeedContext`` every app's ``demo.seed`` is given.
"""

from .accounts import seed_accounts
from .comments import seed_comments
from .context import BATCH, SIZES, SeedContext, Size
from .curation import seed_curation
from .microposts import seed_microposts
from .people import DEMO_LOGINS, DEMO_PASSWORD, TEAM_MANAGERS, demo_reps, demo_user_ids, seed_users
from .reactions import seed_reactions
from .tips import seed_tips

__all__ = [
    "BATCH",
    "DEMO_LOGINS",
    "DEMO_PASSWORD",
    "SIZES",
    "TEAM_MANAGERS",
    "SeedContext",
    "Size",
    "demo_reps",
    "demo_user_ids",
    "seed",
]


def seed(context: SeedContext) -> None:
    users = seed_users(context)
    accounts = seed_accounts(context)
    context.summary["users"] = users
    context.summary["accounts"] = accounts
    context.summary["tips"] = seed_tips(context)
    context.summary["microposts"] = seed_microposts(context)
    marks, views = seed_reactions(context)
    context.summary["helpful marks"] = marks
    context.summary["views"] = views
    context.summary["comments"] = seed_comments(context)
    seed_curation(context)


# The benches (bench/search.py, bench/search_meaning.py) seed only these steps, by these names.
_seed_users = seed_users
_seed_accounts = seed_accounts
_seed_tips = seed_tips
_seed_microposts = seed_microposts

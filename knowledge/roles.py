"""The three roles of design.md, as Django groups."""

REPS = "Reps"
MARKETING = "Marketing"
MANAGERS = "Managers"
ALL = (REPS, MARKETING, MANAGERS)


def is_marketing(user) -> bool:
    return user.is_superuser or user.groups.filter(name=MARKETING).exists()


def is_manager(user) -> bool:
    return user.is_superuser or user.groups.filter(name=MANAGERS).exists()

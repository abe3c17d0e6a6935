"""The company directory's groups as Huddle roles and leaderboard teams, applied at every sign-in.

The directory is the source of truth for roles: a person moved out of the managers' group is no
longer a manager the next time they sign in. Teams follow the directory only where it names one,
so a team set by hand for someone the directory says nothing about is kept.
"""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction

from knowledge import roles


def roles_for(group_names) -> set[str]:
    mapped = {
        settings.DIRECTORY_ROLE_GROUPS[name] for name in _lower(group_names) if name in settings.DIRECTORY_ROLE_GROUPS
    }
    if not mapped and settings.DIRECTORY_DEFAULT_ROLE:
        mapped = {settings.DIRECTORY_DEFAULT_ROLE}
    return mapped


def team_for(group_names) -> str | None:
    for name in sorted(_lower(group_names)):
        if name in settings.DIRECTORY_TEAM_GROUPS:
            return settings.DIRECTORY_TEAM_GROUPS[name]
    return None


@transaction.atomic
def apply_directory_groups(user, group_names) -> None:
    """Gives ``user`` exactly the roles their directory groups map to, and the team one names."""
    from leaderboard.models import RepProfile, Team

    wanted = roles_for(group_names)
    role_groups = {group.name: group for group in Group.objects.filter(name__in=roles.ALL)}
    for name in roles.ALL:
        if name in wanted:
            user.groups.add(role_groups.get(name) or Group.objects.get_or_create(name=name)[0])
        elif name in role_groups:
            user.groups.remove(role_groups[name])
    team_name = team_for(group_names)
    if team_name:
        team, _ = Team.objects.get_or_create(name=team_name)
        RepProfile.objects.update_or_create(user=user, defaults={"team": team})


def _lower(names) -> set[str]:
    return {str(name).strip().lower() for name in names}

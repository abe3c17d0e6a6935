"""Sections other apps add to knowledge's pages without knowledge knowing them.

The leaderboard, for instance, adds "deals this tip influenced" to the tip page.
An app registers a template for a place in its ``AppConfig.ready()``; the page
renders every registered template with its own context.
"""

PLACES = ("tip", "profile", "account", "tag", "series", "collection")
_sections: dict[str, list[str]] = {place: [] for place in PLACES}


def register_section(place: str, template_name: str) -> None:
    if place not in _sections:
        raise ValueError(f"Unknown place {place!r}; use one of {', '.join(PLACES)}")
    if template_name not in _sections[place]:
        _sections[place].append(template_name)


def sections_for(place: str) -> list[str]:
    return list(_sections[place])

"""How Huddle names a person: their full name, or their username when they have not given one.

Pages, feeds, chat messages and the SCIM API all name people; each used to spell the rule out
again. Kept here, the rule is the same everywhere and changes in one place.
"""


def person_name(user) -> str:
    """``user``'s full name, stripped, else their username; "" for no one.

    "No one" is ``None`` (a deleted author, an anonymous comment) and also "", which is what a
    template passes to a filter for a variable it cannot resolve.
    """
    if not user:
        return ""
    return user.get_full_name().strip() or user.get_username()

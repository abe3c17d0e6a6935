"""Finding a person by what a manager types: a name, a username or an e-mail, any case or accent.

Used where a CRM owner name is mapped to a rep: "Maya Baker", "maya", "mbaker",
"Zoe" for "Zoë" all find the person; a suggestion's label ("Maya Baker (mbaker)")
names exactly one.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.contrib.auth import get_user_model

SUGGESTIONS = 8
_LABEL = re.compile(r"^(?P<name>.*)\((?P<username>[^()]+)\)\s*$")


def fold(text: str) -> str:
    """Lower case, accents dropped and spaces collapsed, for comparing what people type."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.casefold().split())


@dataclass(frozen=True)
class Person:
    pk: int
    username: str
    first_name: str
    last_name: str
    email: str

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.username

    @property
    def label(self) -> str:
        """What a suggestion fills the box with: the name, and the username that settles it."""
        return f"{self.name} ({self.username})"

    @property
    def hint(self) -> str:
        """The e-mail under a suggestion, and the name without accents when it has any: the
        browser only shows options whose text contains what was typed, so "angstrom" must
        appear for "Ångström" to stay listed."""
        folded = fold(self.name)
        return self.email if folded == self.name.casefold() else f"{self.email} · {folded}"

    def words(self) -> list[str]:
        email = fold(self.email)
        return [*fold(self.name).split(), fold(self.username), email, email.split("@")[0]]

    def matches(self, query: str) -> bool:
        """Every word typed starts one of the person's names, their username or e-mail."""
        words = self.words()
        return all(any(word.startswith(part) for word in words) for part in query.split())


class PersonNotFound(Exception):
    def __init__(self, typed: str, near: list[Person]):
        self.typed, self.near = typed, near
        super().__init__(typed)


class AmbiguousPerson(Exception):
    def __init__(self, typed: str, candidates: list[Person]):
        self.typed, self.candidates = typed, candidates
        super().__init__(typed)


def _active_people() -> list[Person]:
    fields = ("pk", "username", "first_name", "last_name", "email")
    return [
        Person(*values)
        for values in get_user_model()
        .objects.filter(is_active=True)
        .order_by("first_name", "last_name", "username")
        .values_list(*fields)
    ]


def people_matching(typed: str, *, limit: int = SUGGESTIONS) -> list[Person]:
    """Active people whose name, username or e-mail starts with each word typed, by name."""
    query = fold(typed)
    if not query:
        return []
    return [person for person in _active_people() if person.matches(query)][:limit]


def find_person(typed: str) -> Person:
    """The one active person the text names: a suggestion's label, username, e-mail or full name.

    Raises ``AmbiguousPerson`` when it names several, ``PersonNotFound`` when none; a
    partial match ("Maya") is never taken on its own, it is offered back instead.
    """
    text = typed.strip()
    people = _active_people()
    label = _LABEL.match(text)
    if label:
        username = fold(label["username"])
        exact = [person for person in people if fold(person.username) == username]
        if exact:
            # Usernames are unique as written; folding could pair "Maya" with "maya".
            return next((p for p in exact if p.username == label["username"]), exact[0])
        text = label["name"].strip()
    query = fold(text)
    for key in (
        lambda person: fold(person.username),
        lambda person: fold(person.email),
        lambda person: fold(person.name),
        lambda person: fold(f"{person.last_name} {person.first_name}"),
        lambda person: fold(f"{person.last_name}, {person.first_name}"),
    ):
        found = [person for person in people if query and key(person) == query]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise AmbiguousPerson(typed, found)
    near = [person for person in people if query and person.matches(query)]
    if len(near) > 1:
        raise AmbiguousPerson(typed, near[:SUGGESTIONS])
    raise PersonNotFound(typed, near)

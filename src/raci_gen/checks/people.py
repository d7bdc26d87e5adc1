"""Who is the same person: one rule for the lint of a charter and for the portfolio across charters.

People are written in the roles' ``people:`` as a name or as ``{name, email, team}``. A person with an
e-mail is that e-mail (case and spacing ignored). A person written without one is the person of the same
name who has an e-mail, when exactly one such e-mail is seen, else the name (case and spacing ignored).
So ``Ada Lovelace`` in one role and ``{name: Ada Lovelace, email: ada@…}`` in another are one person, and
two people named Alan Turing with different e-mails are two.
"""

from __future__ import annotations

from typing import Callable, Iterable

from raci_gen.model.matrix import Person


def plain(text: str) -> str:
    """A name or e-mail as compared: spaces collapsed, case ignored."""
    return " ".join(text.split()).casefold()


def has_email(person: Person) -> bool:
    return bool(person.email and person.email.strip())


def identity(everyone: Iterable[Person]) -> Callable[[Person], str]:
    """The key that says who a person is, among ``everyone`` (all the people the comparison spans):
    ``e:`` and the plain e-mail, or ``n:`` and the plain name."""
    emails_of_name: dict[str, set[str]] = {}
    for person in everyone:
        if has_email(person):
            emails_of_name.setdefault(plain(person.name), set()).add("e:" + plain(person.email or ""))

    def key_of(person: Person) -> str:
        if has_email(person):
            return "e:" + plain(person.email or "")
        emails = emails_of_name.get(plain(person.name), set())
        return next(iter(emails)) if len(emails) == 1 else "n:" + plain(person.name)

    return key_of


def shown(person: Person) -> str:
    """A person as a message names them: ``Ada Lovelace <ada@example.org>``, or the name alone."""
    name = " ".join(person.name.split())
    return f"{name} <{person.email.strip()}>" if has_email(person) and person.email else name

"""A role that names its people has someone in post.

The people of a role may carry ``from:`` and ``until:`` (their first and last day in it). A role whose
people are all gone or not yet there on the day the lint reads the matrix for (today, or ``--as-of``; a
build's, the documents' date) is vacant: the documents of that day name no one for it, and its letters
are nobody's. A role that names no people at all is not judged.

Passes (on 2026-07-01)::

    people: [{name: Ada Lovelace, until: 2026-06-30}, {name: Alan Turing, from: 2026-07-01}]

Fails (on 2026-07-01)::

    people: [{name: Ada Lovelace, until: 2026-06-30}]
"""

from __future__ import annotations

from typing import Iterator

from raci_gen.checks.findings import Hit
from raci_gen.model.matrix import Matrix, Person

ID = "vacant-role"
SEVERITY = "warning"
OPTIONS: dict[str, object] = {}
SUMMARY = "A role that lists people has at least one of them in post (from/until) on the day read for."


def _when(person: Person) -> str:
    if person.until is not None:
        return f"{person.name} until {person.until.isoformat()}"
    return f"{person.name} from {person.start.isoformat()}" if person.start else person.name


def check(matrix: Matrix, options: dict) -> Iterator[Hit]:
    day = matrix.as_of
    if day is None:
        return
    for role in matrix.roles:
        if role.people and not any(p.in_post(day) for p in role.people):
            listed = ", ".join(_when(p) for p in role.people)
            yield Hit(role, role.location, f"role {role.id} ({role.name}) has no one in post on {day.isoformat()}: "
                                           f"{listed}; name who fills it, or correct the dates")

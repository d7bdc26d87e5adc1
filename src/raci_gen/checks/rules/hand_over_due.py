"""Hand-overs coming up: someone leaves a role, or takes one up, within ``days`` days.

Read from the people's ``from:`` and ``until:`` on the day the lint reads the matrix for (today, or
``--as-of``; a build's, the documents' date). A person whose last day in a role (``until``) is that day or
within ``days`` days after it is reported at that person, with who takes over (the role's people whose
``from:`` is after that day, up to the window's end); a person who takes a role up within the window with
no one leaving it is reported too. Information only: it says when the documents will name other people.

Passes (on 2026-06-01, days 30)::

    people: [{name: Ada Lovelace, until: 2026-12-31}]

Fails (on 2026-06-01, days 30)::

    people: [{name: Ada Lovelace, until: 2026-06-30}, {name: Alan Turing, from: 2026-07-01}]
"""

from __future__ import annotations

from typing import Iterator

from raci_gen.checks.findings import Hit
from raci_gen.model.matrix import Matrix

ID = "hand-over-due"
SEVERITY = "info"
OPTIONS: dict[str, object] = {"days": 30}
SUMMARY = "Says who leaves or takes up a role (from/until) within `days` days (default 30) of the day read for (info)."


def _in(days: int) -> str:
    return "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"


def check(matrix: Matrix, options: dict) -> Iterator[Hit]:
    day = matrix.as_of
    if day is None:
        return
    window = int(options["days"])  # type: ignore[call-overload]
    for role in matrix.roles:
        named: set[int] = set()
        for person in role.people:
            if person.until is None or not 0 <= (person.until - day).days <= window:
                continue
            after = [p for p in role.people
                     if p.start is not None and person.until < p.start and (p.start - day).days <= window]
            named.update(id(p) for p in after)
            successors = (", taken over by " + ", ".join(f"{p.name} from {p.start.isoformat()}"  # type: ignore
                                                         for p in after)) if after else ""
            yield Hit(role, person.location or role.location,
                      f"{person.name}'s last day in role {role.id} ({role.name}) is {person.until.isoformat()} "
                      f"({_in((person.until - day).days)}){successors}")
        for person in role.people:
            if id(person) in named or person.start is None or not 0 < (person.start - day).days <= window:
                continue
            yield Hit(role, person.location or role.location,
                      f"{person.name} takes up role {role.id} ({role.name}) on {person.start.isoformat()} "
                      f"({_in((person.start - day).days)})")

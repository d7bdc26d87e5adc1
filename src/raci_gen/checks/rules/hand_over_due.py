"""Hand-overs coming up: someone leaves a role, or takes one up, within ``days`` days.

Read from the people's ``from:`` and ``until:`` on the day the lint reads the matrix for (today, or
``--as-of``; a build's, the documents' date). A person whose last day in a role (``until``) is that day or
within ``days`` days after it is reported at that person, with who takes over (the role's people whose
``from:`` is after that day, up to the window's end); a person who takes a role up within the window with
no one leaving it is reported too; a leaver's finding names at most 10 successors, then says how many
more. Information only: it says when the documents will name other people.

Passes (on 2026-06-01, days 30)::

    people: [{name: Ada Lovelace, until: 2026-12-31}]

Fails (on 2026-06-01, days 30)::

    people: [{name: Ada Lovelace, until: 2026-06-30}, {name: Alan Turing, from: 2026-07-01}]
"""

from __future__ import annotations

import bisect
import heapq
from typing import Iterator

from raci_gen.checks.findings import Hit
from raci_gen.model.matrix import Matrix

ID = "hand-over-due"
SEVERITY = "info"
OPTIONS: dict[str, object] = {"days": 30}
SUMMARY = "Says who leaves or takes up a role (from/until) within `days` days (default 30) of the day read for (info)."


def _in(days: int) -> str:
    return "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"


SHOWN = 10
"""Successors a leaver's finding names before "and N more"."""


def check(matrix: Matrix, options: dict) -> Iterator[Hit]:
    day = matrix.as_of
    if day is None:
        return
    window = int(options["days"])  # type: ignore[call-overload]
    for role in matrix.roles:
        # Those who take the role up within the window, by start day, each with their place in the role's people;
        # best[s]: the first SHOWN in the role's order of those from the s-th on. A leaver's successors are those
        # who start after their last day, a tail of that list: found by bisection, not by reading every person
        # again for every leaver (2,000 leavers and 2,000 joiners in a 200 KB role took 8.5 s and 540 MB, each
        # finding naming all 2,000; 20,000 of each were gigabytes).
        joiners = sorted((p.start, n) for n, p in enumerate(role.people)
                         if p.start is not None and (p.start - day).days <= window)
        starts = [start for start, _ in joiners]
        best: list[list[int]] = [[] for _ in range(len(joiners) + 1)]
        for s in range(len(joiners) - 1, -1, -1):
            best[s] = heapq.nsmallest(SHOWN, best[s + 1] + [joiners[s][1]])
        first_leaving = None
        for person in role.people:
            if person.until is None or not 0 <= (person.until - day).days <= window:
                continue
            if first_leaving is None or person.until < first_leaving:
                first_leaving = person.until
            s = bisect.bisect_right(starts, person.until)
            after = [role.people[n] for n in best[s]]
            more = len(joiners) - s - len(after)
            successors = (", taken over by " + ", ".join(f"{p.name} from {p.start.isoformat()}"  # type: ignore
                                                         for p in after)
                          + (f" and {more:,} more" if more else "")) if after else ""
            yield Hit(role, person.location or role.location,
                      f"{person.name}'s last day in role {role.id} ({role.name}) is {person.until.isoformat()} "
                      f"({_in((person.until - day).days)}){successors}")
        for person in role.people:
            named = first_leaving is not None and person.start is not None and first_leaving < person.start \
                and (person.start - day).days <= window
            if named or person.start is None or not 0 < (person.start - day).days <= window:
                continue
            yield Hit(role, person.location or role.location,
                      f"{person.name} takes up role {role.id} ({role.name}) on {person.start.isoformat()} "
                      f"({_in((person.start - day).days)})")

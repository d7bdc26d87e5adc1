"""Every role has a letter on every activity (off by default).

With CAIRO, teams record a deliberate "not involved" as O so that a blank cell
always means "not decided yet". Turn this rule on to hold the matrix to that.

Passes (CAIRO, two roles)::

    raci: {R1: A/R, R2: O}

Fails (CAIRO, two roles)::

    raci: {R1: A/R}
"""

from __future__ import annotations

from typing import Iterator

from raci_gen.checks.findings import Hit
from raci_gen.model.matrix import Matrix

ID = "no-blank-cell"
SEVERITY = "off"
OPTIONS: dict[str, object] = {}
SUMMARY = "Every role has a letter on every activity; blank means undecided (off by default; for CAIRO)."


def check(matrix: Matrix, options: dict) -> Iterator[Hit]:
    absent = matrix.variant.not_involved
    hint = (f"write {' or '.join(absent)} where a role is deliberately not involved" if absent
            else "give every role a letter")
    for activity in matrix.activities():
        present = {cell.role_id for cell in activity.cells}
        missing = [role.id for role in matrix.roles if role.id not in present]
        if missing:
            yield Hit(activity, activity.location,
                      f"activity {activity.id} has no letter for {', '.join(missing)}; {hint}")

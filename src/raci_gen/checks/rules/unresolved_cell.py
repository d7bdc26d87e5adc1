"""A role's part in an activity is settled.

A cell with several letters, other than the accepted combinations of the
variant (A/R in RACI), says the role's part is not decided yet.

Passes::

    raci: {R1: A/R, R2: C}

Fails::

    raci: {R1: A, R2: R/C}
"""

from __future__ import annotations

from typing import Iterator

from raci_gen.checks.findings import Hit
from raci_gen.model.matrix import Matrix

ID = "unresolved-cell"
SEVERITY = "warning"
OPTIONS: dict[str, object] = {}
SUMMARY = "No cell holds several letters, except the variant's accepted combinations (A/R)."


def check(matrix: Matrix, options: dict) -> Iterator[Hit]:
    variant = matrix.variant
    allowed = {frozenset(combo) for combo in variant.combinations}
    accepted = ", ".join("/".join(c) for c in variant.combinations) or "none"
    for activity in matrix.activities():
        for cell in activity.cells:
            if len(cell.letters) > 1 and frozenset(cell.letters) not in allowed:
                yield Hit(activity, cell.location,
                          f"{cell.role_id} holds {cell.text} on activity {activity.id}; settle on one letter "
                          f"(accepted combinations: {accepted})")

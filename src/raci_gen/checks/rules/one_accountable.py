"""Each activity has exactly one Accountable.

Only one role can answer for an activity (PMBOK 5th ed., 9.1.2.1). In variants
with several single owners (DACI: one Driver and one Approver; RAPID: one
Decide) each of them must appear exactly once.

Passes::

    raci: {R1: A, R3: R}

Fails::

    raci: {R1: A, R2: A, R3: R}   # two Accountables
    raci: {R3: R}                 # no Accountable
"""

from __future__ import annotations

from typing import Iterator

from raci_gen.checks.findings import Hit
from raci_gen.model.matrix import Matrix
from raci_gen.checks.rules._common import holders, is_empty

ID = "one-accountable"
SEVERITY = "error"
OPTIONS: dict[str, object] = {}
SUMMARY = "Each activity has exactly one Accountable (each single-owner letter of the variant exactly once)."


def check(matrix: Matrix, options: dict) -> Iterator[Hit]:
    variant = matrix.variant
    for activity in matrix.activities():
        if is_empty(activity, variant):
            continue
        for code in variant.exactly_one:
            name = f"{variant.letter(code).name} ({code})"
            cells = holders(activity, (code,))
            if not cells:
                yield Hit(activity, activity.location, f"activity {activity.id} has no {name}; give exactly one role {code}",
                          problem=("missing", activity.id, (code,)))
            elif len(cells) > 1:
                ids = ", ".join(c.role_id for c in cells)
                yield Hit(activity, cells[1].location,
                          f"activity {activity.id} has {len(cells)} roles {name}: {ids}; keep exactly one")

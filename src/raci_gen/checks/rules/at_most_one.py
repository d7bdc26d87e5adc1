"""Letters that the variant allows once per activity appear at most once.

In RACI-VS only one role Signs off (S). Custom variants declare such letters
with ``at-most-one``.

Passes (RACI-VS)::

    raci: {R1: A, R3: R, R4: V, R2: S}

Fails (RACI-VS)::

    raci: {R1: A, R3: R, R4: V, R2: S, R5: S}
"""

from __future__ import annotations

from typing import Iterator

from raci_gen.checks.findings import Hit
from raci_gen.model.matrix import Matrix
from raci_gen.checks.rules._common import holders

ID = "at-most-one"
SEVERITY = "error"
OPTIONS: dict[str, object] = {}
SUMMARY = "Letters the variant allows once per activity (S in RACI-VS) appear at most once."


def check(matrix: Matrix, options: dict) -> Iterator[Hit]:
    variant = matrix.variant
    for activity in matrix.activities():
        for code in variant.at_most_one:
            cells = holders(activity, (code,))
            if len(cells) > 1:
                ids = ", ".join(c.role_id for c in cells)
                yield Hit(activity, cells[1].location, f"activity {activity.id} has {len(cells)} roles "
                                                       f"{variant.letter(code).name} ({code}): {ids}; at most one")

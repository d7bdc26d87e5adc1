"""A letter that depends on another has it in the same activity.

In RASCI a Support (S) helps a Responsible, so an S without any R is suspect;
in RACI-VS a Sign-off (S) approves a Verification (V). Custom variants declare
such pairs with ``needs``.

Passes (RASCI)::

    raci: {R1: A, R3: R, R5: S}
    raci: {R1: A/R, R5: S}   # A/R counts as R

Fails (RACI-VS)::

    raci: {R1: A/R, R2: S}   # a sign-off with nothing verified

When the missing letter is also what someone-responsible asks for (R in
RASCI: ``{R1: A, R5: S}``), the activity gets one finding, someone-responsible's
error, not a second one here.
"""

from __future__ import annotations

from typing import Iterator

from raci_gen.checks.findings import Hit
from raci_gen.model.matrix import Matrix
from raci_gen.checks.rules._common import holders, letter_names

ID = "letter-needs"
SEVERITY = "warning"
OPTIONS: dict[str, object] = {}
SUMMARY = "A letter that needs another (S needs R in RASCI, S needs V in RACI-VS) has it in the same activity."


def check(matrix: Matrix, options: dict) -> Iterator[Hit]:
    variant = matrix.variant
    for activity in matrix.activities():
        for code, needed in variant.needs:
            cells = holders(activity, (code,))
            if cells and not holders(activity, needed):
                # The missing letter may be a doer that someone-responsible reports too: one finding.
                yield Hit(activity, cells[0].location,
                          f"activity {activity.id} has {variant.letter(code).name} ({code}) but no "
                          f"{letter_names(variant, needed)}", problem=("missing", activity.id, tuple(needed)))

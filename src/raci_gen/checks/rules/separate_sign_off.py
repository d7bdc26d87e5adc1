"""On a sign-off, the role that answers for it is not also a role that does the work.

An activity marked ``sign-off: true`` is a gate (an approval, an acceptance, a go-live): whoever signs
off checks work done by someone else. A role that is both Accountable and Responsible there (a cell
``A/R``) signs off its own work (separation of duties, NIST SP 800-53 AC-5). The letters are the
variant's: the single owner that does not do the work (A in RACI, D in RAPID) against its doers.

Passes::

    sign-off: true
    raci: {R1: A, R3: R}

Fails::

    sign-off: true
    raci: {R1: A/R, R3: C}   # R1 signs off its own work
"""

from __future__ import annotations

from typing import Iterator

from raci_gen.checks.findings import Hit
from raci_gen.checks.rules._common import letter_names
from raci_gen.checks.sign_offs import sign_off_cells
from raci_gen.model.matrix import Matrix

ID = "separate-sign-off"
SEVERITY = "error"
OPTIONS: dict[str, object] = {}
SUMMARY = "On a sign-off (sign-off: true), the Accountable role is not also Responsible."


def check(matrix: Matrix, options: dict) -> Iterator[Hit]:
    variant = matrix.variant
    for activity in matrix.activities():
        signing, doing = sign_off_cells(matrix, activity)
        doers = {cell.role_id for cell in doing}
        for cell in signing:
            if cell.role_id in doers:
                role = matrix.role(cell.role_id)
                signs = tuple(c for c in variant.exactly_one if c in cell.letters and c not in variant.doers)
                does = tuple(c for c in variant.doers if c in cell.letters)
                yield Hit(activity, cell.location,
                          f"sign-off {activity.id} ({activity.name}): role {role.id} ({role.name}) is "
                          f"{letter_names(variant, signs)} and {letter_names(variant, does)}, so it signs off its "
                          f"own work; give the work to another role")

"""Every role owns or does something.

A role that is only ever consulted or informed carries no responsibility; it
may be a stakeholder rather than a role of the team.

Passes: a role that is R or A somewhere.

Fails::

    # R2 appears only as C and I across all activities
    raci: {R1: A/R, R2: C}
"""

from __future__ import annotations

from typing import Iterator

from raci_gen.findings import Hit
from raci_gen.workload import workload
from raci_gen.model import Matrix
from raci_gen.rules._common import letter_names

ID = "role-without-ownership"
SEVERITY = "warning"
OPTIONS: dict[str, object] = {}
SUMMARY = "Each role that takes part is Responsible or Accountable somewhere, not only Consulted or Informed."


def check(matrix: Matrix, options: dict) -> Iterator[Hit]:
    variant = matrix.variant
    owners = variant.owners()
    if not owners:  # a custom variant that names no owner and no doer
        return
    for load in workload(matrix):
        role = load.role
        if load.activities and not load.owns:
            yield Hit(role, role.location, f"role {role.id} ({role.name}) is never {letter_names(variant, owners)}; "
                                           "it only follows the work")

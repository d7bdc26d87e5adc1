"""Every role that takes part owns, does or helps with something.

A role that is only ever consulted or informed carries no responsibility; it
may be a stakeholder rather than a role of the team. Letters that take a share
of the work without owning it count as carrying some: Support (S) in RASCI
helps the Responsible do the work, Verifies (V) in RACI-VS checks it, a DACI
Contributor (C) does part of it (see ``helpers`` in raci_gen.model.variants).

Passes: a role that is R or A somewhere; in RASCI, a role that is only ever S.

Fails::

    # R2 appears only as C and I across all activities
    raci: {R1: A/R, R2: C}
"""

from __future__ import annotations

from typing import Iterator

from raci_gen.checks.findings import Hit
from raci_gen.model.matrix import Matrix
from raci_gen.checks.rules._common import letter_names
from raci_gen.checks.workload import holding

ID = "role-without-ownership"
SEVERITY = "warning"
OPTIONS: dict[str, object] = {}
SUMMARY = ("Each role that takes part is Responsible or Accountable somewhere (or helps, as S in RASCI), "
           "not only Consulted or Informed.")


def check(matrix: Matrix, options: dict) -> Iterator[Hit]:
    variant = matrix.variant
    carrying = tuple(dict.fromkeys(variant.owners() + variant.helpers))
    if not carrying:  # a custom variant that names no owner, no doer and no helper
        return
    carries = holding(matrix, carrying)
    takes_part = holding(matrix, tuple(c for c in variant.codes() if c not in variant.not_involved))
    for role in matrix.roles:
        if takes_part[role.id] and not carries[role.id]:
            held = tuple(c for c in variant.codes() if c not in carrying and c not in variant.not_involved
                         and any(c in a.letters(role.id) for a in matrix.activities()))
            yield Hit(role, role.location,
                      f"role {role.id} ({role.name}) is only {letter_names(variant, held)}, never "
                      f"{letter_names(variant, carrying)}; is it a stakeholder rather than a role of the team?")

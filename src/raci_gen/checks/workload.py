"""How much each role holds: the counts the role rules judge and the documents show.

Depends on the model only, so that the rules and the documents can both read it.
"""

from __future__ import annotations

from dataclasses import dataclass

from raci_gen.model.matrix import Matrix, Role


@dataclass(frozen=True)
class Workload:
    """How many activities a role holds each letter on (A/R counts for A and for R)."""

    role: Role
    counts: dict[str, int]
    activities: int
    """Activities the role takes part in at all."""
    owns: int
    """Activities the role is Responsible or Accountable on (the variant's owner letters)."""


def workload(matrix: Matrix) -> list[Workload]:
    """Letters per role, in role order."""
    variant = matrix.variant
    owners = variant.owners()
    result = []
    for role in matrix.roles:
        counts = {code: 0 for code in variant.codes()}
        on = owns = 0
        for activity in matrix.activities():
            letters = activity.letters(role.id)
            for code in letters:
                counts[code] += 1
            if any(code not in variant.not_involved for code in letters):
                on += 1
            if any(code in owners for code in letters):
                owns += 1
        result.append(Workload(role, counts, on, owns))
    return result


def holding(matrix: Matrix, codes: tuple[str, ...]) -> dict[str, int]:
    """Per role id, in role order: on how many activities the role holds any of ``codes``."""
    wanted = set(codes)
    result = {role.id: 0 for role in matrix.roles}
    for activity in matrix.activities():
        for cell in activity.cells:
            if wanted.intersection(cell.letters) and cell.role_id in result:
                result[cell.role_id] += 1
    return result

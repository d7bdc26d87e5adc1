"""Not too many roles are consulted on one activity.

Every Consulted role is a conversation before the work can go on; decisions
slow down when more than two or three roles must be asked (a heuristic).

Passes::

    raci: {R1: A, R3: R, R2: C, R4: C}

Fails (with the default max of 3)::

    raci: {R1: A, R3: R, R2: C, R4: C, R5: C, R6: C}
"""

from __future__ import annotations

from typing import Iterator

from raci_gen.checks.findings import Hit
from raci_gen.model.matrix import Matrix
from raci_gen.checks.rules._common import too_many

ID = "too-many-consulted"
SEVERITY = "warning"
OPTIONS: dict[str, object] = {"max": 3}
SUMMARY = "At most `max` roles Consulted on one activity (default 3); more slows decisions down."


def check(matrix: Matrix, options: dict) -> Iterator[Hit]:
    yield from too_many(matrix, matrix.variant.consulted, options["max"], "consults", "slows it down")

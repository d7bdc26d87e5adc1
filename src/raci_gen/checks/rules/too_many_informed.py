"""Not too many roles are informed about one activity.

Routine informing of many roles is noise; ask whether each one needs to know.

Passes::

    raci: {R1: A, R3: R, R2: I}

Fails (with the default max of 5)::

    raci: {R1: A, R3: R, R2: I, R4: I, R5: I, R6: I, R7: I, R8: I}
"""

from __future__ import annotations

from typing import Iterator

from raci_gen.checks.findings import Hit
from raci_gen.model.matrix import Matrix
from raci_gen.checks.rules._common import too_many

ID = "too-many-informed"
SEVERITY = "info"
OPTIONS: dict[str, object] = {"max": 5}
SUMMARY = "At most `max` roles Informed on one activity (default 5); more is noise."


def check(matrix: Matrix, options: dict) -> Iterator[Hit]:
    yield from too_many(matrix, matrix.variant.informed, options["max"], "informs", "is noise")

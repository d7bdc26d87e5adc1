"""Not too many roles do the same activity.

When three or more roles are Responsible, nobody quite is: the activity may
need splitting (a practitioners' heuristic, hence the option).

Passes::

    raci: {R1: A, R3: R, R4: R}

Fails (with the default max of 2)::

    raci: {R1: A, R3: R, R4: R, R5: R}
"""

from __future__ import annotations

from typing import Iterator

from raci_gen.checks.findings import Hit
from raci_gen.model.matrix import Matrix
from raci_gen.checks.rules._common import too_many

ID = "too-many-responsible"
SEVERITY = "warning"
OPTIONS: dict[str, object] = {"max": 2}
SUMMARY = "At most `max` roles Responsible on one activity (default 2); more suggests splitting it."


def check(matrix: Matrix, options: dict) -> Iterator[Hit]:
    yield from too_many(matrix, matrix.variant.doers, options["max"], "has", "suggests splitting the activity")

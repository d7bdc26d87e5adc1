"""Every activity has somebody on it.

Passes::

    raci: {R1: A/R}

Fails::

    raci: {}
"""

from __future__ import annotations

from typing import Iterator

from raci_gen.checks.findings import Hit
from raci_gen.model.matrix import Matrix
from raci_gen.checks.rules._common import is_empty

ID = "empty-activity"
SEVERITY = "error"
OPTIONS: dict[str, object] = {}
SUMMARY = "Each activity has at least one letter."


def check(matrix: Matrix, options: dict) -> Iterator[Hit]:
    for activity in matrix.activities():
        if is_empty(activity, matrix.variant):
            yield Hit(activity, activity.location, f"activity {activity.id} has nobody taking part; give it at least "
                                                   f"the role that does the work")

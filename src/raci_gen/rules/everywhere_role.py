"""No role is on nearly every activity.

A role with a letter on almost every activity is either the real project
manager hiding in the matrix or a sign that letters were handed out by default.

Passes (10 activities, default 0.9): a role on 9 of them.

Fails: a role on all 10.
"""

from __future__ import annotations

from typing import Iterator

from raci_gen.findings import Hit
from raci_gen.workload import workload
from raci_gen.model import Matrix
from raci_gen.rules._common import share

ID = "everywhere-role"
SEVERITY = "warning"
OPTIONS: dict[str, object] = {"max-share": 0.9}
SUMMARY = "No role has a letter on more than `max-share` of the activities (default 0.9)."


def check(matrix: Matrix, options: dict) -> Iterator[Hit]:
    total = sum(1 for _ in matrix.activities())
    for load in workload(matrix):
        role, on = load.role, load.activities
        if total and on / total > options["max-share"]:
            yield Hit(role, role.location, f"role {role.id} ({role.name}) is on {share(on, total)}; "
                                           f"more than {options['max-share']:.0%} looks like letters by default")

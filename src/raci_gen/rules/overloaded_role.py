"""No role does or owns too large a share of the activities.

A role Responsible or Accountable on more than ``max-share`` of all activities
is a bottleneck and a single point of failure (a heuristic; default one half).

Passes (10 activities): a role that is R or A on 5 of them.

Fails (10 activities, default 0.5): a role that is R or A on 6 of them.
"""

from __future__ import annotations

from typing import Iterator

from raci_gen.findings import Hit
from raci_gen.workload import workload
from raci_gen.model import Matrix
from raci_gen.rules._common import share

ID = "overloaded-role"
SEVERITY = "warning"
OPTIONS: dict[str, object] = {"max-share": 0.5}
SUMMARY = "No role is Responsible or Accountable on more than `max-share` of the activities (default 0.5)."


def check(matrix: Matrix, options: dict) -> Iterator[Hit]:
    total = sum(1 for _ in matrix.activities())
    for load in workload(matrix):
        role, owned = load.role, load.owns
        if total and owned / total > options["max-share"]:
            yield Hit(role, role.location,
                      f"role {role.id} ({role.name}) does or owns {share(owned, total)}; "
                      f"more than {options['max-share']:.0%} makes it a bottleneck")

"""Every role takes part in something.

A role with no letter at all is either missing from the matrix or not needed.

Passes: a role with at least one letter somewhere.

Fails::

    roles: [{id: R8, name: Auditor}]   # and no activity mentions R8
"""

from __future__ import annotations

from typing import Iterator

from raci_gen.checks.findings import Hit
from raci_gen.checks.workload import workload
from raci_gen.model.matrix import Matrix

ID = "idle-role"
SEVERITY = "warning"
OPTIONS: dict[str, object] = {}
SUMMARY = "Each role has at least one letter somewhere."


def check(matrix: Matrix, options: dict) -> Iterator[Hit]:
    for load in workload(matrix):
        role = load.role
        if not load.activities:
            yield Hit(role, role.location, f"role {role.id} ({role.name}) takes part in no activity")

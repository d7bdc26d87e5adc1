"""No role does or answers for too large a share of the activities.

A role that does the work (or answers for it) on more than ``max-share`` of the
activities is a bottleneck and a single point of failure (a heuristic; default
one half).

What counts: an activity where the role holds a letter that does the work (R in
RACI, D in DACI, P in RAPID, PARIS and PACSI; A/R counts) or a single-owner
letter (A; D in RAPID). Consulted, informed and helping letters are not load.

The process owner: in a matrix of one process (an ITIL incident or change
process, say) one role is Accountable on every activity by design, while the
work is done by others. Answering for every step is then the process owner's
job, not overload, so for the role that holds the single-owner letter on every
activity that has one, only the activities it works on count. A role that is A
on most but not all activities is not the process owner pattern, and its A's
count.

The rule judges only matrices of at least ``min-activities`` activities
(default 8): in a three-step decision one Driver on two steps is no bottleneck.

Passes (10 activities): a role Responsible on 5 of them; the process owner,
Accountable on all 10 and Responsible on 2.

Fails (10 activities, default 0.5): a role Responsible or Accountable on 6 of
them; the process owner, Accountable on all 10 and Responsible on 6.
"""

from __future__ import annotations

from typing import Iterator

from raci_gen.checks.findings import Hit
from raci_gen.model.matrix import Matrix
from raci_gen.checks.rules._common import letter_names, process_owner, share
from raci_gen.checks.workload import holding

ID = "overloaded-role"
SEVERITY = "warning"
OPTIONS: dict[str, object] = {"max-share": 0.5, "min-activities": 8}
SUMMARY = ("No role does or answers for more than `max-share` of the activities (default 0.5; the process owner's "
           "Accountable on every activity not counted), in matrices of at least `min-activities` (default 8).")


def check(matrix: Matrix, options: dict) -> Iterator[Hit]:
    variant = matrix.variant
    total = sum(1 for _ in matrix.activities())
    if total < max(options["min-activities"], 1):
        return
    owner = process_owner(matrix)
    owns = holding(matrix, variant.owners())
    does = holding(matrix, variant.doers)
    for role in matrix.roles:
        load = does[role.id] if role.id == owner else owns[role.id]
        if load / total <= options["max-share"]:
            continue
        if role.id == owner:
            what = (f"does the work ({letter_names(variant, variant.doers)}) on {share(load, total)}, "
                    f"besides answering for every activity as the process owner")
        else:
            what = f"is {letter_names(variant, variant.owners())} on {share(load, total)}"
        yield Hit(role, role.location, f"role {role.id} ({role.name}) {what}; more than "
                                       f"{options['max-share']:.0%} makes it a bottleneck")

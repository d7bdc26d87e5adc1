"""No role takes an active part in nearly every activity.

A role with a letter on almost every activity is either the real project
manager hiding in the matrix or a sign that letters were handed out by default.

What counts: being told is not taking part, so the variant's informed letters
(I) and its "not involved" letters (O in CAIRO) are not counted; every other
letter is (doing, owning, being consulted, helping).

When the rule judges:

- Only matrices of at least ``min-activities`` activities (default 8): on three
  activities, being on all three says nothing.
- Not the process owner's Accountable: in a matrix of one process one role
  answers for every activity by design (see overloaded-role); only its other
  parts count.
- Only a role that stands out. When more than half of the roles that take part
  are all over the matrix, the team fills its cells by design (every role
  consulted on every step, a small team that does everything together); then
  no role stands out and the rule reports nothing, rather than once per role.
  Whether so many conversations are too many is too-many-consulted's to judge,
  activity by activity.

Passes (10 activities, default 0.9): a role Consulted on 9 of them; a role
Informed on all 10; four roles of four each on all 10.

Fails (10 activities): one role of four Consulted or Responsible on all 10.
"""

from __future__ import annotations

from typing import Iterator

from raci_gen.checks.findings import Hit
from raci_gen.model.matrix import Matrix
from raci_gen.checks.rules._common import letter_names, process_owner, share, signers
from raci_gen.checks.workload import holding

ID = "everywhere-role"
SEVERITY = "warning"
OPTIONS: dict[str, object] = {"max-share": 0.9, "min-activities": 8}
SUMMARY = ("No role takes part (Informed not counted) in more than `max-share` of the activities (default 0.9), "
           "in matrices of at least `min-activities` (default 8).")


def check(matrix: Matrix, options: dict) -> Iterator[Hit]:
    variant = matrix.variant
    total = sum(1 for _ in matrix.activities())
    if total < max(options["min-activities"], 1):
        return
    active_codes = tuple(c for c in variant.codes() if c not in variant.told())
    on = holding(matrix, active_codes)
    owner = process_owner(matrix)
    if owner is not None:  # its signer letter on every activity is by design; its other parts count
        on[owner] = holding(matrix, tuple(c for c in active_codes if c not in signers(variant)))[owner]
    taking_part = [rid for rid, n in on.items() if n]
    over = [rid for rid in taking_part if on[rid] / total > options["max-share"]]
    if not over or 2 * len(over) > len(taking_part):
        return  # nobody, or most roles: no role stands out
    told = letter_names(variant, variant.told())
    not_counted = f", not counting {told}" if told else ""
    for role in matrix.roles:
        if role.id in over:
            yield Hit(role, role.location,
                      f"role {role.id} ({role.name}) takes part in {share(on[role.id], total)}{not_counted}; "
                      f"more than {options['max-share']:.0%} looks like letters handed out by default")

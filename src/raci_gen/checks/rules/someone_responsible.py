"""Each activity has someone who does the work.

An ``A/R`` cell counts. With the option ``lone-accountable-implies-responsible``
(the convention Wikipedia describes), an activity whose Accountable has no
Responsible beside it passes, the Accountable being taken to do the work.

Passes::

    raci: {R1: A, R3: R}
    raci: {R1: A/R, R2: C}

Fails::

    raci: {R1: A, R2: C}   # nobody Responsible

In DACI the Driver (D) both does the work and is needed exactly once, so an
activity without one is one problem: it is reported once, by one-accountable.
"""

from __future__ import annotations

from typing import Iterator

from raci_gen.checks.findings import Hit
from raci_gen.model.matrix import Matrix
from raci_gen.checks.rules._common import holders, is_empty, letter_names

ID = "someone-responsible"
SEVERITY = "error"
OPTIONS: dict[str, object] = {"lone-accountable-implies-responsible": False}
SUMMARY = "Each activity has at least one Responsible (A/R counts)."


def check(matrix: Matrix, options: dict) -> Iterator[Hit]:
    variant = matrix.variant
    if not variant.doers:  # a custom variant that names no letter for doing the work
        return
    for activity in matrix.activities():
        if is_empty(activity, variant) or holders(activity, variant.doers):
            continue
        if options["lone-accountable-implies-responsible"] and holders(activity, variant.exactly_one):
            continue
        doers = letter_names(variant, variant.doers)
        yield Hit(activity, activity.location, f"activity {activity.id} has no {doers}; say who does the work",
                  problem=("missing", activity.id, variant.doers))

"""Somebody is consulted or informed on each activity.

An activity that nobody is asked about or told of is done in a silo; often a
stakeholder was forgotten.

Passes::

    raci: {R1: A, R3: R, R2: I}

Fails::

    raci: {R1: A, R3: R}
"""

from __future__ import annotations

from typing import Iterator

from raci_gen.checks.findings import Hit
from raci_gen.model.matrix import Matrix
from raci_gen.checks.rules._common import holders, is_empty, letter_names

ID = "no-communication"
SEVERITY = "info"
OPTIONS: dict[str, object] = {}
SUMMARY = "Each activity has at least one role Consulted or Informed."


def check(matrix: Matrix, options: dict) -> Iterator[Hit]:
    variant = matrix.variant
    talk = variant.consulted + variant.informed
    if not talk:
        return
    for activity in matrix.activities():
        if not is_empty(activity, variant) and not holders(activity, talk):
            yield Hit(activity, activity.location,
                      f"activity {activity.id} has no {letter_names(variant, talk)}; is anyone forgotten?")

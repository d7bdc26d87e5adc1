"""On a sign-off, no person fills both the Accountable role and a Responsible role.

Roles kept apart are not enough when one person fills both (from the roles' ``people:``): the sign-off
of an activity marked ``sign-off: true`` is then made by the person who did the work (separation of
duties, NIST SP 800-53 AC-5). A person is the same person by e-mail when given (case ignored), else by
name (case and spacing ignored; a name without an e-mail is the person of that name who has one, when
exactly one e-mail goes with it). The finding is at the Responsible role's cell and names the person,
both roles and the activity. A role that is both (``A/R``) is separate-sign-off's to report. Only
the people in post on the lint's day count (``from:``/``until:``; ``--as-of``).
A sign-off gets at most 20 such findings, then one that says how many more.

Passes::

    people: {R1: [Ada Lovelace], R3: [Grace Hopper]}   # in the role file
    sign-off: true
    raci: {R1: A, R3: R}

Fails::

    people: {R1: [Ada Lovelace], R3: [Grace Hopper, Ada Lovelace]}
    sign-off: true
    raci: {R1: A, R3: R}   # Ada Lovelace signs off her own work
"""

from __future__ import annotations

import itertools
from typing import Iterator

from raci_gen.checks.findings import Hit
from raci_gen.checks.people import shown
from raci_gen.checks.sign_offs import own_work_by_activity
from raci_gen.model.matrix import Matrix

ID = "separate-sign-off-people"
SEVERITY = "error"
OPTIONS: dict[str, object] = {}
SUMMARY = ("On a sign-off, no person (same e-mail, else same name) fills both the Accountable role and a "
           "Responsible role.")


MOST = 20
"""Findings on one sign-off before one more says how many people besides sign off their own work there: two roles
that share 1,000 people would otherwise make 1,000 findings on every sign-off (5,000,000 in a 100 KB project)."""


def check(matrix: Matrix, options: dict) -> Iterator[Hit]:
    for activity, found, count in own_work_by_activity(matrix):
        yield from _hits(matrix, itertools.islice(found, MOST))
        if count > MOST:
            yield Hit(activity, activity.location,
                      f"sign-off {activity.id} ({activity.name}): {count - MOST:,} more times a person fills both a "
                      f"signing and a doing role, besides the {MOST} above (people listed in both roles' people:); "
                      f"name other people for one of the roles")


def _hits(matrix: Matrix, own_work) -> Iterator[Hit]:
    variant = matrix.variant
    for found in own_work:
        activity = found.activity
        signer = matrix.role(found.accountable.role_id)
        doer = matrix.role(found.responsible.role_id)
        signs = next(f"{variant.letter(c).name} ({c})" for c in variant.exactly_one
                     if c in found.accountable.letters and c not in variant.doers)
        does = next(f"{variant.letter(c).name} ({c})" for c in variant.doers if c in found.responsible.letters)
        yield Hit(activity, found.responsible.location,
                  f"sign-off {activity.id} ({activity.name}): {shown(found.person)} fills both role {signer.id} "
                  f"({signer.name}), {signs}, and role {doer.id} ({doer.name}), {does}, so signs off their own "
                  f"work; name another person for one of the roles",
                  related=(found.accountable.location, signer.location, doer.location))

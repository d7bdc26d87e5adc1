"""Sign-offs kept apart from the work, as roles and as people (separation of duties, NIST SP 800-53 AC-5).

An activity marked ``sign-off: true`` is a gate: an approval, an acceptance, a go-live. Whoever answers for
it (the variant's single owner that does not do the work: A in RACI, D in RAPID) signs off what the doers
(R) did, so the sign-off is hollow when the two are the same: the same role (a cell ``A/R``) or the same
person filling both roles (from the roles' ``people:``; who is the same person: :mod:`raci_gen.checks.people`).
The lint rules separate-sign-off and separate-sign-off-people report them; the portfolio lists the people.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Callable, Iterator

from raci_gen.checks.people import identity
from raci_gen.model.matrix import Activity, Cell, Matrix, Person


@dataclass(frozen=True)
class OwnWork:
    """A person who would sign off their own work: on ``activity`` they fill the role of ``accountable``
    (the cell holding the sign-off letter) and the role of ``responsible`` (a cell holding a doer letter)."""

    activity: Activity
    person: Person
    """The person as the Accountable role's ``people:`` writes them."""
    key: str
    """Who the person is (:func:`raci_gen.checks.people.identity`)."""
    accountable: Cell
    responsible: Cell


def sign_off_cells(matrix: Matrix, activity: Activity) -> tuple[list[Cell], list[Cell]]:
    """The cells of a sign-off that sign (A) and the cells that do the work (R); both empty for an activity
    that is no sign-off or a variant without a single owner apart from its doers."""
    variant = matrix.variant
    # the single owners that do not do the work (rules._common.signers; not imported: the rules import this)
    codes = tuple(c for c in variant.exactly_one if c not in variant.doers)
    if not activity.sign_off or not codes:
        return [], []
    signing = [cell for cell in activity.cells if any(code in cell.letters for code in codes)]
    doing = [cell for cell in activity.cells if any(code in cell.letters for code in variant.doers)]
    return signing, doing


def own_work(matrix: Matrix, key_of: Callable[[Person], str] | None = None) -> Iterator[OwnWork]:
    """Every person who fills both a signing role and another, doing role on a sign-off, in row order, then
    by the signing role's people; ``key_of`` says who is the same person (by default among this charter's
    people). A role that signs and does (``A/R``) is separate-sign-off's: its people are not reported again."""
    for _activity, found, _count in own_work_by_activity(matrix, key_of):
        yield from found


def own_work_by_activity(matrix: Matrix, key_of: Callable[[Person], str] | None = None) \
        -> Iterator[tuple[Activity, Iterator[OwnWork], int]]:
    """:func:`own_work` one sign-off at a time: the activity, its :class:`OwnWork` in order (made as they are
    taken) and how many there are.

    Who fills which role is worked out once per pair of roles, as sets of people, not person by person on
    every sign-off: two roles of 1,000 people each on 20 sign-offs took lint 33 s, and the work grew with the
    product of the two roles' people and the sign-offs. What is left on a sign-off grows with what it finds.
    """
    if key_of is None:
        key_of = identity(person for role in matrix.roles for person in role.people)
    # only the people in post on the day the matrix is read for (all of them on no day): someone who left
    # before the lint's day, or joins after it, signs nothing off then
    keyed: dict[str, list[tuple[str, Person]]] = {}  # role id -> (who, person), a person written twice once
    keys: dict[str, frozenset[str]] = {}
    for role in matrix.roles:
        seen: dict[str, Person] = {}
        for person in role.people:
            if person.in_post(matrix.as_of):
                seen.setdefault(key_of(person), person)
        keyed[role.id] = list(seen.items())
        keys[role.id] = frozenset(seen)
    shared: dict[tuple[str, str], list[int]] = {}

    def both(signer: str, doer: str) -> list[int]:
        """The places in the signing role's people of those who fill the doing role too, in order."""
        if (signer, doer) not in shared:
            common = keys.get(signer, frozenset()) & keys.get(doer, frozenset())
            shared[(signer, doer)] = [n for n, (key, _) in enumerate(keyed.get(signer, ())) if key in common] \
                if common else []
        return shared[(signer, doer)]

    for activity in matrix.activities():
        signing, doing = sign_off_cells(matrix, activity)
        places = [(accountable, [(responsible, both(accountable.role_id, responsible.role_id))
                                 for responsible in doing if responsible.role_id != accountable.role_id])
                  for accountable in signing]
        count = sum(len(found) for _, pairs in places for _, found in pairs)
        if count:
            yield activity, _in_order(activity, places, keyed), count


def _in_order(activity: Activity, places: list, keyed: dict[str, list[tuple[str, Person]]]) -> Iterator[OwnWork]:
    """The OwnWork of one sign-off: by signing cell, then by the signing role's people, then by doing cell."""
    for accountable, pairs in places:
        people = keyed[accountable.role_id]
        merged = heapq.merge(*(_tagged(found, k) for k, (_, found) in enumerate(pairs)))
        for n, k in merged:
            key, person = people[n]
            yield OwnWork(activity, person, key, accountable, pairs[k][0])


def _tagged(places: list[int], tag: int) -> Iterator[tuple[int, int]]:
    return ((place, tag) for place in places)

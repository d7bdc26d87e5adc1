"""Sign-offs kept apart from the work, as roles and as people (separation of duties, NIST SP 800-53 AC-5).

An activity marked ``sign-off: true`` is a gate: an approval, an acceptance, a go-live. Whoever answers for
it (the variant's single owner that does not do the work: A in RACI, D in RAPID) signs off what the doers
(R) did, so the sign-off is hollow when the two are the same: the same role (a cell ``A/R``) or the same
person filling both roles (from the roles' ``people:``; who is the same person: :mod:`raci_gen.checks.people`).
The lint rules separate-sign-off and separate-sign-off-people report them; the portfolio lists the people.
"""

from __future__ import annotations

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
    if key_of is None:
        key_of = identity(person for role in matrix.roles for person in role.people)
    # only the people in post on the day the matrix is read for (all of them on no day): someone who left
    # before the lint's day, or joins after it, signs nothing off then
    people = {role.id: tuple(p for p in role.people if p.in_post(matrix.as_of)) for role in matrix.roles}
    for activity in matrix.activities():
        signing, doing = sign_off_cells(matrix, activity)
        for accountable in signing:
            seen: set[str] = set()  # a person written twice in one role is one person
            for person in people.get(accountable.role_id, ()):
                key = key_of(person)
                if key in seen:
                    continue
                seen.add(key)
                for responsible in doing:
                    if responsible.role_id == accountable.role_id:
                        continue
                    if any(key_of(other) == key for other in people.get(responsible.role_id, ())):
                        yield OwnWork(activity, person, key, accountable, responsible)

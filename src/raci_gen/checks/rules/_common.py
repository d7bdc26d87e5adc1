"""Small helpers the rules share."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from raci_gen.model.matrix import Activity, Cell, Matrix, Variant

if TYPE_CHECKING:
    from raci_gen.checks.findings import Hit


def involved(cell: Cell, variant: Variant) -> tuple[str, ...]:
    """The letters of a cell that mean taking part (O in CAIRO does not)."""
    return tuple(code for code in cell.letters if code not in variant.not_involved)


def holders(activity: Activity, codes: tuple[str, ...]) -> list[Cell]:
    """The cells of an activity that hold any of ``codes``."""
    return [cell for cell in activity.cells if any(code in cell.letters for code in codes)]


def is_empty(activity: Activity, variant: Variant) -> bool:
    return not any(involved(cell, variant) for cell in activity.cells)


def letter_names(variant: Variant, codes: tuple[str, ...]) -> str:
    """``Accountable (A)``, ``Driver (D) or Approver (A)``, ``Accountable (A), Responsible (R) or Support (S)``."""
    names = [f"{variant.letter(c).name} ({c})" for c in codes]
    return " or ".join(names) if len(names) < 3 else ", ".join(names[:-1]) + " or " + names[-1]


def signers(variant: Variant) -> tuple[str, ...]:
    """The single-owner letters that do not do the work: A in RACI and DACI, D (Decide) in RAPID."""
    return tuple(c for c in variant.exactly_one if c not in variant.doers)


def process_owner(matrix: Matrix) -> str | None:
    """The id of the role that answers for the whole process, if there is one: it holds a signer letter
    (:func:`signers`) on every activity that has one. An ITIL incident matrix is built so; the role rules
    do not count those letters as load."""
    codes = set(signers(matrix.variant))
    if not codes:
        return None
    owner = None
    for activity in matrix.activities():
        holding = [cell.role_id for cell in activity.cells if codes.intersection(cell.letters)]
        if not holding:
            continue
        if len(holding) > 1 or (owner is not None and holding[0] != owner):
            return None
        owner = holding[0]
    return owner


def share(part: int, whole: int) -> str:
    return f"{part} of {whole} activities ({round(100 * part / whole) if whole else 0}%)"


def too_many(matrix: Matrix, codes: tuple[str, ...], limit: int, verb: str, why: str) -> Iterator["Hit"]:
    """Activities where more than ``limit`` roles hold one of ``codes``, pointing at the first one too many.

    The message reads: ``activity T1 VERB 4 roles (R1, R2, R3, R4) as NAMES; more than LIMIT WHY``.
    """
    from raci_gen.checks.findings import Hit

    if not codes:
        return
    names = letter_names(matrix.variant, codes)
    for activity in matrix.activities():
        cells = holders(activity, codes)
        if len(cells) > limit:
            ids = ", ".join(c.role_id for c in cells)
            yield Hit(activity, cells[limit].location,
                      f"activity {activity.id} {verb} {len(cells)} roles ({ids}) as {names}; more than {limit} {why}")

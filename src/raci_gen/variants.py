"""Letter sets: what each letter means and how it is coloured.

Defined once here and used by every renderer (legend, cell colours) and by the
loader (which letters are valid).
"""

from __future__ import annotations

from dataclasses import dataclass

from raci_gen.model import Letter


@dataclass(frozen=True)
class Variant:
    name: str
    letters: tuple[Letter, ...]
    order: str
    """The order letters are written in when a cell holds several (``A/R``, not ``R/A``)."""

    def codes(self) -> tuple[str, ...]:
        return tuple(letter.code for letter in self.letters)


RACI = Variant(
    name="RACI",
    letters=(
        Letter("R", "Responsible", "Does the work.", fill="#C9E7C0"),
        Letter("A", "Accountable", "Answers for the outcome and signs it off; exactly one per activity.", fill="#F5B69B"),
        Letter("C", "Consulted", "Asked for input before the work or decision (two-way).", fill="#BBD5EF"),
        Letter("I", "Informed", "Told about progress or the result (one-way).", fill="#E4E4E4"),
    ),
    order="ARCI",
)

VARIANTS: dict[str, Variant] = {"RACI": RACI}

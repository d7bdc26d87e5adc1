"""The cells of an activity's ``raci:`` map: each role checked against the project's roles and each cell's
letters against the variant's (:func:`parse_letters`), with the message that teaches the right spelling when a
cell is written the way spreadsheets do (letter names in words, N/A or a dash for "no part")."""

from __future__ import annotations

import difflib
import re

from raci_gen.input.validation import quoted
from raci_gen.input.yamlsource import Located
from raci_gen.model.errors import Problem
from raci_gen.model.matrix import Cell, Role, Variant
from raci_gen.model.patterns import LETTER_SEPARATORS
from raci_gen.model.variants import VARIANTS


def activity_cells(raci: dict[str, str], located: Located, path: tuple, roles: list[Role] | None,
                   variant: Variant | None, problems: list[Problem]) -> list[Cell]:
    """The cells of one activity; ``roles`` is None when they are not all known, ``variant`` when
    raci.yaml's is wrong (then the letters are not checked, and no cell is made)."""
    role_ids = {r.id for r in roles} if roles is not None else None
    cells = []
    for role_id, text in raci.items():
        key_where = located.key_at(path + (role_id,))
        where = located.at(path + (role_id,))
        if roles is not None and role_id not in role_ids:
            problems.append(Problem(key_where, f"unknown role {quoted(role_id)}; {_role_hint(role_id, roles)}"))
            continue
        if variant is None:
            continue
        letters = parse_letters(text, variant)
        if isinstance(letters, str):
            problems.append(Problem(where, letters))
            continue
        cells.append(Cell(role_id=role_id, letters=letters, location=key_where))
    return cells


def _role_hint(wrong: str, roles: list[Role]) -> str:
    """'did you mean ...?' naming the closest role id (or the role whose name was given),
    else the list of known ids."""
    folded = wrong.casefold().strip()
    by_name: dict[str, str] = {}
    for role in roles:
        by_name.setdefault(role.id.casefold(), role.id)
    for role in roles:
        for name in (role.name, *role.similar):
            by_name.setdefault(name.casefold().strip(), role.id)
    # difflib takes time in the product of the lengths: compare only what could be a typed name.
    close = difflib.get_close_matches(folded, [n for n in by_name if len(n) <= 100], n=1) \
        if len(folded) <= 100 else []  # an exact match comes first
    if close:
        return f"did you mean {by_name[close[0]]!r}?"
    return f"known roles: {', '.join(r.id for r in roles)}"


def parse_letters(text: str, variant: Variant) -> tuple[str, ...] | str:
    """Letters of a cell in the variant's writing order, or the reason they are not valid."""
    valid = variant.codes()
    expected = f"expected one or more of {', '.join(valid)}{_combinations_hint(variant)}"
    compact = LETTER_SEPARATORS.sub("", text)
    if not compact:
        return f"empty cell; {expected}, or leave the role out"
    if any(char not in valid for char in compact):
        lesson = _teach(text, variant)
        if lesson:
            return lesson
    seen: list[str] = []
    for char in compact:
        if char not in valid:
            shown = repr(char) if char.isprintable() else f"U+{ord(char):04X}"
            if compact != char:
                shown += f" in {quoted(text)}"
            hint = " (letters are upper case)" if char.upper() in valid else ""
            return f"{shown} is not a {variant.name} letter{hint}; {expected}"
        if char in seen:
            return f"letter {char!r} is given twice in {quoted(text)}; write each letter once"
        seen.append(char)
    return tuple(sorted(seen, key=variant.order.index))


def _combinations_hint(variant: Variant) -> str:
    """`` (A/R for accountable and doing the work)``: the variant's accepted combinations, in words."""
    said = []
    for combo in variant.combinations:
        ordered = sorted(combo, key=variant.order.index)
        if set(ordered) == {"A", "R"} and "R" in variant.doers:
            said.append("A/R for accountable and doing the work")
        else:
            said.append("/".join(ordered) + " for " + " and ".join(variant.letter(c).name.lower() for c in ordered))
    return f" ({'; '.join(said)})" if said else ""


def _other_variants_word(text: str, variant: Variant) -> str | None:
    """The letter name of another built-in variant that ``text`` is, such as Accountable in a DACI matrix."""
    folded = text.strip().casefold()
    for other in VARIANTS.values():
        for letter in other.letters:
            if letter.name.casefold() == folded:
                return f"{other.name}'s {letter.name}"
    return None


NO_PART = frozenset({"n/a", "na", "-", "--", "\u2013", "\u2014", "x", "none", "nil", "null", "no", "not involved"})
"""What spreadsheets use for "takes no part" (N/A, a dash, an en or em dash, an x); in YAML the role is left out."""
NAME_SEPARATORS = re.compile(r"\s*(?:[/,+&]|\band\b)\s*", re.IGNORECASE)


def _teach(text: str, variant: Variant) -> str | None:
    """The message for a cell written the way spreadsheets do: letter names in words, or a mark for "no part".

    Words are not accepted in place of letters (one spelling per cell keeps diffs and reviews plain); the
    message says which letters to write instead."""
    names = {letter.name.casefold(): letter.code for letter in variant.letters}
    cleaned = text.strip()
    parts = [cleaned] if cleaned.casefold() in names else NAME_SEPARATORS.split(cleaned)
    codes = [names.get(part.strip().casefold()) or (part.strip() if part.strip() in variant.codes() else None)
             for part in parts]
    if parts and all(codes) and any(part.strip().casefold() in names for part in parts):
        cell = "/".join(sorted(dict.fromkeys(codes), key=variant.order.index))
        if len(parts) == 1:
            return f"{quoted(text)} is the name of a {variant.name} letter; write the letter: {cell}"
        return f"{quoted(text)} names {variant.name} letters in words; write the letters: {cell}"
    borrowed = _other_variants_word(cleaned, variant)
    if borrowed:
        own = ", ".join(f"{letter.code} ({letter.name})" for letter in variant.letters)
        return f"{quoted(text)} is {borrowed}, not a {variant.name} letter; write one of {own}"
    if cleaned.casefold() in NO_PART and not all(char.upper() in variant.codes() for char in cleaned if
                                                 char.isalpha()) or cleaned.casefold() in NO_PART - {"x"}:
        absent = variant.not_involved
        out = (f", or write {' or '.join(absent)} to record it" if absent else "")
        return (f"{quoted(text)} is not a {variant.name} letter; to say the role takes no part in this activity, "
                f"leave the role out of its raci{out}")
    return None

r"""No text hides characters that change what a reader sees.

Names and descriptions are read by people, in a terminal, a wiki, a PDF, a
spreadsheet, and reviewed in a pull request. Some characters show nothing, or
reorder the text around them, so that a reviewer approves text other than what
is there: the bidi embeddings, overrides and isolates (U+202A–U+202E,
U+2066–U+2069, "Trojan Source", CVE-2021-42574), zero-width spaces, a byte order
mark inside text, other invisible format characters (Unicode category Cf),
Hangul fillers, and terminal control characters (ESC, BEL, C1).

Kept, because they show or languages need them: line feeds and tabs; the
zero-width joiner and non-joiner between two characters (emoji sequences,
Persian, Indic scripts); the left-to-right, right-to-left and Arabic letter
marks in text that has right-to-left letters; tag characters after a flag.

Passes::

    name: "Data Scientist"
    name: "مهندس بيانات"

Fails::

    name: "Data \u202eScientist"      # a right-to-left override
    name: "Prod\u200buct Owner"        # a zero-width space
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterator

from raci_gen.checks.findings import Hit
from raci_gen.model.matrix import Matrix, matrix_texts

ID = "hidden-character"
SEVERITY = "error"
OPTIONS: dict[str, object] = {}
SUMMARY = "No name or description holds a bidi control, an invisible character or a terminal control character."

_OVERRIDES = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_MARKS = set("\u200e\u200f\u061c")
_JOINERS = set("\u200c\u200d")
_FILLERS = set("\u115f\u1160\u3164\uffa0")
_BLACK_FLAG = "\U0001f3f4"


def _is_tag(char: str) -> bool:
    return "\U000e0020" <= char <= "\U000e007f"


_ASCII_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def hidden(text: str, multiline: bool) -> Iterator[tuple[int, str]]:
    """(index, character) of each character in ``text`` that the rule reports."""
    if text.isascii() and not _ASCII_CONTROL.search(text):
        return  # most texts: plain ASCII holds nothing hidden but control characters (looked at per character below)
    right_to_left = any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)
    for index, char in enumerate(text):
        code = ord(char)
        if char in "\n\t":  # seen for what they are; the reports and documents keep each text on its line
            continue
        if code < 0x20 or 0x7F <= code <= 0x9F or char in _OVERRIDES or char in _FILLERS:
            yield index, char
        elif char in _MARKS:
            if not right_to_left:
                yield index, char
        elif char in _JOINERS:
            if not (0 < index < len(text) - 1 and not text[index - 1].isspace() and not text[index + 1].isspace()):
                yield index, char
        elif _is_tag(char):
            before = text[:index].rstrip("".join(chr(c) for c in range(0xE0020, 0xE0080)))
            if not before.endswith(_BLACK_FLAG):
                yield index, char
        elif unicodedata.category(char) in ("Cf", "Zl", "Zp"):
            yield index, char


def describe(char: str) -> str:
    """``U+202E RIGHT-TO-LEFT OVERRIDE, a bidi control that ...``: the code point, its name, what it does."""
    code = f"U+{ord(char):04X}"
    if unicodedata.category(char) == "Cc":
        return f"{code}, a control character that a terminal acts on instead of showing"
    name = unicodedata.name(char, "")
    if char in _OVERRIDES:
        return f"{code} {name}, a bidi control that shows the text after it in another order than it is"
    return f"{code} {name}, an invisible character"


def check(matrix: Matrix, options: dict) -> Iterator[Hit]:
    for subject, location, what, field, text, multiline in matrix_texts(matrix):
        found = list(hidden(text, multiline))
        if not found:
            continue
        index, char = found[0]
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        yield Hit(subject, location,  # type: ignore[arg-type] - a phase's stand-in has no lint-ignore either
                  f"{what} {field}: character {index + 1} is {describe(char)}{more}; remove it")

"""The forms of ids and cells, declared once: the loader checks them, the JSON Schemas carry them."""

from __future__ import annotations

import re

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}\Z")  # \Z: "$" would let "R1\n" through
"""Ids are 1 to 32 ASCII letters, digits, '.', '_' or '-', starting with a letter or digit."""
LETTER_SEPARATORS = re.compile(r"[\s/,+&]+")
"""What may stand between the letters of a cell: ``A/R``, ``A R``, ``A,R``, ``A+R``, ``A&R`` (or nothing: ``AR``)."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""OWASP's characters that make a spreadsheet read a text as a formula."""
_FORMULA_LIKE = re.compile(
    # After any blank or invisible lead-in (spaces, NBSP, line breaks, zero-width characters, BOM,
    # other Unicode spaces), a formula start, or its full-width or small form (＝ ﹦ ＋ ﹢ － ﹣ ＠ ﹫),
    # which some spreadsheets fold to the ASCII one.
    "^[\\s\u00a0\u180e\u200b-\u200f\u2028-\u202f\u205f-\u206f\u3000\ufeff]*"
    "[=+\\-@\t\r\uff1d\ufe66\uff0b\ufe62\uff0d\ufe63\uff20\ufe6b\u2212]")


def formula_like(text: str) -> bool:
    """Whether a spreadsheet could take ``text`` for a formula, so that it needs the quote prefix.

    One test for every place that writes text a spreadsheet opens: the workbook's quotePrefix,
    the CSV's leading ``'``, and ``raci-gen import`` taking that ``'`` off again.
    """
    return bool(_FORMULA_LIKE.match(text))

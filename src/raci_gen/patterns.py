"""The forms of ids and cells, declared once: the loader checks them, the JSON Schemas carry them."""

from __future__ import annotations

import re

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}\Z")  # \Z: "$" would let "R1\n" through
"""Ids are 1 to 32 ASCII letters, digits, '.', '_' or '-', starting with a letter or digit."""
LETTER_SEPARATORS = re.compile(r"[\s/,+&]+")
"""What may stand between the letters of a cell: ``A/R``, ``A R``, ``A,R``, ``A+R``, ``A&R`` (or nothing: ``AR``)."""

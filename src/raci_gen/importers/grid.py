"""Tables in a grid of cells (a CSV file, a worksheet): blocks of rows between blank rows.

A sheet often holds a title, a legend table and the matrix, one under the other,
separated by blank rows. A block that starts with letters in its cells is no new
table but the rest of the one before (a matrix with a blank row inside).
"""

from __future__ import annotations

from typing import Callable

from raci_gen.importers.table import SourceCell, SourceTable

LETTERISH = frozenset("RACIDSVOP")


def split_grid(rows: list[list[SourceCell]], where_of_block: Callable[[int, int, int, int], str],
               title: str | None = None, stamp: str | None = None) -> list[SourceTable]:
    """Tables of ``rows`` (all the same width); ``where_of_block(first_row, last_row, first_col, last_col)``
    names a block (0-based indexes)."""
    blocks: list[tuple[int, int]] = []
    start = None
    for i, row in enumerate(rows + [[]]):
        blank = not any(c.text for c in row)
        if blank and start is not None:
            blocks.append((start, i))
            start = None
        elif not blank and start is None:
            start = i
    merged: list[tuple[int, int]] = []
    for first, end in blocks:
        if merged and _continues(rows[first]):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((first, end))
    tables = []
    for first, end in merged:
        block = [r for r in rows[first:end] if any(c.text for c in r)]
        used = [j for j in range(len(block[0])) if any(r[j].text for r in block)]
        lo, hi = used[0], used[-1]
        trimmed = tuple(tuple(r[lo:hi + 1]) for r in block)
        tables.append(SourceTable(len(tables) + 1, where_of_block(first, end - 1, lo, hi), trimmed,
                                  title=title, stamp=stamp))
    return tables


def _continues(row: list[SourceCell]) -> bool:
    """Whether a row reads as matrix cells (short letter codes) rather than as a header (which names its
    columns: ID, Activity, Phase)."""
    from raci_gen.importers.core import _kind

    if any(_kind(c.text) for c in row if c.text):
        return False
    short = [c.text for c in row if c.text and len(c.text) <= 3 and set(c.text.upper()) <= LETTERISH | set("/, ")]
    return len(short) >= 2

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
               title: str | None = None, stamp: str | None = None, part: str | None = None) -> list[SourceTable]:
    """Tables of ``rows`` (all the same width); ``where_of_block(first_row, last_row, first_col, last_col)``
    names a block (0-based indexes).

    Blank rows part blocks, except inside a matrix: a block with no header of its own whose rows hold
    letters (the next phase, perhaps under its phase row) continues the one before. A block is then cut
    at the columns empty all down it (a legend beside the matrix is a table of its own)."""
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
    lettered = False  # whether the last merged block holds a row of letters: known as blocks join, so one pass
    for first, end in blocks:
        block = rows[first:end]
        if merged and (_starts_with_letters(rows[first]) or lettered and _continues(block)):
            merged[-1] = (merged[-1][0], end)
            lettered = lettered or _lettered(block)
        else:
            merged.append((first, end))
            lettered = _lettered(block)
    tables = []
    for first, end in merged:
        block = [r for r in rows[first:end] if any(c.text for c in r)]
        used = [j for j in range(len(block[0])) if any(r[j].text for r in block)]
        # Runs of used columns: an empty column all down the block parts two tables.
        runs: list[list[int]] = []
        for j in used:
            if runs and j == runs[-1][-1] + 1:
                runs[-1].append(j)
            else:
                runs.append([j])
        for run in runs:
            lo, hi = run[0], run[-1]
            trimmed = tuple(tuple(r[lo:hi + 1]) for r in block if any(c.text for c in r[lo:hi + 1]))
            tables.append(SourceTable(len(tables) + 1, where_of_block(first, end - 1, lo, hi), trimmed,
                                      title=title, stamp=stamp, part=part))
    return tables


def _letter_cells(row: list[SourceCell]) -> int:
    return sum(1 for c in row if c.text and len(c.text) <= 3 and set(c.text.upper()) <= LETTERISH | set("/, "))


def _starts_with_letters(row: list[SourceCell]) -> bool:
    """A block whose first row is matrix cells (short letter codes) and names no column (a matrix with a
    blank row inside)."""
    from raci_gen.importers.core import _kind

    return not any(_kind(c.text) for c in row if c.text) and _letter_cells(row) >= 2


def _lettered(block: list[list[SourceCell]]) -> bool:
    return any(_letter_cells(r) >= 2 for r in block)


def _continues(block: list[list[SourceCell]]) -> bool:
    """Whether a block reads as more rows of a matrix (short letter codes in rows, perhaps under a phase
    row) rather than as a table of its own, which starts with a header naming its columns (ID, Activity,
    Phase)."""
    from raci_gen.importers.core import _kind

    if any(_kind(c.text) for c in block[0] if c.text):
        return False
    return _lettered(block)

"""CSV and TSV, read with the standard library's csv module; the delimiter is sniffed (``,`` ``;`` tab ``|``).

A leading ``'`` before ``=``, ``+``, ``-``, ``@`` is the quote prefix spreadsheets
(and ``raci-gen build --format csv``) put before text that would read as a formula;
it is removed again.
"""

from __future__ import annotations

import csv
import io

from raci_gen.importers.grid import split_grid
from raci_gen.model.patterns import formula_like
from raci_gen.importers.table import (
    CellBudget, ReadOptions, SourceCell, SourceError, SourceTable, check_cell_text, decode_text, grid_size,
)

DELIMITERS = ",;\t|"
SNIFF_CHARS = 16_384
"""What the delimiter is sniffed from: the first whole lines within this many characters (at most 50 lines)."""
SNIFF_LINE = 2_048
"""Each sniffed line is cut to this length. csv.Sniffer's quote pattern takes time in the square of a line's
length (a line of ``,"a`` repeated: 4 KiB 0.1 s, 16 KiB 1.6 s, 48 KiB 11 s), so a sample of 16 KiB in lines
of 2 KiB costs at most about 0.25 s. A header of 40 roles spelled ``R1 (Business Stakeholder)`` is 1.2 KB."""


def read_csv(data: bytes, shown: str, options: ReadOptions, tab: bool = False) -> list[SourceTable]:
    text = decode_text(data, shown)
    delimiter = "\t" if tab else _sniff(text)
    budget = CellBudget(shown)
    rows: list[list[SourceCell]] = []
    width = 0
    # A cell's length is checked here, with its row and column, after its spaces are stripped (so the
    # csv module's own limit, which names neither, must not stop it first); the file's size bounds a field.
    previous_limit = csv.field_size_limit(max(len(text) + 1, csv.field_size_limit()))
    try:
        for i, record in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)):
            # Counted before the row's cells are made: the table is held padded to its widest row.
            held_before = len(rows) * width
            width = max(width, len(record))
            held, how = grid_size(len(rows) + 1, width)
            budget.grow(held_before, held, f"row {i + 1}", how)
            row = []
            for j, value in enumerate(record):
                where = f"row {i + 1}, column {j + 1}"
                value = value.strip()
                if value.startswith("'") and formula_like(value[1:]):
                    value = value[1:]
                row.append(SourceCell(check_cell_text(value, shown, where), where))
            rows.append(row)
    except csv.Error as exc:
        raise SourceError(f"{shown}: row {len(rows) + 1}: error: not readable as CSV: {exc}") from None
    finally:
        csv.field_size_limit(previous_limit)
    rows = [r + [SourceCell("", f"row {i + 1}, column {j + 1}") for j in range(len(r), width)]
            for i, r in enumerate(rows)]
    return split_grid(rows, lambda first, last, lo, hi: f"row {first + 1}", part=shown)


def read_tsv(data: bytes, shown: str, options: ReadOptions) -> list[SourceTable]:
    return read_csv(data, shown, options, tab=True)


def sniff_sample(text: str) -> str:
    """The lines the delimiter is sniffed from: at most 50, whole lines within SNIFF_CHARS, each cut to
    SNIFF_LINE (a first line longer than SNIFF_CHARS is cut too)."""
    head = text[:SNIFF_CHARS]
    lines = head.splitlines()
    if len(head) < len(text) and len(lines) > 1 and not head.endswith(("\n", "\r")):
        lines.pop()  # cut off by SNIFF_CHARS
    return "\n".join(line[:SNIFF_LINE] for line in lines[:50])


def _sniff(text: str) -> str:
    sample = sniff_sample(text)
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","

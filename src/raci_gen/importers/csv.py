"""CSV and TSV, read with the standard library's csv module; the delimiter is sniffed (``,`` ``;`` tab ``|``).

A leading ``'`` before ``=``, ``+``, ``-``, ``@`` is the quote prefix spreadsheets
(and ``raci-gen build --format csv``) put before text that would read as a formula;
it is removed again.
"""

from __future__ import annotations

import csv
import io

from raci_gen.importers.grid import split_grid
from raci_gen.patterns import formula_like
from raci_gen.importers.table import (
    MAX_CELL_TEXT, CellBudget, ReadOptions, SourceCell, SourceError, SourceTable, check_cell_text, decode_text,
)

DELIMITERS = ",;\t|"


def read_csv(data: bytes, shown: str, options: ReadOptions, tab: bool = False) -> list[SourceTable]:
    text = decode_text(data, shown)
    delimiter = "\t" if tab else _sniff(text)
    budget = CellBudget(shown)
    rows: list[list[SourceCell]] = []
    csv.field_size_limit(MAX_CELL_TEXT * 4)
    try:
        for i, record in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)):
            budget.take(max(1, len(record)))
            row = []
            for j, value in enumerate(record):
                where = f"row {i + 1}, column {j + 1}"
                value = value.strip()
                if value.startswith("'") and formula_like(value[1:]):
                    value = value[1:]
                row.append(SourceCell(check_cell_text(value, shown, where), where))
            rows.append(row)
    except csv.Error as exc:
        raise SourceError(f"{shown}: error: not readable as CSV: {exc}") from None
    width = max((len(r) for r in rows), default=0)
    rows = [r + [SourceCell("", f"row {i + 1}, column {j + 1}") for j in range(len(r), width)]
            for i, r in enumerate(rows)]
    return split_grid(rows, lambda first, last, lo, hi: f"row {first + 1}")


def read_tsv(data: bytes, shown: str, options: ReadOptions) -> list[SourceTable]:
    return read_csv(data, shown, options, tab=True)


def _sniff(text: str) -> str:
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","

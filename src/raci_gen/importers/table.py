"""What every source reader produces: tables of cells that remember where they were.

A reader (one module per source format) turns a file into :class:`SourceTable`s;
the core (:mod:`raci_gen.importers.core`) never sees the file format, only these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from raci_gen.model.errors import RaciError

MAX_SOURCE_BYTES = 20 * 1024 * 1024
"""Largest source file read (an xlsx is counted unpacked, see the xlsx reader)."""
MAX_CELLS = 200_000
"""Most cells in all the tables of one source; a RACI matrix of 5,000 activities × 40 roles fits."""
MAX_CELL_TEXT = 5_000
"""Longest text in one cell (the loader's limit on a description)."""
MAX_RAW_CELL = 16 * MAX_CELL_TEXT
"""Characters read for one cell or heading before its markup (Markdown) or its spaces, line breaks and
indentation (HTML) are taken out: what a reader holds of a cell before its text is measured."""


class SourceError(RaciError):
    """A source that cannot be imported: ``SOURCE: error: ...``; nothing is written."""


@dataclass(frozen=True)
class SourceCell:
    text: str
    """The cell's text, markup removed, runs of white space made one space (line breaks kept as ``\\n``)."""
    where: str
    """Where a person finds the cell in the source: ``line 14, column 3``, ``Sheet1!C5``, ``row 5, column 3``."""
    bold: bool = False
    """The whole text is bold (a phase row, in many wiki tables)."""
    link: str | None = None
    """The target of a link the cell holds."""
    hidden: str = ""
    """In a workbook: ``row`` or ``column`` when the cell's row or column is hidden (``row and column`` both);
    ``grouped`` when its row is only folded away in an outline group."""


@dataclass(frozen=True)
class SourceTable:
    number: int
    """Position of the table in the source, 1-based (what ``--table N`` counts)."""
    where: str
    """Where the table starts: ``line 12``, ``sheet 'Matrix' A4:J50``, ``row 3``."""
    rows: tuple[tuple[SourceCell, ...], ...]
    """The rows, all of the same length, the header row first."""
    heading: str | None = None
    """The heading just before the table (a phase name in many wiki pages)."""
    title: str | None = None
    """The title of the whole source (its first heading, a workbook's title), if it has one."""
    stamp: str | None = None
    """raci-gen's provenance stamp, when the source is a document raci-gen built."""
    beside: tuple[int, ...] = ()
    """The numbers of the tables joined to the right of this one (see :func:`join_side_by_side`)."""
    part: str | None = None
    """The sheet (or CSV file) a block of a grid was cut from: the other blocks of the same part are the
    chosen table's surroundings (a title above, a legend or footnote below or beside), which an import reads
    or lists as left out. None for Markdown and HTML, whose text around a table is prose."""


KEY_COLUMNS = 2
"""The leading columns (id and name, as a wide matrix repeats them) that tables split by role columns share."""


def join_side_by_side(tables: list[SourceTable]) -> list[SourceTable]:
    """Tables that continue each other to the right, joined into one.

    A matrix too wide for a page is often split into several tables that repeat the same rows
    (raci-gen's own HTML and PDF do it, as do many printed charters): each holds the same first
    columns (id, activity) on every row, then a different set of roles. Reading only one of them
    would lose the others' roles, so consecutive tables that share the first two columns row by
    row and whose other headers are all different are read as one table.
    """
    joined: list[SourceTable] = []
    for table in tables:
        previous = joined[-1] if joined else None
        if previous is not None and _continues(previous, table):
            rows = tuple(left + right[KEY_COLUMNS:] for left, right in zip(previous.rows, table.rows))
            joined[-1] = SourceTable(previous.number, previous.where, rows, previous.heading, previous.title,
                                     previous.stamp, previous.beside + (table.number,), previous.part)
        else:
            joined.append(table)
    return joined


def _continues(left: SourceTable, right: SourceTable) -> bool:
    if len(left.rows) < 2 or len(left.rows) != len(right.rows) or len(right.rows[0]) <= KEY_COLUMNS:
        return False
    if any(len(row) < KEY_COLUMNS for row in left.rows):
        return False
    keys = lambda row: tuple(c.text.casefold() for c in row[:KEY_COLUMNS])  # noqa: E731
    if any(keys(a) != keys(b) for a, b in zip(left.rows, right.rows)):
        return False
    if not any(c.text for row in left.rows[1:] for c in row[:KEY_COLUMNS]):
        return False  # nothing names the rows, so nothing says they are the same rows
    left_heads = {c.text.casefold() for c in left.rows[0][KEY_COLUMNS:]}
    right_heads = [c.text.casefold() for c in right.rows[0][KEY_COLUMNS:]]
    return all(h and h not in left_heads for h in right_heads) and len(set(right_heads)) == len(right_heads)


@dataclass(frozen=True)
class ReadOptions:
    sheet: str | None = None
    range: str | None = None


@dataclass
class CellBudget:
    """Counts the cells a reader will hold, before it holds them, and stops a source that holds too many.

    A table is held padded: every row as wide as its widest (the rows of a ``SourceTable`` are all of
    one length), so a reader counts rows x widest row, not the cells the source spells out: one row of
    20,000 columns over 20,000 short rows is 400 million cells, though the file is 300 KB.
    """

    shown: str
    used: int = 0
    limit: int = MAX_CELLS

    def take(self, n: int = 1, where: str | None = None) -> None:
        self.used += n
        if self.used > self.limit:
            self.refuse(where)

    def grow(self, before: int, after: int, where: str, how: str = "") -> None:
        """A table that held ``before`` cells now holds ``after`` (a longer row widens every row)."""
        self.used += after - before
        if self.used > self.limit:
            self.refuse(where, how)

    def refuse(self, where: str | None = None, how: str = "") -> None:
        place = f"{self.shown}: {where}" if where else self.shown
        how = f" ({how})" if how else ""
        raise SourceError(f"{place}: error: more than {self.limit:,} cells in the tables: {self.used:,} by here{how}; "
                          "a RACI matrix is smaller")


def grid_size(rows: int, width: int) -> tuple[int, str]:
    """Cells of a table of ``rows`` rows padded to ``width`` columns, and how that figure is made."""
    return rows * width, f"{rows:,} rows x {width:,} columns, each row padded to the widest"


PROVENANCE = re.compile(r"raci-gen-provenance\s(\{.*?\})\s*-->", re.S)
"""The richer stamp in raci-gen's Markdown and HTML (an HTML comment holding JSON), where a build writes it;
Markdown's JSON goes across lines (as provenance.comment writes it)."""


def stamp_from_json(text: str | None) -> str | None:
    """``raci-gen VERSION · input DIGEST`` from a JSON provenance stamp, or None when it is not one."""
    import json

    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("generator") != "raci-gen" or not isinstance(data.get("inputs"), str):
        return None
    return f"raci-gen {data.get('version')} · input {data['inputs']}"


def text_stamp(text: str) -> str | None:
    match = PROVENANCE.search(text[:65536])
    return stamp_from_json(match.group(1)) if match else None


def check_cell_text(text: str, shown: str, where: str) -> str:
    if len(text) > MAX_CELL_TEXT:
        raise SourceError(f"{shown}: {where}: error: cell of {len(text):,} characters cannot be read; "
                           f"the limit is {MAX_CELL_TEXT:,}")
    return text


def rectangular(rows: list[list[SourceCell]], where_of) -> tuple[tuple[SourceCell, ...], ...]:
    """Rows padded with empty cells to the longest row's length; ``where_of(r, c)`` names a padding cell."""
    width = max((len(r) for r in rows), default=0)
    return tuple(tuple(row) + tuple(SourceCell("", where_of(i, j)) for j in range(len(row), width))
                 for i, row in enumerate(rows))


def read_limited(path: str, shown: str, limit: int = MAX_SOURCE_BYTES) -> bytes:
    """The bytes of the regular file the user named, at most ``limit`` of them.

    The file is opened non-blocking and checked with fstat before a byte is read, so a FIFO,
    a socket or a device named as the source is refused at once instead of hanging the import
    (a plain open() of a FIFO waits for a writer forever). Links are followed: the user named
    the source on the command line, and nothing is written through it.
    """
    import os
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise SourceError(f"{shown}: error: file not found") from None
    except OSError as exc:
        raise SourceError(f"{shown}: error: cannot read: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as fh:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise SourceError(f"{shown}: error: is a folder; expected a .md, .csv, .tsv, .xlsx or .html file")
        if not stat.S_ISREG(mode):
            raise SourceError(f"{shown}: error: is not a regular file ({_file_kind(mode)}); "
                              "expected a .md, .csv, .tsv, .xlsx or .html file")
        size = os.fstat(fd).st_size
        if size > limit:
            raise SourceError(f"{shown}: error: file of {size / 1048576:.1f} MiB is too large to import; "
                              f"the limit is {limit // 1048576} MiB")
        try:
            data = fh.read(limit + 1)
        except OSError as exc:
            raise SourceError(f"{shown}: error: cannot read: {exc.strerror}") from None
    if len(data) > limit:  # grew while it was read
        raise SourceError(f"{shown}: error: file is too large to import; the limit is {limit // 1048576} MiB")
    return data


def _file_kind(mode: int) -> str:
    import stat

    for test, kind in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device")):
        if test(mode):
            return kind
    return "not a file"


def decode_text(data: bytes, shown: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 (what old spreadsheets export)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise SourceError(f"{shown}: error: not valid UTF-16 text") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if b"\x00" in data:
        raise SourceError(f"{shown}: error: binary file, not text; expected a .md, .csv, .tsv, .xlsx or .html file")
    return data.decode("cp1252", errors="replace")

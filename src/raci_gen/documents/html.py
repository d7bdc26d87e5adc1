"""One self-contained HTML page; also the source of the PDF.

The template gets, besides the document, a :class:`MatrixLayout`: how the role
columns of the matrix are split into tables that fit the printed page, how wide
the activity column is, and whether the role headers are turned on their side.
It is computed here, from the page size and the length of the names, because
the PDF cannot scroll sideways and WeasyPrint cannot measure text for us before
layout; the figures are estimates with a margin, in millimetres.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

from raci_gen.model.matrix import Role
from raci_gen.documents.document import Document
from raci_gen.documents.templating import LONG_RUN, render_template

TEMPLATE = "raci.html.j2"

PAGE_WIDTH_MM = {"A4": 297.0, "Letter": 279.4}
"""Landscape page widths."""
SIDE_MARGINS_MM = 24.0
"""Left plus right page margin (raci.css: 12 mm each)."""
ID_MM = 14.0
"""The ID column at its narrowest; wider when the longest activity id needs it (:func:`id_column_mm`)."""
ID_MONO_CHAR_MM = 7.5 * 0.602 * 25.4 / 72
"""One character of an activity id: DejaVu Sans Mono (advance 0.602 em) at 7.5pt (raci.css, th.aid)."""
ID_CELL_PAD_MM = 6.0 * 25.4 / 72 + 0.6
"""The id cell's padding (3pt each side) and borders, with a little to spare."""
ACTIVITY_MM = (80.0, 95.0)
"""The activity column beside role headers written across: narrowest and widest. Role columns wide enough
for names across leave room for 8 roles beside an activity column at its narrowest."""
ACTIVITY_TURNED_MM = (58.0, 120.0)
"""The activity column beside turned role headers, which leave it more room."""
ROLE_MIN_MM = 14.0
"""The narrowest role column: a bold "A/R" and its padding, with room to spare. A4 landscape takes
14 such columns beside the ID and activity columns, Letter 13."""
ROLE_COMFORT_MM = 22.0
"""A role column this wide takes its name across, in a few short lines."""
ROLE_TURNED_MM = 16.0
"""The width a role column with a turned header is given when there is room."""
TURN_BELOW_MM = 20.0
"""Role columns narrower than this get their header turned on its side."""
TURNED_MM = (24.0, 62.0)
"""The height of a turned header: least and most."""
CELL_PAD_MM = 1.6
"""Horizontal padding of a header cell, both sides together."""
# Text widths, estimated for DejaVu Sans (a wide face) at the header's sizes; 0.6 em a character.
ID_CHAR_MM = 8.0 * 0.62 * 25.4 / 72      # the role id, bold 8pt
NAME_CHAR_MM = 7.0 * 0.6 * 25.4 / 72     # the role name, 7pt
PEOPLE_CHAR_MM = 6.0 * 0.6 * 25.4 / 72   # the people, 6pt
ID_LINE_MM, NAME_LINE_MM, PEOPLE_LINE_MM = 3.4, 2.9, 2.5
HORIZONTAL_LINES = 5
"""A name needing more lines than this across its column is turned on its side instead."""
CHART_ROLES = 36
"""Roles per workload chart (16 px a bar): a taller chart would not fit on a landscape page."""
HEADER_TEXT_CHARS = 60
"""The most characters of a role's name, and of its people, that the matrix's column header shows; a longer
one is cut there with an ellipsis (the roles table and the role's section show it whole, the HTML's header
as a tooltip). Every page of a matrix table repeats its header: names of 300 characters made headers too tall
to share a page with many roles, 2 roles a table instead of 14, and a 300 x 200 PDF of 5,669 pages."""


@dataclass(frozen=True)
class RoleChunk:
    """The role columns of one matrix table."""

    roles: tuple[Role, ...]
    number: int
    """1-based."""
    count: int
    """How many tables the matrix is split into."""
    activity_mm: float
    """Width of the activity column."""
    turned: bool
    """Whether the role headers are turned on their side (narrow columns)."""
    header_mm: float
    """Height of the turned header labels (0 when not turned)."""
    column_mm: float = ROLE_MIN_MM
    """Width of each role column on the page. On a screen narrower than the page the columns keep it and the
    table scrolls sideways in its box (raci.css), instead of squeezing the letters out of their cells."""

    @property
    def name_chars(self) -> int:
        """Characters of a role's name that a line of its header holds, with a margin (the PDF keeps a
        hyphenated word that fits whole: templating.name_breakable)."""
        line_mm = self.header_mm if self.turned else self.column_mm - CELL_PAD_MM
        return max(1, int(line_mm / (NAME_CHAR_MM * 1.15)))

    @property
    def first(self) -> Role:
        return self.roles[0]

    @property
    def last(self) -> Role:
        return self.roles[-1]


@dataclass(frozen=True)
class MatrixLayout:
    chunks: tuple[RoleChunk, ...]
    chart_chunks: tuple[tuple[Role, ...], ...]
    """Roles per workload chart."""
    id_mm: float = ID_MM
    """Width of the ID column: the longest activity id on one line (raci.css keeps ids from wrapping)."""
    role_id_mm: float = ID_MM
    """Width of the Roles table's ID column in the PDF: the longest role id on one line (:func:`role_id_column_mm`)."""

    @staticmethod
    def header_text(text: str) -> str:
        """A role's name or people as the matrix header shows them (:func:`header_text`)."""
        return header_text(text)


def id_column_mm(document: Document) -> float:
    """The ID column's width: the longest activity id in the monospaced face, with a tenth to spare for a
    fallback face, rounded up to half a millimetre; never narrower than :data:`ID_MM`."""
    longest = max((len(a.id) for a in document.matrix.activities()), default=0)
    return max(ID_MM, math.ceil((longest * ID_MONO_CHAR_MM * 1.1 + ID_CELL_PAD_MM) * 2) / 2)


ROLE_ID_CHAR_MM = 8.5 * 0.78 * 25.4 / 72
"""One character of a role id in the Roles table: DejaVu Sans Bold at 8.5pt, whose capitals and digits
advance 0.70-0.84 em (an M or W the most)."""
ROLE_ID_PAD_MM = 8.0 * 25.4 / 72 + 0.6
"""The role id cell's padding (4pt each side), with a little to spare."""


def role_id_column_mm(document: Document) -> float:
    """The Roles table's ID column in the PDF: the longest role id on one line, rounded up to half a
    millimetre; never narrower than :data:`ID_MM`. An id of 32 characters (the most) takes 78.5 mm, which the
    description column gives up: a hyphenated id broken over two lines reads as two ids."""
    longest = max((len(r.id) for r in document.matrix.roles), default=0)
    return max(ID_MM, math.ceil((longest * ROLE_ID_CHAR_MM + ROLE_ID_PAD_MM) * 2) / 2)


def header_text(text: str) -> str:
    """``text`` as the matrix header shows it: at most :data:`HEADER_TEXT_CHARS` characters, the last an
    ellipsis when it is cut."""
    if len(text) <= HEADER_TEXT_CHARS:
        return text
    return text[:HEADER_TEXT_CHARS - 1].rstrip() + "\u2026"


def _longest_word(text: str) -> int:
    # breakable() puts a line-break opportunity every LONG_RUN characters of a longer word
    return min(max((len(word) for word in text.split()), default=0), LONG_RUN)


def _lines(text: str, char_mm: float, line_mm: float) -> int:
    """Lines that ``text`` takes in a box ``line_mm`` wide, with a margin for word wrapping."""
    if not text:
        return 0
    if line_mm <= 0:
        return 99
    return max(1, math.ceil(len(text) * char_mm * 1.15 / line_mm))


def _turned(document: Document, roles: tuple[Role, ...], column_mm: float) -> float | None:
    """The header height that shows every label of ``roles`` turned in a column ``column_mm`` wide,
    or None when no height up to the largest does."""
    inner = column_mm - CELL_PAD_MM
    for height in range(int(TURNED_MM[0]), int(TURNED_MM[1]) + 1, 2):
        line = height - 2.0
        fits = True
        for role in roles:
            name, people = header_text(role.name), header_text(document.people(role))
            if (_longest_word(name) * NAME_CHAR_MM > line or min(len(role.id), LONG_RUN) * ID_CHAR_MM > line
                    or _longest_word(people) * PEOPLE_CHAR_MM > line):
                fits = False
                break
            across = (_lines(role.id, ID_CHAR_MM, line) * ID_LINE_MM + _lines(name, NAME_CHAR_MM, line)
                      * NAME_LINE_MM + _lines(people, PEOPLE_CHAR_MM, line) * PEOPLE_LINE_MM)
            if across > inner:
                fits = False
                break
        if fits:
            return float(height)
    return None


def _across_fits(document: Document, roles: tuple[Role, ...], column_mm: float) -> bool:
    """Whether every label of ``roles`` reads well across a column ``column_mm`` wide."""
    inner = column_mm - CELL_PAD_MM
    for role in roles:
        name = header_text(role.name)
        if (_longest_word(name) * NAME_CHAR_MM > inner or min(len(role.id), LONG_RUN) * ID_CHAR_MM > inner
                or _lines(name, NAME_CHAR_MM, inner) > HORIZONTAL_LINES):
            return False
    return True


def _clamp(value: float, bounds: tuple[float, float]) -> float:
    return min(max(value, bounds[0]), bounds[1])


def _split(items: tuple, size: int) -> list[tuple]:
    """``items`` in as few runs of at most ``size`` as possible, of sizes that differ by one at most."""
    if not items:
        return [()]
    count = math.ceil(len(items) / size)
    base, extra = divmod(len(items), count)
    runs, start = [], 0
    for i in range(count):
        end = start + base + (1 if i < extra else 0)
        runs.append(items[start:end])
        start = end
    return runs


def matrix_layout(document: Document) -> MatrixLayout:
    """Split the role columns into tables that fit the page width, and size their headers."""
    roles = document.matrix.roles
    id_mm = id_column_mm(document)
    usable = PAGE_WIDTH_MM.get(document.page, PAGE_WIDTH_MM["A4"]) - SIDE_MARGINS_MM
    for per_table in range(max(len(roles), 1), 0, -1):
        runs = _split(roles, per_table)
        chunks = []
        for number, run in enumerate(runs, start=1):
            k = max(len(run), 1)
            # Across, when the columns are wide enough for the names; else turned, in narrower columns.
            activity = _clamp(usable - id_mm - k * ROLE_COMFORT_MM, ACTIVITY_MM)
            column = (usable - id_mm - activity) / k
            height = 0.0
            turned = column < TURN_BELOW_MM or not _across_fits(document, run, column)
            if turned:
                activity = _clamp(usable - id_mm - k * ROLE_TURNED_MM, ACTIVITY_TURNED_MM)
                column = (usable - id_mm - activity) / k
                if column < ROLE_MIN_MM:
                    break
                found = _turned(document, run, column)
                if found is None and len(run) > 1:
                    break  # too narrow for these names even turned: fewer roles per table
                height = found or TURNED_MM[1]
            chunks.append(RoleChunk(run, number, len(runs), round(activity, 1), turned, height, round(column, 1)))
        else:
            return MatrixLayout(tuple(chunks), tuple(_split(roles, CHART_ROLES)) if roles else (), id_mm,
                                role_id_column_mm(document))
    raise AssertionError("unreachable: one role per table always fits")  # pragma: no cover


@dataclass(frozen=True)
class Part:
    """Which pieces of the document one HTML page set holds (the ``part`` of the template).

    :meth:`whole` is everything, the HTML page and the usual PDF. A very long PDF is laid out in
    parts, each its own WeasyPrint document (renderers/pdf.py), so that memory does not grow with
    the matrix: the title block with the first rows of the matrix, further rows of one role chunk,
    the roles table, rows of the notes, a few role views, the workload with the approval block.
    Rows carry their index (``data-i``) in parts, so that a part cut at a page break knows where
    the next one starts.
    """

    front: bool = False
    chunks: tuple[RoleChunk, ...] = ()
    captions: bool = True
    """Whether a split matrix's tables show their caption ("Roles R1–R9 (1 of 3)"): on their first rows."""
    phase_rows: tuple = ()
    """(phase, ((index, activity), ...), heading): the rows of each phase this part shows, and
    whether the phase's heading row is among them."""
    roles: bool = False
    notes: tuple = ()
    """(index, activity) of the described activities shown in the notes table."""
    notes_heading: bool = False
    views: tuple = ()
    views_heading: bool = False
    workload: bool = False
    tail: bool = False
    """The approval block and the provenance line."""
    marked: bool = False

    @staticmethod
    def whole(document: Document, layout: MatrixLayout) -> "Part":
        return Part(front=True, chunks=layout.chunks, phase_rows=phase_rows(document), roles=True,
                    notes=described(document), notes_heading=True, views=tuple(document.role_views()),
                    views_heading=True, workload=True, tail=True)


def phase_rows(document: Document, start: int = 0, end: int | None = None) -> tuple:
    """The matrix rows from activity ``start`` (0-based, across phases) to ``end`` (excluded), by phase.

    A phase's heading goes with its first activity; an empty phase goes with the activity after it
    (with the end when it is last)."""
    total = sum(len(phase.activities) for phase in document.matrix.phases)
    end = total if end is None else end
    result, index = [], 0
    for phase in document.matrix.phases:
        first = index
        rows = tuple((index + k, a) for k, a in enumerate(phase.activities) if start <= index + k < end)
        index += len(phase.activities)
        heading = start <= first < end or (first == end == total and start <= first)
        if rows or heading:
            result.append((phase, rows, heading))
    return tuple(result)


def described(document: Document) -> tuple:
    """(index, activity) of every activity with a description or governed paths (``paths:``): the rows of the
    notes table."""
    return tuple(enumerate(a for a in document.matrix.activities() if a.description or a.paths))


PHASE_HEAD_ROWS = 3
"""Rows a phase's heading keeps on its page (all of them when the phase has fewer): a heading with one row
under it at the foot of a page reads as a sliver of the phase."""


@dataclass(frozen=True)
class Keeps:
    """Where the PDF does not break a table (raci.css, ``.keep``: ``break-after: avoid``), by row index, so
    that a long PDF laid out in parts (pdf_parts cuts at a page break of the part before) keeps the same rows
    together as one document does: each phase's first rows with its heading, and every table's last row
    with the row before it, a phase's last row included."""

    rows: frozenset[int]
    """Matrix rows (activity index across phases) kept with the row after them."""
    note: int
    """The notes table's row kept with its last one (-1: none)."""


def keeps(document: Document) -> Keeps:
    rows: set[int] = set()
    index = 0
    for phase in document.matrix.phases:
        count = len(phase.activities)
        rows.update(index + k for k in range(min(PHASE_HEAD_ROWS, count) - 1))  # with the heading's rows
        if count >= 2:
            rows.add(index + count - 2)  # the phase's last row not alone
        index += count
    notes = len(described(document))
    return Keeps(frozenset(rows), notes - 2 if notes >= 2 else -1)


@dataclass(frozen=True)
class ChartBar:
    """One role's bar of the workload chart: the activities the role takes part in (the workload table's
    *On*), a segment per kind of cell it holds on them as the matrix writes it, so that an A/R cell is one
    activity in one segment of its own; the table counts letters, and an A/R cell under both A and R."""

    role: Role
    segments: tuple[tuple[str, int], ...]
    """(the cell as written, ``A`` or ``A/R``; how many activities), in :func:`cell_kinds` order, none empty."""
    total: int


def cell_kinds(document: Document) -> tuple[tuple[str, tuple[str, ...], str], ...]:
    """The kinds of cell the chart and its legend tell apart: (``A/R``, its letters, "Accountable and
    Responsible"), each letter of the variant followed by the accepted combinations written with it first; a
    letter of no part (CAIRO's O) is left out, as the workload table's *On* leaves it out."""
    variant = document.matrix.variant
    combinations = [tuple(sorted(c, key=variant.order.index)) for c in variant.combinations]
    kinds = []
    for letter in document.letters:
        if letter.code in variant.not_involved:
            continue
        kinds.append((letter.code, (letter.code,), letter.name))
        kinds += [("/".join(c), c, " and ".join(variant.letter(code).name for code in c))
                  for c in combinations if c[0] == letter.code]
    return tuple(kinds)


def chart_bars(document: Document) -> dict[str, ChartBar]:
    """Each role's bar (:class:`ChartBar`), by role id. A cell of letters that are no accepted combination
    counts under its first letter, whose colour it has in the matrix."""
    variant = document.matrix.variant
    kinds = [text for text, _, _ in cell_kinds(document)]
    counts = {role.id: dict.fromkeys(kinds, 0) for role in document.matrix.roles}
    for activity in document.matrix.activities():
        seen = set()
        for cell in activity.cells:
            role_counts = counts.get(cell.role_id)
            if role_counts is None or cell.role_id in seen:
                continue
            letters = [code for code in cell.letters if code not in variant.not_involved]
            if not letters:
                continue
            seen.add(cell.role_id)  # the first cell of a role, as Activity.letters reads it
            text = "/".join(letters)
            role_counts[text if text in role_counts else letters[0]] += 1
    return {role.id: ChartBar(role, tuple((k, n) for k, n in counts[role.id].items() if n),
                              sum(counts[role.id].values()))
            for role in document.matrix.roles}


def render_html_text(document: Document, part: Part | None = None, screen: bool = False) -> str:
    """The page as the PDF engine reads it (``part`` of it), or with ``screen`` as the HTML document: the
    template's ``screen`` leaves out the CSS only WeasyPrint reads (``@page``, bookmarks) and adds the
    landmarks a browser shows (``<main>``, ``<footer>``), which the PDF's structure tree does not want (a
    long PDF is laid out in parts, and each part would bring its own)."""
    layout = matrix_layout(document)
    return render_template(document, TEMPLATE, autoescape=True, layout=layout,
                           part=part or Part.whole(document, layout), screen=screen, keeps=keeps(document),
                           kinds=cell_kinds(document), chart_bars=functools.partial(chart_bars, document))


def render_html(document: Document) -> bytes:
    """The HTML document, for browsers."""
    return render_html_text(document, screen=True).encode("utf-8")

"""From source tables to a matrix: the pure core of ``raci-gen import`` (reads and writes no files).

:func:`choose` picks the table (or the run of tables with the same header, one per
phase) that holds the most responsibility letters; :func:`read_matrix` reads it
into an :class:`ImportedMatrix` and a report: every cell read other than literally
(``R/A`` as A/R, ``Responsible`` as R, ``-`` as no letter) and every cell, row or
column left out, each with where it was in the source. Nothing unknown is guessed:
a cell that is not the variant's letters, words or a "nobody" mark is dropped and
reported.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata
from dataclasses import dataclass, field

from raci_gen.importers.table import SourceCell, SourceError, SourceTable
from raci_gen.input.limits import MAX_ACTIVITIES, MAX_ROLES
from raci_gen.model.patterns import ID_PATTERN
from raci_gen.model.matrix import Variant
from raci_gen.input.schema import MAX_DESCRIPTION, MAX_NAME
from raci_gen.model.variants import RACI, VARIANTS

NOBODY = frozenset({"-", "--", "–", "—", "n/a", "na", "n.a.", "x", "none", "/", ".", "·", "…", "0", "no"})
"""Marks people put in a cell to say "no part" (casefolded)."""
SEPARATORS = re.compile(r"[\s/,;+&|()\[\]]+|\band\b|\bund\b", re.IGNORECASE)
FOOTNOTE = re.compile(r"(?:[*†‡§¹²³⁰⁴-⁹]+|\[\^?\d+\]|\^\d+)$")
ROLE_WITH_NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]{0,31})\s*(?:[(\[]\s*(.+?)\s*[)\]]|[:–—-]\s+(.+))$")
NAME_WITH_ROLE = re.compile(r"^(.+?)\s*[(\[]\s*([A-Za-z0-9][A-Za-z0-9._-]{0,7})\s*[)\]]$")
SHORT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,7}$")

HEADERS = {
    "id": {"id", "#", "no", "no.", "nr", "nr.", "number", "ref", "ref.", "reference", "key", "code", "activity id",
           "task id", "item id", "wbs", "s/n", "sn"},
    "name": {"activity", "activities", "task", "tasks", "deliverable", "deliverables", "name", "work item",
             "work items", "process", "processes", "decision", "decisions", "action", "actions", "item", "items",
             "what", "responsibility", "responsibilities", "milestone", "milestones", "step", "steps",
             "activity name", "task name", "description of activity", "function", "functions", "area of work"},
    "phase": {"phase", "stage", "category", "area", "workstream", "group", "section", "process area", "domain",
              "epic", "theme"},
    "description": {"description", "notes", "note", "details", "comment", "comments", "remarks", "detail"},
    "sign_off": {"sign-off", "sign off", "signoff"},
}
TRANSPOSED_HEADERS = {"role", "roles", "person", "people", "who", "team", "teams", "stakeholder", "stakeholders",
                      "role / activity", "role \\ activity", "roles / activities", "name / task"}
NON_ACTIVITY = re.compile(r"^(legend|key|aligned capabilit(y|ies)|capabilit(y|ies)|total|totals|sub-?totals?|sum|count|"
                          r"notes?)\b", re.IGNORECASE)
MARKS = frozenset({"x", "✓", "✔", "☑", "●", "•", "*", "yes", "y"})
"""What people put in a letter's column of a stakeholder table to say "this one" (casefolded)."""
SIGN_OFF_MARK = re.compile(r"(?:[ \t]+\(sign-off\)|[ \t]*\n[ \t]*sign-off)[ \t]*\Z", re.IGNORECASE)
"""How raci-gen's documents mark a sign-off after the activity's name: ``(sign-off)`` in Markdown, ``sign-off`` on
a line of its own in HTML (its span is one of OWN_BLOCKS there); read back as the sign-off, not as the name."""
SIGN_OFF_YES = MARKS | {"true", "1", "sign-off"}
SIGN_OFF_NO = frozenset({"no", "n", "false", "0", "-", "–"})
"""What a sign-off column holds to say that the row is a sign-off, or that it is not (casefolded; the CSV that
raci-gen writes says yes or nothing)."""
LEGEND_PAIR = re.compile(r"^\s*([A-Za-z](?:\s*/\s*[A-Za-z])?)\s*(?:=|:|–|—|-|→)\s*([^\W\d_][^=:]*?)\s*$")
MAX_LISTED = 200
"""Left-out cells listed one by one; past this many, one line says how many more."""


@dataclass(frozen=True)
class Note:
    """One line of the import report."""

    where: str
    message: str
    dropped: bool = False
    """Something in the source that the project does not carry (what --strict fails on)."""
    guessed: bool = False
    """With ``dropped``: nothing was lost, but how the source reads was guessed (exit 1 all the same)."""


@dataclass
class ImportedRole:
    id: str
    name: str
    header: str
    description: str | None = None
    """The group over its column, when the header has a group row above the role names."""


@dataclass
class ImportedActivity:
    id: str
    name: str
    phase: str
    description: str | None = None
    cells: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Role id -> letters, in the variant's order; roles without letters left out."""
    where: str = ""
    sign_off: bool = False
    """Marked as a sign-off in a sign-off column."""


@dataclass
class ImportedMatrix:
    roles: list[ImportedRole]
    activities: list[ImportedActivity]
    variant: Variant
    title: str | None
    table: str
    """Which table was read, for the report: ``table 2 (line 14)``."""
    notes: list[Note]
    stamp: str | None = None
    subtitles: tuple[str, ...] = ()
    """Rows above the table after its title (a version line, an owner): kept as comments in raci.yaml."""
    phase_descriptions: dict[str, str] = field(default_factory=dict)
    """A phase row's second line and after, by phase."""
    tells_sign_offs: bool = False
    """Whether the source says which activities are sign-offs (a sign-off column, or a sign-off's mark): only then
    does ``import --into`` make and unmake sign-offs; a source that says nothing of them leaves them as they are."""

    def phases(self) -> list[str]:
        return list(dict.fromkeys(a.phase for a in self.activities))

    def grid(self) -> list[list[str]]:
        """The matrix as rows of text: header (id, phase, name, role ids), then one row per activity."""
        rows = [["id", "phase", "name"] + [r.id for r in self.roles]]
        for a in self.activities:
            rows.append([a.id, a.phase, a.name] + ["/".join(a.cells.get(r.id, ())) for r in self.roles])
        return rows


@dataclass(frozen=True)
class Shape:
    """A table with its header found: the rows above it (titles) and a group row over the role names."""

    table: SourceTable
    """The table from its header row on; the header joins a group row's header cells merged down."""
    above: tuple[SourceCell, ...] = ()
    """The text of each row above the header (each holds one cell): the title, then subtitles."""
    groups: tuple[tuple[int, SourceCell], ...] = ()
    """(column, group cell) for each column under a cell of the group row."""


@dataclass(frozen=True)
class Choice:
    tables: tuple[SourceTable, ...]
    score: float
    legend: bool = False
    shapes: tuple[Shape, ...] = ()
    """What was found above each table's header, in the order of ``tables``."""

    def label(self) -> str:
        first = self.tables[0]
        if len(self.tables) == 1 and first.beside:
            last = first.beside[-1]
            others = f"table {last}" if len(first.beside) == 1 else f"tables {first.beside[0]}-{last}"
            return f"table {first.number} ({first.where}) and {others} beside it (the same rows, more roles)"
        if len(self.tables) == 1:
            return f"table {first.number} ({first.where})"
        return f"tables {first.number}-{self.tables[-1].number} ({first.where}; one per phase, same columns)"


# --- reading one cell ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellReading:
    letters: tuple[str, ...] | None
    """The letters, () for no part, None when the cell cannot be read as letters."""
    note: str | None = None
    """How the text was read when not literally, or why it was dropped."""


@functools.lru_cache(maxsize=65536)  # a table repeats the same few texts; each is judged several times
def read_cell(text: str, variant: Variant) -> CellReading:
    raw = text.strip()
    if not raw:
        return CellReading(())
    folded = raw.casefold()
    if folded in NOBODY:
        return CellReading((), f"{raw!r} read as no part")
    body = raw
    footnote = FOOTNOTE.search(body)
    if footnote and footnote.start() > 0:
        body = body[:footnote.start()].rstrip()
    words = body
    names = sorted(((l.name, l.code) for l in variant.letters), key=lambda n: -len(n[0]))
    for name, code in names:
        words = re.sub(rf"(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])", f" {code} ", words, flags=re.IGNORECASE)
    codes = variant.codes()
    letters: list[str] = []
    for token in SEPARATORS.split(words):
        if not token:
            continue
        upper = token.upper()
        if len(upper) <= len(codes) and all(c in codes for c in upper):
            letters.extend(upper)
            continue
        return CellReading(None, f"{raw!r} is not a {variant.name} letter or word")
    if not letters:
        return CellReading(None, f"{raw!r} holds no {variant.name} letter")
    ordered = tuple(sorted(dict.fromkeys(letters), key=variant.order.index))
    canonical = "/".join(ordered)
    if raw == canonical:
        return CellReading(ordered)
    how = f"{raw!r} read as {canonical}"
    if footnote and footnote.start() > 0:
        how += f" (footnote mark {footnote.group(0)!r} left out)"
    return CellReading(ordered, how)


def _is_letters(text: str, variant: Variant) -> bool:
    reading = read_cell(text, variant)
    return bool(reading.letters)


LETTER_NAMES = {l.name.casefold() for v in VARIANTS.values() for l in v.letters}
LETTER_CODES = {l.code for v in VARIANTS.values() for l in v.letters}


def _is_legend_row(row: tuple[SourceCell, ...]) -> bool:
    """A row that explains letters: the letter first (R, or A/R) and its name beside it, or cells that only
    say ``R = Responsible, A = Accountable``. It is not lost when left out: the variant says the same."""
    texts = [c.text.strip().strip("*") for c in row if c.text.strip()]
    if not texts:
        return False
    if set(texts[0].upper()) - set("/ ") <= LETTER_CODES and any(t.casefold() in LETTER_NAMES for t in texts[1:3]):
        return True
    return all(_is_legend_text(t) for t in texts)


def _is_legend_text(text: str) -> bool:
    """``R = Responsible, A = Accountable`` (``Legend:`` before it allowed): only letters and their names."""
    text = re.sub(r"^\s*(legend|key)\s*:?\s*", "", text, flags=re.IGNORECASE)
    parts = [p for p in re.split(r"[,;\n|]+", text) if p.strip()]
    if not parts or len(text) > 500:
        return False
    for part in parts:
        m = LEGEND_PAIR.match(part)
        if not m or set(m.group(1).upper()) - set("/ ") - LETTER_CODES or \
                " ".join(m.group(2).split()).casefold() not in LETTER_NAMES:
            return False
    return True


def _is_legend(table: SourceTable) -> bool:
    """A table that explains the letters (``R | Responsible | Does the work``) rather than assigning them."""
    if not table.rows or len(table.rows[0]) > 5 or len(table.rows) > 16:
        return False  # a legend is a short, narrow table: a few letters, a few columns
    hits = sum(1 for row in table.rows if _is_legend_row(row))
    if hits >= 1 and all(_is_legend_text(c.text) for row in table.rows for c in row if c.text):
        return True  # R = Responsible, A = Accountable ... in a line or two
    return hits >= 2 and hits >= (len(table.rows) - 1) / 2


# --- which table --------------------------------------------------------------------------------------------------


def shape(table: SourceTable, variant: Variant) -> Shape:
    """The table from its header on. The header is the first row of two cells or more: each row above holds
    one (a title, a subtitle, merged across or not). A row of the header's kind below it, with text over the
    columns that hold letters and no letter in it, makes the first a group row (``Business`` over three
    roles, ``IT`` over two) and itself the header; a header cell merged down over both rows (ID, Activity)
    is read from the group row."""
    rows = table.rows
    start = next((i for i, row in enumerate(rows) if sum(1 for c in row if c.text) >= 2), None)
    if start is None or len(rows) - start < 2:
        return Shape(table)
    above = tuple(c for row in rows[:start] for c in row if c.text)
    upper, lower = rows[start], rows[start + 1]
    groups: list[tuple[int, SourceCell]] = []
    header_at = start
    if not any(_is_letters(c.text, variant) for c in upper + lower) and sum(1 for c in lower if c.text) >= 2:
        lettered = {j for row in rows[start + 2:] for j, c in enumerate(row) if _is_letters(c.text, variant)}
        over = sum(1 for j in lettered if lower[j].text)
        # Role names under the group row, not a first activity of "-" or "n/a" cells.
        names = all(read_cell(lower[j].text, variant).letters is None for j in lettered if lower[j].text)
        if lettered and names and over * 2 >= len(lettered) and sum(1 for j in lettered if upper[j].text) < over:
            header_at = start + 1
            merged_header = []
            current = None
            for j, (top, cell) in enumerate(zip(upper, lower)):
                if top.text and not cell.text:  # a header merged down over both rows
                    merged_header.append(top)
                    current = None
                    continue
                if top.text:
                    current = top
                if current is not None and cell.text:
                    groups.append((j, current))
                merged_header.append(cell)
            rows = (tuple(merged_header),) + rows[start + 2:]
    if header_at == start:
        if start == 0:
            return Shape(table)
        rows = rows[start:]
    return Shape(SourceTable(table.number, table.where, rows, table.heading, table.title, table.stamp,
                             table.beside, table.part), above, tuple(groups))


def _mark_columns(header: tuple[SourceCell, ...], body, variant: Variant) -> dict[int, str]:
    """A stakeholder table's columns: headed by the letters (``R``, ``A``, ``S``...), each cell empty or a
    mark (x, ✓) that gives the row's person that letter for the one piece of work the table is about."""
    found = {j: c.text.strip() for j, c in enumerate(header) if c.text.strip() in variant.codes()}
    if len(found) < 2 or len(set(found.values())) != len(found):
        return {}
    texts = [row[j].text.strip().casefold() for row in body for j in found if row[j].text.strip()]
    return found if texts and all(t in MARKS for t in texts) else {}


def _score(table: SourceTable, variant: Variant) -> float:
    """Letters a table holds; a table with letters in one column only (a list, not a matrix) counts half."""
    if len(table.rows) < 2:
        return 0
    body = table.rows[1:]
    if marks := _mark_columns(table.rows[0], body, variant):
        return sum(1 for row in body for j in marks if row[j].text)
    per_column = [sum(1 for row in body if _is_letters(row[j].text, variant)) for j in range(len(table.rows[0]))]
    total = sum(per_column)
    if _letter_columns(table.rows[0], variant, body):
        total = sum(1 for row in body for c in row[1:] if c.text and not _is_letters(c.text, variant))
        return total
    return total if sum(1 for n in per_column if n) >= 2 else total / 2


def choose(tables: list[SourceTable], variant: Variant, number: int | None, shown: str) -> tuple[Choice, list[Note]]:
    """The table to read: the ``number``-th, or the run of same-header tables holding the most letters."""
    if number is not None and 1 <= number <= len(tables):
        tables = [tables[number - 1]]  # only the one named is shaped
        number = 1
    shapes = {t.number: shape(t, variant) for t in tables}
    choice, notes = _choose([shapes[t.number].table for t in tables], variant, number, shown)
    return dataclasses.replace(choice, shapes=tuple(shapes[t.number] for t in choice.tables)), notes


def _choose(tables: list[SourceTable], variant: Variant, number: int | None, shown: str
            ) -> tuple[Choice, list[Note]]:
    notes: list[Note] = []
    if not tables:
        raise SourceError(f"{shown}: error: no table found; expected a Markdown, HTML, CSV or spreadsheet table "
                          "with one row per activity and one column per role")
    if number is not None:
        if not 1 <= number <= len(tables):
            raise SourceError(f"{shown}: error: --table {number}: the file has {len(tables)} "
                              f"table{'s' if len(tables) != 1 else ''}")
        table = tables[number - 1]
        return Choice((table,), _score(table, variant)), notes
    groups: list[list[SourceTable]] = []
    run: list[SourceTable] | None = None  # the run of same-header tables being extended
    for i, table in enumerate(tables):
        if run and _header_key(run[-1]) == _header_key(table) and len(table.rows) > 1:
            run.append(table)
            continue
        groups.append([table])
        if run and _between_sheets(run[-1], tables[i:], variant):
            continue  # a footnote under a sheet's table, a title over the next one's: the run goes on
        run = groups[-1]
    candidates = []
    for group in groups:
        if len(group) == 1 and _is_legend(group[0]):
            notes.append(Note(f"table {group[0].number} ({group[0].where})", "a legend of the letters; not read"))
            continue
        score = sum(_score(t, variant) for t in group)
        if score:
            candidates.append(Choice(tuple(group), score))
    if not candidates:
        raise SourceError(f"{shown}: error: no table holds responsibility letters ({', '.join(variant.codes())}) "
                          f"in {len(tables)} table{'s' if len(tables) != 1 else ''}; expected one row per activity "
                          "and one column per role (use --variant for other letters)")
    candidates.sort(key=lambda c: -c.score)
    best = candidates[0]
    if len(candidates) > 1 and candidates[1].score == best.score:
        tied = [c for c in candidates if c.score == best.score]
        listing = "; ".join(f"{c.label()}, {c.score:g} letters" for c in tied)
        raise SourceError(f"{shown}: error: {len(tied)} tables hold as many letters: {listing}; "
                          "choose one with --table N")
    for other in candidates[1:]:
        # Rows of letters not read are rows lost: listed, and the exit status says so (1); in a document
        # raci-gen built (its stamp), they are its own views of the matrix read (by role, workload).
        own_view = bool(best.tables[0].stamp and other.tables[0].stamp)
        notes.append(Note(other.label(), f"also holds letters ({other.score:g}); not read (choose with --table)"
                          + ("; a view of the matrix in the document raci-gen built" if own_view else ""),
                          dropped=not own_view))
    return best, notes


def _between_sheets(last: SourceTable, rest: list[SourceTable], variant: Variant) -> bool:
    """Whether ``rest`` starts with blocks without letters (a footnote under ``last``, the title of the next
    sheet) and then a table of another sheet with ``last``'s header: the next of a sheet per phase."""
    for k, table in enumerate(rest):
        if _header_key(table) == _header_key(last) and len(table.rows) > 1:
            # Only blocks of the two sheets: a sheet between them (notes, open points) ends the run.
            return k > 0 and table.part is not None and table.part != last.part and \
                all(t.part in (last.part, table.part) for t in rest[:k])
        if _score(table, variant) or k >= 4:
            return False
    return False


def _is_title_of(table: SourceTable, following: list[SourceTable]) -> bool:
    """Whether ``table`` is a block of one-cell rows (a title) just above the next table of its own sheet."""
    return bool(following) and table.part is not None and following[0].part == table.part and \
        len(following[0].rows) > 1 and all(sum(1 for c in row if c.text) == 1 for row in table.rows)


def _header_key(table: SourceTable) -> tuple[str, ...]:
    return tuple(c.text.casefold() for c in table.rows[0]) if table.rows else ()


def guess_variant(tables: list[SourceTable]) -> Variant:
    """The built-in variant that reads the most cells of the tables; RACI unless another reads more."""
    best, best_count = RACI, -1
    shaped = [shape(t, RACI).table for t in tables]
    for variant in VARIANTS.values():
        count = sum(1 for t in tables for row in t.rows[1:] for c in row
                    if c.text and read_cell(c.text, variant).letters)
        # A stakeholder table's letters are its header's: each the variant knows counts, and each mark under it.
        count += sum(len(marks) + sum(1 for row in t.rows[1:] for j in marks if row[j].text)
                     for t in shaped if t.rows and (marks := _mark_columns(t.rows[0], t.rows[1:], variant)))
        if count > best_count:
            best, best_count = variant, count
    return best


# --- reading the table --------------------------------------------------------------------------------------------


def _kind(header: str) -> str | None:
    key = " ".join(header.casefold().replace("_", " ").split()).strip(" :*")
    for kind, names in HEADERS.items():
        if key in names:
            return kind
    return None


def _letter_columns(header: tuple[SourceCell, ...], variant: Variant,
                    body: tuple[tuple[SourceCell, ...], ...] = ()) -> dict[int, str]:
    """Columns headed by a letter or its name (``R``, ``Accountable``) that list names: the letters-as-columns
    layout. (A table of counts per letter, such as a workload table, lists numbers: it is no such layout.)"""
    found = {}
    for j, cell in enumerate(header):
        text = cell.text.strip().strip("*:")
        for letter in variant.letters:
            if text == letter.code or text.casefold() in (letter.name.casefold(), f"{letter.code} {letter.name}".casefold(),
                                                          f"{letter.name} ({letter.code})".casefold()):
                found[j] = letter.code
    if len(found) < 2:
        return {}
    texts = [row[j].text for row in body for j in found if row[j].text]
    named = [t for t in texts if re.search(r"[^\W\d_]{2,}", t) and read_cell(t, variant).letters is None]
    return found if texts and len(named) * 2 >= len(texts) else {}


def _one_accountable_per_column(tables: list[SourceTable], variant: Variant) -> bool:
    """Whether the body of ``tables`` (below the header row, right of the first column) has exactly one
    Accountable in every column that holds letters, while some of its rows do not."""
    if "A" not in variant.codes():
        return False
    per_column: dict[int, int] = {}
    rows_with_one = rows_with_letters = 0
    for table in tables:
        for row in table.rows[1:]:
            count, lettered = 0, False
            for j, cell in enumerate(row[1:], start=1):
                letters = read_cell(cell.text, variant).letters if cell.text.strip() else ()
                if not letters:
                    continue
                lettered = True
                per_column[j] = per_column.get(j, 0) + letters.count("A")
                count += letters.count("A")
            rows_with_letters += lettered
            rows_with_one += lettered and count == 1
    return (len(per_column) >= 2 and all(n == 1 for n in per_column.values())
            and rows_with_one < rows_with_letters)


def transpose(table: SourceTable) -> SourceTable:
    rows = table.rows
    width = len(rows[0]) if rows else 0
    return SourceTable(table.number, table.where, tuple(tuple(r[j] for r in rows) for j in range(width)),
                       table.heading, table.title, table.stamp)


def read_matrix(choice: Choice, variant: Variant, shown: str, transposed: bool = False,
                others: list[SourceTable] | tuple[SourceTable, ...] = ()) -> ImportedMatrix:
    """The matrix in the chosen table(s). ``others``: the source's other tables; those cut from the same
    sheet or CSV file are the table's surroundings: a block of one-cell rows above it is its title, a legend
    is noted, and every cell of any other block is listed as left out."""
    notes: list[Note] = []
    tables = list(choice.tables)
    first = tables[0]
    shapes = choice.shapes or tuple(Shape(t) for t in tables)
    above = list(shapes[0].above)
    chosen = {n for t in tables for n in (t.number,) + t.beside}
    left: list[SourceCell] = []
    chosen_parts = {t.part for t in tables}
    for other in others:
        if other.part is None or other.part not in chosen_parts or other.number in chosen or _is_legend(other):
            continue
        if other.part != first.part:  # another sheet of a sheet per phase: its title is read below
            if not _is_title_of(other, [t for t in others if t.number == other.number + 1 and t.number in chosen]):
                left += [c for row in other.rows for c in row if c.text]
        elif other.number < first.number and all(sum(1 for c in row if c.text) == 1 for row in other.rows):
            above[:0] = [c for row in other.rows for c in row if c.text]
        else:
            left += [c for row in other.rows for c in row if c.text]
    phase_names = [t.heading for t in tables]
    for i, sh in enumerate(shapes[1:], start=1):
        if sh.above and phase_names[i] is None:  # a phase's name in a row over its table's header
            phase_names[i] = " ".join(sh.above[0].text.split())
            left += sh.above[1:]
        else:
            left += sh.above
    parts = [t.part for t in tables]
    per_sheet = len(tables) > 1 and len(set(parts)) == len(parts) and None not in parts
    over: dict[int, list[SourceCell]] = {}
    if per_sheet:
        # One table per sheet (a workbook with a tab per phase). The one-cell rows over a later sheet's table
        # (cut from it by a blank row) repeat the title, or name its phase; when they differ from those over
        # the first sheet's, those name the first phase too. Else the sheet's name names the phase.
        for i, table in enumerate(tables[1:], start=1):
            over[i] = [c for o in others if o.part == table.part and o.number not in chosen and o.number < table.number
                       and _is_title_of(o, [t for t in others if t.number == o.number + 1 and t.number in chosen])
                       for row in o.rows for c in row if c.text]

        def same(a: str, b: str) -> bool:
            return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()

        if above and phase_names[0] is None and not first.title and any(
                cells and not same(cells[0].text, above[0].text) for cells in over.values()):
            phase_names[0] = " ".join(above[0].text.split())
            notes.append(Note(above[0].where, f"{phase_names[0]!r} above the table read as the name of its phase"))
            above = above[1:]
    title = first.title or (first.heading if len(tables) == 1 else None)
    if per_sheet:
        for i, cells in over.items():
            for cell in cells:
                text = " ".join(cell.text.split())
                if phase_names[i] is None and not (above and same(text, above[0].text)):
                    phase_names[i] = text
                    notes.append(Note(cell.where, f"{text!r} above the table read as the name of its phase"))
                elif above and same(text, above[0].text) or title and same(text, title):
                    notes.append(Note(cell.where, f"{text!r} above the table repeats the title"))
                else:
                    left.append(cell)
        for i, table in enumerate(tables):
            if phase_names[i] is None:
                phase_names[i] = " ".join((table.part or "").split())
                notes.append(Note(table.rows[0][0].where if table.rows and table.rows[0] else table.where,
                                  f"the sheet's name {phase_names[i]!r} read as the phase of its table"))
    subtitles: list[str] = []
    for cell in above:
        text = " ".join(cell.text.split())
        if title is None:
            title = text[:MAX_NAME]
            notes.append(Note(cell.where, f"{text!r} above the table read as the title"))
        else:
            subtitles.append(text)
            notes.append(Note(cell.where, f"{text!r} above the table kept as a comment in raci.yaml"))
    if not transposed and first.rows and _kind(first.rows[0][0].text) is None \
            and not _mark_columns(first.rows[0], first.rows[1:], variant) \
            and first.rows[0][0].text.casefold().strip(" :") in TRANSPOSED_HEADERS:
        transposed = True
        notes.append(Note(first.rows[0][0].where, f"the first column is headed {first.rows[0][0].text!r}: roles are "
                                                   "rows, activities columns; read transposed"))
    if not transposed and first.rows and not first.rows[0][0].text.strip() \
            and _one_accountable_per_column(tables, variant):
        # A blank corner says nothing of which way the table reads; the rule that every activity has
        # exactly one Accountable does: it holds down every column here and not along the rows. Still a
        # guess, so it is reported as one (exit 1) with the way to say it: --transpose.
        transposed = True
        notes.append(Note(first.rows[0][0].where, "read transposed (roles as rows, activities as columns): every "
                                                  "column has exactly one A and not every row has; the corner cell "
                                                  "is blank, so this is a guess: give --transpose to confirm it",
                          dropped=True, guessed=True))
    if transposed:
        tables = [transpose(t) for t in tables]
    reader = _Reader(variant, shown, notes)
    reader.work_name = title
    for table, sh, phase_name in zip(tables, shapes, phase_names):
        # The heading before each table names its phase when the matrix is one table per phase;
        # the heading over a single table is the matrix's title.
        reader.groups = {} if transposed else dict(sh.groups)
        reader.read(table, phase_name if len(tables) > 1 else None)
    if not reader.activities:
        raise SourceError(f"{shown}: error: {choice.label()} has no activity rows; expected one row per activity "
                          "(--transpose if roles are rows)")
    reader.list_left_out(left, "is outside the table")
    if reader.more_at is not None:
        notes[reader.more_at] = Note("", f"{reader.dropped_cells - MAX_LISTED:,} more cells left out, not listed "
                                         f"({reader.dropped_cells:,} in all)", dropped=True)
    return ImportedMatrix(reader.role_list, reader.activities, variant, title, choice.label(), notes,
                          stamp=first.stamp, subtitles=tuple(subtitles), phase_descriptions=reader.phase_descriptions,
                          tells_sign_offs=reader.sign_off_column or any(a.sign_off for a in reader.activities))


class _Reader:
    def __init__(self, variant: Variant, shown: str, notes: list[Note]):
        self.variant, self.shown, self.notes = variant, shown, notes
        self.roles: dict[str, ImportedRole] = {}  # by header text, casefolded
        self.role_ids: set[str] = set()
        self.activities: list[ImportedActivity] = []
        self.activity_ids: set[str] = set()
        self.next_number: dict[str, int] = {}
        """Per prefix of derived ids, the number to try next: every smaller one is taken."""
        self.work_name: str | None = None
        """What a stakeholder table is about (its title): the name of its one activity."""
        self.groups: dict[int, SourceCell] = {}
        """The group row's cell over each column of the table being read."""
        self.phase_descriptions: dict[str, str] = {}
        self.sign_off_column = False
        """Whether a table read has a sign-off column."""
        self.dropped_cells = 0
        """Cells left out so far (a column not read counts each of its cells)."""
        self.more_at: int | None = None
        """Where in the notes the line saying how many more were left out is."""

    def list_left_out(self, cells: list[SourceCell], why: str) -> None:
        """Each cell as a left-out line with its place; past MAX_LISTED in all, one line says how many more."""
        for cell in cells:
            self.dropped_cells += 1
            if self.dropped_cells <= MAX_LISTED:
                self.note(cell.where, f"{' '.join(cell.text.split())[:200]!r} {why}", dropped=True)
            elif self.dropped_cells == MAX_LISTED + 1:
                self.more_at = len(self.notes)
                self.note("", f"more cells left out than the {MAX_LISTED} listed", dropped=True)

    @property
    def role_list(self) -> list[ImportedRole]:
        return list(self.roles.values())

    def note(self, where: str, message: str, dropped: bool = False) -> None:
        self.notes.append(Note(where, message, dropped))

    # --- roles ---
    def role(self, header: SourceCell) -> ImportedRole:
        key = " ".join(header.text.split()).casefold()
        if key in self.roles:
            return self.roles[key]
        if len(self.roles) >= MAX_ROLES:
            raise SourceError(f"{self.shown}: {header.where}: error: more than {MAX_ROLES:,} roles; the limit is "
                              f"{MAX_ROLES:,} (raci-gen's limit on a project)")
        text = header.text.strip()
        lines = [line.strip() for line in text.split("\n") if line.strip()]
        role_id, name = None, " ".join(text.split())
        if len(name) > MAX_NAME:
            pass  # too long to be "R1 (Name)"; the patterns below would take quadratic time on it
        elif len(lines) > 1 and SHORT_ID.match(lines[0]) and (lines[0].isupper() or any(
                ch.isdigit() for ch in lines[0])):  # raci-gen's workbook: "R1\nBusiness Stakeholder\npeople"
            role_id, name = lines[0], lines[1]
            if len(lines) > 2 and lines[2] != "people":
                self.note(header.where, f"role header's lines after the second left out: {lines[2:]!r}", dropped=True)
        elif (m := ROLE_WITH_NAME.match(name)) and SHORT_ID.match(m.group(1)):
            role_id, name = m.group(1), m.group(2) or m.group(3)
        elif (m := NAME_WITH_ROLE.match(name)) and (" " in m.group(1).strip() or m.group(2).isupper()):
            role_id, name = m.group(2), m.group(1)
        elif SHORT_ID.match(name) and name.upper() == name:  # PO, QA, R1: already an id
            role_id = name
        if not re.search(r"[^\W_]", name):
            # A made-up name ("Role 1") would be shared by every such column and merge them.
            raise SourceError(f"{self.shown}: {header.where}: error: the header of a column of letters cannot be "
                              f"read: {'it is empty' if not name else repr(name) + ' holds no letter or digit'}; "
                              "expected the role's name (write it in the header, or leave the column out with "
                              "--range)")
        if len(name) > MAX_NAME:
            name = name[:MAX_NAME - 1] + "…"
            self.note(header.where, f"role name cut to {MAX_NAME} characters")
        derived = role_id is None
        if derived:
            role_id = _initials(name) or "ROLE"
        role_id = self._unique(role_id, self.role_ids)
        if derived:
            self.note(header.where, f"role {name!r} given the id {role_id}")
        role = ImportedRole(role_id, name, header.text)
        self.roles[key] = role
        return role

    def column_role(self, j: int, header: SourceCell, here: set[str]) -> ImportedRole:
        """The role of a column of the table being read; a header given twice in one table is two roles."""
        key = " ".join(header.text.split()).casefold()
        if key in here:
            n = 2
            while f"{key}#{n}" in self.roles:
                n += 1
            role = self.role(header)  # the first column's
            twin = ImportedRole(self._unique(role.id, self.role_ids), role.name, header.text)
            self.roles[f"{key}#{n}"] = twin
            self.note(header.where, f"a second column headed {role.name!r}: role {twin.id}, not {role.id}")
            role = twin
        else:
            here.add(key)
            role = self.role(header)
        if "column" in header.hidden:
            self.notes.append(Note(header.where, f"role {role.id} read from a column hidden in the workbook; "
                                   "unhide the column, or delete it if the role is gone", dropped=True, guessed=True))
        group = self.groups.get(j)
        if group is not None and role.description is None:
            role.description = " ".join(group.text.split())
            self.note(group.where, f"role {role.id} is in the group {role.description!r} (its description)")
        return role

    def _unique(self, wanted: str, taken: set[str]) -> str:
        base = wanted[:28]
        candidate, n = base, 1
        while candidate.casefold() in taken:
            n += 1
            candidate = f"{base}{n}" if not base[-1:].isdigit() else f"{base}-{n}"
        taken.add(candidate.casefold())
        return candidate

    # --- a table ---
    def read(self, table: SourceTable, phase: str | None) -> None:
        header = table.rows[0]
        if marks := _mark_columns(header, table.rows[1:], self.variant):
            return self.read_stakeholders(table, marks)
        letter_columns = _letter_columns(header, self.variant, table.rows[1:])
        kinds = {j: _kind(c.text) for j, c in enumerate(header)}
        body = table.rows[1:]
        role_cols: list[int] = []
        if not letter_columns:
            # Judge columns on the rows that hold a letter somewhere: a trailing "aligned capability" row
            # or a legend row under the table says nothing about which columns are roles.
            lettered = [row for row in body if any(_is_letters(c.text, self.variant) for c in row)] or body
            for j, cell in enumerate(header):
                if kinds[j]:
                    continue
                texts = [row[j].text for row in lettered if row[j].text]
                readable = [t for t in texts if read_cell(t, self.variant).letters is not None]
                if (texts and len(readable) * 2 >= len(texts) and any(_is_letters(t, self.variant) for t in texts)):
                    role_cols.append(j)
            # An empty column with a header, after the activity's text or among the role columns, is a role
            # that takes no part here (a phase's table in a matrix split by phase, an idle role).
            if role_cols:
                lettered_cols = set(role_cols)  # a set: a table may be 100,000 columns wide
                text_cols = [j for j in range(len(header)) if j not in lettered_cols and kinds[j] in (None, "name")]
                first_text = text_cols[0] if text_cols else -1
                for j, cell in enumerate(header):
                    if j in lettered_cols or kinds[j] or not cell.text or \
                            any(read_cell(row[j].text, self.variant).letters is None for row in body):
                        continue  # holds text that is not letters: not a role without letters
                    if j > first_text or j > role_cols[0] or " ".join(cell.text.split()).casefold() in self.roles:
                        role_cols.append(j)
                role_cols.sort()
        taken = set(role_cols) | set(letter_columns)
        # A legend written down a column beside the letters ("Key": R = Responsible, A = Accountable, ...), with
        # no empty column between: it explains the letters (not lost), and is no id, name or note of the rows.
        for j in range(len(header)):
            texts = [row[j].text for row in body if row[j].text]
            if j not in taken and texts and all(_is_legend_text(t) for t in texts):
                taken.add(j)
                self.note(header[j].where, f"column {header[j].text or j + 1!r}: a legend of the letters "
                                           f"({len(texts)} cell{'s' if len(texts) != 1 else ''}); not read")
        id_col = next((j for j, k in kinds.items() if k == "id" and j not in taken), None)
        name_col = next((j for j, k in kinds.items() if k == "name" and j not in taken), None)
        phase_col = next((j for j, k in kinds.items() if k == "phase" and j not in taken), None)
        desc_col = next((j for j, k in kinds.items() if k == "description" and j not in taken), None)
        sign_off_col = next((j for j, k in kinds.items() if k == "sign_off" and j not in taken), None)
        free = [j for j in range(len(header)) if j not in taken and j not in (id_col, name_col, phase_col, desc_col,
                                                                              sign_off_col)]
        if name_col is None and free:
            # No "Activity" header: the first free column that reads as ids is the id column when another
            # free column follows; the name is the first text column left.
            if id_col is None and len(free) >= 2 and self._looks_like_ids([row[free[0]].text for row in body]):
                id_col = free.pop(0)
            name_col = free.pop(0) if free else None
        if name_col is None:
            raise SourceError(f"{self.shown}: {header[0].where}: error: no column names the activities; "
                              "expected a column headed Activity or Task, or with text in it")
        for j in free:
            cells = [c for c in (header[j],) + tuple(row[j] for row in body) if c.text]
            if cells:
                self.dropped_cells += len(cells)
                self.note(header[j].where, f"column {header[j].text or j + 1!r} is not read (neither id, "
                                           "activity, phase, description nor a role): "
                                           f"{len(cells)} cell{'s' if len(cells) != 1 else ''}, {cells[0].where} to "
                                           f"{cells[-1].where}", dropped=True)
        here: set[str] = set()
        roles = {j: self.column_role(j, header[j], here) for j in role_cols}
        used_groups = {id(self.groups[j]) for j in role_cols if j in self.groups}
        self.list_left_out([g for g in {id(g): g for g in self.groups.values()}.values() if id(g) not in used_groups],
                           "is a group over no role's column")
        header_key = tuple(c.text.casefold() for c in header)
        named = phase is not None  # the table's heading (or sheet) names its first phase
        phase = phase or "Activities"
        pending: SourceCell | None = None  # a phase row no activity has followed yet
        before = len(self.activities)
        phase_rows = 0
        doubt: SourceCell | None = None  # a phase row that may be an activity without letters
        for row in body:
            if not any(c.text for c in row):
                continue
            if tuple(c.text.casefold() for c in row) == header_key:
                self.note(row[0].where, "the header again (a repeated header row); not an activity")
                continue
            name_cell = row[name_col]
            non_empty = [c for c in row if c.text]
            role_texts = [row[j].text for j in (role_cols or letter_columns)]
            letters_in_row = any(_is_letters(t, self.variant) for t in role_texts) if not letter_columns \
                else any(role_texts)
            if not letters_in_row and (_is_legend_row(row) or len(non_empty) == 1 and re.fullmatch(
                    r"\s*(legend|key)\s*:?\s*", non_empty[0].text, re.IGNORECASE)):
                self.note(non_empty[0].where, f"a legend of the letters ({' '.join(c.text for c in non_empty)!r});"
                                              " not an activity")
                continue
            if not letters_in_row and (len(non_empty) == 1 or all(c.bold for c in non_empty)) and \
                    (phase_col is None or non_empty[0] is not row[phase_col] or len(non_empty) == 1):
                if pending is not None:
                    self.list_left_out([pending], "is a row with no activity under it (not a phase)")
                # Activities before it had no phase row: a plain row of one cell among them may be an activity
                # whose letters are yet to be given ("Decide hosting (TBD)") as well as a phase (said once an
                # activity follows it; with none, it is a footnote, left out below).
                doubt = non_empty[0] if not phase_rows and not named and len(self.activities) > before and \
                    phase_col is None and not non_empty[0].bold and len(non_empty) == 1 else None
                phase_rows += 1
                lines = non_empty[0].text.split("\n")
                phase = _strip_marks(lines[0])
                if len(lines) > 1:  # a second line describes it
                    self.phase_descriptions[phase] = " ".join(" ".join(lines[1:]).split())
                pending = non_empty[0]
                self.list_left_out(non_empty[1:], "is beside a phase row's name")
                continue
            if NON_ACTIVITY.match(name_cell.text or non_empty[0].text) or \
                    (not letters_in_row and not letter_columns and
                     any(read_cell(t, self.variant).letters is None for t in role_texts if t)):
                shown = (name_cell.text or non_empty[0].text).replace("\n", " ")
                head = name_cell if name_cell.text else non_empty[0]
                self.dropped_cells += 1
                self.note(head.where, f"row {shown!r} is not an activity (no cell holds a letter)", dropped=True)
                self.list_left_out([c for c in non_empty if c is not head], f"is in the row {shown[:80]!r}")
                continue
            if phase_col is not None and row[phase_col].text:
                phase = row[phase_col].text
            if pending is not None and doubt is not None:
                self.notes.append(Note(doubt.where, f"{' '.join(doubt.text.split())[:80]!r} read as a phase: a row "
                                       "of one cell, but the activities above it have no phase row; if it is an "
                                       "activity, give it its letters (or make the row bold, or put a phase row "
                                       "over the first activity)", dropped=True, guessed=True))
            pending = doubt = None
            self.activity(row, id_col, name_col, desc_col, phase, roles, letter_columns, header)
            if sign_off_col is not None:
                self.sign_off_column = True
                self.sign_off(self.activities[-1], row[sign_off_col])
        if pending is not None:
            self.list_left_out([pending], "is a row with no activity under it (not a phase)")

    def read_stakeholders(self, table: SourceTable, marks: dict[int, str]) -> None:
        """A stakeholder table: one row per person or role, a column per letter, marks where they hold it,
        all for one piece of work: the table's title names the one activity."""
        header, body = table.rows[0], table.rows[1:]
        name_col = next((j for j in range(len(header)) if j not in marks and any(r[j].text for r in body)), None)
        if name_col is None:
            raise SourceError(f"{self.shown}: {header[0].where}: error: no column names the people or roles of "
                              "the stakeholder table; expected one beside the letters' columns")
        self.list_left_out([c for j, c in enumerate(header) if c.text and j not in marks and j != name_col]
                           + [r[j] for r in body for j in range(len(header))
                              if r[j].text and j not in marks and j != name_col], "is not read (a stakeholder "
                           "table holds names and the letters' marks)")
        name = self.work_name
        if not name:
            name = "Activity"
            self.note(header[0].where, "a stakeholder table without a title: its one activity is named 'Activity'")
        activity = ImportedActivity(self.activity_id(None, "Activities"), name[:MAX_NAME], "Activities",
                                    where=header[0].where)
        self.note(header[0].where, f"a stakeholder table (the letters as columns, a mark per person): one "
                                   f"activity, {name!r}")
        for row in body:
            person = row[name_col]
            if not person.text:
                self.list_left_out([row[j] for j in marks if row[j].text], "has no person or role in its row")
                continue
            role = self.role(person)
            codes = tuple(sorted({marks[j] for j in marks if row[j].text}, key=self.variant.order.index))
            if codes:
                activity.cells[role.id] = codes
        self.activities.append(activity)

    def _looks_like_ids(self, texts: list[str]) -> bool:
        present = [t for t in texts if t]
        return bool(present) and len(set(present)) == len(present) and \
            all(len(t) <= 12 and " " not in t and any(ch.isdigit() for ch in t) for t in present)

    def activity(self, row, id_col, name_col, desc_col, phase, roles, letter_columns, header) -> None:
        name_cell = row[name_col]
        if len(self.activities) >= MAX_ACTIVITIES:
            raise SourceError(f"{self.shown}: {name_cell.where}: error: more than {MAX_ACTIVITIES:,} activities; "
                              f"the limit is {MAX_ACTIVITIES:,} (raci-gen's limit on a project)")
        name_text, marked = SIGN_OFF_MARK.subn("", name_cell.text)
        name = " ".join(name_text.split())
        description = " ".join(row[desc_col].text.split()) if desc_col is not None and row[desc_col].text else None
        if name_cell.link:
            link = f"Link: {name_cell.link}"
            description = f"{description}\n\n{link}" if description else link
            self.note(name_cell.where, f"link in the name kept in the description ({name_cell.link})")
        if not name:
            name = row[id_col].text if id_col is not None and row[id_col].text else "Unnamed activity"
            self.note(name_cell.where, f"activity without a name; named {name!r}")
        if len(name) > MAX_NAME:
            description = name + (f"\n\n{description}" if description else "")
            name = name[:MAX_NAME - 1] + "…"
            self.note(name_cell.where, f"name longer than {MAX_NAME} characters cut; the full text is the description")
        if description and len(description) > MAX_DESCRIPTION:
            description = description[:MAX_DESCRIPTION - 1] + "…"
            self.note(name_cell.where, f"description cut to {MAX_DESCRIPTION} characters", dropped=True)
        activity_id = self.activity_id(row[id_col] if id_col is not None else None, phase)
        activity = ImportedActivity(activity_id, name, phase, description, where=name_cell.where,
                                    sign_off=bool(marked))
        if "row" in name_cell.hidden:
            # A row hidden in the workbook is often one no longer in force, or one not agreed yet: read as the
            # sheet holds it, and said to be a guess (exit 1).
            self.notes.append(Note(name_cell.where, f"activity {activity_id} read from a row hidden in the "
                                   "workbook; unhide the row, or delete it if it is no longer in force",
                                   dropped=True, guessed=True))
        elif name_cell.hidden == "grouped":
            self.note(name_cell.where, f"activity {activity_id} read from a row folded away in an outline group")
        if letter_columns:
            for j, code in letter_columns.items():
                for person in _names(row[j].text):
                    if person.casefold() in NOBODY:
                        continue
                    role = self.role(SourceCell(person, header[j].where))
                    have = activity.cells.get(role.id, ())
                    if code not in have:
                        activity.cells[role.id] = tuple(sorted(have + (code,), key=self.variant.order.index))
        else:
            for j, role in roles.items():
                cell = row[j]
                reading = read_cell(cell.text, self.variant)
                if reading.letters is None:
                    self.note(cell.where, f"{role.id}: {reading.note}", dropped=True)
                    continue
                if reading.note:
                    self.note(cell.where, f"{role.id}: {reading.note}")
                if reading.letters:
                    activity.cells[role.id] = reading.letters
        self.activities.append(activity)

    def sign_off(self, activity: ImportedActivity, cell: SourceCell) -> None:
        """The sign-off column's cell of an activity's row: yes, x, true... make it a sign-off; no or nothing
        not; anything else is reported and not read."""
        text = " ".join(cell.text.split()).casefold()
        if text in SIGN_OFF_YES:
            activity.sign_off = True
        elif text and text not in SIGN_OFF_NO:
            self.note(cell.where, f"sign-off {cell.text!r} is neither yes nor no; not read as a sign-off",
                      dropped=True)

    def activity_id(self, cell: SourceCell | None, phase: str) -> str:
        if cell is not None and cell.text:
            wanted = re.sub(r"[^A-Za-z0-9._-]+", "-", unicodedata.normalize("NFKD", cell.text)
                            .encode("ascii", "ignore").decode()).strip("-._")[:32]
            if wanted and ID_PATTERN.match(wanted) and wanted.casefold() not in self.activity_ids:
                self.activity_ids.add(wanted.casefold())
                if wanted != cell.text:
                    self.note(cell.where, f"id {cell.text!r} written {wanted!r}")
                return wanted
            derived = self._derive(phase)
            self.note(cell.where, f"id {cell.text!r} {'is taken' if wanted else 'cannot be an id'}; "
                                  f"the activity is {derived}")
            return derived
        return self._derive(phase)

    def _derive(self, phase: str) -> str:
        """``PREFIX-N`` with the smallest N not taken. Ids are only ever added, so every N below the one
        derived last for this prefix is still taken: counting on from there finds the same N in one pass
        (counting from 1 for every row took 30 s for 10,000 rows)."""
        prefix = _initials(phase)[:3] or "A"
        n = self.next_number.get(prefix.casefold(), 1)
        while f"{prefix}-{n}".casefold() in self.activity_ids:
            n += 1
        self.next_number[prefix.casefold()] = n + 1
        self.activity_ids.add(f"{prefix}-{n}".casefold())
        return f"{prefix}-{n}"


def name_roles_from_a_roles_table(matrix: ImportedMatrix, tables: list[SourceTable]) -> None:
    """Roles headed by their id alone (``R1``, as raci-gen's Markdown heads them) take their names from a
    table of roles in the same source (``ID | Role | ...``), when there is one."""
    unnamed = {r.id: r for r in matrix.roles if r.name == r.id}
    if not unnamed:
        return
    for table in tables:
        if len(table.rows) < 2:
            continue
        header = [" ".join(c.text.split()).casefold() for c in table.rows[0]]
        if "id" not in header or not ({"role", "name"} & set(header)):
            continue
        id_col = header.index("id")
        name_col = header.index("role") if "role" in header else header.index("name")
        for row in table.rows[1:]:
            role = unnamed.get(row[id_col].text)
            if role is not None and row[name_col].text and len(row[name_col].text) <= MAX_NAME:
                role.name = " ".join(row[name_col].text.split())
                matrix.notes.append(Note(row[name_col].where, f"role {role.id} named {role.name!r} from the table "
                                                              f"of roles ({table.where})"))
        return


def _initials(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[A-Za-z0-9]+", ascii_text)
    if not words:
        return ""
    if len(words) == 1:
        return words[0][:8].upper() if len(words[0]) <= 4 else words[0][:3].upper()
    return "".join(w[0] for w in words[:6]).upper()


def _names(text: str) -> list[str]:
    """The people or roles listed in one cell of a letters-as-columns table."""
    parts = re.split(r"\s*(?:[,;\n]|\band\b|&)\s*", text)
    return [" ".join(p.split()) for p in parts if p.strip()]


def _strip_marks(text: str) -> str:
    """A phase row's text as the phase's name: "Planning:" is Planning."""
    return " ".join(text.split()).strip(" :") or text

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

import functools
import re
import unicodedata
from dataclasses import dataclass, field

from raci_gen.importers.table import SourceCell, SourceError, SourceTable
from raci_gen.loader import MAX_ACTIVITIES, MAX_ROLES
from raci_gen.patterns import ID_PATTERN
from raci_gen.model import Variant
from raci_gen.schema import MAX_DESCRIPTION, MAX_NAME
from raci_gen.variants import RACI, VARIANTS

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
}
TRANSPOSED_HEADERS = {"role", "roles", "person", "people", "who", "team", "teams", "stakeholder", "stakeholders",
                      "role / activity", "role \\ activity", "roles / activities", "name / task"}
NON_ACTIVITY = re.compile(r"^(legend|key|aligned capabilit(y|ies)|capabilit(y|ies)|total|totals|sum|count|notes?)\b",
                          re.IGNORECASE)


@dataclass(frozen=True)
class Note:
    """One line of the import report."""

    where: str
    message: str
    dropped: bool = False
    """Something in the source that the project does not carry (what --strict fails on)."""


@dataclass
class ImportedRole:
    id: str
    name: str
    header: str


@dataclass
class ImportedActivity:
    id: str
    name: str
    phase: str
    description: str | None = None
    cells: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Role id -> letters, in the variant's order; roles without letters left out."""
    where: str = ""


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

    def phases(self) -> list[str]:
        return list(dict.fromkeys(a.phase for a in self.activities))

    def grid(self) -> list[list[str]]:
        """The matrix as rows of text: header (id, phase, name, role ids), then one row per activity."""
        rows = [["id", "phase", "name"] + [r.id for r in self.roles]]
        for a in self.activities:
            rows.append([a.id, a.phase, a.name] + ["/".join(a.cells.get(r.id, ())) for r in self.roles])
        return rows


@dataclass(frozen=True)
class Choice:
    tables: tuple[SourceTable, ...]
    score: float
    legend: bool = False

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


def _is_legend(table: SourceTable) -> bool:
    """A table that explains the letters (``R | Responsible | Does the work``) rather than assigning them."""
    if not table.rows or len(table.rows[0]) > 5 or len(table.rows) > 16:
        return False  # a legend is a short, narrow table: a few letters, a few columns
    names = {l.name.casefold() for v in VARIANTS.values() for l in v.letters}
    codes = {l.code for v in VARIANTS.values() for l in v.letters}
    hits = 0
    for row in table.rows:
        texts = [c.text.strip().strip("*") for c in row if c.text.strip()]
        # The letter first (R, or A/R), its name beside it.
        if texts and set(texts[0].upper()) - set("/ ") <= codes and any(t.casefold() in names for t in texts[1:]):
            hits += 1
    return hits >= 2 and hits >= (len(table.rows) - 1) / 2


# --- which table --------------------------------------------------------------------------------------------------


def _score(table: SourceTable, variant: Variant) -> float:
    """Letters a table holds; a table with letters in one column only (a list, not a matrix) counts half."""
    if len(table.rows) < 2:
        return 0
    body = table.rows[1:]
    per_column = [sum(1 for row in body if _is_letters(row[j].text, variant)) for j in range(len(table.rows[0]))]
    total = sum(per_column)
    if _letter_columns(table.rows[0], variant, body):
        total = sum(1 for row in body for c in row[1:] if c.text and not _is_letters(c.text, variant))
        return total
    return total if sum(1 for n in per_column if n) >= 2 else total / 2


def choose(tables: list[SourceTable], variant: Variant, number: int | None, shown: str) -> tuple[Choice, list[Note]]:
    """The table to read: the ``number``-th, or the run of same-header tables holding the most letters."""
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
    for table in tables:
        if groups and _header_key(groups[-1][-1]) == _header_key(table) and len(table.rows) > 1:
            groups[-1].append(table)
        else:
            groups.append([table])
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
        notes.append(Note(other.label(), f"also holds letters ({other.score:g}); not read (choose with --table)"))
    return best, notes


def _header_key(table: SourceTable) -> tuple[str, ...]:
    return tuple(c.text.casefold() for c in table.rows[0]) if table.rows else ()


def guess_variant(tables: list[SourceTable]) -> Variant:
    """The built-in variant that reads the most cells of the tables; RACI unless another reads more."""
    best, best_count = RACI, -1
    for variant in VARIANTS.values():
        count = sum(1 for t in tables for row in t.rows[1:] for c in row
                    if c.text and read_cell(c.text, variant).letters)
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


def transpose(table: SourceTable) -> SourceTable:
    rows = table.rows
    width = len(rows[0]) if rows else 0
    return SourceTable(table.number, table.where, tuple(tuple(r[j] for r in rows) for j in range(width)),
                       table.heading, table.title, table.stamp)


def read_matrix(choice: Choice, variant: Variant, shown: str, transposed: bool = False) -> ImportedMatrix:
    notes: list[Note] = []
    tables = list(choice.tables)
    first = tables[0]
    if not transposed and first.rows and _kind(first.rows[0][0].text) is None \
            and first.rows[0][0].text.casefold().strip(" :") in TRANSPOSED_HEADERS:
        transposed = True
        notes.append(Note(first.rows[0][0].where, f"the first column is headed {first.rows[0][0].text!r}: roles are "
                                                   "rows, activities columns; read transposed"))
    if transposed:
        tables = [transpose(t) for t in tables]
    reader = _Reader(variant, shown, notes)
    for table in tables:
        # The heading before each table names its phase when the matrix is one table per phase;
        # the heading over a single table is the matrix's title.
        reader.read(table, table.heading if len(tables) > 1 else None)
    if not reader.activities:
        raise SourceError(f"{shown}: error: {choice.label()} has no activity rows; expected one row per activity "
                          "(--transpose if roles are rows)")
    title = first.title or (first.heading if len(tables) == 1 else None)
    return ImportedMatrix(reader.role_list, reader.activities, variant, title, choice.label(), notes,
                          stamp=first.stamp)


class _Reader:
    def __init__(self, variant: Variant, shown: str, notes: list[Note]):
        self.variant, self.shown, self.notes = variant, shown, notes
        self.roles: dict[str, ImportedRole] = {}  # by header text, casefolded
        self.role_ids: set[str] = set()
        self.activities: list[ImportedActivity] = []
        self.activity_ids: set[str] = set()
        self.next_number: dict[str, int] = {}
        """Per prefix of derived ids, the number to try next: every smaller one is taken."""

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
        elif len(lines) > 1 and SHORT_ID.match(lines[0]):  # raci-gen's workbook: "R1\nBusiness Stakeholder\npeople"
            role_id, name = lines[0], lines[1]
        elif (m := ROLE_WITH_NAME.match(name)) and SHORT_ID.match(m.group(1)):
            role_id, name = m.group(1), m.group(2) or m.group(3)
        elif (m := NAME_WITH_ROLE.match(name)) and (" " in m.group(1).strip() or m.group(2).isupper()):
            role_id, name = m.group(2), m.group(1)
        elif SHORT_ID.match(name) and name.upper() == name:  # PO, QA, R1: already an id
            role_id = name
        if not name:
            name = f"Role {len(self.roles) + 1}"
            self.note(header.where, f"role column without a header; named {name!r}")
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
        id_col = next((j for j, k in kinds.items() if k == "id" and j not in taken), None)
        name_col = next((j for j, k in kinds.items() if k == "name" and j not in taken), None)
        phase_col = next((j for j, k in kinds.items() if k == "phase" and j not in taken), None)
        desc_col = next((j for j, k in kinds.items() if k == "description" and j not in taken), None)
        free = [j for j in range(len(header)) if j not in taken and j not in (id_col, name_col, phase_col, desc_col)]
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
            if header[j].text or any(row[j].text for row in body):
                self.note(header[j].where, f"column {header[j].text or j + 1!r} is not read (neither id, "
                                           "activity, phase, description nor a role)", dropped=True)
        roles = {j: self.role(header[j]) for j in role_cols}
        phase = phase or "Activities"
        for row in body:
            if not any(c.text for c in row):
                continue
            name_cell = row[name_col]
            non_empty = [c for c in row if c.text]
            role_texts = [row[j].text for j in (role_cols or letter_columns)]
            letters_in_row = any(_is_letters(t, self.variant) for t in role_texts) if not letter_columns \
                else any(role_texts)
            if not letters_in_row and (len(non_empty) == 1 or all(c.bold for c in non_empty)) and \
                    (phase_col is None or non_empty[0] is not row[phase_col] or len(non_empty) == 1):
                phase = _strip_marks(non_empty[0].text.split("\n")[0])  # a second line describes it
                continue
            if NON_ACTIVITY.match(name_cell.text or non_empty[0].text) or \
                    (not letters_in_row and any(role_texts) and not letter_columns):
                shown = (name_cell.text or non_empty[0].text).replace("\n", " ")
                self.note(name_cell.where, f"row {shown!r} is not an activity (no cell holds a letter)"
                                           , dropped=True)
                continue
            if phase_col is not None and row[phase_col].text:
                phase = row[phase_col].text
            self.activity(row, id_col, name_col, desc_col, phase, roles, letter_columns, header)

    def _looks_like_ids(self, texts: list[str]) -> bool:
        present = [t for t in texts if t]
        return bool(present) and len(set(present)) == len(present) and \
            all(len(t) <= 12 and " " not in t and any(ch.isdigit() for ch in t) for t in present)

    def activity(self, row, id_col, name_col, desc_col, phase, roles, letter_columns, header) -> None:
        name_cell = row[name_col]
        if len(self.activities) >= MAX_ACTIVITIES:
            raise SourceError(f"{self.shown}: {name_cell.where}: error: more than {MAX_ACTIVITIES:,} activities; "
                              f"the limit is {MAX_ACTIVITIES:,} (raci-gen's limit on a project)")
        name = " ".join(name_cell.text.split())
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
        activity = ImportedActivity(activity_id, name, phase, description, where=name_cell.where)
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

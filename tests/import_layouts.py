"""Workbooks laid out the way people lay them out (issue 19, item 1), made with openpyxl, each with the grid
raci-gen must read from it, and their CSV, Markdown and HTML twins where the layout exists there.

Every layout holds the same matrix (:data:`ROLES`, :data:`PHASES`) dressed differently: title and subtitle rows,
blank rows, merged phase rows, subtotal rows, line breaks in headers, a group row above the role names, notes,
owner, status and date columns, legends and footnotes below or beside, roles as rows, a stakeholder table.
:class:`Layout` says what must come out: the roles, the phases, the activities and their cells, and which cells
must be listed as left out (then the exit status is 1), or the error (exit 2).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

ROLES = [("SPO", "Sponsor"), ("PM", "Project Manager"), ("BA", "Business Analyst"), ("LD", "Lead Developer"),
         ("TES", "Tester"), ("OPE", "Operations")]
PHASES = [
    ("Initiation", [("I-1", "Approve the business case", ["A", "R", "C", "I", "", ""]),
                    ("I-2", "Write the charter", ["C", "A/R", "C", "I", "", ""])]),
    ("Delivery", [("D-1", "Gather requirements", ["I", "A", "R", "C", "C", ""]),
                  ("D-2", "Build the solution", ["", "A", "C", "R", "C", "I"]),
                  ("D-3", "Test the solution", ["", "A", "C", "C", "R", "I"])]),
    ("Closure", [("C-1", "Deploy to production", ["I", "A", "", "C", "C", "R"]),
                 ("C-2", "Hand over to support", ["I", "A/R", "", "C", "", "R"])]),
]
NAMES = [name for _, name in ROLES]
HEADER = ["ID", "Activity"] + NAMES
BOLD = Font(bold=True)
FILL = PatternFill("solid", fgColor="DDEBF7")
SHEET = "RACI"


@dataclass
class Layout:
    name: str
    rows: list[list]
    """The sheet's cells from A1, None where empty."""
    merges: list[str] = field(default_factory=list)
    bold: set[int] = field(default_factory=set)
    """0-based rows in bold with a fill (headers, phase rows)."""
    roles: dict[str, str] = field(default_factory=lambda: dict(ROLES))
    grid: list[list[str]] | None = None
    """[phase, name, cell per role in ``roles``' order] per activity; None: the base matrix."""
    ids: bool = True
    """The activities' ids are the source's (I-1 ...)."""
    left_out: list[str] = field(default_factory=list)
    """Texts that must each appear on a 'left out:' line of the report (the exit status is then 1)."""
    error: str | None = None
    """The error line's text (exit 2, nothing written)."""
    args: list[str] = field(default_factory=list)
    twins: tuple[str, ...] = ("csv", "html", "md")
    title: str | None = None
    """The project's title, when the source has one."""
    header_at: int = 0
    """0-based row of the header (Markdown twin: rows above are paragraphs)."""
    descriptions: dict[str, str] = field(default_factory=dict)
    role_descriptions: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    """Texts the report must hold besides the left-out lines."""
    phase_descriptions: dict[str, str] = field(default_factory=dict)
    numbered: bool = False
    """The phase rows say "Phase 1: Initiation", which is the phase's name."""

    def expected_grid(self) -> list[list[str]]:
        if self.grid is not None:
            return self.grid
        return [[f"Phase {p}: {phase}" if self.numbered else phase, name] + cells
                for p, (phase, acts) in enumerate(PHASES, start=1) for _, name, cells in acts]

    def expected_ids(self) -> list[str] | None:
        return [a for _, acts in PHASES for a, _, _ in acts] if self.ids and self.grid is None else None

    # --- the files ---
    def workbook(self, path: Path) -> Path:
        wb = Workbook()
        ws = wb.active
        ws.title = SHEET
        for i, row in enumerate(self.rows, start=1):
            for j, value in enumerate(row, start=1):
                if value is not None and value != "":
                    cell = ws.cell(row=i, column=j, value=value)
                    if isinstance(value, str) and "\n" in value:
                        cell.alignment = Alignment(wrap_text=True)
                    if i - 1 in self.bold:
                        cell.font, cell.fill = BOLD, FILL
        for ref in self.merges:
            ws.merge_cells(ref)
        ws.freeze_panes = f"C{self.header_at + 2}"
        ws.column_dimensions["B"].width = 32
        wb.save(path)
        return path

    def csv(self, path: Path) -> Path:
        import csv

        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            width = max(len(r) for r in self.rows)
            for row in self.rows:
                writer.writerow(["" if v is None else str(v) for v in row] + [""] * (width - len(row)))
        return path

    def html(self, path: Path) -> Path:
        """What a spreadsheet's "save as web page" writes: the whole sheet as one table, merged cells as colspan."""
        spans = {}
        covered = set()
        from openpyxl.utils.cell import range_boundaries

        for ref in self.merges:
            c1, r1, c2, r2 = range_boundaries(ref)
            spans[(r1 - 1, c1 - 1)] = c2 - c1 + 1
            covered |= {(r1 - 1, c) for c in range(c1, c2)}
        width = max(len(r) for r in self.rows)
        out = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>sheet</title></head><body><table>"]
        for i, row in enumerate(self.rows):
            row = list(row) + [None] * (width - len(row))
            cells = []
            for j, value in enumerate(row):
                if (i, j) in covered:
                    continue
                text = "" if value is None else html.escape(str(value)).replace("\n", "<br>")
                if i in self.bold and text:
                    text = f"<b>{text}</b>"
                span = f" colspan='{spans[(i, j)]}'" if (i, j) in spans else ""
                cells.append(f"<td{span}>{text}</td>")
            out.append("<tr>" + "".join(cells) + "</tr>")
        out.append("</table></body></html>")
        path.write_text("\n".join(out), encoding="utf-8")
        return path

    def markdown(self, path: Path) -> Path:
        """Rows above the header as headings and paragraphs, the table (blank rows left out: a Markdown table
        has none), rows after it as paragraphs."""
        width = max(len(r) for r in self.rows)
        lines = []
        body_end = len(self.rows)
        while body_end > self.header_at and self._after_table(body_end - 1):
            body_end -= 1
        for i, row in enumerate(self.rows[:self.header_at]):
            texts = [str(v) for v in row if v not in (None, "")]
            if texts:
                lines += [("# " if not lines else "") + " ".join(texts), ""]
        for i, row in enumerate(self.rows[self.header_at:body_end], start=self.header_at):
            values = ["" if v is None else str(v).replace("\n", "<br>") for v in row] + [""] * (width - len(row))
            if not any(values):
                continue
            if i in self.bold and i != self.header_at:
                values = [f"**{v}**" if v else v for v in values]
            lines.append("| " + " | ".join(values) + " |")
            if i == self.header_at:
                lines.append("|" + "---|" * width)
        lines.append("")
        for row in self.rows[body_end:]:
            texts = [str(v) for v in row if v not in (None, "")]
            if texts:
                lines += [" ".join(texts), ""]
        path.write_text("\n".join(lines), encoding="utf-8")
        return path

    footer_from: int | None = None
    """0-based row where the lines below the table start (legend, footnotes), for the Markdown twin."""

    def _after_table(self, i: int) -> bool:
        return self.footer_from is not None and i >= self.footer_from or not any(
            v not in (None, "") for v in self.rows[i])

    def sources(self, folder: Path) -> dict[str, Path]:
        folder.mkdir(parents=True, exist_ok=True)
        made = {"xlsx": self.workbook(folder / f"{self.name}.xlsx")}
        for fmt in self.twins:
            made[fmt] = getattr(self, {"md": "markdown"}.get(fmt, fmt))(folder / f"{self.name}.{fmt}")
        return made


# --- the pieces ---------------------------------------------------------------------------------------------------


def activity_rows(phase_rows: str = "none", with_id: bool = True, extra=None, blank_between: bool = False,
                  subtotal: bool = False, width: int | None = None) -> tuple[list[list], list[int]]:
    """The activities' rows, and the 0-based indexes (within them) of the phase rows.

    ``phase_rows``: "none" (a Phase column instead), "row" (a row with the phase's name in the first cell).
    ``extra(activity_id)`` -> values of the columns after the roles."""
    rows, phase_at = [], []
    for p, (phase, acts) in enumerate(PHASES, start=1):
        if blank_between and p > 1:
            rows.append([None])
        if phase_rows == "row":
            phase_at.append(len(rows))
            rows.append([phase])
        elif phase_rows == "numbered":
            phase_at.append(len(rows))
            rows.append([f"Phase {p}: {phase}"])
        for activity_id, name, cells in acts:
            lead = ([activity_id] if with_id else []) + ([phase] if phase_rows == "none" else []) + [name]
            rows.append(lead + [c or None for c in cells] + (extra(activity_id) if extra else []))
        if subtotal:
            rows.append([None, f"Subtotal {phase}"] + [sum(1 for _, _, c in acts if c[j]) for j in range(len(ROLES))])
    return rows, phase_at


def phase_column_header() -> list:
    return ["ID", "Phase", "Activity"] + NAMES


def phase_merges(top: int, phase_at: list[int], width: int) -> list[str]:
    return [f"A{top + i + 1}:{get_column_letter(width)}{top + i + 1}" for i in phase_at]


def with_phase_rows(above: list[list], header: list, merged: bool = True, blank_between: bool = False,
                    numbered: bool = False, **kw) -> tuple[list[list], list[str], set[int]]:
    body, phase_at = activity_rows("numbered" if numbered else "row", blank_between=blank_between, **kw)
    top = len(above) + 1
    rows = above + [header] + body
    merges = phase_merges(top, phase_at, len(header)) if merged else []
    return rows, merges, {top - 1} | {top + i for i in phase_at}


def layouts() -> list[Layout]:
    made: list[Layout] = []
    add = made.append
    base_rows, _ = activity_rows("none")

    # 1. The plain table: a header, a Phase column.
    add(Layout("plain", [phase_column_header()] + base_rows, bold={0}))
    # 2. A title row right above the header.
    add(Layout("title-row", [["Project Phoenix RACI"], phase_column_header()] + base_rows, bold={1}, header_at=1,
               title="Project Phoenix RACI"))
    # 3. Title, subtitle and a blank row above the header.
    add(Layout("title-subtitle-blank", [["Project Phoenix RACI"], ["Version 1.2, March 2026"], [None],
                                        phase_column_header()] + base_rows,
               bold={3}, header_at=3, title="Project Phoenix RACI", notes=["Version 1.2, March 2026"]))
    # 4. Phase rows (not merged, not bold) between the phases.
    rows, _, bold = with_phase_rows([], HEADER, merged=False)
    add(Layout("phase-rows", rows, bold={0}))
    # 5. Merged, bold, filled phase rows.
    rows, merges, bold = with_phase_rows([], HEADER)
    add(Layout("merged-phase-rows", rows, merges, bold))
    # 6. A blank row and a merged "Phase N: name" row between phases.
    rows, merges, bold = with_phase_rows([], HEADER, blank_between=True, numbered=True)
    add(Layout("blank-and-phase-rows", rows, merges, bold, numbered=True))
    # 7. Blank rows between phases, a Phase column.
    body, _ = activity_rows("none", blank_between=True)
    add(Layout("blank-rows-phase-column", [phase_column_header()] + body, bold={0}))
    # 8. Title, blank row, merged phase rows, blank rows between phases (the workbook, less the extras).
    rows, merges, bold = with_phase_rows([["Project Phoenix RACI"], [None]], HEADER, blank_between=True,
                                         numbered=True)
    add(Layout("title-blank-phases", rows, merges, bold, header_at=2, title="Project Phoenix RACI", numbered=True))
    # 9. Headers with line breaks (Alt+Enter).
    wrapped = ["ID", "Activity", "Sponsor", "Project\nManager", "Business\nAnalyst", "Lead\nDeveloper", "Tester",
               "Operations"]
    rows, merges, bold = with_phase_rows([], wrapped)
    add(Layout("wrapped-headers", rows, merges, bold))
    # 10. A group row above the role names (merged over each group).
    group = [None, None, "Business", None, None, "IT", None, None]
    rows, merges, bold = with_phase_rows([group], HEADER)
    add(Layout("group-row", rows, merges + ["C1:E1", "F1:H1"], bold | {0}, header_at=1,
               role_descriptions={"SPO": "Business", "PM": "Business", "BA": "Business", "LD": "IT", "TES": "IT",
                                  "OPE": "IT"}, twins=("csv", "html")))
    # 11. A group row with ID and Activity merged down over both header rows.
    group2 = ["ID", "Activity", "Business", None, None, "IT", None, None]
    second = [None, None] + NAMES
    rows, merges, bold = with_phase_rows([group2], second)
    add(Layout("group-row-merged-down", rows, merges + ["A1:A2", "B1:B2", "C1:E1", "F1:H1"], bold | {0},
               header_at=1, role_descriptions={"SPO": "Business", "LD": "IT"}, twins=("csv", "html")))
    # 12. A Notes column: each activity's description.
    notes = {"I-1": "Needs the board's sign-off", "D-2": "Two sprints"}
    rows, merges, bold = with_phase_rows([], HEADER + ["Notes"], extra=lambda a: [notes.get(a)])
    add(Layout("notes-column", rows, merges, bold, descriptions=notes))
    # 13. Owner, Status and Date columns beside the letters: left out and listed.
    rows, merges, bold = with_phase_rows([], HEADER + ["Owner", "Status", "Due"],
                                         extra=lambda a: ["Ann", "Open", "2026-04-01"])
    add(Layout("owner-status-date", rows, merges, bold, left_out=["Owner", "Status", "Due"]))
    # 14. A legend table below, after a blank row.
    legend = [[None], ["R", "Responsible"], ["A", "Accountable"], ["C", "Consulted"], ["I", "Informed"]]
    rows, merges, bold = with_phase_rows([], HEADER)
    add(Layout("legend-below", rows + legend, merges, bold, notes=["legend"], twins=("csv", "html")))
    # 15. A legend line below: "R = Responsible, A = Accountable, ...".
    rows, merges, bold = with_phase_rows([], HEADER)
    add(Layout("legend-line-below", rows + [[None], ["R = Responsible, A = Accountable, C = Consulted, "
                                                     "I = Informed"]], merges, bold, footer_from=len(rows)))
    # 16. A footnote right under the table (no blank row): left out and listed.
    rows, merges, bold = with_phase_rows([], HEADER)
    add(Layout("footnote-under", rows + [["* The sponsor signs every change of scope"]], merges, bold,
               left_out=["The sponsor signs every change of scope"], twins=("csv", "html")))
    # 17. A footnote after a blank row: left out and listed.
    rows, merges, bold = with_phase_rows([], HEADER)
    add(Layout("footnote-below", rows + [[None], ["Reviewed by the PMO in May"]], merges, bold,
               left_out=["Reviewed by the PMO in May"], twins=("csv", "html")))
    # 18. A legend beside the table, after an empty column.
    rows, merges, bold = with_phase_rows([], HEADER)
    side = [["Legend"], ["R", "Responsible"], ["A", "Accountable"], ["C", "Consulted"], ["I", "Informed"]]
    rows = [r + ([None] * (len(HEADER) - len(r)) + [None] + side[i] if i < len(side) else []) for i, r in
            enumerate(rows)]
    add(Layout("legend-beside", rows, merges, bold, notes=["legend"], twins=("csv",)))
    # 19. Subtotal rows after each phase: left out and listed.
    rows, merges, bold = with_phase_rows([], HEADER, subtotal=True)
    add(Layout("subtotal-rows", rows, merges, bold, left_out=["Subtotal Initiation", "Subtotal Closure"]))
    # 20. Roles as rows, activities as columns.
    acts = [(a, n, c) for _, acts_ in PHASES for a, n, c in acts_]
    trows = [["Role"] + [n for _, n, _ in acts]] + [[name] + [c[j] or None for _, _, c in acts]
                                                    for j, (_, name) in enumerate(ROLES)]
    add(Layout("roles-as-rows", trows, bold={0}, ids=False,
               grid=[["Activities", n] + c for _, n, c in acts]))
    # 21. Roles as rows below a title row.
    add(Layout("roles-as-rows-title", [["Who does what"]] + trows, bold={1}, ids=False, header_at=1,
               title="Who does what", grid=[["Activities", n] + c for _, n, c in acts]))
    # 22. A stakeholder table: people as rows, the letters as columns, for one piece of work.
    stake = [["Migrate the CRM"], ["Stakeholder", "R", "A", "S", "C", "I"], ["Ann Lee", "x", None, None, None, None],
             ["Bob Roy", None, "x", None, None, None], ["Cem Ak", None, None, "x", "x", None],
             ["Dee Fox", None, None, None, None, "x"]]
    add(Layout("stakeholder-table", stake, bold={1}, header_at=1, ids=False, title="Migrate the CRM",
               roles={"AL": "Ann Lee", "BR": "Bob Roy", "CA": "Cem Ak", "DF": "Dee Fox"},
               grid=[["Activities", "Migrate the CRM", "R", "A", "S/C", "I"]], args=["--variant", "RASCI"]))
    # 22b. The same without --variant: the header's letters choose RASCI.
    add(Layout("stakeholder-table-guessed", stake, bold={1}, header_at=1, ids=False, title="Migrate the CRM",
               roles={"AL": "Ann Lee", "BR": "Bob Roy", "CA": "Cem Ak", "DF": "Dee Fox"},
               grid=[["Activities", "Migrate the CRM", "R", "A", "S/C", "I"]], twins=("csv",),
               notes=["RASCI"]))
    # 23. Two columns with the same header: two roles, never one.
    dup_header = ["ID", "Activity", "Developer", "Developer", "Tester"]
    dup = [dup_header, ["T-1", "Build", "R", "C", "I"], ["T-2", "Review", "C", "R", "A"]]
    add(Layout("same-header-twice", dup, bold={0}, ids=False, roles={"DEV": "Developer", "DEV2": "Developer",
                                                                      "TES": "Tester"},
               grid=[["Activities", "Build", "R", "C", "I"], ["Activities", "Review", "C", "R", "A"]]))
    # 24. Headers with the same initials: two ids.
    pm = ["ID", "Activity", "Project Manager", "Product Manager"]
    add(Layout("same-initials", [pm, ["T-1", "Plan", "A/R", "C"], ["T-2", "Prioritise", "C", "A/R"]], bold={0},
               ids=False, roles={"PM": "Project Manager", "PM2": "Product Manager"},
               grid=[["Activities", "Plan", "A/R", "C"], ["Activities", "Prioritise", "C", "A/R"]]))
    # 25. A role column without a header: an error that names the column.
    nohead = ["ID", "Activity", "Sponsor", None, "Tester"]
    add(Layout("empty-header", [nohead, ["T-1", "Build", "A", "R", "C"], ["T-2", "Test", "A", "C", "R"]],
               bold={0}, error="D1", twins=("csv",)))
    # 26. A role header of punctuation only: an error that names the column.
    punct = ["ID", "Activity", "Sponsor", "—", "Tester"]
    add(Layout("punctuation-header", [punct, ["T-1", "Build", "A", "R", "C"], ["T-2", "Test", "A", "C", "R"]],
               bold={0}, error="D1", twins=("csv",)))
    # 27. The workbook: title, blank row, merged phase rows, a Notes column, a legend below.
    rows, merges, bold = with_phase_rows([["Project Phoenix RACI"], [None]], wrapped + ["Notes"],
                                         blank_between=True, numbered=True, extra=lambda a: [notes.get(a)])
    add(Layout("issue-workbook", rows + [[None], ["Legend"], ["R", "Responsible"], ["A", "Accountable"],
                                         ["C", "Consulted"], ["I", "Informed"]],
               merges, bold, header_at=2, title="Project Phoenix RACI", descriptions=notes, twins=("csv", "html"),
               numbered=True))
    # 28. --range picks exactly the cells named: the table without the title and the footnote.
    rows, merges, bold = with_phase_rows([["Project Phoenix RACI"], [None]], HEADER, blank_between=True)
    add(Layout("range-picks", rows + [["* not part of the matrix"]], merges, bold, header_at=2,
               args=["--range", f"A3:H{len(rows)}"], twins=()))
    # 29. A subtitle right under the title, no blank row, phase rows in bold without merges.
    rows, _, bold = with_phase_rows([["Project Phoenix RACI"], ["Owner: PMO"]], HEADER, merged=False)
    add(Layout("title-subtitle-tight", rows, [], bold, header_at=2, title="Project Phoenix RACI",
               notes=["Owner: PMO"]))
    # 30. A phase row with a description on a second line.
    rows, merges, bold = with_phase_rows([], HEADER)
    rows[1] = ["Initiation\nFrom idea to charter"]
    add(Layout("phase-row-description", rows, merges, bold, phase_descriptions={"Initiation": "From idea to charter"},
               twins=("csv", "html")))
    # 31. A first activity that no role takes part in ("-" everywhere) under the header: no group row.
    dash = [["ID", "Activity", "Developer", "Tester"], ["T-1", "Kick off", "-", "-"], ["T-2", "Build", "R", "C"],
            ["T-3", "Test", "C", "R"]]
    add(Layout("dashes-first", dash, bold={0}, ids=False, roles={"DEV": "Developer", "TES": "Tester"},
               grid=[["Activities", "Kick off", "", ""], ["Activities", "Build", "R", "C"],
                     ["Activities", "Test", "C", "R"]]))
    return made


def write_all(folder: Path) -> dict[str, dict[str, Path]]:
    return {layout.name: layout.sources(folder / layout.name) for layout in layouts()}

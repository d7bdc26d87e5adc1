"""An Excel workbook: the matrix, the roles, each role's part, the workload and the legend, one sheet each.

openpyxl is imported here only. Every text from the YAML is written as a text
cell, never a formula, and text that a spreadsheet would read as a formula
(``=``, ``+``, ``-``, ``@``, tab, carriage return; OWASP's list) also gets the
quote prefix, so Excel and LibreOffice keep showing it as text after an edit.

The workbook keeps working when someone edits the matrix in it: each matrix cell
offers the variant's letters and combinations as a list, plus any other text
the matrix holds (an unresolved R/C, listed in the Legend too), and refuses
anything else, its colour comes from conditional formatting on the letter typed (not from
a fill fixed at build time), and the Summary counts are COUNTIF formulas over
the matrix sheet. The only formulas in the workbook are those, and they are made
of cell references and letter codes alone, never of text from the YAML.
"""

from __future__ import annotations

import datetime as _dt
import errno
import io
import os
import re
import zipfile
from xml.parsers import expat

from openpyxl import Workbook
from openpyxl.cell.cell import Cell as XlCell
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.drawing.text import CharacterProperties, ParagraphProperties
from openpyxl.formatting.rule import CellIsRule
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from raci_gen.model.matrix import Activity, Letter, Matrix, Phase
from raci_gen.model.patterns import formula_like
from raci_gen.documents.document import Document

MAX_CELL_TEXT = 32_767
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # zip cannot store times before 1980
_ZIP_END = (2107, 12, 31, 23, 59, 58)  # nor after 2107 (a 7-bit year from 1980, seconds in twos)

MATRIX_SHEET = "RACI matrix"
HEADER_ROW = 4
"""The matrix sheet's header row; rows 1 and 2 hold the title block."""
FIRST_ROLE_COL = 3
"""Role columns start at C, after ID and Activity."""

HEADER_FILL = "12355B"
PHASE_FILL = "DFE7F1"
THIN = Side(style="thin", color="C8CED6")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center")
WRAP = Alignment(wrap_text=True, vertical="top")

SUMMARY_SHEET = "Summary"

MAX_LIST_FORMULA = 255
"""Excel's limit on an inline list of a data validation; a longer list refers to the Legend sheet."""
MAX_ERROR_TEXT = 225
"""Excel's limit on a data validation's error message."""

# Named styles: a workbook has a few, and every cell points at one of them (no per-cell style objects).
STYLE_HEADER = "raci-header"
STYLE_HEADER_LEFT = "raci-header-left"
STYLE_PHASE = "raci-phase"
STYLE_TEXT = "raci-text"
STYLE_CELL = "raci-cell"
STYLE_COUNT = "raci-count"
SIGN_OFF_HEADER = "Sign-off"
"""The matrix sheet's column after the roles, when the matrix has sign-offs: ``yes`` on a sign-off's row (a word
to filter by; raci-gen import reads it back as the sign-off)."""


def _xml_text(text: object) -> str | None:
    """``text`` without the control characters XML 1.0 cannot carry (each becomes U+FFFD)."""
    return None if text is None else _ILLEGAL.sub("\ufffd", str(text))


def _clean(text: object) -> str:
    text = "" if text is None else str(text)
    text = _ILLEGAL.sub("\ufffd", text)  # XML 1.0 cannot carry these control characters
    if len(text) > MAX_CELL_TEXT:
        text = text[: MAX_CELL_TEXT - 1] + "…"
    return text


def put_text(cell: XlCell, text: object) -> XlCell:
    """Write ``text`` as a literal text cell, whatever characters it holds.

    Set a cell's named style before this: assigning a style afterwards drops the quote prefix.
    """
    text = _clean(text)
    cell.value = text
    cell.data_type = "s"  # openpyxl would otherwise store a leading "=" as a formula
    if formula_like(text):
        cell.quotePrefix = True
    return cell


def put_rich_text(cell: XlCell, parts: list[tuple[str, InlineFont]]) -> XlCell:
    """Write text in runs of their own font (still a text cell, never a formula); plain text if it is too long."""
    parts = [(_clean(text), font) for text, font in parts if text]
    plain = "".join(text for text, _ in parts)
    if len(plain) > MAX_CELL_TEXT or len(parts) < 2:
        return put_text(cell, plain)
    cell.value = CellRichText([TextBlock(font, text) for text, font in parts])
    cell.data_type = "s"
    if formula_like(plain):
        cell.quotePrefix = True
    return cell


def _put(ws: Worksheet, row: int, col: int, text: object, style: str) -> XlCell:
    cell = ws.cell(row=row, column=col)
    cell.style = style
    return put_text(cell, text)


def _font(**kwargs) -> Font:
    """The workbook's body font (named, so no spreadsheet falls back to its own default, often a serif)."""
    return Font(name="Calibri", size=kwargs.pop("size", 11), family=2, scheme="minor", **kwargs)


def _hex(colour: str) -> str:
    return colour.lstrip("#").upper()


def _letter_style_name(code: str) -> str:
    return f"raci-{code}"


def _styles(document: Document) -> list[NamedStyle]:
    """Every named style of the workbook, in a fixed order."""
    white_bold = _font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor=HEADER_FILL)
    styles = [
        NamedStyle(name=STYLE_HEADER, font=white_bold, fill=header_fill, border=GRID,
                   alignment=Alignment(wrap_text=True, vertical="bottom", horizontal="center")),
        NamedStyle(name=STYLE_HEADER_LEFT, font=white_bold, fill=header_fill, border=GRID,
                   alignment=Alignment(wrap_text=True, vertical="bottom", horizontal="left")),
        NamedStyle(name=STYLE_PHASE, font=_font(bold=True, color=HEADER_FILL),
                   fill=PatternFill("solid", fgColor=PHASE_FILL), border=GRID),
        NamedStyle(name=STYLE_TEXT, font=_font(), border=GRID, alignment=WRAP),
        # A matrix cell: no fill of its own; conditional formatting colours it by the letter it holds.
        NamedStyle(name=STYLE_CELL, font=_font(bold=True), border=GRID, alignment=CENTER),
        NamedStyle(name=STYLE_COUNT, font=_font(), border=GRID,
                   alignment=Alignment(horizontal="right", vertical="top")),
    ]
    for letter in document.letters:  # fixed colours for the Legend, which is the key to the matrix colours
        styles.append(NamedStyle(name=_letter_style_name(letter.code),
                                 fill=PatternFill("solid", fgColor=_hex(letter.fill)),
                                 font=_font(bold=True, color=_hex(letter.text)), alignment=CENTER, border=GRID))
    for text, _, letter in document.combinations():
        styles.append(NamedStyle(name=_letter_style_name(text), fill=combination_fill(document, text),
                                 font=_font(bold=True, color=_hex(letter.text)), alignment=CENTER, border=GRID))
    return styles


COMBINATION_PATTERN = "lightUp"
"""How a combination's cell (A/R) is told apart from its first letter's (A, a sign-off): thin diagonal stripes
in the second letter's colour over the first letter's, as the PDF splits such a cell corner to corner."""


def combination_fill(document: Document, text: str) -> PatternFill:
    """The fill of a combination's cell: the first letter's colour behind stripes of the second's. A pattern
    fill's fgColor is the stripes and bgColor the ground, in a cell's style and in a conditional format alike."""
    first, second = (document.matrix.letter(code) for code in text.split("/")[:2])
    return PatternFill(COMBINATION_PATTERN, fgColor=_hex(second.fill), bgColor=_hex(first.fill))


def _header(ws: Worksheet, row: int, values: list[str], widths: list[float], left: int = 2) -> None:
    """A header row in the house style; the first ``left`` columns are left-aligned, the rest centred."""
    for col, (value, width) in enumerate(zip(values, widths), start=1):
        _put(ws, row, col, value, STYLE_HEADER_LEFT if col <= left else STYLE_HEADER)
        ws.column_dimensions[get_column_letter(col)].width = width


def _title(ws: Worksheet, document: Document) -> None:
    put_text(ws.cell(row=1, column=1), document.title + (f" · {document.project}" if document.project else ""))
    ws.cell(row=1, column=1).font = _font(bold=True, size=14, color=HEADER_FILL)
    meta = [f"Version {document.version}" if document.version else "",
            f"Author {document.author}" if document.author else "", f"Date {document.date}" if document.date else ""]
    put_text(ws.cell(row=2, column=1), "  ·  ".join(m for m in meta if m))
    ws.cell(row=2, column=1).font = _font(color="555555")


def _wrapped_lines(text: str, width: int) -> int:
    """How many lines ``text`` takes when wrapped at word boundaries to ``width`` characters a line."""
    total = 0
    for paragraph in text.split("\n"):
        lines, used = 1, 0
        for word in paragraph.split():
            while len(word) > width:  # a word longer than the column breaks anywhere
                if used:
                    lines, used = lines + 1, 0
                word = word[width:]
                lines += 1
            need = len(word) if not used else used + 1 + len(word)
            if need <= width:
                used = need
            else:
                lines, used = lines + 1, len(word)
        total += lines
    return total


LINE_HEIGHT = 15
"""Points a line of 11-point text takes."""
MAX_ROW_HEIGHT = 409
"""Excel's limit on a row's height, in points."""


def _fit_height(ws: Worksheet, row: int, cells: list[tuple[str, float]]) -> None:
    """Give a row the height its wrapped texts need ((text, column width) pairs): spreadsheets do not grow a
    row for wrapped text when they open a file (LibreOffice does not, Excel not always). One-line rows keep the
    default height."""
    # A column of width w holds w zeros of the default font and more characters of prose: about 1.25 w in
    # DejaVu Sans, the wider font LibreOffice falls back to without Calibri (measured); 1.15 w leaves a margin.
    lines = max(_wrapped_lines(text, max(1, int(width * 1.15))) for text, width in cells)
    if lines > 1:
        ws.row_dimensions[row].height = min(MAX_ROW_HEIGHT, LINE_HEIGHT * lines + 2)


def role_header(document: Document, role) -> list[tuple[str, InlineFont]]:
    """A role's matrix header as runs: id and name in bold, then the people in the role (if any) below, in
    smaller italics; a text run sets its font in full, or a spreadsheet shows it black on the dark header."""
    people = document.people(role)
    return [(f"{role.id}\n{role.name}", InlineFont(rFont="Calibri", family=2, sz=11, b=True, color="FFFFFF")),
            (f"\n{people}" if people else "", InlineFont(rFont="Calibri", family=2, sz=9, i=True, color="FFFFFF"))]


def _header_height(runs: list[tuple[str, InlineFont]]) -> float:
    """Points a role's header needs in its 15-wide column: about 13 bold characters a line of 14 points for
    the id and name, about 17 characters a line of 11 points for the people in 9-point italics (measured in
    LibreOffice with DejaVu Sans, wider than Calibri; a little room is left over rather than a line cut off)."""
    (name, _), (people, _) = runs
    return 14 * _wrapped_lines(name, 13) + (11 * _wrapped_lines(people.lstrip("\n"), 17) if people else 0) + 6


def role_label(role) -> str:
    """How a role is named on the By role and Summary sheets."""
    return f"{role.id} {role.name}"


def person_line(person) -> str:
    """One person of a role: ``Ada Lovelace (Data) <ada@example.org>``."""
    terms = Document.person_terms(person)
    return (person.name + (f" ({person.team})" if person.team else "") + (f" <{person.email}>" if person.email else "")
            + (f" [{terms}]" if terms else ""))


# --- where things are --------------------------------------------------------------------------------------------


def matrix_layout(matrix: Matrix) -> list[tuple[int, Phase, list[tuple[int, Activity]]]]:
    """(phase row, phase, [(activity row, activity)]) on the matrix sheet, as :func:`_matrix_sheet` lays it out."""
    result = []
    row = HEADER_ROW
    for phase in matrix.phases:
        row += 1
        phase_row = row
        rows = []
        for activity in phase.activities:
            row += 1
            rows.append((row, activity))
        result.append((phase_row, phase, rows))
    return result


def matrix_ranges(matrix: Matrix) -> list[str]:
    """The blocks of letter cells on the matrix sheet (role columns × a phase's activity rows), e.g. ``C6:I10``."""
    if not matrix.roles:
        return []
    first, last = get_column_letter(FIRST_ROLE_COL), get_column_letter(FIRST_ROLE_COL + len(matrix.roles) - 1)
    return [f"{first}{rows[0][0]}:{last}{rows[-1][0]}" for _, _, rows in matrix_layout(matrix) if rows]


def entries(document: Document) -> list[tuple[str, Letter]]:
    """What a matrix cell may hold, with the letter whose colour it takes: the letters, then the combinations."""
    return [(letter.code, letter) for letter in document.letters] + \
        [(text, letter) for text, _, letter in document.combinations()]


def unsettled_texts(document: Document) -> list[str]:
    """Cell texts the matrix holds beyond the settled entries (an unresolved R/C, which the lint warns about),
    in the variant's writing order."""
    settled = {text for text, _ in entries(document)}
    order = document.matrix.variant.order
    extra = {cell.text for activity in document.matrix.activities() for cell in activity.cells
             if cell.letters and cell.text not in settled}
    return sorted(extra, key=lambda t: [order.index(c) for c in t.split("/")])


def offered_texts(document: Document) -> list[str]:
    """What a matrix cell's list accepts: the settled entries, then every other text the matrix holds, so that
    the workbook accepts its own cells (Excel's "Circle invalid data" marks none, and retyping one is allowed)."""
    return [text for text, _ in entries(document)] + unsettled_texts(document)


def counted_texts(document: Document) -> list[str]:
    """Every cell text the Summary formulas count: the valid entries, then any other combination the matrix
    holds (an unresolved cell such as R/C, which the lint warns about), so the counts match the model."""
    return offered_texts(document)


def _countif(ref: str, texts: list[str]) -> str | int:
    """A formula counting the cells of ``ref`` that hold one of ``texts``; 0 when there is nothing to count."""
    if not texts:
        return 0
    return "=" + "+".join(f'COUNTIF({ref},"{text}")' for text in texts)


def _counted(held: list[str], texts: list[str]) -> int:
    """What :func:`_countif` of ``texts`` computes over cells holding ``held``: COUNTIF with a text of capital
    letters and slashes (no wildcard, no operator, no number) counts the cells equal to it, and the texts are
    distinct, so the sum counts each cell holding one of them once."""
    wanted = set(texts)
    return sum(1 for text in held if text in wanted)


def _matrix_ref(first_col: int, first_row: int, last_col: int, last_row: int) -> str:
    return (f"{quote_sheetname(MATRIX_SHEET)}!${get_column_letter(first_col)}${first_row}:"
            f"${get_column_letter(last_col)}${last_row}")


def summary_formulas(document: Document) -> tuple[list[dict[str, str | int]], list[dict[str, str | int]]]:
    """The Summary sheet's formulas: per role {letter code, "On", "Owns": formula}, and per phase {letter: formula}.

    A letter's count adds up the cells equal to the letter and those holding a combination containing it
    (A: ``COUNTIF(col,"A")+COUNTIF(col,"A/R")``), as :func:`raci_gen.checks.analysis.workload` counts A/R for A and R.
    """
    return _summary(document, lambda ref, held, texts: _countif(ref, texts))


def summary_values(document: Document) -> tuple[list[dict[str, int]], list[dict[str, int]]]:
    """What each formula of :func:`summary_formulas` computes, counted here over the texts the matrix sheet's
    cells are given: the workbook stores them as the formulas' cached values, which a reader that does not
    compute (openpyxl's ``data_only``, pandas) shows, and which Excel and LibreOffice recompute on opening."""
    return _summary(document, lambda ref, held, texts: _counted(held, texts))


def _summary(document: Document, count) -> tuple[list[dict], list[dict]]:
    """The Summary tables, each entry ``count(range, texts held in the range's cells, texts counted)``."""
    matrix = document.matrix
    variant = matrix.variant
    texts = counted_texts(document)
    holding = {code: [t for t in texts if code in t.split("/")] for code in variant.codes()}
    involved = [t for t in texts if any(c not in variant.not_involved for c in t.split("/"))]
    owning = [t for t in texts if any(c in variant.owners() for c in t.split("/"))]
    layout = matrix_layout(matrix)
    rows = [r for _, _, rs in layout for r, _ in rs]
    held = {(row, role.id): "" for row in rows for role in matrix.roles}  # what _matrix_sheet writes per cell
    for _, _, phase_rows in layout:
        for row, activity in phase_rows:
            held.update({(row, cell.role_id): cell.text for cell in activity.cells})
    per_role = []
    for col, role in enumerate(matrix.roles, start=FIRST_ROLE_COL):
        if rows:
            ref = _matrix_ref(col, rows[0], col, rows[-1])
            column = [held[row, role.id] for row in rows]
            counts = {code: count(ref, column, holding[code]) for code in variant.codes()}
            counts.update({"On": count(ref, column, involved), "Owns": count(ref, column, owning)})
        else:
            counts = {key: 0 for key in (*variant.codes(), "On", "Owns")}
        per_role.append(counts)
    per_phase = []
    last_col = FIRST_ROLE_COL + len(matrix.roles) - 1
    for _, _, phase_rows in layout:
        if phase_rows and matrix.roles:
            ref = _matrix_ref(FIRST_ROLE_COL, phase_rows[0][0], last_col, phase_rows[-1][0])
            block = [held[row, role.id] for row, _ in phase_rows for role in matrix.roles]
            per_phase.append({code: count(ref, block, holding[code]) for code in variant.codes()})
        else:
            per_phase.append({code: 0 for code in variant.codes()})
    return per_role, per_phase


# --- sheets ------------------------------------------------------------------------------------------------------


def _matrix_sheet(ws: Worksheet, document: Document) -> None:
    matrix = document.matrix
    _title(ws, document)
    roles = matrix.roles
    headers = [role_header(document, r) for r in roles]
    _header(ws, HEADER_ROW, ["ID", "Activity"] + [""] * len(roles), [10, 60] + [15] * len(roles))
    for col, runs in enumerate(headers, start=FIRST_ROLE_COL):
        put_rich_text(ws.cell(row=HEADER_ROW, column=col), runs)
    ws.row_dimensions[HEADER_ROW].height = min(MAX_ROW_HEIGHT, max([30] + [_header_height(r) for r in headers]))
    last_col = FIRST_ROLE_COL + len(roles) - 1
    sign_off_col = last_col + 1 if any(a.sign_off for a in matrix.activities()) else None
    if sign_off_col is not None:  # only then: a workbook without sign-offs keeps its bytes
        _put(ws, HEADER_ROW, sign_off_col, SIGN_OFF_HEADER, STYLE_HEADER)
        ws.column_dimensions[get_column_letter(sign_off_col)].width = 10
        last_col = sign_off_col
    row = HEADER_ROW
    for phase_row, phase, rows in matrix_layout(matrix):
        row = phase_row
        _put(ws, row, 1, phase.name, STYLE_PHASE)
        for col in range(2, last_col + 1):
            ws.cell(row=row, column=col).style = STYLE_PHASE
        for row, activity in rows:
            _put(ws, row, 1, activity.id, STYLE_TEXT)
            _put(ws, row, 2, activity.name, STYLE_TEXT)
            _fit_height(ws, row, [(activity.id, 10), (activity.name, 60)])
            texts = {cell.role_id: cell.text for cell in activity.cells}
            for col, role in enumerate(roles, start=FIRST_ROLE_COL):
                cell = ws.cell(row=row, column=col)
                cell.style = STYLE_CELL
                if texts.get(role.id):
                    put_text(cell, texts[role.id])
            if sign_off_col is not None:
                _put(ws, row, sign_off_col, "yes" if activity.sign_off else "", STYLE_TEXT).alignment = CENTER
    _edit_guards(ws, document)
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=FIRST_ROLE_COL)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(max(last_col, 2))}{row}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_title_cols = "A:B"
    _print_setup(ws, document)


def _edit_guards(ws: Worksheet, document: Document) -> None:
    """A list of the valid entries on every letter cell, and colours that follow the letter typed."""
    ranges = " ".join(matrix_ranges(document.matrix))
    if not ranges:
        return
    valid = entries(document)
    texts = [text for text, _ in valid]
    offered = offered_texts(document)
    inline = '"' + ",".join(offered) + '"'
    # Past Excel's limit on an inline list, the list is the Legend sheet's first column (same entries, same order).
    formula = inline if len(inline) <= MAX_LIST_FORMULA \
        else f"{quote_sheetname('Legend')}!$A$2:$A${1 + len(offered)}"
    # The message names the settled entries only: the unsettled ones are accepted, not recommended.
    error = f"Enter one of {', '.join(texts)}, or leave the cell empty."
    if len(error) > MAX_ERROR_TEXT:
        error = "Enter a letter or combination from the Legend sheet, or leave the cell empty."
    title = _xml_text(f"Not a {document.matrix.variant.name} entry")[:32]  # Excel's limit on the title
    validation = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True,
                                errorStyle="stop", errorTitle=title, error=error, sqref=ranges)
    ws.add_data_validation(validation)
    combinations = {text for text, _, _ in document.combinations()}
    for text, letter in valid:
        fill = combination_fill(document, text) if text in combinations \
            else PatternFill("solid", start_color=_hex(letter.fill), end_color=_hex(letter.fill))
        ws.conditional_formatting.add(ranges, CellIsRule(operator="equal", formula=[f'"{text}"'], fill=fill,
                                                         font=Font(bold=True, color=_hex(letter.text))))


def _footer_text(text: str) -> str:
    """Text for a header or footer: ``&`` starts a code there, so a literal one is doubled."""
    return text.replace("&", "&&")


def _print_setup(ws: Worksheet, document: Document) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4 if document.page == "A4" else ws.PAPERSIZE_LETTER
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.center.text = _footer_text(document.provenance)
    ws.oddFooter.center.size = 8
    ws.oddFooter.right.text = "Page &P of &N"


def _roles_sheet(ws: Worksheet, document: Document) -> None:
    widths = [10, 32, 40, 40, 90]
    _header(ws, 1, ["ID", "Role", "People", "Similar roles", "Description"], widths, left=5)
    for row, role in enumerate(document.matrix.roles, start=2):
        people = [person_line(p) for p in role.people]
        people += [f"handles: {document.role_handles(role)}"] if role.handles else []
        values = [role.id, role.name, "\n".join(people), ", ".join(role.similar),
                  role.description or ""]
        for col, value in enumerate(values, start=1):
            _put(ws, row, col, value, STYLE_TEXT)
        _fit_height(ws, row, list(zip(values, widths)))
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    _print_setup(ws, document)


PATHS_SHEET = "Paths"
"""The sheet of the repository paths the activities govern (``paths:``, what CODEOWNERS gives their owners);
only in the workbooks of matrices whose activities have some, so that others keep their bytes."""


def _paths_sheet(ws: Worksheet, document: Document) -> None:
    widths = [16, 60, 80]
    _header(ws, 1, ["ID", "Activity", "Paths"], widths, left=3)
    governing = [a for a in document.matrix.activities() if a.paths]
    for row, activity in enumerate(governing, start=2):
        values = [activity.id, activity.name, "\n".join(p.pattern for p in activity.paths)]
        for col, value in enumerate(values, start=1):
            _put(ws, row, col, value, STYLE_TEXT)
        _fit_height(ws, row, list(zip(values, widths)))
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    _print_setup(ws, document)


def by_role_rows(document: Document) -> list[list[str]]:
    """The By role sheet below its header: Role, As, Phase, ID, Activity; one row per (role, activity, part)."""
    rows = []
    for view in document.role_views():
        label = role_label(view.role)
        if not view.parts:
            rows.append([label, "Takes part in no activity", "", "", ""])
        for text, name, phases in view.parts:
            for phase, activities in phases:
                for activity in activities:
                    rows.append([label, f"{name} ({text})", phase, activity.id, activity.name])
    return rows


def _by_role_sheet(ws: Worksheet, document: Document) -> None:
    widths = [32, 32, 28, 10, 60]
    _header(ws, 1, ["Role", "As", "Phase", "ID", "Activity"], widths, left=5)
    rows = by_role_rows(document)
    for row, values in enumerate(rows, start=2):
        for col, value in enumerate(values, start=1):
            _put(ws, row, col, value, STYLE_TEXT)
        _fit_height(ws, row, list(zip(values, widths)))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:E{1 + len(rows)}"
    ws.print_title_rows = "1:1"
    _print_setup(ws, document)


def _summary_sheet(ws: Worksheet, document: Document) -> dict[str, int]:
    """Workload per role and per phase as formulas over the matrix sheet, and a stacked bar chart of it.
    Returns each formula cell's value (by its coordinate), which openpyxl cannot store: see _cache_values."""
    matrix = document.matrix
    codes = list(matrix.variant.codes())
    per_role, per_phase = summary_formulas(document)
    values_per_role, values_per_phase = summary_values(document)
    cached: dict[str, int] = {}
    keys = codes + ["On", "Owns"]
    _header(ws, 1, ["Role"] + keys, [34] + [8] * len(keys), left=1)
    for row, (role, counts, values) in enumerate(zip(matrix.roles, per_role, values_per_role), start=2):
        _put(ws, row, 1, role_label(role), STYLE_TEXT)
        _fit_height(ws, row, [(role_label(role), 34)])
        for col, key in enumerate(keys, start=2):
            cell = ws.cell(row=row, column=col)
            cell.style = STYLE_COUNT
            cell.value = counts[key]
            if cell.data_type == "f":
                cached[cell.coordinate] = values[key]
    phase_header = len(matrix.roles) + 3
    _header(ws, phase_header, ["Phase"] + codes, [34] + [8] * len(codes), left=1)
    for row, (phase, counts, values) in enumerate(zip(matrix.phases, per_phase, values_per_phase),
                                                  start=phase_header + 1):
        _put(ws, row, 1, phase.name, STYLE_TEXT)
        _fit_height(ws, row, [(phase.name, 34)])
        for col, code in enumerate(codes, start=2):
            cell = ws.cell(row=row, column=col)
            cell.style = STYLE_COUNT
            cell.value = counts[code]
            if cell.data_type == "f":
                cached[cell.coordinate] = values[code]
    note_row = phase_header + len(matrix.phases) + 2
    owners = " or ".join(matrix.letter(c).name for c in matrix.variant.owners())
    combos = ", ".join(text for text, _, _ in document.combinations())
    notes = [f"Counted by formulas over the {MATRIX_SHEET} sheet, so they follow edits there."
             + (f" A cell with {combos} counts for each of its letters." if combos else ""),
             f"On: activities the role takes part in. Owns: activities it is {owners} on."]
    for offset, note in enumerate(notes):
        put_text(ws.cell(row=note_row + offset, column=1), note).font = _font(italic=True, color="555555")
    if matrix.roles:
        ws.add_chart(_workload_chart(ws, document), f"{get_column_letter(len(keys) + 3)}1")
    _print_setup(ws, document)
    return cached


def _workload_chart(ws: Worksheet, document: Document) -> BarChart:
    """One horizontal bar per role, stacked by letter, in the letters' colours."""
    letters = document.letters
    roles = len(document.matrix.roles)
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.gapWidth = 60
    chart.title = "Activities per role and letter"
    chart.title.tx.rich.p[0].pPr = ParagraphProperties(defRPr=CharacterProperties(sz=1200, b=True))
    chart.add_data(Reference(ws, min_col=2, max_col=1 + len(letters), min_row=1, max_row=1 + roles),
                   titles_from_data=True)
    categories = Reference(ws, min_col=1, min_row=2, max_row=1 + roles)
    for series, letter in zip(chart.series, letters):
        series.cat = AxDataSource(strRef=StrRef(f=str(categories)))  # role names are text: a string reference
        series.graphicalProperties.solidFill = _hex(letter.fill)
        series.graphicalProperties.line.solidFill = "7F7F7F"
    chart.x_axis.scaling.orientation = "maxMin"  # the first role at the top, as in the table
    chart.x_axis.tickLblSkip = 1  # every role named, however many
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.y_axis.crosses = "max"  # with the roles reversed, this keeps the counts' axis at the bottom
    chart.y_axis.title = "Activities"
    chart.y_axis.majorGridlines = None
    chart.legend.position = "b"
    chart.width = 18
    chart.height = max(7.5, 4 + 0.8 * roles)
    return chart


def _legend_sheet(ws: Worksheet, document: Document) -> None:
    _header(ws, 1, ["Letter", "Meaning", "What it means"], [10, 28, 80])
    rows = [(letter.code, letter.name, letter.meaning, letter.code) for letter in document.letters]
    for text, name, letter in document.combinations():
        meanings = " ".join(document.matrix.letter(code).meaning for code in text.split("/"))
        codes = text.split("/")
        look = (f"Its cell is striped, {document.matrix.letter(codes[1]).name}'s colour over "
                f"{document.matrix.letter(codes[0]).name}'s, to stand apart from a cell of {codes[0]} alone.")
        rows.append((text, name, f"One role plays these parts at once. {meanings} {look}", text))
    for text in unsettled_texts(document):
        codes = text.split("/")
        rows.append((text, " and ".join(document.matrix.letter(c).name for c in codes),
                     "Held in this matrix, but not a settled combination of the variant: the lint reports it "
                     "(unresolved-cell). Settle the role on one letter.", codes[0]))
    for row, (code, name, meaning, style) in enumerate(rows, start=2):
        _put(ws, row, 1, code, _letter_style_name(style))
        _put(ws, row, 2, name, STYLE_TEXT)
        _put(ws, row, 3, meaning, STYLE_TEXT)
        _fit_height(ws, row, [(name, 28), (meaning, 80)])
    put_text(ws.cell(row=len(rows) + 3, column=1),
             f"In the {MATRIX_SHEET} sheet, each cell offers these entries as a list; "
             "the colour and the Summary counts follow the entry.").font = _font(italic=True, color="555555")
    sign_offs = [a.id for a in document.matrix.activities() if a.sign_off]
    if sign_offs:  # only then: a workbook without sign-offs keeps its bytes
        put_text(ws.cell(row=len(rows) + 4, column=1),
                 f"Sign-offs ({SIGN_OFF_HEADER} column of the {MATRIX_SHEET} sheet): {', '.join(sign_offs)}. On each, "
                 "the Accountable signs off work that another role, and another person, does.").font = _font(italic=True, color="555555")
    _print_setup(ws, document)  # printed like the other sheets: landscape, the project's paper size


def render_xlsx(document: Document) -> bytes:
    wb = Workbook()
    for style in _styles(document):
        wb.add_named_style(style)
    matrix_ws = wb.active
    matrix_ws.title = MATRIX_SHEET
    _matrix_sheet(matrix_ws, document)
    _roles_sheet(wb.create_sheet("Roles"), document)
    _by_role_sheet(wb.create_sheet("By role"), document)
    if any(activity.paths for activity in document.matrix.activities()):
        _paths_sheet(wb.create_sheet(PATHS_SHEET), document)
    cached: dict[str, dict[str, int]] = {}
    if document.analysis:
        summary = wb.create_sheet(SUMMARY_SHEET)
        # openpyxl names the sheets' parts by their place in the workbook, from 1 (ExcelWriter._write_worksheets)
        cached[f"xl/worksheets/sheet{len(wb.worksheets)}.xml"] = _summary_sheet(summary, document)
    _legend_sheet(wb.create_sheet("Legend"), document)

    variant = document.matrix.variant.name
    # docProps/core.xml is XML 1.0 too: the control characters put_text replaces in cells would break it.
    wb.properties.title = _xml_text(document.title)
    wb.properties.subject = _xml_text(document.project)
    wb.properties.creator = _xml_text(document.author) or "raci-gen"
    wb.properties.lastModifiedBy = _xml_text(document.author) or "raci-gen"
    wb.properties.keywords = _xml_text(", ".join(dict.fromkeys(["RACI", variant])))
    wb.properties.description = _xml_text(f"Generated by {document.provenance}")
    created = document.created.astimezone(_dt.timezone.utc).replace(tzinfo=None) if document.created else None
    if created is not None:
        wb.properties.created = created
    if document.record is not None:
        for name, value in document.record.xlsx_properties():
            wb.custom_doc_props.append(StringProperty(name=name, value=_xml_text(value)))
    buffer = io.BytesIO()
    try:
        wb.save(buffer)
    except Exception as exc:
        raise _machine_error(exc) or exc
    return _reproducible_zip(buffer.getvalue(), created, cached)


def _machine_error(exc: Exception) -> OSError | None:
    """The OSError behind lxml's ``SerialisationError: IO_EFBIG`` (and the like): openpyxl writes its
    temporary files through lxml when lxml is installed, which reports the machine's refusal (a file
    size limit, a full disk) in its own words; without lxml the same refusal is an OSError."""
    if not type(exc).__module__.startswith("lxml"):
        return None
    code = getattr(errno, str(exc).removeprefix("IO_"), None) if str(exc).startswith("IO_") else None
    return OSError(code, os.strerror(code)) if isinstance(code, int) else None


_CORE_TIMES = re.compile(rb"<dcterms:(created|modified)\b[^>]*>[^<]*</dcterms:\1>")


def _reproducible_zip(data: bytes, created: _dt.datetime | None,
                      cached: dict[str, dict[str, int]] | None = None) -> bytes:
    """Fix what openpyxl's save() leaves to chance: the clock and the XML library.

    openpyxl stamps the zip entries and the modified date with the clock; here they get the
    document's time, and without one the core properties carry no time at all and the entries
    the zip format's earliest. It also writes its XML with lxml when lxml is importable and
    with the standard library otherwise, which differ in namespace placement and empty-element
    form; every part is rewritten in one canonical form, so the bytes do not depend on it.
    ``cached`` gives formula cells their values, part by part (see :func:`_cache_values`).
    """
    # The entries' times only; docProps/core.xml keeps the document's own time, whatever its year.
    stamp = min(max(created.timetuple()[:6], _ZIP_EPOCH), _ZIP_END) if created else _ZIP_EPOCH
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename.endswith((".xml", ".rels")):
                body = canonical_xml(body)
            if cached and info.filename in cached:
                body = _cache_values(body, cached[info.filename], info.filename)
            if info.filename == "docProps/core.xml":
                if created is None:
                    body = _CORE_TIMES.sub(b"", body)
                else:
                    modified = created.strftime("%Y-%m-%dT%H:%M:%SZ").encode("ascii")
                    body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                                  rb"\g<1>" + modified + rb"\g<2>", body)
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, body)
    return out.getvalue()


_FORMULA_CELL = re.compile(rb'<c r="([A-Z]{1,3}[0-9]{1,7})"((?: [a-z]+="[^"]*")*)><f>([^<]*)</f><v/></c>')
"""A formula cell as openpyxl writes it, in canonical_xml's form: ``<c r="B2" s="7"><f>COUNTIF(...)</f><v/></c>``,
its value empty; without ``t`` a cell's value is a number."""


def _cache_values(sheet: bytes, values: dict[str, int], part: str) -> bytes:
    """A sheet's formula cells with their values written in (``<v>3</v>``), which openpyxl has no way to store.

    Every formula cell of the part must have a value and every value a formula cell: a workbook whose cached
    values and formulas disagreed would show one count to a reader that computes and another to one that
    does not, so a mismatch is a bug, raised rather than written.
    """
    seen: set[str] = set()

    def fill(match: re.Match) -> bytes:
        coordinate = match.group(1).decode("ascii")
        if coordinate not in values or b" t=" in match.group(2):
            raise RuntimeError(f"{part}: no cached value for the formula cell {coordinate}")
        seen.add(coordinate)
        return match.group(0)[: -len(b"<v/></c>")] + b"<v>%d</v></c>" % values[coordinate]

    body = _FORMULA_CELL.sub(fill, sheet)
    if seen != set(values) or body.count(b"<f>") != len(values):
        raise RuntimeError(f"{part}: {len(values)} cached values for {body.count(b'<f>')} formula cells")
    return body


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_attribute(text: str) -> str:
    return (_escape_text(text).replace('"', "&quot;")
            .replace("\t", "&#9;").replace("\n", "&#10;").replace("\r", "&#13;"))


def canonical_xml(data: bytes) -> bytes:
    """One XML part in one form, whichever library wrote it: every namespace declared once, on the
    root element, in name order; attributes in the order written; empty elements as ``<a/>``; no
    XML declaration (openpyxl writes none either way).

    OOXML parts bind each prefix to one namespace throughout, which is what makes moving the
    declarations to the root safe; a part that binds a prefix twice is returned as it was.
    Comments and processing instructions are dropped and CDATA is written as text (openpyxl
    writes none of them).
    Written in one pass as expat reads (a sheet of a long matrix is tens of megabytes): a start
    tag waits for the next event to know whether it ends at once (``<a/>``), and the root's
    namespaces are filled in at the end.
    """
    out: list = []
    namespaces: dict[str, str] = {}
    clash = False
    open_tag = False  # the last start tag is written without its ">": "/>" if its end comes next

    def start(name: str, attributes: list[str]) -> None:
        nonlocal clash, open_tag
        if open_tag:
            out.append(">")
        tag = ["<", name]
        for i in range(0, len(attributes), 2):
            key, value = attributes[i], attributes[i + 1]
            if key == "xmlns" or key.startswith("xmlns:"):
                if namespaces.setdefault(key, value) != value:
                    clash = True
            else:
                tag.append(f' {key}="{_escape_attribute(value)}"')
        out.append("".join(tag) if out else tag)  # the root stays a list: its namespaces are not all known
        open_tag = True

    def end(name: str) -> None:
        nonlocal open_tag
        if open_tag:
            out.append("/>")
            open_tag = False
        else:
            out.append(f"</{name}>")

    def text(value: str) -> None:
        nonlocal open_tag
        if open_tag:
            out.append(">")
            open_tag = False
        out.append(_escape_text(value))

    parser = expat.ParserCreate()
    parser.ordered_attributes = True
    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.Parse(data, True)
    if clash:
        return data
    root = out[0]
    declarations = "".join(f' {k}="{_escape_attribute(v)}"' for k, v in sorted(namespaces.items()))
    out[0] = root[0] + root[1] + declarations + "".join(root[2:])
    return "".join(out).encode("utf-8")

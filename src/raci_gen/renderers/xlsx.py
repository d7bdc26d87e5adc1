"""An Excel workbook: the matrix, the roles and the legend, one sheet each.

openpyxl is imported here only. Every text from the YAML is written as a text
cell, never a formula, and text that a spreadsheet would read as a formula
(``=``, ``+``, ``-``, ``@``, tab, carriage return; OWASP's list) also gets the
quote prefix, so Excel and LibreOffice keep showing it as text after an edit.
"""

from __future__ import annotations

import datetime as _dt
import io
import re
import zipfile

from openpyxl import Workbook
from openpyxl.cell.cell import Cell as XlCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from raci_gen.renderers.document import Document

MAX_CELL_TEXT = 32_767
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # zip cannot store times before 1980

HEADER_FILL = "12355B"
PHASE_FILL = "DFE7F1"
THIN = Side(style="thin", color="C8CED6")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def put_text(cell: XlCell, text: object) -> XlCell:
    """Write ``text`` as a literal text cell, whatever characters it holds."""
    text = "" if text is None else str(text)
    text = _ILLEGAL.sub("\ufffd", text)  # XML 1.0 cannot carry these control characters
    if len(text) > MAX_CELL_TEXT:
        text = text[: MAX_CELL_TEXT - 1] + "…"
    cell.value = text
    cell.data_type = "s"  # openpyxl would otherwise store a leading "=" as a formula
    if text.startswith(FORMULA_STARTS):
        cell.quotePrefix = True
    return cell


def _styles(document: Document) -> dict[str, NamedStyle]:
    styles = {}
    for letter in document.letters:
        style = NamedStyle(name=f"raci-{letter.code}")
        style.fill = PatternFill("solid", fgColor=letter.fill.lstrip("#").upper())
        style.font = Font(bold=True, color=letter.text.lstrip("#").upper())
        style.alignment = Alignment(horizontal="center", vertical="center")
        style.border = GRID
        styles[letter.code] = style
    empty = NamedStyle(name="raci-empty", border=GRID, alignment=Alignment(horizontal="center", vertical="center"))
    styles[""] = empty
    return styles


def _header(ws: Worksheet, row: int, values: list[str], widths: list[float]) -> None:
    for col, (value, width) in enumerate(zip(values, widths), start=1):
        cell = put_text(ws.cell(row=row, column=col), value)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="bottom", horizontal="center" if col > 2 else "left")
        cell.border = GRID
        ws.column_dimensions[get_column_letter(col)].width = width


def _title(ws: Worksheet, document: Document) -> None:
    put_text(ws.cell(row=1, column=1), document.title + (f" · {document.project}" if document.project else ""))
    ws.cell(row=1, column=1).font = Font(bold=True, size=14, color=HEADER_FILL)
    meta = [f"Version {document.version}" if document.version else "",
            f"Author {document.author}" if document.author else "", f"Date {document.date}"]
    put_text(ws.cell(row=2, column=1), "  ·  ".join(m for m in meta if m))
    ws.cell(row=2, column=1).font = Font(color="555555")


def _matrix_sheet(ws: Worksheet, document: Document) -> None:
    matrix = document.matrix
    styles = _styles(document)
    _title(ws, document)
    header_row = 4
    roles = matrix.roles
    _header(ws, header_row, ["ID", "Activity"] + [f"{r.id}\n{r.name}" for r in roles],
            [10, 60] + [15] * len(roles))
    # Role names wrap in a 15-wide column: about 11 characters a line, 12.5 points a line.
    lines = max([1] + [1 + -(-len(r.name) // 11) for r in roles])
    ws.row_dimensions[header_row].height = max(30, 13 * lines + 4)
    last_col = 2 + len(roles)
    row = header_row
    phase_font = Font(bold=True, color=HEADER_FILL)
    phase_fill = PatternFill("solid", fgColor=PHASE_FILL)
    wrap = Alignment(wrap_text=True, vertical="top")
    for phase in matrix.phases:
        row += 1
        put_text(ws.cell(row=row, column=1), phase.name)
        for col in range(1, last_col + 1):
            cell = ws.cell(row=row, column=col)
            cell.font = phase_font
            cell.fill = phase_fill
            cell.border = GRID
        for activity in phase.activities:
            row += 1
            put_text(ws.cell(row=row, column=1), activity.id).border = GRID
            name = put_text(ws.cell(row=row, column=2), activity.name)
            name.alignment = wrap
            name.border = GRID
            for col, role in enumerate(roles, start=3):
                letters = activity.letters(role.id)
                cell = ws.cell(row=row, column=col)
                if letters:
                    put_text(cell, "/".join(letters))
                cell.style = styles[letters[0] if letters else ""].name
    ws.freeze_panes = ws.cell(row=header_row + 1, column=3)
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(last_col)}{row}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_title_cols = "A:B"
    _print_setup(ws, document)


def _print_setup(ws: Worksheet, document: Document) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4 if document.page == "A4" else ws.PAPERSIZE_LETTER
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.right.text = "Page &P of &N"


def _roles_sheet(ws: Worksheet, document: Document) -> None:
    _header(ws, 1, ["ID", "Role", "Similar roles", "Description"], [10, 32, 40, 90])
    wrap = Alignment(wrap_text=True, vertical="top")
    for row, role in enumerate(document.matrix.roles, start=2):
        for col, value in enumerate([role.id, role.name, ", ".join(role.similar), role.description or ""], start=1):
            cell = put_text(ws.cell(row=row, column=col), value)
            cell.alignment = wrap
            cell.border = GRID
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    _print_setup(ws, document)


def _legend_sheet(ws: Worksheet, document: Document) -> None:
    _header(ws, 1, ["Letter", "Meaning", "What it means"], [10, 28, 80])
    styles = _styles(document)
    rows = [(letter.code, letter.name, letter.meaning) for letter in document.letters]
    rows.append(("A/R", "Accountable and Responsible", "One role answers for the activity and does the work."))
    for row, (code, name, meaning) in enumerate(rows, start=2):
        letter_cell = put_text(ws.cell(row=row, column=1), code)
        letter_cell.style = styles[code[0]].name
        put_text(ws.cell(row=row, column=2), name)
        put_text(ws.cell(row=row, column=3), meaning).alignment = Alignment(wrap_text=True)
    _print_setup(ws, document)  # printed like the other sheets: landscape, the project's paper size


def render_xlsx(document: Document) -> bytes:
    wb = Workbook()
    for style in _styles(document).values():
        wb.add_named_style(style)
    matrix_ws = wb.active
    matrix_ws.title = "RACI matrix"
    _matrix_sheet(matrix_ws, document)
    _roles_sheet(wb.create_sheet("Roles"), document)
    _legend_sheet(wb.create_sheet("Legend"), document)

    created = document.created.astimezone(_dt.timezone.utc).replace(tzinfo=None)
    wb.properties.title = document.title
    wb.properties.subject = document.project
    wb.properties.creator = document.author or "raci-gen"
    wb.properties.lastModifiedBy = document.author or "raci-gen"
    wb.properties.created = created
    wb.properties.keywords = "RACI"
    wb.properties.description = f"Generated by {document.generator}"
    buffer = io.BytesIO()
    wb.save(buffer)
    return _reproducible_zip(buffer.getvalue(), created)


def _reproducible_zip(data: bytes, created: _dt.datetime) -> bytes:
    """Fix what openpyxl's save() stamps with the clock: zip entry times and the modified date."""
    stamp = max(created.timetuple()[:6], _ZIP_EPOCH)
    modified = created.strftime("%Y-%m-%dT%H:%M:%SZ").encode("ascii")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + modified + rb"\g<2>", body)
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, body)
    return out.getvalue()

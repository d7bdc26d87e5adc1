"""The Excel renderer, read back with openpyxl (and, for what openpyxl hides, the raw XML)."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest

from raci_gen import __version__
from raci_gen.renderers.xlsx import MAX_CELL_TEXT, render_xlsx
from raci_gen.variants import RACI

HEADER_ROW = 4


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def rgb(color) -> str:
    """``#RRGGBB`` of an openpyxl colour (which reads back as AARRGGBB)."""
    return "#" + color.rgb[-6:].upper()


def sheet_xml(data: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read(name).decode("utf-8")


def matrix_rows(ws, document):
    """(row number, phase or activity) for every row below the header, as the model lays them out."""
    row = HEADER_ROW
    for phase in document.matrix.phases:
        row += 1
        yield row, phase
        for activity in phase.activities:
            row += 1
            yield row, activity


@pytest.fixture(scope="module")
def example_xlsx(example_document) -> bytes:
    return render_xlsx(example_document)


@pytest.fixture(scope="module")
def wb(example_xlsx):
    return load(example_xlsx)


@pytest.fixture(scope="module")
def ws(wb):
    return wb["RACI matrix"]


def test_is_a_zip_that_openpyxl_reads(example_xlsx, wb):
    assert example_xlsx.startswith(b"PK\x03\x04")
    assert zipfile.ZipFile(io.BytesIO(example_xlsx)).testzip() is None
    assert wb.sheetnames == ["RACI matrix", "Roles", "Legend"]
    assert wb.active.title == "RACI matrix"


def test_title_rows(ws, example_document):
    d = example_document
    assert ws["A1"].value == f"{d.title} · {d.project}"
    assert ws["A2"].value == f"Version {d.version}  ·  Author {d.author}  ·  Date {d.date}"
    assert ws["A3"].value is None


def test_header_row(ws, example_document):
    roles = example_document.matrix.roles
    values = [c.value for c in ws[HEADER_ROW]]
    assert values == ["ID", "Activity"] + [f"{r.id}\n{r.name}" for r in roles]
    for cell in ws[HEADER_ROW]:
        assert cell.font.b and cell.alignment.wrap_text
    assert ws.max_column == 2 + len(roles)


def test_every_activity_row_has_the_right_letters(ws, example_document):
    roles = example_document.matrix.roles
    rows = list(matrix_rows(ws, example_document))
    assert ws.max_row == rows[-1][0]
    for row, item in rows:
        values = [ws.cell(row=row, column=c).value for c in range(1, 3 + len(roles))]
        if hasattr(item, "activities"):  # a phase row: the name, then nothing
            assert values == [item.name] + [None] * (1 + len(roles))
            assert ws.cell(row=row, column=1).font.b
            continue
        assert values[:2] == [item.id, item.name]
        for role, value in zip(roles, values[2:]):
            letters = item.letters(role.id)
            assert value == ("/".join(letters) if letters else None), (item.id, role.id)


def test_letter_fills_are_the_variant_colours(ws, example_document):
    roles = example_document.matrix.roles
    seen = set()
    for row, item in matrix_rows(ws, example_document):
        if hasattr(item, "activities"):
            continue
        for col, role in enumerate(roles, start=3):
            cell = ws.cell(row=row, column=col)
            letters = item.letters(role.id)
            if letters:
                letter = RACI.letter(letters[0])
                assert cell.fill.fill_type == "solid"
                assert rgb(cell.fill.fgColor) == letter.fill.upper(), (item.id, role.id)
                assert rgb(cell.font.color) == letter.text.upper()
                assert cell.style == f"raci-{letters[0]}"
                seen.add(letters[0])
            else:
                assert cell.fill.fill_type is None
                assert cell.style == "raci-empty"
    assert seen == set(RACI.codes())  # the example uses every letter, so every colour was checked


def test_every_sheet_prints_landscape_on_a4(wb):
    for sheet in wb:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert int(sheet.page_setup.paperSize or 0) == 9, sheet.title  # A4
        assert sheet.oddFooter.right.text == "Page &P of &N", sheet.title


def test_sheet_setup(ws, example_document):
    last_col = openpyxl.utils.get_column_letter(2 + len(example_document.matrix.roles))
    assert ws.freeze_panes == "C5"
    assert ws.print_title_rows == "$4:$4"
    assert ws.print_title_cols == "$A:$B"
    assert ws.auto_filter.ref == f"A{HEADER_ROW}:{last_col}{ws.max_row}"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0
    assert ws.oddFooter.right.text == "Page &P of &N"


def test_roles_sheet(wb, example_document):
    ws = wb["Roles"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0] == ["ID", "Role", "Similar roles", "Description"]
    expected = [[r.id, r.name, ", ".join(r.similar) or None, r.description or None]
                for r in example_document.matrix.roles]
    assert rows[1:] == expected
    assert ws.freeze_panes == "A2"


def test_legend_sheet(wb, example_document):
    ws = wb["Legend"]
    rows = list(ws.iter_rows(min_row=2))
    assert [c.value for c in ws[1]] == ["Letter", "Meaning", "What it means"]
    for row, letter in zip(rows, example_document.letters):
        assert [c.value for c in row] == [letter.code, letter.name, letter.meaning]
        assert rgb(row[0].fill.fgColor) == letter.fill.upper()
    assert rows[len(example_document.letters)][0].value == "A/R"


def test_workbook_properties(wb, example_document):
    props = wb.properties
    assert props.title == example_document.title
    assert props.creator == example_document.author
    assert props.subject == example_document.project
    assert props.description == f"Generated by raci-gen {__version__}"
    assert props.created.isoformat() == "2023-11-14T22:13:20"
    assert props.modified.isoformat() == "2023-11-14T22:13:20"


def test_zip_entries_carry_the_build_time(example_xlsx):
    with zipfile.ZipFile(io.BytesIO(example_xlsx)) as zf:
        for info in zf.infolist():
            assert info.date_time == (2023, 11, 14, 22, 13, 20), info.filename


def test_no_formula_anywhere(example_xlsx):
    with zipfile.ZipFile(io.BytesIO(example_xlsx)) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in zf.read(name).decode("utf-8") and "<f " not in zf.read(name).decode("utf-8")


# --- hostile text -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_xlsx(hostile_document) -> bytes:
    return render_xlsx(hostile_document)


@pytest.fixture(scope="module")
def hostile_wb(hostile_xlsx):
    return load(hostile_xlsx)


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)"])
def test_formula_like_text_is_a_quoted_text_cell(hostile_document, hostile_wb, text):
    ws = hostile_wb["RACI matrix"]
    activity = next(a for a in hostile_document.matrix.activities() if a.name == text)
    row = next(r for r, item in matrix_rows(ws, hostile_document) if item is activity)
    cell = ws.cell(row=row, column=2)
    assert cell.value == text
    assert cell.data_type == "s"
    assert cell.quotePrefix
    role_row = next(row for row in hostile_wb["Roles"].iter_rows(min_row=2) if row[1].value == text)
    assert role_row[1].data_type == "s" and role_row[1].quotePrefix


def test_hostile_matrix_comes_back_literally(hostile_document, hostile_wb):
    ws = hostile_wb["RACI matrix"]
    roles = hostile_document.matrix.roles
    assert [c.value for c in ws[HEADER_ROW]][2:] == [f"{r.id}\n{r.name}" for r in roles]
    for row, item in matrix_rows(ws, hostile_document):
        if hasattr(item, "activities"):
            assert ws.cell(row=row, column=1).value == item.name
        else:
            assert ws.cell(row=row, column=2).value == item.name
            assert ws.cell(row=row, column=2).data_type == "s"
            assert ws.cell(row=row, column=2).quotePrefix == item.name.startswith(("=", "+", "-", "@"))


def test_hostile_text_makes_no_formula(hostile_xlsx):
    for name in ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml"):
        xml = sheet_xml(hostile_xlsx, name)
        assert not re.search(r"<f[ >]", xml), name


def test_hostile_properties(hostile_document, hostile_wb):
    assert hostile_wb.properties.title == hostile_document.title
    assert hostile_wb.properties.creator == hostile_document.author


@pytest.fixture(scope="module")
def odd_project(odd_document):
    return odd_document


def test_control_characters_do_not_crash(odd_project):
    wb = load(render_xlsx(odd_project))
    ws = wb["RACI matrix"]
    header = [c.value for c in ws[HEADER_ROW]]
    # XML 1.0 cannot carry C0 controls: they become U+FFFD; DEL and C1 controls are legal XML and stay.
    assert header[2] == "R1\nbell \ufffd nul \ufffd esc \ufffd del \x7f csi \x9b"
    assert ws["A5"].value == "Odd \ufffd phase"
    assert ws["B7"].value == "line\nbreak \u2028 sep \ufeff bom \U0001F680"


@pytest.mark.parametrize("text", ["\tTabbed", "\r=1+1"])
def test_tab_or_return_at_the_start_gets_the_quote_prefix(odd_project, text):
    wb = load(render_xlsx(odd_project))
    # XML reads a bare carriage return back as a line feed; the text after it is what counts.
    cells = [c for ws in wb for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and c.value[1:] == text[1:] and c.value[:1] in "\t\r\n"]
    assert cells
    for cell in cells:
        assert cell.data_type == "s" and cell.quotePrefix


def test_over_long_text_is_cut_to_excels_limit(tmp_path, make_project, document_of):
    root = make_project(tmp_path, [{"id": "R1", "name": "One"}, {"id": "R3", "name": "x" * 40_000}],
                        {"01": {"phase": "P", "activities": [{"id": "A-1", "name": "a", "raci": {"R1": "A/R"}}]}})
    wb = load(render_xlsx(document_of(root)))
    name = next(row[1].value for row in wb["Roles"].iter_rows(min_row=2) if row[0].value == "R3")
    assert len(name) == MAX_CELL_TEXT == 32_767
    assert name.endswith("…") and name.startswith("x" * 100)


def test_letter_paper(tmp_path, make_project, document_of):
    root = make_project(tmp_path, [{"id": "R1", "name": "One"}],
                        {"01": {"phase": "P", "activities": [{"id": "A-1", "name": "a", "raci": {"R1": "A/R"}}]}},
                        {"page": "Letter", "author": None})
    wb = load(render_xlsx(document_of(root)))
    for ws in wb:
        assert int(ws.page_setup.paperSize or 0) == 1, ws.title  # Letter
        assert ws.page_setup.orientation == "landscape"
    assert wb.properties.creator == "raci-gen"

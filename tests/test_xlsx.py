"""The Excel renderer, read back with openpyxl (and, for what openpyxl hides, the raw XML).

The Summary formulas are checked twice: their text against the model (a small COUNTIF evaluator over the
matrix sheet's values, no spreadsheet needed), and their values as LibreOffice computes them, which is
skipped only where ``soffice`` is not on PATH.
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, range_boundaries

from raci_gen import __version__
from raci_gen.checks.analysis import phase_workload, role_view, workload
from raci_gen.model.matrix import Letter, Variant
from raci_gen.documents.xlsx import MAX_CELL_TEXT, render_xlsx
from raci_gen.model.variants import RACI, RASCI, YELLOW

HEADER_ROW = 4
SHEETS = ["RACI matrix", "Roles", "By role", "Summary", "Legend"]


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def rgb(color) -> str:
    """``#RRGGBB`` of an openpyxl colour (which reads back as AARRGGBB)."""
    return "#" + color.rgb[-6:].upper()


def sheet_xmls(data: bytes) -> dict[str, str]:
    """Each sheet's XML by the sheet's name (through the workbook's relationships, not by file number)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        workbook = zf.read("xl/workbook.xml").decode("utf-8")
        rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8")
        targets = dict(re.findall(r'<Relationship[^>]*Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
        targets.update({k: v for v, k in re.findall(r'<Relationship[^>]*Target="([^"]+)"[^>]*Id="([^"]+)"', rels)})
        result = {}
        for name, rid in re.findall(r'<sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', workbook):
            target = targets[rid].lstrip("/")
            result[name] = zf.read(target if target.startswith("xl/") else "xl/" + target).decode("utf-8")
        return result


def matrix_rows(ws, document):
    """(row number, phase or activity) for every row below the header, as the model lays them out."""
    row = HEADER_ROW
    for phase in document.matrix.phases:
        row += 1
        yield row, phase
        for activity in phase.activities:
            row += 1
            yield row, activity


def activity_rows(document) -> list[int]:
    return [row for row, item in matrix_rows(None, document) if not hasattr(item, "activities")]


def letter_cells(document) -> set[tuple[int, int]]:
    """(row, column) of every matrix cell that holds or may hold letters: role columns × activity rows."""
    columns = range(3, 3 + len(document.matrix.roles))
    return {(row, col) for row in activity_rows(document) for col in columns}


def cells_of(sqref) -> set[tuple[int, int]]:
    """The (row, column) cells of a range list such as ``C6:I9 C11:I15``."""
    result = set()
    for part in str(sqref).split():
        min_col, min_row, max_col, max_row = range_boundaries(part)
        result |= {(r, c) for r in range(min_row, max_row + 1) for c in range(min_col, max_col + 1)}
    return result


def valid_entries(document) -> list[str]:
    """What a matrix cell may hold, from the variant: its letters, then its combinations in writing order."""
    variant = document.matrix.variant
    combos = ["/".join(sorted(combo, key=variant.order.index)) for combo in variant.combinations]
    return list(variant.codes()) + combos


def fill_of(document, text: str) -> Letter:
    """The letter whose colours a cell text takes: its first letter in writing order."""
    variant = document.matrix.variant
    return variant.letter(min(text.split("/"), key=variant.order.index))


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
    assert wb.sheetnames == SHEETS
    assert wb.active.title == "RACI matrix"


def test_title_rows(ws, example_document):
    d = example_document
    assert ws["A1"].value == f"{d.title} · {d.project}"
    assert ws["A2"].value == f"Version {d.version}  ·  Author {d.author}  ·  Date {d.date}"
    assert ws["A3"].value is None


def test_header_row(ws, example_document):
    roles = example_document.matrix.roles
    assert not any(r.people for r in roles)  # the example names no people: the header is id and name
    values = [c.value for c in ws[HEADER_ROW]]
    # the example has sign-offs: their column follows the roles'
    assert values == ["ID", "Activity"] + [f"{r.id}\n{r.name}" for r in roles] + ["Sign-off"]
    for cell in ws[HEADER_ROW]:
        assert cell.font.b and cell.alignment.wrap_text
    assert ws.max_column == 3 + len(roles)


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


def test_matrix_cells_carry_no_fixed_letter_fill(ws, example_document):
    """The colour comes from conditional formatting, so a changed letter recolours; the cell keeps its
    border and centring from one named style."""
    seen = set()
    for row, col in letter_cells(example_document):
        cell = ws.cell(row=row, column=col)
        assert cell.fill.fill_type is None, cell.coordinate
        assert cell.style == "raci-cell", cell.coordinate
        assert cell.font.b and cell.alignment.horizontal == "center"
        assert cell.border.left.style == cell.border.bottom.style == "thin"
        if cell.value:
            seen.add(cell.value)
    assert set(RACI.codes()) | {"A/R"} <= seen  # the example uses every entry, so every kind of cell was looked at


def test_data_validation_covers_exactly_the_matrix_and_lists_the_entries(ws, example_document):
    [validation] = ws.data_validations.dataValidation
    assert validation.type == "list"
    assert validation.formula1 == '"R,A,C,I,A/R"'
    assert cells_of(validation.sqref) == letter_cells(example_document)
    assert validation.showErrorMessage and validation.errorStyle == "stop"
    assert validation.allowBlank  # an empty cell means "takes no part"
    assert not validation.showDropDown  # (which, in the file format, would hide the list)
    for entry in ("R", "A", "C", "I", "A/R"):
        assert entry in validation.error
    assert len(validation.error) <= 225 and len(validation.errorTitle) <= 32  # Excel's limits


def test_conditional_formatting_colours_each_entry(ws, example_document):
    rules = {}
    for formatting in ws.conditional_formatting:
        assert cells_of(formatting.sqref) == letter_cells(example_document)
        for rule in formatting.rules:
            assert rule.type == "cellIs" and rule.operator == "equal"
            [formula] = rule.formula
            rules[formula] = rule
    assert sorted(rules) == sorted(f'"{e}"' for e in valid_entries(example_document))
    for entry in valid_entries(example_document):
        letter = fill_of(example_document, entry)
        dxf = rules[f'"{entry}"'].dxf
        assert rgb(dxf.font.color) == letter.text.upper()
        if "/" in entry:
            continue  # a combination: striped, below
        assert dxf.fill.fill_type == "solid"
        # Differential fills take the colour from bgColor in Excel and fgColor elsewhere: both are set.
        assert rgb(dxf.fill.bgColor) == rgb(dxf.fill.fgColor) == letter.fill.upper(), entry
    # An A/R looks unlike an A (a sign-off): A's colour under stripes of R's (issue 21, item 7).
    ar = rules['"A/R"'].dxf.fill
    assert ar.fill_type == "lightUp"
    assert rgb(ar.bgColor) == RACI.letter("A").fill.upper() and rgb(ar.fgColor) == RACI.letter("R").fill.upper()
    assert ar.fill_type != rules['"A"'].dxf.fill.fill_type
    assert len({r.priority for r in rules.values()}) == len(rules)


def test_every_sheet_prints_landscape_on_a4_with_the_provenance(wb, example_document):
    assert example_document.digest  # the provenance names the input hash
    for sheet in wb:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert int(sheet.page_setup.paperSize or 0) == 9, sheet.title  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert sheet.oddFooter.left.text == "&A", sheet.title
        assert sheet.oddFooter.center.text.strip() == example_document.provenance, sheet.title
        assert sheet.oddFooter.right.text == "Page &P of &N", sheet.title


def test_an_ampersand_in_the_footer_is_doubled(example_document):
    document = dataclasses.replace(example_document, generator="R&D build")
    for sheet in load(render_xlsx(document)):
        assert sheet.oddFooter.center.text.strip() == f"R&&D build · input {example_document.digest}"


def test_sheet_setup(ws, example_document):
    last_col = get_column_letter(3 + len(example_document.matrix.roles))  # the roles, then the sign-offs' column
    assert ws.freeze_panes == "C5"
    assert ws.print_title_rows == "$4:$4"
    assert ws.print_title_cols == "$A:$B"
    assert ws.auto_filter.ref == f"A{HEADER_ROW}:{last_col}{ws.max_row}"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0


def test_wrapped_rows_get_a_height(wb):
    """LibreOffice does not grow a row for wrapped text when it opens a file: long texts get a height."""
    roles = wb["Roles"]
    r7 = next(row for row in roles.iter_rows(min_row=2) if row[0].value == "R7")
    assert len(r7[4].value) > 300  # a long description in a 90-wide column: several lines
    assert roles.row_dimensions[r7[0].row].height >= 4 * 15
    short = next(row for row in roles.iter_rows(min_row=2) if row[0].value == "R5")
    assert roles.row_dimensions[short[0].row].height < roles.row_dimensions[r7[0].row].height


def test_roles_sheet(wb, example_document):
    ws = wb["Roles"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0] == ["ID", "Role", "People", "Similar roles", "Description"]
    expected = [[r.id, r.name, None, ", ".join(r.similar) or None, r.description or None]
                for r in example_document.matrix.roles]
    assert rows[1:] == expected
    assert ws.freeze_panes == "A2"


def test_legend_sheet(wb, example_document):
    ws = wb["Legend"]
    rows = list(ws.iter_rows(min_row=2))
    assert [c.value for c in ws[1]] == ["Letter", "Meaning", "What it means"]
    for row, letter in zip(rows, example_document.letters):
        assert [c.value for c in row] == [letter.code, letter.name, letter.meaning]
        assert rgb(row[0].fill.fgColor) == letter.fill.upper()  # the key keeps fixed colours
    combo = rows[len(example_document.letters)]
    assert [c.value for c in combo[:2]] == ["A/R", "Accountable and Responsible"]
    # The key shows the A/R cell's look, striped as in the matrix, and says so in words.
    assert combo[0].fill.fill_type == "lightUp"
    assert rgb(combo[0].fill.bgColor) == RACI.letter("A").fill.upper()
    assert rgb(combo[0].fill.fgColor) == RACI.letter("R").fill.upper()
    assert "striped" in combo[2].value and "apart from a cell of A alone" in combo[2].value
    assert rows[len(example_document.letters) + 1][0].value is None  # RACI accepts one combination


def test_workbook_properties(wb, example_document):
    props = wb.properties
    assert props.title == example_document.title
    assert props.creator == example_document.author
    assert props.subject == example_document.project
    assert props.description == f"Generated by raci-gen {__version__} · input {example_document.digest}"
    assert props.description == f"Generated by {example_document.provenance}"
    assert props.keywords == "RACI"
    assert props.created.isoformat() == "2023-11-14T22:13:20"
    assert props.modified.isoformat() == "2023-11-14T22:13:20"


def test_zip_entries_carry_the_build_time(example_xlsx):
    with zipfile.ZipFile(io.BytesIO(example_xlsx)) as zf:
        for info in zf.infolist():
            assert info.date_time == (2023, 11, 14, 22, 13, 20), info.filename


def test_rendering_twice_gives_the_same_bytes(example_document, example_xlsx):
    assert render_xlsx(example_document) == example_xlsx


FORMULA = re.compile(r"""=COUNTIF\('RACI matrix'!\$[A-Z]+\$\d+:\$[A-Z]+\$\d+,"[A-Z](/[A-Z])*"\)"""
                     r"""(\+COUNTIF\('RACI matrix'!\$[A-Z]+\$\d+:\$[A-Z]+\$\d+,"[A-Z](/[A-Z])*"\))*""")
"""The only formulas the workbook may hold: sums of COUNTIFs of letter codes over the matrix sheet."""


def formulas_outside_the_summary(data: bytes) -> dict[str, list[str]]:
    return {name: re.findall(r"<f[ >].*?</f>", xml) for name, xml in sheet_xmls(data).items() if name != "Summary"}


def test_formulas_only_on_the_summary_and_only_countifs(example_xlsx, wb):
    assert formulas_outside_the_summary(example_xlsx) == {name: [] for name in SHEETS if name != "Summary"}
    formulas = [c.value for row in wb["Summary"].iter_rows() for c in row if c.data_type == "f"]
    assert len(formulas) > 30
    for formula in formulas:
        assert FORMULA.fullmatch(formula), formula


# --- People --------------------------------------------------------------------------------------------------------

PEOPLE_ROLES = [
    {"id": "R1", "name": "Business Stakeholder",
     "people": [{"name": "Ada Lovelace", "team": "Data", "email": "ada@example.org"}, "Alan Turing",
                {"name": "Grace Hopper", "email": "grace@example.org"}]},
    {"id": "R2", "name": "Two"},
    {"id": "R3", "name": "Idle"},
]
PEOPLE_ACTIVITIES = {
    "01-plan": {"phase": "Plan", "activities": [
        {"id": "P-1", "name": "Plan it", "raci": {"R1": "A/R", "R2": "C"}},
        {"id": "P-2", "name": "Check it", "raci": {"R1": "A", "R2": "R"}}]},
    "02-do": {"phase": "Do", "activities": [{"id": "D-1", "name": "Do it", "raci": {"R1": "I", "R2": "A/R"}}]},
}


@pytest.fixture(scope="module")
def people_document(tmp_path_factory, make_project, document_of):
    return document_of(make_project(tmp_path_factory.mktemp("people"), PEOPLE_ROLES, PEOPLE_ACTIVITIES))


@pytest.fixture(scope="module")
def people_wb(people_document):
    return load(render_xlsx(people_document))


def test_roles_sheet_lists_the_people_one_a_line(people_wb):
    rows = {row[0].value: [c.value for c in row] for row in people_wb["Roles"].iter_rows(min_row=2)}
    assert rows["R1"][2] == ("Ada Lovelace (Data) <ada@example.org>\nAlan Turing\nGrace Hopper <grace@example.org>")
    assert rows["R2"][2] is None
    cell = next(row[2] for row in people_wb["Roles"].iter_rows(min_row=2) if row[0].value == "R1")
    assert cell.alignment.wrap_text
    assert people_wb["Roles"].row_dimensions[cell.row].height >= 3 * 15  # three lines show


def test_matrix_header_shows_the_people_and_grows(people_wb, wb):
    ws = people_wb["RACI matrix"]
    header = [c.value for c in ws[HEADER_ROW]]
    assert header[2] == "R1\nBusiness Stakeholder\nAda Lovelace (Data), Alan Turing, Grace Hopper"
    assert header[3:] == ["R2\nTwo", "R3\nIdle"]
    # In a 15-wide column R1's header takes at least 3 bold lines (id, 2 for the name) and 3 smaller ones
    # for the people: 14 and 11 points a line.
    height = ws.row_dimensions[HEADER_ROW].height
    assert height >= 3 * 14 + 3 * 11
    assert height > wb["RACI matrix"].row_dimensions[HEADER_ROW].height  # more than the example's 4 lines


def test_people_in_the_header_are_a_run_of_their_own(people_document):
    """Bold id and name, then the people in smaller italics; each run white, like the rest of the header."""
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(people_document)), rich_text=True)
    header = book["RACI matrix"]["C4"].value
    assert [block.text for block in header] == ["R1\nBusiness Stakeholder",
                                                 "\nAda Lovelace (Data), Alan Turing, Grace Hopper"]
    name, people = (block.font for block in header)
    assert name.b and not name.i and people.i and not people.b and people.sz < name.sz
    assert name.color.rgb[-6:] == people.color.rgb[-6:] == "FFFFFF"
    assert book["RACI matrix"]["D4"].value == "R2\nTwo"  # no people: plain text, the cell's own bold white font


# --- By role -------------------------------------------------------------------------------------------------------


def expected_by_role(document) -> list[list[str | None]]:
    rows = []
    for role in document.matrix.roles:
        view = role_view(document.matrix, role)
        label = f"{role.id} {role.name}"
        if not view.parts:
            rows.append([label, "Takes part in no activity", None, None, None])
        for text, name, phases in view.parts:
            for phase, activities in phases:
                rows += [[label, f"{name} ({text})", phase, a.id, a.name] for a in activities]
    return rows


@pytest.mark.parametrize("which", ["example", "people"])
def test_by_role_sheet_matches_the_role_views(which, wb, people_wb, example_document, people_document):
    book, document = (wb, example_document) if which == "example" else (people_wb, people_document)
    ws = book["By role"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0] == ["Role", "As", "Phase", "ID", "Activity"]
    assert rows[1:] == expected_by_role(document)
    # Each role's rows hold each activity it plays a part on once, and nothing else.
    for role in document.matrix.roles:
        ids = [r[3] for r in rows[1:] if r[0] == f"{role.id} {role.name}" and r[3]]
        assert sorted(ids) == sorted(a.id for a in document.matrix.activities() if a.letters(role.id))


def test_by_role_sheet_setup(wb):
    sheet = wb["By role"]
    assert sheet.auto_filter.ref == f"A1:E{sheet.max_row}"
    assert sheet.freeze_panes == "A2"
    assert sheet.print_title_rows == "$1:$1"
    assert [sheet.column_dimensions[c].width for c in "ABCDE"] == [32, 32, 28, 10, 60]
    assert sheet["A1"].font.b and sheet["A1"].fill.fill_type == "solid"
    first = [c.value for c in sheet[2]]
    assert first[:2] == ["R1 Business Stakeholder", "Accountable and Responsible (A/R)"]


def test_by_role_sheet_names_an_idle_role(people_wb):
    rows = [[c.value for c in row] for row in people_wb["By role"].iter_rows(min_row=2)]
    assert ["R3 Idle", "Takes part in no activity", None, None, None] in rows


# --- Summary: formulas, checked without a spreadsheet --------------------------------------------------------------

TERM = re.compile(r"""COUNTIF\('RACI matrix'!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+),"([^"]*)"\)""")


def countif_terms(formula: str) -> list[tuple[str, int, str, int, str]]:
    assert FORMULA.fullmatch(formula), formula
    return [(a, int(b), c, int(d), text) for a, b, c, d, text in TERM.findall(formula)]


def evaluate(formula, matrix_ws) -> int:
    """A formula of the Summary sheet, computed over the matrix sheet's values (COUNTIF of an exact text)."""
    if isinstance(formula, int):
        return formula
    total = 0
    for first_col, first_row, last_col, last_row, text in countif_terms(formula):
        for row in matrix_ws.iter_rows(min_row=first_row, max_row=last_row, min_col=column_index_from_string(first_col),
                                       max_col=column_index_from_string(last_col), values_only=True):
            total += sum(1 for value in row if value == text)
    return total


def expected_summary(document) -> tuple[list[list], list[list]]:
    """The Summary tables as the model counts them: per role (label, letters..., On, Owns), per phase."""
    codes = document.matrix.variant.codes()
    roles = [[f"{w.role.id} {w.role.name}", *(w.counts[c] for c in codes), w.activities, w.owns]
             for w in workload(document.matrix)]
    phases = [[name, *(counts[c] for c in codes)] for name, counts in phase_workload(document.matrix)]
    return roles, phases


def summary_tables(summary_ws, document) -> tuple[list[list], list[list]]:
    codes = document.matrix.variant.codes()
    n_roles, n_phases = len(document.matrix.roles), len(document.matrix.phases)
    header = [c.value for c in summary_ws[1]][: 3 + len(codes)]
    assert header == ["Role", *codes, "On", "Owns"]
    phase_header = n_roles + 3
    assert [c.value for c in summary_ws[phase_header]][: 1 + len(codes)] == ["Phase", *codes]
    roles = [[summary_ws.cell(row=r, column=c).value for c in range(1, 4 + len(codes))]
             for r in range(2, 2 + n_roles)]
    phases = [[summary_ws.cell(row=r, column=c).value for c in range(1, 2 + len(codes))]
              for r in range(phase_header + 1, phase_header + 1 + n_phases)]
    return roles, phases


def check_formula_text(book, document) -> None:
    """Each count is a sum of COUNTIFs over its role's column (or its phase's block) of the matrix sheet,
    one per cell text holding the letter, and adds up to the model's count."""
    matrix_ws = book["RACI matrix"]
    variant = document.matrix.variant
    rows = activity_rows(document)
    roles_expected, phases_expected = expected_summary(document)
    roles_found, phases_found = summary_tables(book["Summary"], document)
    present = {c.text for a in document.matrix.activities() for c in a.cells}
    texts = valid_entries(document) + sorted(present - set(valid_entries(document)))
    for index, (found, expected) in enumerate(zip(roles_found, roles_expected)):
        column = get_column_letter(3 + index)
        assert found[0] == expected[0]
        for key, formula in zip([*variant.codes(), "On", "Owns"], found[1:]):
            terms = countif_terms(formula)
            assert {(a, b, c, d) for a, b, c, d, _ in terms} == {(column, rows[0], column, rows[-1])}, formula
            criteria = [t for *_, t in terms]
            if key in variant.codes():
                assert sorted(criteria) == sorted(t for t in texts if key in t.split("/")), (key, formula)
        assert [evaluate(f, matrix_ws) for f in found[1:]] == expected[1:], expected[0]
    last = get_column_letter(2 + len(document.matrix.roles))
    phase_rows_of = [(r, p) for r, p in matrix_rows(None, document) if hasattr(p, "activities")]
    for (phase_row, phase), found, expected in zip(phase_rows_of, phases_found, phases_expected):
        assert found[0] == expected[0] == phase.name
        phase_rows = [r for r in rows if phase_row < r <= phase_row + len(phase.activities)]
        for formula in found[1:]:
            if not phase_rows:
                assert formula == 0
                continue
            assert {t[:4] for t in countif_terms(formula)} == {("C", phase_rows[0], last, phase_rows[-1])}
        assert [evaluate(f, matrix_ws) for f in found[1:]] == expected[1:], phase.name


def test_summary_formulas_are_right_for_the_model(wb, example_document):
    assert any(c.text == "A/R" for a in example_document.matrix.activities() for c in a.cells)  # counted twice
    check_formula_text(wb, example_document)


def test_summary_formula_text_spelled_out(wb, example_document):
    """Two formulas in full, so that a reader sees what the workbook holds: R1's A, the first phase's A."""
    rows = activity_rows(example_document)
    first_phase = example_document.matrix.phases[0]
    column = f"'RACI matrix'!$C${rows[0]}:$C${rows[-1]}"
    assert wb["Summary"]["C2"].value == f'=COUNTIF({column},"A")+COUNTIF({column},"A/R")'
    block = f"'RACI matrix'!$C${rows[0]}:$I${rows[len(first_phase.activities) - 1]}"
    phase_row = len(example_document.matrix.roles) + 4
    assert wb["Summary"][f"A{phase_row}"].value == first_phase.name
    assert wb["Summary"][f"C{phase_row}"].value == f'=COUNTIF({block},"A")+COUNTIF({block},"A/R")'


def test_summary_sheet_is_left_out_without_analysis(tmp_path, make_project, document_of):
    root = make_project(tmp_path, PEOPLE_ROLES, PEOPLE_ACTIVITIES, {"analysis": False})
    assert load(render_xlsx(document_of(root))).sheetnames == ["RACI matrix", "Roles", "By role", "Legend"]


def test_workload_chart(wb, example_document):
    summary = wb["Summary"]
    [chart] = summary._charts
    n = len(example_document.matrix.roles)
    assert chart.tagname == "barChart" and chart.type == "bar"
    assert chart.grouping == "stacked" and chart.overlap == 100
    assert len(chart.series) == len(example_document.letters)  # one series per letter
    for index, (series, letter) in enumerate(zip(chart.series, example_document.letters)):
        column = get_column_letter(2 + index)
        assert series.tx.strRef.f.replace("$", "") == f"'Summary'!{column}1"
        assert summary[f"{column}1"].value == letter.code
        assert series.val.numRef.f == f"'Summary'!${column}$2:${column}${1 + n}"
        assert series.cat.strRef.f == f"'Summary'!$A$2:$A${1 + n}"  # one bar per role, named
        assert series.graphicalProperties.solidFill.srgbClr.upper() == letter.fill.lstrip("#").upper()


# --- Summary: values, as LibreOffice computes them -----------------------------------------------------------------


def recalculate(files: dict[str, bytes], folder: Path) -> dict[str, openpyxl.Workbook]:
    """Open each workbook in LibreOffice, which computes the formulas, and read the stored values back."""
    source, out = folder / "in", folder / "out"
    source.mkdir()
    for name, data in files.items():
        (source / f"{name}.xlsx").write_bytes(data)
    profile = (folder / "profile").as_uri()  # a profile of its own: another soffice running does not interfere
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "xlsx",
                    "--outdir", str(out), *sorted(str(p) for p in source.iterdir())],
                   check=True, capture_output=True, timeout=300)
    return {name: openpyxl.load_workbook(out / f"{name}.xlsx", data_only=True) for name in files}


def edited(data: bytes, changes: dict[str, str | None]) -> bytes:
    """The workbook with some matrix cells changed, as a user would change them."""
    book = load(data)
    for coordinate, value in changes.items():
        book["RACI matrix"][coordinate].value = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def grid_counts(matrix_ws, document) -> list[list[int]]:
    """Letters per role straight from the matrix sheet's cells (A/R counts for A and R): what an edit makes."""
    codes = document.matrix.variant.codes()
    result = []
    for col in range(3, 3 + len(document.matrix.roles)):
        values = [matrix_ws.cell(row=r, column=col).value for r in activity_rows(document)]
        result.append([sum(1 for v in values if v and code in v.split("/")) for code in codes])
    return result


@pytest.fixture(scope="module")
def unresolved_document(tmp_path_factory, make_project, document_of):
    """An A/R, an unresolved R/C (a warning, not an error: it builds), and a phase without activities."""
    activities = {"01": {"phase": "Empty", "activities": []},
                  "02": {"phase": "Full", "activities": [
                      {"id": "F-1", "name": "one", "raci": {"R1": "A/R", "R2": "R/C"}},
                      {"id": "F-2", "name": "two", "raci": {"R1": "A", "R2": "R", "R3": "I"}}]}}
    roles = [{"id": "R1", "name": "One"}, {"id": "R2", "name": "Two"}, {"id": "R3", "name": "Three"}]
    return document_of(make_project(tmp_path_factory.mktemp("unresolved"), roles, activities))


@pytest.fixture(scope="module")
def rasci_document(tmp_path_factory, make_project, document_of):
    activities = {"01": {"phase": "Build", "activities": [
        {"id": "B-1", "name": "Build", "raci": {"R1": "A/R", "R2": "S", "R3": "C"}},
        {"id": "B-2", "name": "Test", "raci": {"R1": "A", "R2": "R", "R3": "S"}},
        {"id": "B-3", "name": "Ship", "raci": {"R1": "I", "R2": "A/R", "R3": "S"}}]}}
    roles = [{"id": "R1", "name": "One"}, {"id": "R2", "name": "Two"}, {"id": "R3", "name": "Three"}]
    return document_of(make_project(tmp_path_factory.mktemp("rasci"), roles, activities, {"variant": "RASCI"}))


EDITS = {"C9": "A/R", "E6": None, "D6": "R"}
"""R1 on GD-2 (row 9) from C to A/R, R3 on GD-1 from C to nothing, R2 on GD-1 from C to R."""


def test_the_edited_cells_hold_what_the_edits_assume(example_xlsx):
    """The edits below change three C cells of the example; this holds without LibreOffice too."""
    sheet = load(example_xlsx)["RACI matrix"]
    assert [sheet[c].value for c in EDITS] == ["C", "C", "C"]
    assert [sheet["A9"].value, sheet["A6"].value] == ["GD-2", "GD-1"]


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory, example_xlsx, example_document, unresolved_document, rasci_document):
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not on PATH")
    # Without their cached values, so that LibreOffice computes every formula (it keeps an xlsx file's cached
    # values unless told to recalculate); the edited workbook has none, openpyxl drops them on saving.
    return recalculate({"example": uncached(example_xlsx), "edited": edited(example_xlsx, EDITS),
                        "unresolved": uncached(render_xlsx(unresolved_document)),
                        "rasci": uncached(render_xlsx(rasci_document))},
                       tmp_path_factory.mktemp("libreoffice"))


@pytest.mark.parametrize("case", ["example", "unresolved", "rasci"])
def test_libreoffice_computes_the_models_counts(case, recalculated, example_document, unresolved_document,
                                                rasci_document):
    document = {"example": example_document, "unresolved": unresolved_document, "rasci": rasci_document}[case]
    assert summary_tables(recalculated[case]["Summary"], document) == expected_summary(document)


def test_counts_follow_an_edit_of_the_matrix(recalculated, example_document):
    before = recalculated["example"]
    after = recalculated["edited"]
    assert [after["RACI matrix"][c].value for c in EDITS] == list(EDITS.values())
    codes = list(RACI.codes())
    found = [row[1:1 + len(codes)] for row in summary_tables(after["Summary"], example_document)[0]]
    assert found == grid_counts(after["RACI matrix"], example_document)
    old = [row[1:1 + len(codes)] for row in summary_tables(before["Summary"], example_document)[0]]
    r1_before, r1_after = dict(zip(codes, old[0])), dict(zip(codes, found[0]))
    assert r1_after == {**r1_before, "A": r1_before["A"] + 1, "R": r1_before["R"] + 1, "C": r1_before["C"] - 1}
    assert found[1][codes.index("R")] == old[1][codes.index("R")] + 1
    assert found[2][codes.index("C")] == old[2][codes.index("C")] - 1


# --- Summary: cached values, for readers that do not compute -------------------------------------------------------


def uncached(data: bytes) -> bytes:
    """The workbook with its formulas' cached values taken out (``<v/>``, as openpyxl alone writes them)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                body = re.sub(rb"(</f>)<v>[^<]*</v>", rb"\1<v/>", body)
            dst.writestr(info, body)
    return out.getvalue()


def formula_cells(book) -> dict[str, str]:
    """Every formula cell of the Summary sheet by coordinate."""
    return {c.coordinate: c.value for row in book["Summary"].iter_rows() for c in row if c.data_type == "f"}


@pytest.mark.parametrize("case", ["example", "unresolved", "rasci", "hostile"])
def test_summary_holds_its_counts_for_a_reader_that_does_not_compute(case, example_document, unresolved_document,
                                                                      rasci_document, hostile_document):
    """openpyxl's data_only (and pandas, which reads through it) shows the cached values: the model's counts.
    Before, every count read None."""
    document = {"example": example_document, "unresolved": unresolved_document, "rasci": rasci_document,
                "hostile": hostile_document}[case]
    data = render_xlsx(document)
    values = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    assert summary_tables(values["Summary"], document) == expected_summary(document)
    formulas = load(data)  # the formulas read as before
    check_formula_text(formulas, document)
    assert set(formula_cells(formulas)) and all(
        isinstance(values["Summary"][coordinate].value, int) for coordinate in formula_cells(formulas))


def test_every_formula_cell_stores_a_number_and_nothing_else_changes(example_xlsx):
    """In the XML each formula is followed by its value, a number (no ``t``); the rest of the workbook is
    what openpyxl writes: taking the values out gives back the former bytes of the part."""
    summary = sheet_xmls(example_xlsx)["Summary"]
    cells = re.findall(r'<c r="[A-Z]+\d+"[^>]*><f>[^<]*</f>(<v[^>]*>[^<]*</v>|<v/>)</c>', summary)
    assert len(cells) == summary.count("<f>") > 0
    assert all(re.fullmatch(r"<v>\d+</v>", v) for v in cells), cells[:3]
    assert "<v/>" not in summary and ' t="' not in "".join(re.findall(r"<c [^>]*><f>", summary))
    others = {k: v for k, v in sheet_xmls(example_xlsx).items() if k != "Summary"}
    assert others == {k: v for k, v in sheet_xmls(uncached(example_xlsx)).items() if k != "Summary"}


def test_a_formula_without_its_value_is_a_bug_raised_not_written():
    from raci_gen.documents.xlsx import _cache_values

    sheet = b'<c r="B2" s="1"><f>COUNTIF(A1:A2,"A")</f><v/></c><c r="C2"><f>1+1</f><v/></c>'
    assert _cache_values(sheet, {"B2": 3, "C2": 0}, "s") == \
        b'<c r="B2" s="1"><f>COUNTIF(A1:A2,"A")</f><v>3</v></c><c r="C2"><f>1+1</f><v>0</v></c>'
    with pytest.raises(RuntimeError, match="C2"):
        _cache_values(sheet, {"B2": 3}, "s")
    with pytest.raises(RuntimeError, match="3 cached values for 2 formula cells"):
        _cache_values(sheet, {"B2": 3, "C2": 0, "D2": 1}, "s")


@pytest.mark.parametrize("case", ["example", "unresolved", "rasci"])
def test_cached_values_are_what_libreoffice_computes(case, recalculated, example_document, unresolved_document,
                                                     rasci_document):
    """Every formula cell's stored value equals LibreOffice's result for the formula (computed from a copy
    without the stored values)."""
    document = {"example": example_document, "unresolved": unresolved_document, "rasci": rasci_document}[case]
    data = render_xlsx(document)
    ours = openpyxl.load_workbook(io.BytesIO(data), data_only=True)["Summary"]
    theirs = recalculated[case]["Summary"]
    coordinates = formula_cells(load(data))
    assert {c: ours[c].value for c in coordinates} == {c: theirs[c].value for c in coordinates}


def test_formula_text_for_unresolved_cells_and_empty_phases(unresolved_document):
    book = load(render_xlsx(unresolved_document))
    check_formula_text(book, unresolved_document)
    roles, phases = summary_tables(book["Summary"], unresolved_document)
    assert phases[0] == ["Empty", 0, 0, 0, 0]
    assert '"R/C"' in roles[1][1]  # the R count of R2 counts its unresolved R/C, as the model does
    [validation] = book["RACI matrix"].data_validations.dataValidation
    assert validation.formula1 == '"R,A,C,I,A/R,R/C"'  # the unresolved cell is accepted, after the settled ones
    assert "R/C" not in validation.error  # but not recommended
    assert cells_of(validation.sqref) == letter_cells(unresolved_document)
    legend = {row[0].value: row[2].value for row in book["Legend"].iter_rows(min_row=2) if row[0].value}
    assert "unresolved-cell" in legend["R/C"]


# --- other variants ------------------------------------------------------------------------------------------------


def check_variant(book, document) -> None:
    entries = valid_entries(document)
    matrix_ws = book["RACI matrix"]
    [validation] = matrix_ws.data_validations.dataValidation
    held = [c.text for a in document.matrix.activities() for c in a.cells]
    unsettled = sorted(set(held) - set(entries), key=lambda t: [document.matrix.variant.order.index(x)
                                                                 for x in t.split("/")])
    assert validation.formula1 == '"' + ",".join(entries + unsettled) + '"'
    assert cells_of(validation.sqref) == letter_cells(document)
    colours = {}
    for formatting in matrix_ws.conditional_formatting:
        assert cells_of(formatting.sqref) == letter_cells(document)
        for rule in formatting.rules:
            colours[rule.formula[0].strip('"')] = rgb(rule.dxf.fill.bgColor)
    assert colours == {e: fill_of(document, e).fill.upper() for e in entries}
    legend = [row[0].value for row in book["Legend"].iter_rows(min_row=2, max_row=1 + len(entries))]
    assert legend == entries
    [chart] = book["Summary"]._charts
    assert [s.graphicalProperties.solidFill.srgbClr.upper() for s in chart.series] == \
        [letter.fill.lstrip("#").upper() for letter in document.letters]
    check_formula_text(book, document)


def test_rasci_gets_its_own_letters(rasci_document):
    assert rasci_document.matrix.variant is RASCI
    book = load(render_xlsx(rasci_document))
    check_variant(book, rasci_document)
    [validation] = book["RACI matrix"].data_validations.dataValidation
    assert validation.formula1 == '"R,A,S,C,I,A/R"'
    rules = {r.formula[0]: r for f in book["RACI matrix"].conditional_formatting for r in f.rules}
    assert rgb(rules['"S"'].dxf.fill.bgColor) == YELLOW
    assert book.properties.keywords == "RACI, RASCI"


def test_a_custom_variant_gets_its_own_letters(tmp_path, make_project, document_of):
    variant = {"name": "RAEW", "letters": [
        {"code": "R", "name": "Responsible", "meaning": "Does the work.", "colour": "#C9E7C0"},
        {"code": "A", "name": "Authority", "meaning": "Decides; exactly one.", "colour": "#F5B69B"},
        {"code": "E", "name": "Expertise", "meaning": "Brings expert knowledge.", "colour": "#BBD5EF"},
        {"code": "W", "name": "Work", "meaning": "Helps with the work.", "colour": "#F7E3A1"}],
        "exactly-one": ["A"], "does-the-work": ["R"], "consulted": ["E"], "informed": [],
        "combinations": ["A/W"]}
    activities = {"01": {"phase": "P", "activities": [
        {"id": "X-1", "name": "x", "raci": {"R1": "A/W", "R2": "R", "R3": "E"}},
        {"id": "X-2", "name": "y", "raci": {"R1": "A", "R2": "R/W"}}]}}
    roles = [{"id": "R1", "name": "One"}, {"id": "R2", "name": "Two"}, {"id": "R3", "name": "Three"}]
    document = document_of(make_project(tmp_path, roles, activities, {"variant": variant}))
    book = load(render_xlsx(document))
    assert valid_entries(document) == ["R", "A", "E", "W", "A/W"]
    check_variant(book, document)
    assert [c.value for c in book["Summary"][1]][:7] == ["Role", "R", "A", "E", "W", "On", "Owns"]


def test_an_odd_variant_name_stays_text(rasci_document):
    """The variant's name goes into the validation's title and the keywords: XML-safe there too."""
    variant = dataclasses.replace(RASCI, name="R&D <\x07> \"x\"")
    document = dataclasses.replace(rasci_document, matrix=dataclasses.replace(rasci_document.matrix, variant=variant))
    book = load(render_xlsx(document))
    assert book["RACI matrix"].data_validations.dataValidation[0].errorTitle == 'Not a R&D <\ufffd> "x" entry'
    assert book.properties.keywords == 'RACI, R&D <\ufffd> "x"'


def test_a_variant_without_combinations(tmp_path, make_project, document_of):
    activities = {"01": {"phase": "P", "activities": [{"id": "X-1", "name": "x", "raci": {"R1": "D", "R2": "A"}}]}}
    document = document_of(make_project(tmp_path, [{"id": "R1", "name": "One"}, {"id": "R2", "name": "Two"}],
                                        activities, {"variant": "DACI"}))
    book = load(render_xlsx(document))
    check_variant(book, document)
    assert book["RACI matrix"].data_validations.dataValidation[0].formula1 == '"D,A,C,I"'
    assert book["Legend"]["A6"].value is None  # no combination row


def test_a_long_list_of_entries_comes_from_the_legend(example_document):
    """Past Excel's 255 characters for an inline list, the list is the Legend's first column."""
    codes = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    letters = tuple(Letter(c, f"Letter {c}", f"Means {c}.", "#C9E7C0") for c in codes)
    pairs = tuple((a, b) for i, a in enumerate(codes) for b in codes[i + 1:])
    variant = Variant("WIDE", letters, order=codes, combinations=pairs)
    matrix = dataclasses.replace(example_document.matrix, variant=variant)
    document = dataclasses.replace(example_document, matrix=matrix)
    book = load(render_xlsx(document))
    entries = valid_entries(document)
    assert len(entries) == 26 + 325
    [validation] = book["RACI matrix"].data_validations.dataValidation
    assert validation.formula1 == f"'Legend'!$A$2:$A${1 + len(entries)}"
    assert [row[0].value for row in book["Legend"].iter_rows(min_row=2, max_row=1 + len(entries))] == entries
    assert len(validation.error) <= 225 and "Legend" in validation.error


# --- determinism ---------------------------------------------------------------------------------------------------

CHILD = """
import sys
from raci_gen.input.loader import load_project
from raci_gen.documents.document import make_document
from raci_gen.documents.xlsx import render_xlsx
sys.stdout.buffer.write(render_xlsx(make_document(load_project(sys.argv[1]))))
"""


def test_same_bytes_in_another_process_with_another_hash_seed(tmp_path, make_project, document_of):
    root = make_project(tmp_path, PEOPLE_ROLES, PEOPLE_ACTIVITIES, {"variant": "RASCI"})
    here = render_xlsx(document_of(root))
    assert render_xlsx(document_of(root)) == here
    for seed in ("1", "2"):
        env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000", PYTHONHASHSEED=seed)
        proc = subprocess.run([sys.executable, "-c", CHILD, str(root)], capture_output=True, env=env, check=True)
        assert proc.stdout == here, seed


# --- hostile text -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_xlsx(hostile_document) -> bytes:
    return render_xlsx(hostile_document)


@pytest.fixture(scope="module")
def hostile_wb(hostile_xlsx):
    return load(hostile_xlsx)


@pytest.mark.parametrize("text", ["=1+1", "  =1+1", "\u00a0=1+1", "\u200b=1+1", "\ufeff=1+1", "\n=1+1",
                                  "\uff1d1+1", "\ufe661+1", "\uff0b1", "\uff0d1", "\uff20SUM(A1)", "\t=1"])
def test_text_a_spreadsheet_could_read_as_a_formula_gets_the_quote_prefix(text):
    from openpyxl import Workbook

    from raci_gen.documents.xlsx import put_text

    book = Workbook()
    put_text(book.active["A1"], text)
    buffer = io.BytesIO()
    book.save(buffer)
    cell = load(buffer.getvalue()).active["A1"]
    assert cell.data_type == "s" and cell.quotePrefix, repr(text)


@pytest.mark.parametrize("text", ["a=1", "1-2", "plain", "x @ y"])
def test_ordinary_text_has_no_quote_prefix(text):
    from openpyxl import Workbook

    from raci_gen.documents.xlsx import put_text

    book = Workbook()
    assert not put_text(book.active["A1"], text).quotePrefix


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
    by_role = [row for row in hostile_wb["By role"].iter_rows(min_row=2) if row[4].value == text]
    assert by_role and all(row[4].data_type == "s" and row[4].quotePrefix for row in by_role)


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
    assert [[c.value for c in row] for row in hostile_wb["By role"].iter_rows(min_row=2)] == \
        expected_by_role(hostile_document)
    phases = summary_tables(hostile_wb["Summary"], hostile_document)[1]
    assert [p[0] for p in phases] == [p.name for p in hostile_document.matrix.phases]


def test_hostile_text_makes_no_formula(hostile_xlsx, hostile_wb, hostile_document):
    assert formulas_outside_the_summary(hostile_xlsx) == {name: [] for name in SHEETS if name != "Summary"}
    summary = hostile_wb["Summary"]
    for row in summary.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                assert FORMULA.fullmatch(cell.value), cell.value  # letter codes and references only
            elif isinstance(cell.value, str):
                assert cell.data_type == "s"
    check_formula_text(hostile_wb, hostile_document)


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
    # The loader refuses such names; a document built another way still makes a workbook Excel opens.
    root = make_project(tmp_path, [{"id": "R1", "name": "One"}, {"id": "R3", "name": "Three"}],
                        {"01": {"phase": "P", "activities": [{"id": "A-1", "name": "a", "raci": {"R1": "A/R"}}]}})
    document = document_of(root)
    roles = (document.matrix.roles[0], dataclasses.replace(document.matrix.roles[1], name="x" * 40_000))
    document = dataclasses.replace(document, matrix=dataclasses.replace(document.matrix, roles=roles))
    wb = load(render_xlsx(document))
    name = next(row[1].value for row in wb["Roles"].iter_rows(min_row=2) if row[0].value == "R3")
    assert len(name) == MAX_CELL_TEXT == 32_767
    assert name.endswith("…") and name.startswith("x" * 100)
    for sheet in wb:
        assert all(len(c.value) <= MAX_CELL_TEXT for row in sheet.iter_rows() for c in row
                   if isinstance(c.value, str)), sheet.title
        assert all(d.height is None or d.height <= 409 for d in sheet.row_dimensions.values()), sheet.title
    assert wb["RACI matrix"].row_dimensions[HEADER_ROW].height == 409  # Excel's limit, not 40,000 characters' worth


def test_letter_paper(tmp_path, make_project, document_of):
    root = make_project(tmp_path, [{"id": "R1", "name": "One"}],
                        {"01": {"phase": "P", "activities": [{"id": "A-1", "name": "a", "raci": {"R1": "A/R"}}]}},
                        {"page": "Letter", "author": None})
    wb = load(render_xlsx(document_of(root)))
    for ws in wb:
        assert int(ws.page_setup.paperSize or 0) == 1, ws.title  # Letter
        assert ws.page_setup.orientation == "landscape"
    assert wb.properties.creator == "raci-gen"


def test_control_characters_in_the_properties_keep_the_workbook_readable(tmp_path, make_project, document_of):
    """docProps/core.xml is XML too: a control character in title, project or author must not break it."""
    root = make_project(tmp_path, [{"id": "R1", "name": "One"}],
                        {"01": {"phase": "P", "activities": [{"id": "A-1", "name": "a", "raci": {"R1": "A/R"}}]}},
                        {"title": "bad \a title \0", "project": "p\vq", "author": "au\x1bthor"})
    wb = load(render_xlsx(document_of(root)))
    assert wb.properties.title == "bad \ufffd title \ufffd"
    assert wb.properties.subject == "p\ufffdq"
    assert wb.properties.creator == wb.properties.lastModifiedBy == "au\ufffdthor"
    assert wb["RACI matrix"]["A1"].value == "bad \ufffd title \ufffd · p\ufffdq"


def test_legend_follows_the_variant(daci_document):
    from raci_gen.model.variants import DACI
    wb = load(render_xlsx(daci_document))
    legend = [[c.value for c in row][:3] for row in wb["Legend"].iter_rows(min_row=2)]
    assert legend[:len(DACI.letters)] == [[letter.code, letter.name, letter.meaning] for letter in DACI.letters]
    assert "A/R" not in [row[0] for row in legend]  # DACI accepts no combination


# --- the workbook accepts its own cells ----------------------------------------------------------------------------


def validation_list(book, validation) -> list[str]:
    """The entries a list validation accepts: an inline ``"A,B,C"`` or a range such as ``'Legend'!$A$2:$A$9``."""
    formula = validation.formula1
    if formula.startswith('"'):
        assert formula.endswith('"') and formula.count('"') == 2, formula
        return formula[1:-1].split(",")
    sheet, ref = formula.rsplit("!", 1)
    ws = book[sheet.strip("'").replace("''", "'")]
    return [str(cell.value) for row in ws[ref.replace("$", "")] for cell in row if cell.value is not None]


def assert_every_cell_passes_its_validation(data: bytes, document) -> None:
    book = load(data)
    ws = book["RACI matrix"]
    lists = [(cells_of(v.sqref), validation_list(book, v)) for v in ws.data_validations.dataValidation]
    checked = 0
    for row, col in letter_cells(document):
        value = ws.cell(row=row, column=col).value
        covering = [allowed for cells, allowed in lists if (row, col) in cells]
        assert covering, (row, col)  # every letter cell has a list
        if value is None:
            continue
        checked += 1
        for allowed in covering:
            assert str(value) in allowed, (ws.cell(row=row, column=col).coordinate, value, allowed)
    assert checked == sum(len(a.cells) for a in document.matrix.activities())


@pytest.fixture(scope="module")
def messy_rasci_document(tmp_path_factory, make_project, document_of):
    """A RASCI matrix as a team hands it in: unresolved C/I, A/C and R/S, which the build only warns about."""
    activities = {"01": {"phase": "Build", "activities": [
        {"id": "B-1", "name": "Build", "raci": {"R1": "A/R", "R2": "S", "R3": "C/I"}},
        {"id": "B-2", "name": "Test", "raci": {"R1": "A/C", "R2": "R/S", "R3": "S"}},
        {"id": "B-3", "name": "Ship", "raci": {"R1": "I", "R2": "A/R", "R3": "C/I"}}]}}
    roles = [{"id": "R1", "name": "One"}, {"id": "R2", "name": "Two"}, {"id": "R3", "name": "Three"}]
    return document_of(make_project(tmp_path_factory.mktemp("messy"), roles, activities, {"variant": "RASCI"}))


def test_every_cell_of_the_example_passes_its_validation(example_xlsx, example_document):
    assert_every_cell_passes_its_validation(example_xlsx, example_document)


@pytest.mark.parametrize("name", ["unresolved_document", "rasci_document", "messy_rasci_document"])
def test_every_cell_passes_its_validation(request, name):
    document = request.getfixturevalue(name)
    assert_every_cell_passes_its_validation(render_xlsx(document), document)


def test_unsettled_cells_are_offered_after_the_settled_entries(messy_rasci_document):
    book = load(render_xlsx(messy_rasci_document))
    [validation] = book["RACI matrix"].data_validations.dataValidation
    assert validation_list(book, validation) == ["R", "A", "S", "C", "I", "A/R", "A/C", "R/S", "C/I"]
    assert validation.error == "Enter one of R, A, S, C, I, A/R, or leave the cell empty."


def test_every_cell_passes_a_validation_that_comes_from_the_legend(example_document):
    """A list too long to write inline comes from the Legend, which then lists the unsettled texts too."""
    codes = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    letters = tuple(Letter(c, f"Letter {c}", f"Means {c}.", "#C9E7C0") for c in codes)
    pairs = tuple((a, b) for i, a in enumerate(codes) for b in codes[i + 1:] if (a, b) != ("C", "R"))
    variant = Variant("WIDE", letters, order=codes, combinations=pairs)
    matrix = dataclasses.replace(example_document.matrix, variant=variant)
    document = dataclasses.replace(example_document, matrix=matrix)
    data = render_xlsx(document)
    [validation] = load(data)["RACI matrix"].data_validations.dataValidation
    assert validation.formula1.startswith("'Legend'!")
    assert_every_cell_passes_its_validation(data, document)


@pytest.mark.parametrize("written, canonical", [
    # lxml and the standard library place declarations differently: both come out with every one on the root
    (b'<a xmlns="urn:m"><b xmlns:r="urn:r" r:id="x"/></a>', b'<a xmlns="urn:m" xmlns:r="urn:r"><b r:id="x"/></a>'),
    (b'<a xmlns:r="urn:r" xmlns="urn:m"><b r:id="x"></b></a>', b'<a xmlns="urn:m" xmlns:r="urn:r"><b r:id="x"/></a>'),
    # an element with text or children keeps its end tag; attributes keep their order; escapes are the same
    (b'<a z="1" b="&quot;&#10;&lt;"><b>&amp; &lt;x&gt;</b><c><d/></c></a>',
     b'<a z="1" b="&quot;&#10;&lt;"><b>&amp; &lt;x&gt;</b><c><d/></c></a>'),
    (b"<?xml version='1.0' encoding='UTF-8'?>\n<a>\n  <b/>\n</a>", b"<a>\n  <b/>\n</a>"),
    (b'<a/>', b'<a/>'),
    # a prefix bound to two namespaces cannot be moved to the root: the part stays as written
    (b'<a><b xmlns:p="urn:1"/><c xmlns:p="urn:2"/></a>', b'<a><b xmlns:p="urn:1"/><c xmlns:p="urn:2"/></a>'),
    # and so does one whose child takes the default namespace back (xmlns=""): a second binding of it
    (b'<a xmlns="urn:m"><b xmlns=""/></a>', b'<a xmlns="urn:m"><b xmlns=""/></a>'),
    # prefixed attributes keep their prefix, their declaration moves to the root
    (b'<a xmlns:r="urn:r"><b r:id="1" xmlns:x="urn:x" x:y="2"/></a>',
     b'<a xmlns:r="urn:r" xmlns:x="urn:x"><b r:id="1" x:y="2"/></a>'),
    # openpyxl writes no comment, processing instruction or CDATA: the first two are dropped, CDATA is text
    (b'<a><!-- c --><?pi x?><b/><![CDATA[<x>&]]></a><!-- after -->', b'<a><b/>&lt;x&gt;&amp;</a>'),
    # a text longer than expat's buffer, which it hands over in pieces
    (b'<a>' + b'x' * 70000 + b'&amp;</a>', b'<a>' + b'x' * 70000 + b'&amp;</a>'),
])
def test_canonical_xml(written, canonical):
    from raci_gen.documents.xlsx import canonical_xml

    assert canonical_xml(written) == canonical

"""A first day with raci-gen import: a workbook whose Activity cells are merged across two columns (B:C), as
people widen a column without resizing it. The empty right-hand column of the merge cut the table in two, the
names on one side and the letters on the other, and the import failed: 'no column names the activities'.

Real workbooks made with openpyxl, imported with the real CLI; the project written is read back as YAML.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import run_in_process as run

openpyxl = pytest.importorskip("openpyxl")


def activities_of(project: Path) -> list[tuple[str, str, dict]]:
    out = []
    for path in sorted((project / "activities").glob("*.yaml")):
        for a in yaml.safe_load(path.read_text(encoding="utf-8"))["activities"]:
            out.append((a["id"], a["name"], a.get("raci") or {}))
    return out


EXPECTED = [("1", "Gather requirements", {"MAN": "A", "ANA": "R", "DEV": "C"}),
            ("2", "Write the spec", {"MAN": "A", "ANA": "R", "DEV": "C"}),
            ("3", "Implement", {"MAN": "I", "ANA": "C", "DEV": "A/R"})]


def workbook(path: Path, rows_merged: bool) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["No.", "Activity", None, "Manager", "Analyst", "Developer"])
    ws.merge_cells("B1:C1")
    for i, (number, name, cells) in enumerate(EXPECTED, start=2):
        ws.append([number, name, None] + [cells[r] for r in ("MAN", "ANA", "DEV")])
        if rows_merged:
            ws.merge_cells(start_row=i, start_column=2, end_row=i, end_column=3)
    wb.save(path)
    return path


@pytest.mark.parametrize("rows_merged", [True, False], ids=["every-row-merged", "header-merged"])
def test_an_activity_merged_over_two_columns_is_read(tmp_path, rows_merged):
    source = workbook(tmp_path / "merged.xlsx", rows_merged)
    result = run("import", str(source), "--out", str(tmp_path / "p"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert activities_of(tmp_path / "p") == EXPECTED
    # Places stay those of the sheet: the roles are in D1:F1.
    assert f"{source}: Sheet!D1: role 'Manager' given the id MAN" in result.stdout.splitlines()
    assert "read table 1 (sheet 'Sheet' A1:F4)" in result.stdout


def test_a_title_merged_over_the_gap_before_a_legend_still_parts_them(tmp_path):
    # The empty column between the matrix and a legend beside it is covered only by the title's merge,
    # whose row has text on one side of it: it stays a gap, and the legend a table of its own; the
    # Activity column merged over B:C is one column.
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "Clinic IT RACI"
    ws.merge_cells("A1:H1")
    for ref, text in {"A3": "ID", "B3": "Task", "D3": "PM", "E3": "Dev", "A4": "P1", "B4": "Plan", "D4": "A",
                      "E4": "R", "A5": "P2", "B5": "Build", "D5": "A", "E5": "R", "G3": "R", "H3": "Responsible",
                      "G4": "A", "H4": "Accountable"}.items():
        ws[ref] = text
    for row in (3, 4, 5):
        ws.merge_cells(f"B{row}:C{row}")
    source = tmp_path / "legend.xlsx"
    wb.save(source)
    result = run("import", str(source), "--out", str(tmp_path / "p"))
    assert result.returncode == 0, result.stdout + result.stderr
    report = result.stdout.splitlines()
    assert f"{source}: table 3 (sheet 'Sheet' G3:H5): a legend of the letters; not read" in report
    assert f"{source}: Sheet!A1: 'Clinic IT RACI' above the table read as the title" in report
    assert activities_of(tmp_path / "p") == [("P1", "Plan", {"PM": "A", "DEV": "R"}),
                                             ("P2", "Build", {"PM": "A", "DEV": "R"})]

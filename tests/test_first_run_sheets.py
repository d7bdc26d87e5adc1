"""A first day with raci-gen import and a project manager's workbook (tests/test_first_run_*.py): a workbook with
one sheet per phase, and one whose other sheet holds more rows of letters than the matrix read.

Real workbooks made with openpyxl, imported with the real CLI; the project written is read back as YAML.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import run_in_process as run

openpyxl = pytest.importorskip("openpyxl")


def phases_of(project: Path) -> list[tuple[str, list[tuple[str, dict]]]]:
    out = []
    for path in sorted((project / "activities").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        out.append((data["phase"], [(a["name"], a.get("raci") or {}) for a in data["activities"]]))
    return out


def test_a_sheet_per_phase_gives_each_table_its_sheet_s_name_as_phase(tmp_path):
    # The report said "tables 1-2 (...; one per phase, same columns)" and wrote them all into one phase
    # 'Activities', exit 0: the phases of the sheet were lost.
    wb = openpyxl.Workbook()
    plan = wb.active
    plan.title = "Plan"
    for row in (["Activity", "PM", "Dev"], ["Scope", "A", "C"], ["Estimate", "A", "R"]):
        plan.append(row)
    build = wb.create_sheet("Build and test")
    for row in (["Activity", "PM", "Dev"], ["Code", "I", "A/R"], ["Review", "A", "R"]):
        build.append(row)
    source = tmp_path / "rollout.xlsx"
    wb.save(source)
    result = run("import", str(source), "--out", str(tmp_path / "p"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert phases_of(tmp_path / "p") == [
        ("Plan", [("Scope", {"PM": "A", "DEV": "C"}), ("Estimate", {"PM": "A", "DEV": "R"})]),
        ("Build and test", [("Code", {"PM": "I", "DEV": "A/R"}), ("Review", {"PM": "A", "DEV": "R"})]),
    ]
    report = (result.stdout + result.stderr).splitlines()
    assert f"{source}: Build and test!A1: the sheet's name 'Build and test' read as the phase of its table" in report


def test_a_phase_row_inside_a_sheet_still_names_its_phase(tmp_path):
    wb = openpyxl.Workbook()
    one = wb.active
    one.title = "Sheet1"
    for row in (["Activity", "PM", "Dev"], ["Kick-off"], ["Scope", "A", "C"]):
        one.append(row)
    two = wb.create_sheet("Sheet2")
    for row in (["Activity", "PM", "Dev"], ["Code", "I", "A/R"]):
        two.append(row)
    source = tmp_path / "mixed.xlsx"
    wb.save(source)
    result = run("import", str(source), "--out", str(tmp_path / "p"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert [name for name, _ in phases_of(tmp_path / "p")] == ["Kick-off", "Sheet2"]


def test_a_table_of_letters_not_read_is_left_out_with_exit_1(tmp_path):
    # The matrix on one sheet, a late addition on another with the same columns but fewer rows: it was named
    # "also holds letters; not read" and the import exited 0, a row of responsibilities lost quietly.
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "RACI"
    for row in (["Activity", "PM", "Dev", "QA"], ["Scope", "A", "R", "C"], ["Code", "A", "R", "C"]):
        ws.append(row)
    notes = wb.create_sheet("Later")
    for row in (["Task", "Owner"], ["Late task", "A/R"]):
        notes.append(row)
    source = tmp_path / "two.xlsx"
    wb.save(source)
    result = run("import", str(source), "--out", str(tmp_path / "p"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{source}: table 2 (sheet 'Later' A1:B2): left out: also holds letters (0.5); not read (choose with " \
           "--table)" in (result.stdout + result.stderr).splitlines()
    assert [a for _, acts in phases_of(tmp_path / "p") for a, _ in acts] == ["Scope", "Code"]
    # --strict writes nothing; --table 2 reads the other one, and the rest of the file is not listed.
    assert run("import", str(source), "--out", str(tmp_path / "s"), "--strict").returncode == 1
    assert not (tmp_path / "s").exists()
    other = run("import", str(source), "--out", str(tmp_path / "t"), "--table", "2")
    assert other.returncode == 0, other.stdout + other.stderr


def sheets_workbook(path: Path, titles: dict[str, str], footnote: bool = False) -> Path:
    """A sheet per phase, each with a title row and a blank row over its table (and a footnote under it)."""
    wb = openpyxl.Workbook()
    rows = {"Plan": [("Scope", "A", "R"), ("Estimate", "A", "R")], "Build": [("Code", "I", "A/R")],
            "Run": [("Operate", "A", "R")]}
    for k, (sheet, title) in enumerate(titles.items()):
        ws = wb.active if k == 0 else wb.create_sheet(sheet)
        ws.title = sheet
        ws.append([title])
        ws.append([])
        ws.append(["Activity", "PM", "Dev"])
        for row in rows[sheet]:
            ws.append(list(row))
        if footnote:
            ws.append([])
            ws.append([f"* agreed in the {sheet} review", "see wiki"])
    wb.save(path)
    return path


def test_a_sheet_per_phase_each_under_the_same_title_is_one_matrix(tmp_path):
    # The title block over each sheet's table broke the run of tables: 'error: 2 tables hold as many
    # letters', exit 2, for the commonest way of laying out a tab per phase.
    title = "Acme CRM rollout – RACI"
    source = sheets_workbook(tmp_path / "tabs.xlsx", {"Plan": title, "Build": title, "Run": title})
    result = run("import", str(source), "--out", str(tmp_path / "p"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert phases_of(tmp_path / "p") == [
        ("Plan", [("Scope", {"PM": "A", "DEV": "R"}), ("Estimate", {"PM": "A", "DEV": "R"})]),
        ("Build", [("Code", {"PM": "I", "DEV": "A/R"})]), ("Run", [("Operate", {"PM": "A", "DEV": "R"})])]
    report = result.stdout.splitlines()
    assert f"{source}: Plan!A1: '{title}' above the table read as the title" in report
    assert f"{source}: Build!A1: '{title}' above the table repeats the title" in report
    assert yaml.safe_load((tmp_path / "p" / "raci.yaml").read_text(encoding="utf-8"))["title"] == title


def test_a_sheet_per_phase_each_under_its_phase_s_name_with_footnotes(tmp_path):
    # Different lines over each sheet's table name the phases; the footnotes under them are listed (exit 1).
    source = sheets_workbook(tmp_path / "tabs.xlsx", {"Plan": "Phase 1: Planning", "Build": "Phase 2: Build"},
                             footnote=True)
    result = run("import", str(source), "--out", str(tmp_path / "p"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert [name for name, _ in phases_of(tmp_path / "p")] == ["Phase 1: Planning", "Phase 2: Build"]
    report = result.stdout.splitlines()
    for sheet, row in (("Plan", 7), ("Build", 6)):
        assert f"{source}: {sheet}!A{row}: left out: '* agreed in the {sheet} review' is outside the table" in report
        assert f"{source}: {sheet}!B{row}: left out: 'see wiki' is outside the table" in report


def test_a_sheet_of_notes_between_two_tables_ends_the_run(tmp_path):
    # Only the blocks of two sheets side by side join their tables: a sheet of open points between them
    # is no footnote of either, and the later table is left out, not read as a phase (nor lost quietly).
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "RACI"
    for row in (["Activity", "PM", "Dev"], ["Scope", "A", "R"], ["Code", "A", "R"]):
        ws.append(row)
    notes = wb.create_sheet("Open points")
    notes.append(["Who decides on hosting?"])
    extra = wb.create_sheet("Extra")
    for row in (["Activity", "PM", "Dev"], ["Late task", "A", "R"]):
        extra.append(row)
    source = tmp_path / "notes.xlsx"
    wb.save(source)
    result = run("import", str(source), "--out", str(tmp_path / "p"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{source}: table 3 (sheet 'Extra' A1:C2): left out: also holds letters (2); not read (choose with " \
           "--table)" in result.stdout.splitlines()
    assert phases_of(tmp_path / "p") == [("Activities", [("Scope", {"PM": "A", "DEV": "R"}),
                                                         ("Code", {"PM": "A", "DEV": "R"})])]

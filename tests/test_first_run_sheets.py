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

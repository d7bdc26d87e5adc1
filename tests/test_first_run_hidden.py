"""A first day with raci-gen import: a project manager's workbook with a row hidden (an activity dropped from
the plan, kept just in case) and a column hidden (a role that is gone). Both were read as if shown, exit 0:
the project carried an activity and a role the sheet's reader never sees. They are still read, as the sheet
holds them, but each is a guess (exit 1) with what to do; a row folded away in an outline group (a detail row
of a group) is read with a note, exit 0.

Real workbooks made with openpyxl, imported with the real CLI.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import run_in_process as run

openpyxl = pytest.importorskip("openpyxl")


def workbook(path: Path, hide_row: bool = False, hide_column: bool = False, group_row: bool = False) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in (["Activity", "Owner", "Approver", "Old Role", "Team"], ["Keep me", "R", "A", "", "C"],
                ["Obsolete task", "R", "A", "C", ""], ["Also keep", "A", "R", "", "I"]):
        ws.append([cell or None for cell in row])
    if hide_row:
        ws.row_dimensions[3].hidden = True
    if group_row:
        ws.row_dimensions.group(3, 3, outline_level=1, hidden=True)
    if hide_column:
        ws.column_dimensions["D"].hidden = True
    wb.save(path)
    return path


def activities_of(project: Path) -> list[tuple[str, dict]]:
    return [(a["name"], a.get("raci") or {}) for p in sorted((project / "activities").glob("*.yaml"))
            for a in yaml.safe_load(p.read_text(encoding="utf-8"))["activities"]]


ALL = [("Keep me", {"OWN": "R", "APP": "A", "TEAM": "C"}), ("Obsolete task", {"OWN": "R", "APP": "A", "OR": "C"}),
       ("Also keep", {"OWN": "A", "APP": "R", "TEAM": "I"})]


def test_a_hidden_row_and_a_hidden_column_are_read_as_guesses(tmp_path):
    source = workbook(tmp_path / "hidden.xlsx", hide_row=True, hide_column=True)
    result = run("import", str(source), "--out", str(tmp_path / "p"))
    assert result.returncode == 1, result.stdout + result.stderr
    report = result.stdout.splitlines()
    assert f"{source}: Sheet!A3: guessed: activity ACT-2 read from a row hidden in the workbook; unhide the row, " \
           "or delete it if it is no longer in force" in report
    assert f"{source}: Sheet!D1: guessed: role OR read from a column hidden in the workbook; unhide the column, " \
           "or delete it if the role is gone" in report
    assert activities_of(tmp_path / "p") == ALL
    # --strict writes nothing of it.
    assert run("import", str(source), "--out", str(tmp_path / "s"), "--strict").returncode == 1
    assert not (tmp_path / "s").exists()

    # A row folded away in an outline group is a detail of the group, not a row set aside: a note, exit 0.
    grouped = workbook(tmp_path / "grouped.xlsx", group_row=True)
    result = run("import", str(grouped), "--out", str(tmp_path / "g"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{grouped}: Sheet!A3: activity ACT-2 read from a row folded away in an outline group" \
        in result.stdout.splitlines()
    assert activities_of(tmp_path / "g") == ALL

"""A first day with raci-gen import: an activity whose letters are not given yet ("Decide hosting (TBD)") in a
table without phase rows. A row of one cell is a phase, so it silently became the phase of every activity under
it, exit 0. Among activities that have no phase row above them it is now read as a phase all the same, but said
to be a guess (exit 1), with what to do; a bold row, or a table that starts with a phase row, is no guess.

Real workbooks and CSV files, imported with the real CLI.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from tests.conftest import run_in_process as run

openpyxl = pytest.importorskip("openpyxl")


def write(path: Path, rows: list[list[str]], bold_row: int | None = None) -> Path:
    if path.suffix == ".csv":
        with open(path, "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(rows)
        return path
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append([cell or None for cell in row])
    if bold_row is not None:
        wb.active.cell(bold_row, 1).font = openpyxl.styles.Font(bold=True)
    wb.save(path)
    return path


def phases_of(project: Path) -> list[str]:
    return [yaml.safe_load(p.read_text(encoding="utf-8"))["phase"] for p in sorted((project / "activities").glob("*"))]


TBD = [["Activity", "PM", "Dev"], ["Plan", "A", "R"], ["Decide hosting (TBD)", "", ""], ["Build", "A", "R"]]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_plain_row_of_one_cell_among_activities_is_a_guessed_phase(tmp_path, suffix):
    source = write(tmp_path / f"tbd{suffix}", TBD)
    result = run("import", str(source), "--out", str(tmp_path / "p"))
    assert result.returncode == 1, result.stdout + result.stderr
    where = "Sheet!A3" if suffix == ".xlsx" else "row 3, column 1"
    assert f"{source}: {where}: guessed: 'Decide hosting (TBD)' read as a phase: a row of one cell, but the " \
           "activities above it have no phase row; if it is an activity, give it its letters (or make the row " \
           "bold, or put a phase row over the first activity)" in result.stdout.splitlines()
    assert phases_of(tmp_path / "p") == ["Activities", "Decide hosting (TBD)"]
    # What the report says to do settles it: a phase row over the first activity, and no guess is left.
    fixed = write(tmp_path / f"fixed{suffix}", [TBD[0], ["Planning"]] + TBD[1:])
    result = run("import", str(fixed), "--out", str(tmp_path / "f"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert phases_of(tmp_path / "f") == ["Planning", "Decide hosting (TBD)"]

    if suffix != ".xlsx":
        return
    # A bold row is a phase without a guess ...
    source = write(tmp_path / "bold.xlsx", TBD, bold_row=3)
    result = run("import", str(source), "--out", str(tmp_path / "b"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "guessed" not in result.stdout
    # ... and a trailing row of one cell is a footnote, left out once, not also a guess.
    trailing = write(tmp_path / "trailing.xlsx", TBD[:2] + [TBD[3], ["* as agreed on 3 May"]])
    result = run("import", str(trailing), "--out", str(tmp_path / "t"))
    assert result.returncode == 1
    assert [line for line in result.stdout.splitlines() if "as agreed" in line] == [
        f"{trailing}: Sheet!A4: left out: '* as agreed on 3 May' is a row with no activity under it (not a phase)"]

"""A first day with raci-gen import: the legend written down a column right beside the letters, headed "Key"
(British for legend), with no empty column between. "Key" is also a header of ids, so 'R = Responsible' became
the id 'R-Responsible' of the first activity, 'A = Accountable' that of the second, exit 0: a legend read as
data. The same column headed "Legend" was left out as an unknown column (exit 1), though a legend is no loss.

Real workbooks and CSV files, imported with the real CLI; the project written is read back as YAML.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from tests.conftest import run_in_process as run

openpyxl = pytest.importorskip("openpyxl")

ROWS = [["Activity", "PM", "Dev", "{header}"],
        ["Plan", "A", "R", "R = Responsible"],
        ["Build", "A", "R", "A = Accountable"],
        ["Test", "A", "C", "C = Consulted"],
        ["", "", "", "I = Informed"]]


def activities_of(project: Path) -> list[tuple[str, str, dict]]:
    out = []
    for path in sorted((project / "activities").glob("*.yaml")):
        for a in yaml.safe_load(path.read_text(encoding="utf-8"))["activities"]:
            out.append((a["id"], a["name"], a.get("raci") or {}, a.get("description")))
    return out


def write(path: Path, header: str) -> Path:
    rows = [[cell.format(header=header) for cell in row] for row in ROWS]
    if path.suffix == ".csv":
        with open(path, "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(rows)
    else:
        wb = openpyxl.Workbook()
        for row in rows:
            wb.active.append([cell or None for cell in row])
        wb.save(path)
    return path


@pytest.mark.parametrize("header", ["Key", "Legend"])
@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_legend_column_beside_the_letters_is_noted_not_read(tmp_path, header, suffix):
    source = write(tmp_path / f"matrix{suffix}", header)
    result = run("import", str(source), "--out", str(tmp_path / "p"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert activities_of(tmp_path / "p") == [("ACT-1", "Plan", {"PM": "A", "DEV": "R"}, None),
                                             ("ACT-2", "Build", {"PM": "A", "DEV": "R"}, None),
                                             ("ACT-3", "Test", {"PM": "A", "DEV": "C"}, None)]
    where = "Sheet!D1" if suffix == ".xlsx" else "row 1, column 4"
    assert f"{source}: {where}: column {header!r}: a legend of the letters (4 cells); not read" \
        in result.stdout.splitlines()
    # A Key column of ids is still read as ids.
    keyed = tmp_path / f"keyed{suffix}"
    rows = [["Key", "Activity", "PM", "Dev"], ["K-1", "Plan", "A", "R"], ["K-2", "Build", "A", "R"]]
    if suffix == ".csv":
        with open(keyed, "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(rows)
    else:
        wb = openpyxl.Workbook()
        for row in rows:
            wb.active.append(row)
        wb.save(keyed)
    result = run("import", str(keyed), "--out", str(tmp_path / "k"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert [a[0] for a in activities_of(tmp_path / "k")] == ["K-1", "K-2"]


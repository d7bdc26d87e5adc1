"""Roles as rows, activities as columns: a table people make too, often with the corner cell left blank.

With a blank corner nothing in the header says which way the table reads. Read the usual way round,
such a table became a project whose roles were the activities, written with exit 0. The rule that
every activity has exactly one Accountable tells the two apart: when it holds down every column and
not along the rows, the table is read transposed, and since that is still a guess the import says so
and exits 1 (``--transpose`` confirms it, exit 0).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from openpyxl import Workbook

ROLES = ["Project lead", "Developer", "QA engineer"]
ACTIVITIES = ["Plan the release", "Build the service", "Test the service", "Release"]
# Rows are roles; the lead is Accountable twice, so the rows do not have one A each, the columns do.
TRANSPOSED = [["A", "A", "C", "I"],
              ["R", "R", "A", "R"],
              ["C", "I", "R", "A"]]


def _import(source: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "raci_gen", "import", str(source), "--out",
                           str(source.parent / "project"), *extra],
                          capture_output=True, text=True, timeout=120)


def _cells(project: Path) -> dict[str, dict[str, str]]:
    """Activity name -> {role name -> letters}, read back from the written YAML."""
    roles = {}
    for path in sorted((project / "roles").glob("*.yaml")):
        for role in yaml.safe_load(path.read_text(encoding="utf-8"))["roles"]:
            roles[role["id"]] = role["name"]
    cells = {}
    for path in sorted((project / "activities").glob("*.yaml")):
        for activity in yaml.safe_load(path.read_text(encoding="utf-8"))["activities"]:
            cells[activity["name"]] = {roles[r]: v for r, v in (activity.get("raci") or {}).items()}
    return cells


def _expected() -> dict[str, dict[str, str]]:
    return {activity: {role: TRANSPOSED[i][j] for i, role in enumerate(ROLES)}
            for j, activity in enumerate(ACTIVITIES)}


def _workbook(path: Path, corner: str | None) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(["Responsibilities, release 3"])  # a title row above, as people make them
    sheet.append([corner] + ACTIVITIES)
    for role, letters in zip(ROLES, TRANSPOSED):
        sheet.append([role] + letters)
    book.save(path)
    return path


def _csv(path: Path) -> Path:
    lines = [",".join([""] + ACTIVITIES)] + [",".join([role] + letters) for role, letters in zip(ROLES, TRANSPOSED)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("make", [lambda p: _workbook(p / "sheet.xlsx", None), lambda p: _csv(p / "sheet.csv")],
                         ids=["xlsx", "csv"])
def test_a_blank_corner_table_of_roles_as_rows_is_read_transposed_and_said_to_be_a_guess(tmp_path, make):
    done = _import(make(tmp_path))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "guessed: read transposed" in done.stdout, done.stdout
    assert "left out or guessed" in done.stderr
    assert _cells(tmp_path / "project") == _expected()


def test_transpose_given_confirms_it(tmp_path):
    done = _import(_workbook(tmp_path / "sheet.xlsx", None), "--transpose")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "guessed" not in done.stdout
    assert _cells(tmp_path / "project") == _expected()


def test_a_corner_that_names_the_roles_needs_no_guess(tmp_path):
    done = _import(_workbook(tmp_path / "sheet.xlsx", "Role"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert _cells(tmp_path / "project") == _expected()


def test_the_usual_way_round_with_a_blank_corner_is_not_turned(tmp_path):
    source = tmp_path / "sheet.csv"
    rows = [[""] + ROLES] + [[activity] + [TRANSPOSED[i][j] for i in range(len(ROLES))]
                             for j, activity in enumerate(ACTIVITIES)]
    source.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    done = _import(source)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "transposed" not in done.stdout
    assert _cells(tmp_path / "project") == _expected()

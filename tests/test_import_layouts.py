"""raci-gen import on workbooks laid out as people lay them out (issue 19, item 1), and their CSV, HTML and
Markdown twins: each source is imported with the real CLI, the project is loaded and compared cell by cell with
the layout's intended grid, then built and the built CSV compared again. Every non-empty cell of the table ends up
in the project or on a 'left out:' line, and anything left out makes the exit status 1 (the project is written).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from raci_gen.input.loader import load_project
from tests.conftest import run_in_process as run
from tests.import_layouts import SHEET, layouts

LAYOUTS = {layout.name: layout for layout in layouts()}
PARAMS = [(name, fmt) for name, layout in LAYOUTS.items() for fmt in ("xlsx",) + layout.twins]


def test_the_corpus_is_large_enough():
    assert len(LAYOUTS) >= 25


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("layouts")


@pytest.mark.parametrize("name,fmt", PARAMS, ids=[f"{n}-{f}" for n, f in PARAMS])
def test_layout(name, fmt, made):
    layout = LAYOUTS[name]
    folder = made / f"{name}-{fmt}"
    source = layout.sources(folder)[fmt]
    out = folder / "project"
    result = run("import", str(source), "--out", str(out), *layout.args)
    report = result.stdout + result.stderr
    if layout.error:
        assert result.returncode == 2, report
        place = f"{SHEET}!{layout.error}" if fmt == "xlsx" else "column"
        error_lines = [line for line in result.stderr.splitlines() if "error:" in line]
        assert len(error_lines) == 1 and place in error_lines[0] and "header" in error_lines[0], report
        assert "Traceback" not in report and not out.exists()
        return
    left_out = [line for line in result.stdout.splitlines() if "left out:" in line]
    for text in layout.left_out:
        assert any(text in line for line in left_out), f"{text!r} not listed as left out:\n{report}"
    if layout.left_out:
        assert result.returncode == 1, report
        assert "written anyway" in result.stderr, report
    else:
        assert result.returncode == 0 and not left_out, report
    for text in layout.notes if fmt != "md" else ():  # Markdown's text outside a table is prose, not read
        assert text in result.stdout, f"{text!r} not in the report:\n{report}"

    project = load_project(str(out))
    matrix = project.matrix
    assert {r.id: r.name for r in matrix.roles} == layout.roles, report
    grid = [[p.name, a.name] + [a.cell(r.id).text if a.cell(r.id) else "" for r in matrix.roles]
            for p in matrix.phases for a in p.activities]
    assert grid == layout.expected_grid(), report
    if layout.expected_ids() is not None:
        assert [a.id for p in matrix.phases for a in p.activities] == layout.expected_ids()
    if layout.title:
        assert project.settings.title == layout.title
    for activity_id, text in layout.descriptions.items():
        assert next(a for a in matrix.activities() if a.id == activity_id).description == text
    for role_id, text in layout.role_descriptions.items():
        assert next(r for r in matrix.roles if r.id == role_id).description == text
    for phase, text in layout.phase_descriptions.items():
        assert next(p for p in matrix.phases if p.name == phase).description == text

    built = run("build", str(out), "--format", "csv", "--no-lint", "-q")
    assert built.returncode == 0, built.stderr
    with open(out / "output" / "raci-matrix.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert [r[1:] for r in rows[1:]] == grid


def test_a_subtitle_is_kept_in_raci_yaml(made):
    layout = LAYOUTS["title-subtitle-blank"]
    source = layout.sources(made / "subtitle")["xlsx"]
    out = made / "subtitle" / "project"
    assert run("import", str(source), "--out", str(out)).returncode == 0
    text = (out / "raci.yaml").read_text(encoding="utf-8")
    assert "Version 1.2, March 2026" in text and yaml.safe_load(text)["title"] == "Project Phoenix RACI"


def test_range_reads_exactly_the_cells_named(made):
    """--range that takes in the footnote under the table reads it and lists it; one that stops above does not."""
    layout = LAYOUTS["range-picks"]
    source = layout.sources(made / "range")["xlsx"]
    last = len(layout.rows) - 1  # the table's last row; the footnote is under it
    wider = run("import", str(source), "--out", str(made / "range" / "wider"), "--range", f"A3:H{last + 1}")
    assert wider.returncode == 1 and "not part of the matrix" in wider.stdout, wider.stdout
    narrow = run("import", str(source), "--out", str(made / "range" / "narrow"), "--range", f"A3:H{last}")
    assert narrow.returncode == 0 and "left out" not in narrow.stdout, narrow.stdout


def test_a_left_out_column_and_footnote_are_named_by_their_cells(made):
    """The report names the sheet's cells: the column's header, its number of cells, first and last; the footnote."""
    from tests.import_layouts import HEADER, Layout, with_phase_rows

    rows, merges, bold = with_phase_rows([], HEADER + ["Owner"], extra=lambda a: ["Ann"])
    layout = Layout("named", rows + [["* Signed by the board"]], merges, bold)
    source = layout.sources(made / "named")["xlsx"]
    result = run("import", str(source), "--out", str(made / "named" / "project"))
    assert result.returncode == 1
    assert f"{SHEET}!I1: left out: column 'Owner' is not read" in result.stdout, result.stdout
    assert f"8 cells, {SHEET}!I1 to {SHEET}!I11" in result.stdout, result.stdout
    assert f"{SHEET}!A12: left out: '* Signed by the board'" in result.stdout, result.stdout


def test_past_200_left_out_cells_one_line_says_how_many_more(made):
    lines = ["ID,Activity,Dev,Ops", "T-1,Build,R,A", "T-2,Run,C,A/R", ""] + [f"note {i}" for i in range(300)]
    source = made / "many-notes.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("import", str(source), "--out", str(made / "many-notes"))
    assert result.returncode == 1
    left = [line for line in result.stdout.splitlines() if "left out:" in line]
    assert len(left) == 201 and "100 more cells left out, not listed (300 in all)" in left[-1], result.stdout

"""raci-gen import: the corpus of tables in every shape and source format, read cell by cell; bad input.

Each case in tests/import_corpus/ holds the same table as Markdown, CSV (or TSV) and
HTML, written by hand, and expected.yaml: the grid every source must give (id, phase,
name, then one letter cell per role), the roles, and lines the report must hold. The
xlsx source is made here with openpyxl from the case's CSV. Each source is imported
with the real CLI; the project it makes is loaded, linted and built (CSV and xlsx),
and the grid is compared cell by cell with the project and with both documents.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path


import pytest
import yaml
from openpyxl import Workbook, load_workbook

from raci_gen.input.loader import load_project
from tests.conftest import run_in_process

CORPUS = Path(__file__).parent / "import_corpus"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())


run = run_in_process


def expected_of(case: str) -> dict:
    return yaml.safe_load((CORPUS / case / "expected.yaml").read_text(encoding="utf-8"))


def xlsx_from_csv(source: Path, target: Path) -> Path:
    """The case's table as a workbook: the CSV's cells, rows that hold one cell (phase rows) in bold."""
    delimiter = "\t" if source.suffix == ".tsv" else ","
    rows = list(csv.reader(io.StringIO(source.read_text(encoding="utf-8"), newline=""), delimiter=delimiter))
    wb = Workbook()
    ws = wb.active
    ws.title = "Responsibilities"
    from openpyxl.styles import Font

    for i, row in enumerate(rows, start=1):
        for j, value in enumerate(row, start=1):
            if value:
                ws.cell(row=i, column=j, value=value)
                if sum(1 for v in row if v) == 1 and i > 1:
                    ws.cell(row=i, column=j).font = Font(bold=True)
    wb.save(target)
    return target


def sources(case: str, tmp: Path) -> list[Path]:
    folder = CORPUS / case
    found = sorted(p for p in folder.iterdir() if p.name.startswith("source."))
    table = [p for p in found if p.suffix in (".csv", ".tsv")]
    if "xlsx" in expected_of(case)["formats"] and table:
        found.append(xlsx_from_csv(table[0], tmp / "source.xlsx"))
    return found


def project_grid(root: Path) -> tuple[dict[str, str], list[list[str]]]:
    matrix = load_project(str(root)).matrix
    roles = {r.id: r.name for r in matrix.roles}
    grid = [[a.id, p.name, a.name] + [a.cell(r.id).text if a.cell(r.id) else "" for r in matrix.roles]
            for p in matrix.phases for a in p.activities]
    return roles, grid


PARAMS = [(case, fmt) for case in CASES for fmt in expected_of(case)["formats"]]


@pytest.mark.parametrize("case,fmt", PARAMS, ids=[f"{c}-{f}" for c, f in PARAMS])
def test_corpus_case(case, fmt, tmp_path):
    expected = expected_of(case)
    source = next(p for p in sources(case, tmp_path) if p.suffix.lstrip(".") in
                  ({"csv": ("csv", "tsv")}.get(fmt, (fmt,))))
    out = tmp_path / "project"
    result = run("import", str(source), "--out", str(out))
    # Something left out is exit 1, the project written anyway (issue 19: it was exit 0).
    assert result.returncode == (1 if expected.get("dropped") else 0), result.stderr + result.stdout
    report = result.stdout
    for line in expected.get("notes", []):
        assert line in report, f"{line!r} not in the report:\n{report}"
    assert ("left out:" in report) == bool(expected.get("dropped")), report

    roles, grid = project_grid(out)
    assert roles == expected["roles"]
    assert grid == expected["grid"]
    project = load_project(str(out))
    assert project.matrix.variant.name == expected.get("variant", "RACI")
    for activity_id, description in expected.get("descriptions", {}).items():
        assert next(a for a in project.matrix.activities() if a.id == activity_id).description == description

    # Every file it wrote names its schema, as `raci-gen init` writes them.
    for path in list(out.glob("*.yaml")) + list(out.glob("*/*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        assert (path.parent / first.split("=", 1)[1]).resolve().is_file(), path

    # It lints (no bad input) and builds; the built CSV and workbook hold the same grid.
    assert run("lint", str(out)).returncode in (0, 1)
    built = run("build", str(out), "--format", "csv,xlsx,md", "--no-lint", "-q")
    assert built.returncode == 0, built.stderr
    with open(out / "output" / "raci-matrix.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert [r[:3] + r[3:] for r in rows[1:]] == grid
    assert [h.split(" (")[0] for h in rows[0][3:]] == list(expected["roles"])
    ws = load_workbook(out / "output" / "raci-matrix.xlsx")["RACI matrix"]
    cells = [[c if c is not None else "" for c in row] for row in ws.iter_rows(min_row=5, values_only=True)]
    activity_rows = [r for r in cells if any(r[2:])]
    assert [[r[0], r[1]] + list(r[2:2 + len(roles)]) for r in activity_rows] == \
        [[g[0], g[2]] + g[3:] for g in grid if any(g[3:])]


def test_strict_fails_when_something_was_left_out_and_writes_nothing(tmp_path):
    out = tmp_path / "project"
    result = run("import", str(CORPUS / "footnotes-and-leftovers" / "source.md"), "--out", str(out), "--strict")
    assert result.returncode == 1
    assert "nothing was written" in result.stderr
    assert not out.exists()


def test_strict_passes_a_clean_table(tmp_path):
    result = run("import", str(CORPUS / "combined-letters" / "source.md"), "--out", str(tmp_path / "p"), "--strict")
    assert result.returncode == 0, result.stderr


def test_it_says_which_table_it_read_and_where(tmp_path):
    result = run("import", str(CORPUS / "legend-first" / "source.md"), "--out", str(tmp_path / "p"))
    assert result.stdout.splitlines()[0].startswith("read table 2 (line 14) of ")
    assert "table 1 (line 5): a legend of the letters; not read" in result.stdout


def test_a_matrix_mixing_letters_and_words_is_no_legend(tmp_path):
    # Rows holding "R" in one cell and "Responsible" in another look like a legend's rows; a legend is short
    # and narrow, with the letter first.
    rows = ["ID,Activity," + ",".join(f"Role {j}" for j in range(1, 8))]
    rows += [f"T-{i},Task {i},R,Responsible,C,,I,A,-" for i in range(1, 21)]
    (tmp_path / "m.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = run("import", str(tmp_path / "m.csv"), "--out", str(tmp_path / "p"))
    assert result.returncode == 0, result.stderr
    assert len(project_grid(tmp_path / "p")[1]) == 20


def test_table_option_picks_another(tmp_path):
    result = run("import", str(CORPUS / "legend-first" / "source.md"), "--out", str(tmp_path / "p"), "--table", "1")
    assert result.returncode == 2
    assert "has no activity rows" in result.stderr or "no column" in result.stderr


def test_transpose_option(tmp_path):
    source = tmp_path / "m.csv"
    source.write_text("Who,Plan,Build\nLead,A/R,A\nDev,C,R\n", encoding="utf-8")
    result = run("import", str(source), "--out", str(tmp_path / "p"))
    assert result.returncode == 0, result.stderr  # "Who": roles are rows, found by itself
    source.write_text("People,Plan,Build\nLead,A/R,A\nDev,C,R\n", encoding="utf-8")
    result = run("import", str(source), "--out", str(tmp_path / "q"), "--transpose")
    assert result.returncode == 0, result.stderr
    roles, grid = project_grid(tmp_path / "q")
    assert grid == [["ACT-1", "Activities", "Plan", "A/R", "C"], ["ACT-2", "Activities", "Build", "A", "R"]]


def test_xlsx_sheet_range_bold_phases_and_links(tmp_path):
    wb = Workbook()
    wb.active.title = "Cover"
    wb.active["A1"] = "Nothing to see here"
    ws = wb.create_sheet("Matrix")
    from openpyxl.styles import Font

    ws["B2"], ws["C2"], ws["D2"] = "Activity", "Owner", "Reviewer"
    ws["B3"] = "Preparation"
    ws["B3"].font = Font(bold=True)
    ws["B4"], ws["C4"], ws["D4"] = "Write the plan", "A/R", "C"
    ws["B4"].hyperlink = "https://example.org/plan"
    ws["B5"], ws["C5"], ws["D5"] = "Check the plan", "A", "R"
    ws["F10"] = "R"  # outside the range: not read
    wb.save(tmp_path / "book.xlsx")
    result = run("import", str(tmp_path / "book.xlsx"), "--out", str(tmp_path / "p"), "--sheet", "Matrix",
                 "--range", "B2:D5")
    assert result.returncode == 0, result.stderr
    assert "sheet 'Matrix' B2:D5" in result.stdout
    roles, grid = project_grid(tmp_path / "p")
    assert grid == [["PRE-1", "Preparation", "Write the plan", "A/R", "C"],
                    ["PRE-2", "Preparation", "Check the plan", "A", "R"]]
    project = load_project(str(tmp_path / "p"))
    assert next(project.matrix.activities()).description == "Link: https://example.org/plan"
    bad = run("import", str(tmp_path / "book.xlsx"), "--out", str(tmp_path / "q"), "--sheet", "Nope")
    assert bad.returncode == 2 and "no sheet 'Nope'; the sheets are 'Cover', 'Matrix'" in bad.stderr


# --- bad input: one line, exit 2, nothing written -----------------------------------------------------------------


def bad(tmp_path: Path, name: str, content: bytes | str, *args: str) -> subprocess.CompletedProcess:
    source = tmp_path / name
    source.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    out = tmp_path / "project"
    result = run("import", str(source), "--out", str(out), *args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
    return result


def test_no_table(tmp_path):
    assert "no table found" in bad(tmp_path, "page.md", "# Title\n\nJust text.\n").stderr


def test_no_letters(tmp_path):
    assert "no table holds responsibility letters" in bad(tmp_path, "t.csv", "a,b\nfoo,bar\n").stderr


def test_ambiguous_choice_lists_the_candidates(tmp_path):
    text = ("| Task | Lead | Dev |\n|---|---|---|\n| Plan | A/R | C |\n\n"
            "Text between.\n\n| Step | Owner | Helper |\n|---|---|---|\n| Build | A | R |\n")
    err = bad(tmp_path, "two.md", text).stderr
    assert "2 tables hold as many letters: table 1 (line 1), 2 letters; table 2 (line 7), 2 letters" in err
    assert "--table N" in err


def test_huge_file(tmp_path):
    big = tmp_path / "big.csv"
    with open(big, "wb") as fh:
        fh.truncate(21 * 1024 * 1024)
    out = tmp_path / "project"
    result = run("import", str(big), "--out", str(out))
    assert result.returncode == 2 and "too large to import; the limit is 20 MiB" in result.stderr
    assert not out.exists()


def test_a_fifo_as_the_source_is_refused_at_once(tmp_path):
    # A plain open() of a FIFO waits for a writer forever: the import must refuse it, not hang.
    import os

    source = tmp_path / "matrix.csv"
    os.mkfifo(source)
    out = tmp_path / "project"
    try:  # the real CLI in a child, so that a hang fails the test instead of stopping the suite
        result = subprocess.run([sys.executable, "-m", "raci_gen", "import", str(source), "--out", str(out)],
                                capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail("import of a FIFO hung")
    assert result.returncode == 2 and "is not a regular file (a FIFO)" in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert not out.exists()


def test_too_many_cells(tmp_path):
    row = ",".join(["R"] * 500) + "\n"
    assert "more than 200,000 cells" in bad(tmp_path, "wide.csv", "Task," + row * 500).stderr


def test_unreadable_workbook(tmp_path):
    assert "not a readable .xlsx workbook" in bad(tmp_path, "broken.xlsx", b"PK\x03\x04 not really").stderr


def test_unreadable_cell(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["Task", "Lead", "Dev"])
    ws.append(["Plan", "A/R", "C"])
    ws["C2"].value = "#REF!"
    ws["C2"].data_type = "e"
    wb.save(tmp_path / "err.xlsx")
    out = tmp_path / "project"
    result = run("import", str(tmp_path / "err.xlsx"), "--out", str(out))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Sheet!C2: error: cell holds the error #REF!" in result.stderr
    assert not out.exists()


def test_binary_file(tmp_path):
    assert "binary file" in bad(tmp_path, "x.csv", b"\x00\x01\x02\xff\xfe\x00garbage").stderr


def test_unknown_suffix(tmp_path):
    assert "cannot import .docx" in bad(tmp_path, "m.docx", b"whatever").stderr


def test_a_long_cell(tmp_path):
    assert "cell of 6,000 characters cannot be read" in bad(tmp_path, "t.csv", "Task,Lead\n" + "x" * 6000 + ",A\n").stderr


def test_never_over_existing_files_without_force(tmp_path):
    source = CORPUS / "combined-letters" / "source.md"
    out = tmp_path / "project"
    (out / "roles").mkdir(parents=True)
    (out / "roles" / "roles.yaml").write_text("# mine\n", encoding="utf-8")
    result = run("import", str(source), "--out", str(out))
    assert result.returncode == 2
    assert "roles.yaml: error: exists; refusing to overwrite 1 file (give --force to replace them)" in result.stderr
    assert sorted(p.name for p in out.rglob("*")) == ["roles", "roles.yaml"]
    assert run("import", str(source), "--out", str(out), "--force").returncode == 0
    assert (out / "roles" / "roles.yaml").read_text(encoding="utf-8") != "# mine\n"


def test_out_or_into_is_required(tmp_path):
    result = run("import", str(CORPUS / "combined-letters" / "source.md"))
    assert result.returncode == 2 and "give --out DIR" in result.stderr


def test_importing_reads_no_yaml_round_trip_library(tmp_path):
    code = ("import sys; from raci_gen.cli import main; "
            f"sys.argv=['raci-gen','import',{str(CORPUS / 'words' / 'source.csv')!r},'--out',{str(tmp_path / 'p')!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('ruamel' in ' '.join(sys.modules), 'openpyxl' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip().splitlines()[-1] == "False False", result.stdout + result.stderr


def test_a_wide_matrix_built_by_raci_gen_comes_back_whole(tmp_path):
    # raci-gen's HTML splits a matrix wider than the page into tables of role columns that repeat
    # the rows; the import joins them again instead of reading one and losing the others' roles.
    from tests.conftest import write_project

    roles = [{"id": f"P{i}", "name": f"Person {i}"} for i in range(1, 31)]
    activities = {"01-work": {"phase": "Work", "activities": [
        {"id": f"W-{k}", "name": f"Work item {k}",
         "raci": {"P1": "A", f"P{2 + k}": "R", f"P{30 - k}": "C", f"P{16 + k}": "I"}} for k in range(1, 9)]}}
    project = write_project(tmp_path / "source", roles, activities)
    out, fmt = tmp_path / "built", "html"
    built = subprocess.run([sys.executable, "-m", "raci_gen", "build", str(project), "--out", str(out), "-f", fmt,
                            "--no-lint", "-q"], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    assert (out / "raci-matrix.html").read_text(encoding="utf-8").count("<table class=\"matrix") > 1
    target = tmp_path / "imported"
    result = subprocess.run([sys.executable, "-m", "raci_gen", "import", str(out / f"raci-matrix.{fmt}"),
                             "--out", str(target)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert project_grid(target) == project_grid(project)


def test_tables_side_by_side_are_joined_only_when_they_repeat_the_same_rows(tmp_path):
    # Two tables whose rows differ are two tables, even with different role columns.
    text = ("| ID | Task | R1 | R2 |\n|---|---|---|---|\n| T1 | Plan | A | R |\n| T2 | Build | R | A |\n\n"
            "| ID | Task | R3 | R4 |\n|---|---|---|---|\n| T1 | Plan | C | I |\n| T3 | Ship | A | R |\n")
    source = tmp_path / "two.md"
    source.write_text(text, encoding="utf-8")
    result = run("import", str(source), "--out", str(tmp_path / "p"))
    assert result.returncode == 2 and "2 tables hold as many letters" in result.stderr
    assert "beside it" not in result.stderr

"""Sign-offs kept apart from the work (issue 23, item 1): the lint as roles and as people, the portfolio across
charters, the marks in every document, and the example's own sign-offs.

Each project here is written to a temporary folder and checked by the real ``raci-gen`` (a subprocess for the
lint and the portfolio, whose exit codes and lines are what a CI job sees)."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook

from conftest import REPO_ROOT, copy_example, run_in_process, write_project

ADA = {"name": "Ada Lovelace", "email": "ada@example.org"}


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "raci_gen", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def charter(root: Path, name: str, signer: list, doer: list, sign_off: bool = True, cell: str = "A") -> Path:
    """A charter of two roles, LEAD (people ``signer``) and TEAM (people ``doer``): X-1 is work TEAM does and
    LEAD answers for; X-2, the sign-off (unless ``sign_off`` is False), LEAD holds ``cell`` and TEAM is R."""
    roles = [{"id": "LEAD", "name": "Lead", "people": signer}, {"id": "TEAM", "name": "Team", "people": doer}]
    gate = {"id": "X-2", "name": f"Accept the work of {name}", "raci": {"LEAD": cell, "TEAM": "R"}}
    if sign_off:
        gate["sign-off"] = True
    activities = [{"id": "X-1", "name": f"Do the work of {name}", "raci": {"LEAD": "A", "TEAM": "R"}}, gate]
    return write_project(root / name, roles, {"01-all": {"phase": "All", "activities": activities}},
                         {"title": f"Charter {name}"})


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


# --- the lint ---------------------------------------------------------------------------------------------------

def test_one_person_in_both_roles_of_a_sign_off_is_found_at_the_cell(tmp_path):
    root = charter(tmp_path, "one", [ADA], ["Grace Hopper", "Ada Lovelace"])
    result = run("lint", str(root), cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    found = [line for line in result.stdout.splitlines() if "[separate-sign-off-people]" in line]
    phase_file = root / "activities" / "01-all.yaml"
    # at TEAM's cell of X-2 (the Responsible role's), naming the person, both roles and the activity
    cell_line, column = [(i, line.index("TEAM") + 1) for i, line in enumerate(phase_file.read_text().splitlines(), 1)
                         if "TEAM: R" in line][-1]
    assert found == [f"{phase_file}:{cell_line}:{column}: error: sign-off X-2 (Accept the work of one): Ada Lovelace "
                     "<ada@example.org> fills both role LEAD (Lead), Accountable (A), and role TEAM (Team), "
                     "Responsible (R), so signs off their own work; name another person for one of the roles "
                     "[separate-sign-off-people]"]
    # the work row X-1 has the same people and letters, but is no sign-off (found just once, above)


def test_different_people_and_no_sign_off_pass(tmp_path):
    apart = charter(tmp_path, "apart", [ADA], ["Grace Hopper"])
    no_gate = charter(tmp_path, "nogate", [ADA], ["Ada Lovelace"], sign_off=False)
    for root in (apart, no_gate):
        result = run("lint", "--strict", str(root), cwd=tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr


def test_the_accountable_role_also_responsible_on_a_sign_off_is_found(tmp_path):
    root = charter(tmp_path, "roles", ["Ada Lovelace"], ["Grace Hopper"], cell="A/R")
    result = run("lint", str(root), cwd=tmp_path)
    assert result.returncode == 1
    phase_file = root / "activities" / "01-all.yaml"
    cell_line, column = [(i, line.index("LEAD") + 1) for i, line in enumerate(phase_file.read_text().splitlines(), 1)
                         if "LEAD: A/R" in line][-1]
    assert [line for line in result.stdout.splitlines() if "[separate-sign-off" in line] == [
        f"{phase_file}:{cell_line}:{column}: error: sign-off X-2 (Accept the work of roles): role LEAD (Lead) is "
        "Accountable (A) and Responsible (R), so it signs off its own work; give the work to another role "
        "[separate-sign-off]"]


def test_a_sign_off_that_is_not_true_or_false_is_refused_in_one_line(tmp_path):
    root = charter(tmp_path, "bad", [ADA], ["Grace Hopper"])
    phase_file = root / "activities" / "01-all.yaml"
    phase_file.write_text(phase_file.read_text().replace("sign-off: true", "sign-off: 'yes'"))
    result = run("lint", str(root), cwd=tmp_path)
    assert result.returncode == 2
    at = line_of(phase_file, "sign-off:")
    column = phase_file.read_text().splitlines()[at - 1].index("'yes'") + 1
    assert result.stderr.splitlines()[0] == \
        f"{phase_file}:{at}:{column}: error: input should be a valid boolean, got 'yes'"
    assert "Traceback" not in result.stderr


# --- the portfolio ----------------------------------------------------------------------------------------------

def test_the_portfolio_lists_who_signs_off_their_own_work_per_charter(tmp_path):
    # Ada signs off her own work in one (same name) and in two (same e-mail, another spelling of the name);
    # three keeps the sign-off apart; four has the same person in both roles, but its gate is no sign-off.
    charter(tmp_path, "one", [ADA], ["Ada Lovelace"])
    charter(tmp_path, "two", [{"name": "Ada  Lovelace", "email": "ADA@example.org"}],
            [{"name": "A. Lovelace", "email": "ada@example.org"}, "Grace Hopper"])
    charter(tmp_path, "three", ["Alan Turing"], ["Grace Hopper"])
    charter(tmp_path, "four", ["Alan Turing"], ["Alan Turing"], sign_off=False)
    result = run("portfolio", "one", "two", "three", "four", "-o", "out", "-f", "md,xlsx", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    md = (tmp_path / "out" / "portfolio.md").read_text(encoding="utf-8")
    assert "1 person signs off their own work, in 2 projects." in md
    section = md.split("## Sign-offs of one's own work", 1)[1]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert rows == [
        "| Ada Lovelace \\<ada\\@example.org> | Charter one | ../one | X-2 Accept the work of one (LEAD Lead signs, "
        "TEAM Team does) |",
        "| Ada Lovelace \\<ADA\\@example.org> | Charter two | ../two | X-2 Accept the work of two (LEAD Lead signs, "
        "TEAM Team does) |"]
    sheet = load_workbook(tmp_path / "out" / "portfolio.xlsx")["Own sign-offs"]
    assert [row[:4] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        ("Ada Lovelace <ada@example.org>", "Charter one", "../one", "X-2"),
        ("Ada Lovelace <ADA@example.org>", "Charter two", "../two", "X-2")]


def test_a_portfolio_whose_sign_offs_are_kept_apart_says_so_and_one_without_sign_offs_is_silent(tmp_path):
    charter(tmp_path, "three", ["Alan Turing"], ["Grace Hopper"])
    charter(tmp_path, "four", ["Alan Turing"], ["Alan Turing"], sign_off=False)
    assert run("portfolio", "three", "four", "-o", "out", cwd=tmp_path).returncode == 0
    md = (tmp_path / "out" / "portfolio.md").read_text(encoding="utf-8")
    assert "On the 1 sign-off of these projects, no person named in the Accountable role's people fills a " \
           "Responsible role." in " ".join(md.split())  # wrapped at 80
    assert run("portfolio", "four", "-o", "out4", cwd=tmp_path).returncode == 0
    assert "sign-off" not in (tmp_path / "out4" / "portfolio.md").read_text(encoding="utf-8").casefold()


# --- the documents ----------------------------------------------------------------------------------------------

def _build(root: Path, out: Path, formats: str) -> None:
    result = run_in_process("build", str(root), "--format", formats, "-o", str(out))
    assert result.returncode in (0, 1), result.stdout + result.stderr


def test_documents_mark_the_sign_off_rows_and_nothing_else(tmp_path):
    root = charter(tmp_path, "docs", ["Alan Turing"], ["Grace Hopper"])
    out = tmp_path / "out"
    _build(root, out, "md,html,csv,json,xlsx")
    md = (out / "raci-matrix.md").read_text(encoding="utf-8")
    assert "| X-2 | Accept the work of docs *(sign-off)* |" in md
    assert "| X-1 | Do the work of docs |" in md
    assert "*(sign-off)* marks a gate" in md
    page = (out / "raci-matrix.html").read_text(encoding="utf-8")
    assert re.search(r'<td class="activity">Accept the work of docs <span class="signoff">sign-off</span></td>', page)
    assert page.count('<span class="signoff">') == 2  # the row and the legend
    rows = list(csv.reader(io.StringIO((out / "raci-matrix.csv").read_text(encoding="utf-8"))))
    assert rows[0][:4] == ["id", "phase", "activity", "sign-off"]
    assert [row[3] for row in rows[1:]] == ["", "yes"]
    data = json.loads((out / "raci-matrix.json").read_text(encoding="utf-8"))
    assert [a.get("sign-off") for a in data["phases"][0]["activities"]] == [None, True]
    sheet = load_workbook(out / "raci-matrix.xlsx")["RACI matrix"]
    rows = [row for row in sheet.iter_rows(values_only=True) if row[0] in ("ID", "X-1", "X-2")]
    assert [(row[0], row[-1]) for row in rows] == [("ID", "Sign-off"), ("X-1", None), ("X-2", "yes")]


def test_a_matrix_without_sign_offs_has_no_mark_anywhere(tmp_path):
    root = charter(tmp_path, "plain", ["Alan Turing"], ["Grace Hopper"], sign_off=False)
    out = tmp_path / "out"
    _build(root, out, "md,html,csv,json,xlsx")
    for name in ("raci-matrix.md", "raci-matrix.csv", "raci-matrix.json"):
        assert "sign-off" not in (out / name).read_text(encoding="utf-8").casefold(), name
    assert "signoff" not in (out / "raci-matrix.html").read_text(encoding="utf-8")  # neither the mark nor its style
    workbook = load_workbook(out / "raci-matrix.xlsx")
    assert not any("sign-off" in str(cell.value).casefold() for sheet in workbook for row in sheet.iter_rows()
                   for cell in row)


def test_show_and_diff_tell_the_sign_offs(tmp_path):
    before = charter(tmp_path, "before", ["Alan Turing"], ["Grace Hopper"], sign_off=False)
    after = charter(tmp_path, "after", ["Alan Turing"], ["Grace Hopper"])
    shown = run_in_process("show", str(after))
    assert re.search(r"^X-2\*\s+Accept the work of after", shown.stdout, re.M)
    assert "* sign-off: its Accountable signs off work" in shown.stdout
    diff = run_in_process("diff", str(before), str(after))
    assert "Made sign-offs:\n  X-2 Accept the work of after" in diff.stdout


def test_the_documents_read_back_with_their_sign_offs(tmp_path):
    root = charter(tmp_path, "trip", ["Alan Turing"], ["Grace Hopper"])
    out = tmp_path / "out"
    _build(root, out, "md,csv,xlsx,html")
    for fmt in ("csv", "md", "xlsx", "html"):
        back = tmp_path / f"back-{fmt}"
        result = run_in_process("import", str(out / f"raci-matrix.{fmt}"), "-o", str(back))
        # 1: the workbook's role headers carry the people, which the import leaves out and says so
        assert result.returncode in (0, 1) and (back / "raci.yaml").exists(), result.stdout + result.stderr
        text = "".join(p.read_text(encoding="utf-8") for p in sorted((back / "activities").glob("*.yaml")))
        assert "name: Accept the work of trip\n    sign-off: true\n" in text, fmt
        assert text.count("sign-off") == 1, fmt


# --- the example ------------------------------------------------------------------------------------------------

def test_the_example_marks_its_gates_and_keeps_them_apart(tmp_path):
    from raci_gen.input.loader import load_project

    matrix = load_project(str(REPO_ROOT)).matrix
    assert [a.id for a in matrix.activities() if a.sign_off] == ["GV-1", "ME-4", "GV-2", "DP-5"]
    result = run("lint", "--strict", str(copy_example(tmp_path / "example")), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_into_makes_and_unmakes_sign_offs_only_when_the_source_tells_them(tmp_path):
    root = charter(tmp_path, "into", ["Alan Turing"], ["Grace Hopper"])
    out = tmp_path / "out"
    _build(root, out, "csv")
    rows = list(csv.reader(io.StringIO((out / "raci-matrix.csv").read_text(encoding="utf-8"))))
    rows[1][3], rows[2][3] = "yes", ""  # X-1 becomes a sign-off, X-2 no longer is

    def write(name: str, table: list[list[str]]) -> Path:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerows(table)
        (tmp_path / name).write_text(buffer.getvalue(), encoding="utf-8")
        return tmp_path / name

    from raci_gen.input.loader import load_project

    # a CSV without the sign-off column says nothing of them: they stay as they are
    result = run_in_process("import", str(write("plain.csv", [r[:3] + r[4:] for r in rows])), "--into", str(root))
    assert result.returncode == 0, result.stdout + result.stderr
    assert [a.id for a in load_project(str(root)).matrix.activities() if a.sign_off] == ["X-2"]
    result = run_in_process("import", str(write("edited.csv", rows)), "--into", str(root))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Made sign-offs:\n  X-1 Do the work of into\n\nNo longer sign-offs:\n  X-2 Accept the work of into" \
        in result.stdout
    assert [a.id for a in load_project(str(root)).matrix.activities() if a.sign_off] == ["X-1"]

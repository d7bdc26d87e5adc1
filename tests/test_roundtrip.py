"""raci-gen import --into: an edited workbook, Markdown or CSV back into the YAML as the smallest edit.

The example is copied into a git repository and committed; the document is built,
cells are changed (with openpyxl for the workbook, as text for Markdown and CSV),
and after the import ``git diff`` must show exactly the changed lines, with every
comment kept. Which cells change is derived from the loaded example, not written
down, so the example may change under these tests.
"""

from __future__ import annotations

import csv
import io
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from raci_gen.input.loader import load_project
from raci_gen.documents.xlsx import FIRST_ROLE_COL, matrix_layout
from tests.conftest import CliResult, copy_example, run_in_process

GIT = shutil.which("git")
pytestmark = pytest.mark.skipif(GIT is None, reason="needs git")


run = run_in_process


def git(root: Path, *args: str) -> str:
    return subprocess.run([GIT, "-C", str(root), *args], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def repo(tmp_path) -> Path:
    root = copy_example(tmp_path / "project")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "example")
    built = run("build", str(root), "--format", "xlsx,md,csv", "--out", str(tmp_path / "out"), "-q")
    assert built.returncode == 0, built.stderr
    return root


def changed_lines(root: Path) -> tuple[list[str], list[str]]:
    """The lines git diff removes and adds, without file headers."""
    diff = git(root, "diff", "-U0")
    removed = [line[1:] for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    added = [line[1:] for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    return removed, added


def comments(root: Path) -> list[str]:
    return [line for path in sorted(root.rglob("*.yaml")) if ".git" not in path.parts
            for line in path.read_text(encoding="utf-8").splitlines() if "#" in line]


def three_edits(root: Path):
    """(activity, role, new letters) of three edits: a letter changed, an empty cell filled, a cell cleared.

    Chosen from the loaded project: the first activity whose cell can change, the first empty cell, the
    first activity with a lone C or I (clearing it leaves the activity valid)."""
    matrix = load_project(str(root)).matrix
    acts = list(matrix.activities())
    roles = [r.id for r in matrix.roles]
    change = next((a, r) for a in acts for r in roles if a.letters(r) == ("C",))
    fill = next((a, r) for a in acts for r in roles if not a.letters(r) and a is not change[0])
    clear = next((a, r) for a in acts for r in roles if a.letters(r) == ("I",)
                 and a not in (change[0], fill[0]))
    return [(change[0], change[1], "I"), (fill[0], fill[1], "C"), (clear[0], clear[1], "")]


def expected_lines(edits, root: Path) -> tuple[list[str], list[str]]:
    removed, added = [], []
    for activity, role, letters in edits:
        before = activity.cell(role)
        if before is not None:
            text = Path(before.location.file).read_text(encoding="utf-8").splitlines()[before.location.line - 1]
            removed.append(text)
            if letters:
                added.append(text.replace(f"{role}: {before.text}", f"{role}: {letters}"))
        else:
            indent = next(c for c in activity.cells).location.column - 1
            added.append(" " * indent + f"{role}: {letters}")
    return sorted(removed), sorted(added)


def check_round_trip(root: Path, source: Path, edits) -> CliResult:
    before = comments(root)
    want = expected_lines(edits, root)
    result = run("import", str(source), "--into", str(root))
    assert result.returncode == 0, result.stderr + result.stdout
    removed, added = changed_lines(root)
    assert (sorted(removed), sorted(added)) == want
    assert comments(root) == before
    for activity, role, letters in edits:
        shown = f"{role} {'/'.join(activity.letters(role)) or '–'} → {letters or '–'}"
        assert shown in result.stdout, result.stdout
    assert "3 cells changed in 3 activities" in result.stdout
    assert run("lint", str(root)).returncode in (0, 1)
    return result


def test_workbook_edited_with_openpyxl(repo, tmp_path):
    edits = three_edits(repo)
    project = load_project(str(repo))
    rows = {a.id: row for _, _, acts in matrix_layout(project.matrix) for row, a in acts}
    cols = {r.id: FIRST_ROLE_COL + i for i, r in enumerate(project.matrix.roles)}
    wb = load_workbook(tmp_path / "out" / "raci-matrix.xlsx")
    ws = wb["RACI matrix"]
    for activity, role, letters in edits:
        ws.cell(row=rows[activity.id], column=cols[role]).value = letters or None
    wb.save(tmp_path / "edited.xlsx")
    check_round_trip(repo, tmp_path / "edited.xlsx", edits)


def test_workbook_edited_with_libreoffice(repo, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    edits = three_edits(repo)
    project = load_project(str(repo))
    rows = {a.id: row for _, _, acts in matrix_layout(project.matrix) for row, a in acts}
    cols = {r.id: FIRST_ROLE_COL + i for i, r in enumerate(project.matrix.roles)}
    wb = load_workbook(tmp_path / "out" / "raci-matrix.xlsx")
    for activity, role, letters in edits:
        wb["RACI matrix"].cell(row=rows[activity.id], column=cols[role]).value = letters or None
    (tmp_path / "lo").mkdir()
    wb.save(tmp_path / "lo" / "edited.xlsx")
    # LibreOffice opens the workbook and saves it again, as a person editing in it would.
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--convert-to",
                    "xlsx", "--outdir", str(tmp_path / "resaved"), str(tmp_path / "lo" / "edited.xlsx")],
                   capture_output=True, timeout=180, check=True)
    check_round_trip(repo, tmp_path / "resaved" / "edited.xlsx", edits)


def markdown_edit(text: str, activity_id: str, role_index: int, letters: str) -> str:
    out = []
    for line in text.splitlines(keepends=True):
        if line.startswith(f"| {activity_id} |"):
            cells = line.rstrip("\n")[1:-1].split("|")  # an empty cell is "| |" (markdownlint's compact style)
            cells[2 + role_index] = f" {letters} " if letters else " "
            line = "|" + "|".join(cells) + "|\n"
        out.append(line)
    return "".join(out)


def test_markdown_edited(repo, tmp_path):
    edits = three_edits(repo)
    roles = [r.id for r in load_project(str(repo)).matrix.roles]
    text = (tmp_path / "out" / "raci-matrix.md").read_text(encoding="utf-8")
    for activity, role, letters in edits:
        text = markdown_edit(text, activity.id, roles.index(role), letters)
    (tmp_path / "edited.md").write_text(text, encoding="utf-8")
    check_round_trip(repo, tmp_path / "edited.md", edits)


def csv_table(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def write_csv(path: Path, rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)


def test_csv_edited(repo, tmp_path):
    edits = three_edits(repo)
    rows = csv_table(tmp_path / "out" / "raci-matrix.csv")
    header = [h.split(" (")[0] for h in rows[0]]
    for activity, role, letters in edits:
        row = next(r for r in rows if r[0] == activity.id)
        row[header.index(role)] = letters
    write_csv(tmp_path / "edited.csv", rows)
    check_round_trip(repo, tmp_path / "edited.csv", edits)


def test_nothing_changed_changes_nothing(repo, tmp_path):
    for name in ("raci-matrix.xlsx", "raci-matrix.md", "raci-matrix.csv"):
        result = run("import", str(tmp_path / "out" / name), "--into", str(repo))
        assert result.returncode == 0, result.stderr
        assert "No changes in responsibilities" in result.stdout
        assert git(repo, "status", "--porcelain") == ""


def test_a_workbook_built_from_other_inputs_is_refused(repo, tmp_path):
    path = next((repo / "activities").glob("*.yaml"))
    path.write_text(path.read_text(encoding="utf-8") + "# a later change\n", encoding="utf-8")
    result = run("import", str(tmp_path / "out" / "raci-matrix.xlsx"), "--into", str(repo))
    assert result.returncode == 2
    assert "built from other inputs" in result.stderr and "--force" in result.stderr
    assert git(repo, "diff", "--stat").count("|") == 1  # only the change made above
    forced = run("import", str(tmp_path / "out" / "raci-matrix.xlsx"), "--into", str(repo), "--force")
    assert forced.returncode == 0, forced.stderr


def test_new_activity_and_role_go_into_the_right_files_and_removals_need_delete(repo, tmp_path):
    project = load_project(str(repo))
    matrix = project.matrix
    rows = csv_table(tmp_path / "out" / "raci-matrix.csv")
    last_phase = matrix.phases[-1]
    first_phase = matrix.phases[0]
    removed = first_phase.activities[-1]
    rows = [r for r in rows if r[0] != removed.id]
    rows[0].append("QA (Quality Assurance)")
    for r in rows[1:]:
        r.append("")
    # blank under the example's sign-off column and its roles, A/R under QA
    rows.append(["NEW-1", last_phase.name, "Audit the model once a year"] + [""] * (len(rows[0]) - 4) + ["A/R"])
    write_csv(tmp_path / "edited.csv", rows)

    result = run("import", str(tmp_path / "edited.csv"), "--into", str(repo))
    assert result.returncode == 0, result.stderr
    assert f"activity {removed.id} is not in the source; kept (--delete removes it)" in result.stdout
    assert "Roles added:\n  QA Quality Assurance" in result.stdout
    assert "Activities added:\n  NEW-1 Audit the model once a year" in result.stdout
    changed = git(repo, "diff", "--name-only").split()
    last_file = Path(last_phase.location.file).relative_to(repo).as_posix()
    assert sorted(changed) == sorted([last_file, Path(matrix.roles[-1].location.file).relative_to(repo).as_posix()])
    # Appended after a blank line, as the items before them are kept apart.
    assert git(repo, "diff", "-U0", last_file).count("\n+\n+  - id: NEW-1\n") == 1
    reloaded = load_project(str(repo))
    assert reloaded.matrix.roles[-1].id == "QA"
    new = next(a for a in reloaded.matrix.activities() if a.id == "NEW-1")
    assert new.letters("QA") == ("A", "R")
    assert Path(new.location.file).name == Path(last_phase.location.file).name

    deleted = run("import", str(tmp_path / "edited.csv"), "--into", str(repo), "--delete")
    assert deleted.returncode == 0, deleted.stderr
    assert f"Activities removed:\n  {removed.id}" in deleted.stdout
    assert removed.id not in {a.id for a in load_project(str(repo)).matrix.activities()}


# --- CSV out and back --------------------------------------------------------------------------------------------


def grid_of(root: Path) -> tuple[list[tuple[str, str]], list[list[str]]]:
    matrix = load_project(str(root)).matrix
    return ([(r.id, r.name) for r in matrix.roles],
            [[a.id, p.name, a.name] + [a.cell(r.id).text if a.cell(r.id) else "" for r in matrix.roles]
             for p in matrix.phases for a in p.activities])


def out_and_back(root: Path, tmp_path: Path, fmt: str = "csv") -> None:
    built = run("build", str(root), "--format", fmt, "--out", str(tmp_path / "built"), "-q", "--no-lint")
    assert built.returncode == 0, built.stderr
    back = tmp_path / "back"
    result = run("import", str(tmp_path / "built" / f"raci-matrix.{fmt}"), "--out", str(back), "--strict")
    assert result.returncode == 0, result.stderr + result.stdout
    assert grid_of(back) == grid_of(root)


@pytest.mark.parametrize("fmt", ["csv", "md", "html", "xlsx"])
def test_out_and_back_gives_the_same_grid_for_the_example(tmp_path, repo_root, fmt):
    out_and_back(repo_root, tmp_path, fmt)


def test_csv_out_and_back_gives_the_same_grid_for_a_wide_matrix(tmp_path, make_project):
    rng = random.Random(30)
    roles = [{"id": f"R{i}", "name": f"Role number {i}"} for i in range(1, 31)]
    phases = {}
    for p in range(1, 5):
        activities = []
        for a in range(1, 16):
            raci = {}
            for role in rng.sample(roles, 6):
                raci[role["id"]] = rng.choice(["R", "C", "I", "A/R"])
            activities.append({"id": f"P{p}-{a}", "name": f"Activity {a} of phase {p}, with a comma", "raci": raci})
        phases[f"0{p}-phase"] = {"phase": f"Phase {p}", "activities": activities}
    root = make_project(tmp_path / "wide", roles, phases)
    assert len(load_project(str(root)).matrix.roles) == 30
    out_and_back(root, tmp_path, "csv")


# --- the richer provenance stamp (JSON, as `build --check` reads it), wherever a document carries it --------------


def stamp_json(inputs: str) -> str:
    return '{"generator":"raci-gen","version":"0.1.0","format":"xlsx","inputs":"%s"}' % inputs


def test_a_workbook_with_a_json_stamp_of_other_inputs_is_refused(repo, tmp_path):
    from openpyxl.packaging.custom import StringProperty

    wb = load_workbook(tmp_path / "out" / "raci-matrix.xlsx")
    wb.properties.description = None  # only the richer stamp tells
    # the build's own stamp is replaced by one of other inputs
    wb.custom_doc_props.props = [p for p in wb.custom_doc_props.props if p.name != "raci-gen-provenance"]
    wb.custom_doc_props.append(StringProperty(name="raci-gen-provenance", value=stamp_json("0123456789ab")))
    wb.save(tmp_path / "other.xlsx")
    result = run("import", str(tmp_path / "other.xlsx"), "--into", str(repo))
    assert result.returncode == 2 and "built from other inputs (input 0123456789ab)" in result.stderr

    wb.custom_doc_props.props[-1].value = stamp_json(load_project(str(repo)).digest)
    wb.save(tmp_path / "same.xlsx")
    assert run("import", str(tmp_path / "same.xlsx"), "--into", str(repo)).returncode == 0


def test_markdown_with_a_json_stamp_of_other_inputs_is_refused(repo, tmp_path):
    text = (tmp_path / "out" / "raci-matrix.md").read_text(encoding="utf-8")
    stamped = f"<!-- raci-gen-provenance {stamp_json('0123456789ab')} -->\n" + text
    (tmp_path / "other.md").write_text(stamped, encoding="utf-8")
    result = run("import", str(tmp_path / "other.md"), "--into", str(repo))
    assert result.returncode == 2 and "built from other inputs (input 0123456789ab)" in result.stderr
    assert git(repo, "status", "--porcelain") == ""

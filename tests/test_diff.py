"""Tests of ``raci-gen diff``: the pure core on small projects, the Markdown read back
with markdown-it-py, and the command end to end on revisions of a git repository
made in the test (``git init`` under ``tmp_path``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from markdown_it import MarkdownIt

from raci_gen.cli import main
from raci_gen.documents.diff import (
    ActivityRef, CellChange, MatrixDiff, Moved, Renamed, RoleRef, compare, diff_projects, findings_of, format_markdown,
    format_text,
)
from raci_gen.input.revisions import load_revision
from raci_gen.model.errors import InputError, RaciError
from raci_gen.input.loader import load_project

ROLES = [
    {"id": "R1", "name": "Product Owner"},
    {"id": "R2", "name": "Data Scientist"},
    {"id": "R3", "name": "ML Engineer"},
]

BUILD = {"phase": "Build", "activities": [
    {"id": "DP-1", "name": "Train model", "raci": {"R1": "A", "R2": "R", "R3": "C"}},
    {"id": "DP-2", "name": "Deploy model", "raci": {"R1": "I", "R3": "A/R"}},
]}
# Three activities are too few for the share-based rules: every role would be "everywhere" or "overloaded".
# Nor need their activities carry a C or an I.
QUIET = {"lint": {"everywhere-role": "off", "overloaded-role": "off", "no-communication": "off"}}
RUN = {"phase": "Run", "activities": [
    {"id": "RN-1", "name": "Monitor model", "raci": {"R1": "A", "R3": "R", "R2": "I"}},
]}


def write(folder: Path, roles=None, phases=None, raci: dict | None = None, roles_prefix: str = "") -> Path:
    """Write a project into ``folder``: raci.yaml (:data:`QUIET` plus ``raci``), roles/roles.yaml
    and activities/STEM.yaml per phase."""
    roles = ROLES if roles is None else roles
    phases = {"10-build": BUILD, "20-run": RUN} if phases is None else phases
    (folder / "roles").mkdir(parents=True, exist_ok=True)
    (folder / "activities").mkdir(parents=True, exist_ok=True)
    (folder / "roles" / "roles.yaml").write_text(
        roles_prefix + yaml.safe_dump({"roles": roles}, sort_keys=False), encoding="utf-8")
    for old in (folder / "activities").glob("*.yaml"):
        old.unlink()
    for stem, content in phases.items():
        (folder / "activities" / f"{stem}.yaml").write_text(yaml.safe_dump(content, sort_keys=False),
                                                             encoding="utf-8")
    (folder / "raci.yaml").write_text(yaml.safe_dump({**QUIET, **(raci or {})}, sort_keys=False), encoding="utf-8")
    return folder


def with_cells(phase: dict, activity_id: str, raci: dict) -> dict:
    """``phase`` with the cells of one activity replaced."""
    return {**phase, "activities": [{**a, "raci": raci} if a["id"] == activity_id else a
                                    for a in phase["activities"]]}


def diff_of(tmp_path: Path, old: dict, new: dict) -> MatrixDiff:
    """Write two projects (keyword arguments of :func:`write`) and diff them, findings included."""
    a = load_project(str(write(tmp_path / "old", **old)))
    b = load_project(str(write(tmp_path / "new", **new)))
    return diff_projects(a, b, findings_of(a), findings_of(b))


# --- the core ----------------------------------------------------------------------------------------------------


def test_cell_changes_in_role_order_with_a_dash_for_no_letter(tmp_path):
    new_build = with_cells(BUILD, "DP-2", {"R3": "R", "R1": "A", "R2": "C"})
    d = diff_of(tmp_path, {}, {"phases": {"10-build": new_build, "20-run": RUN}})
    assert d.cells == (
        CellChange("DP-2", "Deploy model", "R1", "Product Owner", ("I",), ("A",)),
        CellChange("DP-2", "Deploy model", "R2", "Data Scientist", (), ("C",)),
        CellChange("DP-2", "Deploy model", "R3", "ML Engineer", ("A", "R"), ("R",)),
    )
    assert d.changed
    assert (d.roles_added, d.roles_removed, d.activities_added, d.activities_removed) == ((), (), (), ())
    assert "  DP-2 Deploy model: R1 I → A, R2 – → C, R3 A/R → R\n" in format_text(d)


def test_a_changed_letter_a_to_r(tmp_path):
    new_run = with_cells(RUN, "RN-1", {"R1": "R", "R3": "A", "R2": "I"})
    d = diff_of(tmp_path, {}, {"phases": {"10-build": BUILD, "20-run": new_run}})
    assert [(c.activity_id, c.role_id, c.before_text, c.after_text) for c in d.cells] == [
        ("RN-1", "R1", "A", "R"), ("RN-1", "R3", "R", "A")]


def test_role_removed_takes_its_cells_with_it(tmp_path):
    roles = [r for r in ROLES if r["id"] != "R2"]
    phases = {"10-build": with_cells(BUILD, "DP-1", {"R1": "A", "R3": "R"}),
              "20-run": with_cells(RUN, "RN-1", {"R1": "A", "R3": "R"})}
    d = diff_of(tmp_path, {}, {"roles": roles, "phases": phases})
    assert d.roles_removed == (RoleRef("R2", "Data Scientist"),)
    assert d.roles_added == () and d.roles_renamed == ()
    assert [(c.activity_id, c.role_id, c.role_name, c.before, c.after) for c in d.cells] == [
        ("DP-1", "R2", "Data Scientist", ("R",), ()),
        ("DP-1", "R3", "ML Engineer", ("C",), ("R",)),
        ("RN-1", "R2", "Data Scientist", ("I",), ()),
    ]
    text = format_text(d)
    assert "Roles removed:\n  R2 Data Scientist\n" in text
    assert "  DP-1 Train model: R2 R → –, R3 C → R\n" in text


def test_role_added_and_renamed(tmp_path):
    roles = [{"id": "R1", "name": "Business Owner"}, *ROLES[1:], {"id": "R4", "name": "Data Engineer"}]
    phases = {"10-build": with_cells(BUILD, "DP-1", {"R1": "A", "R2": "R", "R3": "C", "R4": "C"}), "20-run": RUN}
    d = diff_of(tmp_path, {}, {"roles": roles, "phases": phases})
    assert d.roles_added == (RoleRef("R4", "Data Engineer"),)
    assert d.roles_renamed == (Renamed("R1", "Product Owner", "Business Owner"),)
    assert d.roles_removed == ()
    assert d.cells == (CellChange("DP-1", "Train model", "R4", "Data Engineer", (), ("C",)),)
    assert "Roles renamed:\n  R1 Product Owner → Business Owner\n" in format_text(d)


def test_activity_renamed_moved_added_and_removed(tmp_path):
    build = {"phase": "Build", "activities": [
        {"id": "DP-1", "name": "Train the model", "raci": {"R1": "A", "R2": "R", "R3": "C"}},
        {"id": "DP-9", "name": "Roll back", "raci": {"R3": "A/R", "R1": "I"}},
    ]}
    run = {"phase": "Run", "activities": [
        RUN["activities"][0],
        BUILD["activities"][1],  # DP-2 moves from Build to Run, unchanged otherwise
    ]}
    old_phases = {"10-build": BUILD, "20-run": {"phase": "Run", "activities": [
        *RUN["activities"], {"id": "RN-2", "name": "Retire model", "raci": {"R1": "A", "R3": "R"}}]}}
    d = diff_of(tmp_path, {"phases": old_phases}, {"phases": {"10-build": build, "20-run": run}})
    assert d.activities_renamed == (Renamed("DP-1", "Train model", "Train the model"),)
    assert d.activities_moved == (Moved("DP-2", "Deploy model", "Build", "Run"),)
    assert d.activities_added == (ActivityRef("DP-9", "Roll back", "Build", (("R1", ("I",)), ("R3", ("A", "R")))),)
    assert d.activities_removed == (ActivityRef("RN-2", "Retire model", "Run", (("R1", ("A",)), ("R3", ("R",)))),)
    assert d.cells == ()  # renamed, moved: same letters; added, removed: not cell changes
    text = format_text(d)
    assert "Activities renamed:\n  DP-1 Train model → Train the model\n" in text
    assert "Activities moved:\n  DP-2 Deploy model: Build → Run\n" in text
    assert "Activities added:\n  DP-9 Roll back (Build): R1 I, R3 A/R\n" in text
    assert "Activities removed:\n  RN-2 Retire model (Run): R1 A, R3 R\n" in text


def test_finding_appeared_and_gone(tmp_path):
    # Old: RN-1 has no Accountable. New: it has one, but R2 no longer takes part anywhere.
    old_run = with_cells(RUN, "RN-1", {"R1": "C", "R3": "R", "R2": "I"})
    new_build = with_cells(BUILD, "DP-1", {"R1": "A", "R3": "R"})
    new_run = with_cells(RUN, "RN-1", {"R1": "A", "R3": "R"})
    d = diff_of(tmp_path, {"phases": {"10-build": BUILD, "20-run": old_run}},
                {"phases": {"10-build": new_build, "20-run": new_run}})
    assert [(f.rule, f.message) for f in d.findings_appeared] == [
        ("idle-role", "role R2 (Data Scientist) takes part in no activity")]
    assert [f.rule for f in d.findings_gone] == ["one-accountable"]
    assert "RN-1" in d.findings_gone[0].message
    text = format_text(d)
    assert "Findings appeared:\n  " in text and "takes part in no activity [idle-role]" in text
    assert "Findings gone:\n  " in text


def test_findings_are_matched_by_rule_and_message_not_line(tmp_path):
    # The same idle role on both sides, but three lines further down and in another folder.
    roles = [*ROLES, {"id": "R4", "name": "Auditor"}]
    d = diff_of(tmp_path, {"roles": roles}, {"roles": roles, "roles_prefix": "# the roles\n# of the project\n\n"})
    assert d == MatrixDiff()
    assert not d.changed
    assert format_text(d) == "No changes in responsibilities (old → new).\n"


def test_a_finding_silenced_by_lint_ignore_is_gone(tmp_path):
    idle = {"id": "R4", "name": "Auditor"}
    silenced = {**idle, "lint-ignore": {"idle-role": "joins in the next release"}}
    d = diff_of(tmp_path, {"roles": [*ROLES, idle]}, {"roles": [*ROLES, silenced]})
    assert [(f.rule, f.message) for f in d.findings_gone] == [
        ("idle-role", "role R4 (Auditor) takes part in no activity")]
    assert d.findings_appeared == ()
    assert not diff_of(tmp_path / "both", {"roles": [*ROLES, silenced]}, {"roles": [*ROLES, silenced]}).changed
    back = diff_of(tmp_path / "back", {"roles": [*ROLES, silenced]}, {"roles": [*ROLES, idle]})
    assert [f.rule for f in back.findings_appeared] == ["idle-role"] and back.findings_gone == ()


def test_same_project_twice_is_no_change_even_in_two_folders(tmp_path):
    d = diff_of(tmp_path, {}, {})
    assert not d.changed
    assert format_markdown(d) == "No changes in responsibilities (old → new).\n"


def test_variant_change_is_reported(tmp_path):
    d = diff_of(tmp_path, {}, {"raci": {"variant": "RASCI"}})
    assert d.variant == ("RACI", "RASCI")
    assert d.changed
    assert "Variant changed:\n  RACI → RASCI\n" in format_text(d)


# --- Markdown ----------------------------------------------------------------------------------------------------


def md_tokens(text: str):
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(text)


def inline_texts(tokens, start: str, end: str) -> list[list[str]]:
    """The inline text of every row between ``start`` and ``end`` tokens (e.g. tr_open/tr_close)."""
    rows, row = [], None
    for tok in tokens:
        if tok.type == start:
            row = []
        elif tok.type == end:
            rows.append(row)
            row = None
        elif tok.type == "inline" and row is not None:
            assert all(c.type == "text" for c in tok.children), [c.type for c in tok.children]
            row.append("".join(c.content for c in tok.children))
    return rows


def test_markdown_table_of_cell_changes_reads_back(tmp_path):
    hostile = "Deploy | *model* <b>now</b> `x`"
    build = {"phase": "Build", "activities": [
        BUILD["activities"][0],
        {"id": "DP-2", "name": hostile, "raci": {"R1": "A", "R3": "R"}},
    ]}
    roles = [*ROLES[:2], {"id": "R3", "name": "ML_Engineer [ops]"}, {"id": "R4", "name": "Auditor"}]
    d = diff_of(tmp_path, {}, {"roles": roles, "phases": {"10-build": build, "20-run": RUN}})
    md = format_markdown(d)
    tokens = md_tokens(md)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings[0] == "Changes in responsibilities (old → new)"
    assert "Cells changed" in headings and "Roles added" in headings and "Activities renamed" in headings
    assert [t.type for t in tokens].count("table_open") == 1
    rows = inline_texts(tokens, "tr_open", "tr_close")
    assert rows == [
        ["Activity", "Role", "Before", "After"],
        [f"DP-2 {hostile}", "R1 Product Owner", "I", "A"],
        [f"DP-2 {hostile}", "R3 ML_Engineer [ops]", "A/R", "R"],
    ]
    items = inline_texts(tokens, "list_item_open", "list_item_close")
    assert ["R4 Auditor"] in items
    assert ["R3 ML Engineer → ML_Engineer [ops]"] in items
    assert [f"DP-2 Deploy model → {hostile}"] in items
    assert any("takes part in no activity [idle-role]" in i[0] for i in items)


# --- git revisions -----------------------------------------------------------------------------------------------

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

GIT_ENV = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "Test",
           "GIT_AUTHOR_EMAIL": "test@example.org", "GIT_COMMITTER_NAME": "Test",
           "GIT_COMMITTER_EMAIL": "test@example.org"}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV}, check=True)
    return done.stdout


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "-c", "commit.gpgsign=false", "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    """A repository with the project in ``plan/``: a first commit without it, v1, v2 (DP-2 changed, R2 idle)."""
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    (root / "README.md").write_text("a plan\n", encoding="utf-8")
    commit(root, "start")
    write(root / "plan")
    commit(root, "v1")
    write(root / "plan", phases={"10-build": with_cells(BUILD, "DP-2", {"R3": "R", "R1": "A"}),
                                 "20-run": with_cells(RUN, "RN-1", {"R1": "A", "R3": "R"})},
          roles_prefix="# roles\n")
    # DP-1 keeps R2, so R2 is not idle; RN-1 lost R2's I.
    commit(root, "v2")
    return root


def status(repo: Path) -> tuple[str, str]:
    return git(repo, "status", "--porcelain", "--untracked-files=all"), git(repo, "rev-parse", "HEAD")


V2_CELLS = "  DP-2 Deploy model: R1 I → A, R3 A/R → R\n  RN-1 Monitor model: R2 I → –\n"


@needs_git
def test_cli_diff_of_two_revisions(repo):
    before = status(repo)
    plan = str(repo / "plan")
    runner = CliRunner()
    result = runner.invoke(main, ["diff", "HEAD~1", "HEAD", "--project", plan])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Changes in responsibilities (HEAD~1 → HEAD): 3 cells changed in 2 activities")
    assert "Cells changed:\n" + V2_CELLS in result.stdout
    assert "raci-gen-diff-" not in result.output

    assert runner.invoke(main, ["diff", "HEAD~1", "HEAD", "--project", plan, "--exit-code"]).exit_code == 1
    backwards = runner.invoke(main, ["diff", "HEAD", "HEAD~1", "-p", plan])
    assert "  DP-2 Deploy model: R1 A → I, R3 R → A/R\n" in backwards.stdout

    same = runner.invoke(main, ["diff", "HEAD", "HEAD", "--project", plan, "--exit-code"])
    assert same.exit_code == 0, same.output
    assert same.stdout == "No changes in responsibilities (HEAD → HEAD).\n"
    assert status(repo) == before == ("", before[1])


@needs_git
def test_revisions_are_read_from_git_not_from_the_working_tree(repo, monkeypatch):
    plan = repo / "plan"
    dirty = with_cells(RUN, "RN-1", {"R1": "A", "R3": "R", "R2": "C"})
    (plan / "activities" / "20-run.yaml").write_text(yaml.safe_dump(dirty, sort_keys=False), encoding="utf-8")
    before = status(repo)
    assert before[0] == " M plan/activities/20-run.yaml\n"
    monkeypatch.chdir(plan)
    runner = CliRunner()
    committed = runner.invoke(main, ["diff", "HEAD~1", "HEAD"])
    assert "Cells changed:\n" + V2_CELLS in committed.stdout
    # A folder is read as it is: HEAD against the working tree shows the uncommitted change.
    working = runner.invoke(main, ["diff", "HEAD", "."])
    assert working.exit_code == 0, working.output
    assert working.stdout.endswith("Cells changed:\n  RN-1 Monitor model: R2 – → C\n")
    assert status(repo) == before
    assert yaml.safe_load((plan / "activities" / "20-run.yaml").read_text(encoding="utf-8")) == dirty


@needs_git
def test_python_m_raci_gen_diff_markdown(repo):
    plan = repo / "plan"
    (plan / "roles" / "roles.yaml").write_text(
        yaml.safe_dump({"roles": [*ROLES, {"id": "R4", "name": "Auditor"}]}), encoding="utf-8")
    commit(repo, "v3: an idle role")
    before = status(repo)
    done = subprocess.run([sys.executable, "-m", "raci_gen", "diff", "HEAD~2", "HEAD", "--format", "markdown",
                           "--exit-code"], cwd=plan, capture_output=True, text=True)
    assert done.returncode == 1, done.stderr
    rows = inline_texts(md_tokens(done.stdout), "tr_open", "tr_close")
    assert rows == [["Activity", "Role", "Before", "After"],
                    ["DP-2 Deploy model", "R1 Product Owner", "I", "A"],
                    ["DP-2 Deploy model", "R3 ML Engineer", "A/R", "R"],
                    ["RN-1 Monitor model", "R2 Data Scientist", "I", "–"]]
    assert "### Roles added\n\n- R4 Auditor\n" in done.stdout
    # The finding's path reads relative to the project, as `raci-gen lint` would show it.
    assert "### Findings appeared\n\n- roles/roles.yaml:8:3: warning: role R4 (Auditor) takes part in no " \
           "activity \\[idle-role\\]\n" in done.stdout
    assert "raci-gen-diff-" not in done.stdout and str(Path(os.sep) / "tmp") not in done.stdout
    assert status(repo) == before


@needs_git
def test_load_revision_locations_read_as_the_project_folder(repo, monkeypatch):
    monkeypatch.chdir(repo)
    project = load_revision("HEAD~1", "plan")
    assert project.root == "HEAD~1:plan"
    assert project.sources == ("plan/raci.yaml", "plan/roles/roles.yaml", "plan/activities/10-build.yaml",
                               "plan/activities/20-run.yaml")
    assert project.matrix.roles[0].location.file == "plan/roles/roles.yaml"
    assert {c.location.file for a in project.matrix.activities() for c in a.cells} == {
        "plan/activities/10-build.yaml", "plan/activities/20-run.yaml"}
    assert [a.letters("R3") for a in project.matrix.activities()] == [("C",), ("A", "R"), ("R",)]


@needs_git
def test_unknown_revision_is_exit_2_with_one_line(repo):
    result = CliRunner().invoke(main, ["diff", "nosuch", "HEAD", "--project", str(repo / "plan")])
    assert result.exit_code == 2
    assert result.stderr == "error: 'nosuch' is neither a project folder nor a git revision\n"
    assert result.stdout == ""
    with pytest.raises(RaciError, match=r"^'-x' is neither a project folder nor a git revision$"):
        load_revision("-x", str(repo / "plan"))


@needs_git
def test_project_folder_missing_in_the_revision(repo):
    with pytest.raises(RaciError, match=r"^the project folder 'plan' does not exist in revision 'HEAD~2'$"):
        load_revision("HEAD~2", str(repo / "plan"))


@needs_git
def test_revision_outside_a_git_repository(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    write(tmp_path / "p")
    result = CliRunner().invoke(main, ["diff", "HEAD", "p", "--project", str(tmp_path / "p")])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: 'HEAD' is neither a project folder nor a git revision (")
    assert result.stderr.endswith(" is not in a git repository)\n")


def test_two_folders_need_no_git(tmp_path, monkeypatch):
    write(tmp_path / "a")
    write(tmp_path / "b", phases={"10-build": with_cells(BUILD, "DP-1", {"R1": "A", "R2": "A/R", "R3": "C"}),
                                  "20-run": RUN})
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", "")  # no git to be found
    result = CliRunner().invoke(main, ["diff", "a", "b", "--exit-code"])
    assert result.exit_code == 1, result.output
    assert "\nCells changed:\n  DP-1 Train model: R2 R → A/R\n\nFindings appeared:\n" in result.stdout
    # ... and the A/R makes two Accountables on DP-1: one finding appeared, reported with b's path.
    appeared = compare("a", "b").findings_appeared
    assert [(f.rule, f.location.file) for f in appeared] == [("one-accountable", "b/activities/10-build.yaml")]


@needs_git
def test_broken_revision_names_files_relative_and_the_revision(tmp_path, monkeypatch):
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    git(tmp_path, "init", "-q")
    write(tmp_path)
    commit(tmp_path, "v1")
    roles = tmp_path / "roles" / "roles.yaml"
    roles.write_text("roles:\n  - id: R1\n    name: A\n  - id: R2\n    name: B\n  - id: R3\n    name: C\n"
                     "  - id: R1\n    name: D\n", encoding="utf-8")
    commit(tmp_path, "v2: R1 twice")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError) as caught:
        load_revision("HEAD")
    assert [str(p) for p in caught.value.problems] == [
        "roles/roles.yaml:8:9: error: duplicate role id 'R1'; first defined at roles/roles.yaml:2:9 "
        "(in revision HEAD)"]
    result = CliRunner().invoke(main, ["diff", "HEAD~1", "HEAD"])
    assert result.exit_code == 2
    assert "roles/roles.yaml:8:9: error: duplicate role id 'R1'" in result.stderr
    assert str(tmp_path) not in result.stderr and "raci-gen-diff-" not in result.stderr


@needs_git
def test_a_link_out_of_the_project_is_refused(tmp_path, monkeypatch):
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    git(tmp_path, "init", "-q")
    write(tmp_path / "plan")
    (tmp_path / "secret.yaml").write_text("roles: [{id: X, name: Secret}]\n", encoding="utf-8")
    os.symlink("../../secret.yaml", tmp_path / "plan" / "roles" / "more.yaml")
    commit(tmp_path, "a link")
    with pytest.raises(RaciError, match=r"more\.yaml is not read: it is a link that leads outside the project"):
        load_revision("HEAD", str(tmp_path / "plan"))


# --- revisions at the edges ---------------------------------------------------------------------------------------


@needs_git
@pytest.mark.parametrize("rev", ["x" * 131_000, "HEAD\x1b[2J", "--output=OUT", ""])
def test_an_absurd_revision_is_refused_in_one_line(repo, rev, tmp_path):
    # git's --output would write a file: point it at a path of this test's own, which must not appear.
    written = tmp_path / "written-by-git"
    rev = rev.replace("OUT", str(written))
    result = subprocess.run([sys.executable, "-m", "raci_gen", "diff", "--project", str(repo / "plan"), "--", rev,
                             "HEAD"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr[-500:]
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("error: "), result.stderr[:500]
    assert len(result.stderr) < 300 and "\x1b" not in result.stderr
    assert not written.exists()


@needs_git
def test_a_revision_is_read_file_by_file_in_bounded_memory(repo, tmp_path):
    """A 120 MB file next to the YAML costs nothing; a YAML file over the limit is refused by its size alone."""
    from test_corpus import CHILD

    with open(repo / "plan" / "model.bin", "wb") as out:
        out.write(b"\0" * (120 * 1024 * 1024))
    commit(repo, "a model next to the plan")
    peak = tmp_path / "peak.txt"
    run = subprocess.run([sys.executable, "-c", CHILD, "diff", "HEAD~1", "HEAD", "--project", str(repo / "plan")],
                         capture_output=True, text=True, timeout=300, env={**os.environ, "RACI_TEST_PEAK": str(peak)})
    assert run.returncode == 0, run.stderr
    assert int(peak.read_text()) / 1024 < 100, f"peak {int(peak.read_text()) / 1024:.0f} MB"

    from raci_gen.input.yamlsource import MAX_FILE_BYTES

    with open(repo / "plan" / "roles" / "huge.yaml", "wb") as out:
        out.write(b"roles: []\n" + b"#" * (MAX_FILE_BYTES + 10))
    commit(repo, "a YAML file over the limit")
    with pytest.raises(InputError) as caught:
        load_revision("HEAD", str(repo / "plan"))
    assert [str(p) for p in caught.value.problems] == [
        f"{os.path.normpath(str(repo / 'plan'))}/roles/huge.yaml:1:1: error: file is {MAX_FILE_BYTES + 20:,} bytes; "
        f"the limit is {MAX_FILE_BYTES:,} bytes (in revision HEAD)"]

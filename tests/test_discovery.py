"""Project discovery: every command finds its project from a subfolder, and says which root it uses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from raci_gen.input.discovery import find_project, is_project
from conftest import FIRST_PHASE, copy_example

EPOCH = "1700000000"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    return subprocess.run([sys.executable, "-m", "raci_gen", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def project(tmp_path) -> Path:
    return copy_example(tmp_path / "team")


# --- the function ---------------------------------------------------------------------------------------------------


def test_a_project_is_its_own_root(project, monkeypatch):
    monkeypatch.chdir(project)
    assert find_project(".") == find_project(".").__class__(".", False)


def test_walks_up_from_a_subfolder_and_answers_relative_to_the_current_folder(project, monkeypatch):
    deep = project / "activities" / "drafts" / "old"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    found = find_project(".")
    assert found.moved and found.root == os.path.join("..", "..", "..")
    assert os.path.samefile(found.root, project)


def test_a_relative_start_below_the_current_folder(project, monkeypatch):
    monkeypatch.chdir(project.parent)
    found = find_project("team/roles")
    assert found.moved and found.root == "team"


def test_an_absolute_start_gives_an_absolute_root(project):
    found = find_project(str(project / "roles"))
    assert found.moved and found.root == str(project)


def test_roles_and_activities_without_raci_yaml_make_a_project(project):
    (project / "raci.yaml").unlink()
    assert is_project(str(project))
    assert find_project(str(project / "activities")).root == str(project)


def test_a_folder_named_raci_yaml_is_not_a_project(tmp_path):
    (tmp_path / "raci.yaml").mkdir()
    assert not is_project(str(tmp_path))


def test_nothing_found_leaves_the_start_as_it_was(tmp_path):
    start = tmp_path / "a" / "b"
    start.mkdir(parents=True)
    assert find_project(str(start)) == find_project(str(start)).__class__(str(start), False)
    assert find_project(str(tmp_path / "missing")).root == str(tmp_path / "missing")


@pytest.mark.parametrize("marker", [".git", ".hg"])
def test_the_walk_stops_at_the_top_of_a_repository(project, marker):
    """A repository inside a project folder (a wiki checkout, say) is a world of its own."""
    repo = project / "wiki"
    (repo / "pages").mkdir(parents=True)
    (repo / marker).mkdir()
    assert not find_project(str(repo / "pages")).moved
    assert not find_project(str(repo)).moved
    (repo / marker).rmdir()
    (repo / marker).write_text("gitdir: elsewhere\n")  # a submodule or worktree has a .git file
    assert not find_project(str(repo / "pages")).moved


def test_a_project_at_the_top_of_its_repository_is_found(project):
    (project / ".git").mkdir()
    assert find_project(str(project / "activities")).root == str(project)


def test_the_nearest_project_wins(project):
    inner = copy_example(project / "sub" / "inner")
    (inner / "notes").mkdir()
    assert find_project(str(inner / "notes")).root == str(inner)


# --- the commands ---------------------------------------------------------------------------------------------------


def test_build_from_activities_builds_the_project_and_says_where(project):
    done = run("build", "-f", "md", cwd=project / "activities")
    assert done.returncode == 0, done.stderr
    assert "raci-gen: using the project in .." in done.stderr.splitlines()
    assert (project / "output" / "raci-matrix.md").is_file()
    assert not (project / "activities" / "output").exists()
    # The paths printed are relative to where the user stands, so they can be opened from there.
    assert f"wrote {os.path.join('..', 'output', 'raci-matrix.md')} (" in done.stdout


def test_quiet_build_says_nothing(project):
    done = run("build", "-q", "-f", "md", cwd=project / "roles")
    assert done.returncode == 0 and done.stderr == "" and done.stdout == ""


def test_check_from_a_subfolder(project):
    assert run("build", "-q", "-f", "md", cwd=project).returncode == 0
    done = run("build", "--check", "-q", "-f", "md", cwd=project / "activities")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_errors_from_a_subfolder_point_at_files_from_there(project):
    path = project / FIRST_PHASE
    path.write_text(path.read_text(encoding="utf-8").replace("R3: C", "R9: C", 1), encoding="utf-8")
    done = run("lint", cwd=project / "activities")
    assert done.returncode == 2
    problem = next(line for line in done.stderr.splitlines() if "R9" in line)
    file = problem.split(":", 1)[0]
    name = Path(FIRST_PHASE).name
    assert file == name or file == os.path.join("..", "activities", name)
    assert (project / "activities" / file).resolve() == path.resolve()


def test_lint_and_show_from_a_subfolder(project):
    lint = run("lint", "--format", "json", cwd=project / "roles")
    assert lint.returncode == 0, lint.stderr
    assert json.loads(lint.stdout)["summary"]["error"] == 0
    show = run("show", "--role", "R1", cwd=project / "roles")
    assert show.returncode == 0 and "R1" in show.stdout


def test_an_explicit_project_dir_below_the_project(project):
    done = run("build", "-q", "-f", "md", "team/activities", cwd=project.parent)
    assert done.returncode == 0, done.stderr
    assert (project / "output" / "raci-matrix.md").is_file()


def test_schema_writes_into_the_project_from_a_subfolder(project):
    done = run("schema", cwd=project / "activities")
    assert done.returncode == 0, done.stderr
    assert (project / "schemas" / "roles.schema.json").is_file()
    assert not (project / "activities" / "schemas").exists()
    assert run("schema", "--check", cwd=project / "roles").returncode == 0


def test_schema_outside_a_project_writes_here(tmp_path):
    assert run("schema", cwd=tmp_path).returncode == 0
    assert (tmp_path / "schemas" / "roles.schema.json").is_file()


def test_diff_of_revisions_from_a_subfolder(project):
    def git(*args):
        subprocess.run(["git", *args], cwd=project, check=True, capture_output=True,
                       env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                            "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"})
    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "one")
    done = run("diff", "HEAD", "HEAD", "--exit-code", cwd=project / "activities")
    assert done.returncode == 0, done.stderr


def test_outside_any_project_the_error_is_about_here(tmp_path):
    done = run("build", cwd=tmp_path)
    assert done.returncode == 2
    assert "using the project" not in done.stderr
    assert done.stderr.startswith(".:1:1: error: no raci-gen project in . or above"), done.stderr


def test_config_given_means_no_search(project):
    done = run("lint", "-c", "../raci.yaml", cwd=project / "activities")
    assert done.returncode == 2
    assert "using the project" not in done.stderr

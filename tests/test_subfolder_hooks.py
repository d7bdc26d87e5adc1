"""A project anywhere in a repository: init in a subfolder puts its hooks where pre-commit reads them, real
commits go through the hooks (a stale or hand-edited Markdown stops them), the published hooks find the project
of each changed file, init refuses a folder inside a project, and a command run where there is no project says so.

Real git, real pre-commit (the test extra installs it) and the installed raci-gen, in subprocesses. Every process
gets a fixed SOURCE_DATE_EPOCH, so the date line does not depend on the clock or on the state of the work tree.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import FIRST_PHASE

REPO_ROOT = Path(__file__).resolve().parents[1]
BIN = os.path.dirname(sys.executable)

TOP_CONFIG = """\
# The team's own hooks; raci-gen must keep this comment, the odd indentation and the ci: key below.
repos:
-   repo: local
    hooks:
    -   id: no-tabs   # keep me
        name: no tabs
        entry: "true"
        language: system
ci:
    autofix_prs: false
"""


def environment(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "PATH": BIN + os.pathsep + os.environ.get("PATH", ""), "SOURCE_DATE_EPOCH": "1700000000",
            "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "GIT_AUTHOR_NAME": "Test",
            "GIT_AUTHOR_EMAIL": "test@example.com", "GIT_COMMITTER_NAME": "Test",
            "GIT_COMMITTER_EMAIL": "test@example.com", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def ok(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    done = run(args, cwd, env)
    assert done.returncode == 0, f"{args}\n{done.stdout}{done.stderr}"
    return done


def commit(repo: Path, env: dict[str, str], message: str) -> subprocess.CompletedProcess:
    """``git commit -a``: the hooks' report, which git's hook writes to stderr, in ``stdout``."""
    ok(["git", "add", "-A"], repo, env)
    return subprocess.run(["git", "commit", "-q", "-m", message], cwd=repo, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=300)


def edit_a_cell(project: Path) -> None:
    path = project / FIRST_PHASE
    text = path.read_text(encoding="utf-8")
    assert "R3: C" in text
    path.write_text(text.replace("R3: C", "R3: I", 1), encoding="utf-8")


@pytest.fixture
def repo(tmp_path) -> tuple[Path, dict[str, str]]:
    pytest.importorskip("pre_commit")
    env = environment(tmp_path)
    repo = tmp_path / "repo"
    repo.mkdir()
    ok(["git", "init", "-q", "-b", "main"], repo, env)
    (repo / ".pre-commit-config.yaml").write_text(TOP_CONFIG, encoding="utf-8")
    (repo / "docs").mkdir()
    return repo, env


def test_init_in_a_subfolder_puts_the_hooks_at_the_top_and_commits_go_through_them(repo):
    repo, env = repo
    done = ok(["raci-gen", "init", "docs/raci"], repo, env)
    assert "the pre-commit hooks for docs/raci are in .pre-commit-config.yaml" in done.stderr
    assert not (repo / "docs" / "raci" / ".pre-commit-config.yaml").exists(), "pre-commit never reads it there"
    config = (repo / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    # Every byte of the team's file kept: the hooks are one more item of repos:, before ci:.
    before, after = TOP_CONFIG.split("ci:\n")
    assert config.startswith(before) and config.endswith("ci:\n" + after)
    data = yaml.safe_load(config)
    assert data["ci"] == {"autofix_prs": False}
    ours = [hook for repo_ in data["repos"][1:] for hook in repo_["hooks"]]
    assert [hook["id"] for hook in ours] == ["raci-gen-lint", "raci-gen-check"]
    assert all(hook["args"] == ["docs/raci"] for hook in ours)

    ok([sys.executable, "-m", "pre_commit", "install"], repo, env)
    done = commit(repo, env, "RACI matrix in docs/raci")
    assert done.returncode == 0, done.stdout
    assert "raci-gen build --check" in done.stdout and "Passed" in done.stdout

    project = repo / "docs" / "raci"
    edit_a_cell(project)
    done = commit(repo, env, "a cell, not rebuilt")
    assert done.returncode != 0
    assert "docs/raci/output/raci-matrix.md is out of date" in done.stdout
    assert "run: raci-gen build docs/raci -f md" in done.stdout
    ok(["raci-gen", "build", "-q", "--format", "md", "docs/raci"], repo, env)
    done = commit(repo, env, "a cell, rebuilt")
    assert done.returncode == 0, done.stdout

    markdown = project / "output" / "raci-matrix.md"
    markdown.write_text(markdown.read_text(encoding="utf-8").replace("| R3 |", "| R9 |", 1), encoding="utf-8")
    done = commit(repo, env, "a hand edit of the Markdown")
    assert done.returncode != 0 and "docs/raci/output/raci-matrix.md is out of date" in done.stdout
    ok(["git", "reset", "-q"], repo, env)
    ok(["git", "checkout", "--", "docs/raci/output/raci-matrix.md"], repo, env)
    assert commit(repo, env, "nothing").returncode != 0, "the work tree is as committed"

    clone = repo.parent / "clone"
    ok(["git", "clone", "-q", str(repo), str(clone)], repo.parent, env)
    done = ok(["raci-gen", "build", "--check", "--format", "md", "docs/raci"], clone, env)
    assert "up to date" in done.stdout


def published_hooks_as_local(folder_args: list[str] | None = None) -> str:
    """.pre-commit-hooks.yaml as a local repo (language: system: the raci-gen here, nothing installed), the rest
    of each hook as published: its entry, its files and how it is given the file names."""
    hooks = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    for hook in hooks:
        assert hook.pop("language") == "python"
        hook["language"] = "system"
        hook.pop("description", None)
        if folder_args:
            hook.update(args=folder_args, always_run=True)
    return yaml.safe_dump({"repos": [{"repo": "local", "hooks": hooks}]}, sort_keys=False)


def test_the_published_hooks_find_the_project_of_each_changed_file(repo, tmp_path):
    repo, env = repo
    ok(["raci-gen", "init", "docs/raci"], repo, env)
    (repo / ".pre-commit-config.yaml").write_text(published_hooks_as_local(), encoding="utf-8")
    # Another tool's roles/ folder, in no project: the hooks pass it over.
    (repo / "ansible" / "roles" / "web" / "tasks").mkdir(parents=True)
    (repo / "ansible" / "roles" / "web" / "tasks" / "main.yml").write_text("- name: x\n", encoding="utf-8")
    ok([sys.executable, "-m", "pre_commit", "install"], repo, env)
    done = commit(repo, env, "first")
    assert done.returncode == 0, done.stdout
    assert done.stdout.count("Passed") == 2, done.stdout

    project = repo / "docs" / "raci"
    edit_a_cell(project)
    done = commit(repo, env, "a cell, not rebuilt")
    assert done.returncode != 0 and "docs/raci/output/raci-matrix.md is out of date" in done.stdout
    ok(["git", "reset", "-q"], repo, env)
    ok(["git", "checkout", "--", "."], repo, env)

    markdown = project / "output" / "raci-matrix.md"
    markdown.write_text(markdown.read_text(encoding="utf-8") + "edited by hand\n", encoding="utf-8")
    done = commit(repo, env, "a hand edit")
    assert done.returncode != 0 and "docs/raci/output/raci-matrix.md is out of date" in done.stdout
    ok(["git", "reset", "-q"], repo, env)
    ok(["git", "checkout", "--", "."], repo, env)

    (repo / "ansible" / "roles" / "web" / "tasks" / "main.yml").write_text("- name: y\n", encoding="utf-8")
    done = commit(repo, env, "not RACI")
    assert done.returncode == 0, done.stdout


def test_hook_takes_files_and_folders_and_runs_each_project_once(repo):
    repo, env = repo
    ok(["raci-gen", "init", "docs/a"], repo, env)
    ok(["raci-gen", "init", "docs/b"], repo, env)
    edit_a_cell(repo / "docs" / "b")
    done = run(["raci-gen", "hook", "check", "docs/a/raci.yaml", "docs/a/output/raci-matrix.md", "docs/a",
                "docs/b/" + FIRST_PHASE, "README.md", "no/such/file.yaml"], repo, env)
    assert done.returncode == 1
    assert done.stderr.count("is out of date") == 1 and "docs/b/output/raci-matrix.md" in done.stderr
    assert run(["raci-gen", "hook", "lint", "docs/a/roles/x.yaml"], repo, env).returncode == 0
    assert run(["raci-gen", "hook", "check"], repo, env).returncode == 0, "no file, no project: nothing to do"
    # A folder in the hook's args that holds no project (it moved) is an error, not a silent pass.
    done = run(["raci-gen", "hook", "lint", "docs"], repo, env)
    assert done.returncode == 2
    assert done.stderr.splitlines()[0] == "docs:1:1: error: no raci-gen project in docs or above; " \
                                          "the hook's args name project folders"
    # Both inits added their hooks to the one configuration at the top.
    args = [hook["args"] for r in yaml.safe_load((repo / ".pre-commit-config.yaml").read_text())["repos"][1:]
            for hook in r["hooks"]]
    assert args == [["docs/a"], ["docs/a"], ["docs/b"], ["docs/b"]]


def test_init_says_what_to_add_when_it_cannot_add_to_the_top_configuration(repo):
    repo, env = repo
    flow = "repos: [{repo: local, hooks: [{id: x, name: x, entry: 'true', language: system}]}]  # mine\n"
    (repo / ".pre-commit-config.yaml").write_text(flow, encoding="utf-8")
    done = ok(["raci-gen", "init", "docs/raci"], repo, env)
    assert (repo / ".pre-commit-config.yaml").read_text(encoding="utf-8") == flow
    assert "add this item to its repos: list" in done.stderr and 'args: ["docs/raci"]' in done.stderr
    assert (repo / "docs" / "raci" / "raci.yaml").is_file()


def test_init_inside_a_project_is_refused_naming_it(repo):
    repo, env = repo
    ok(["raci-gen", "init", "docs/raci"], repo, env)
    before = sorted(p.relative_to(repo) for p in repo.rglob("*") if ".git" not in p.parts)
    done = run(["raci-gen", "init", "."], repo / "docs" / "raci" / "activities", env)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [".: error: inside the activities folder of the raci-gen project in .., "
                                        "which would read the new files as its own; init a folder outside it"]
    assert "Traceback" not in done.stderr
    assert sorted(p.relative_to(repo) for p in repo.rglob("*") if ".git" not in p.parts) == before
    assert run(["raci-gen", "lint", "docs/raci"], repo, env).returncode == 0, "the first project is unharmed"


@pytest.mark.parametrize("folder", ["docs/raci", "my-team"])
def test_a_project_below_one_whose_folders_it_stays_out_of_is_made(repo, folder):
    """A repository whose top is a project (this one, the README's "Try it") takes a second project in
    docs/raci or my-team: neither is in a folder the first reads, so each builds and checks on its own
    (a refusal here made the README's own init-then-build fail)."""
    repo, env = repo
    ok(["raci-gen", "init", "."], repo, env)
    ok(["raci-gen", "init", folder], repo, env)
    ok(["raci-gen", "build", folder], repo, env)
    ok(["raci-gen", "build", "--check", folder], repo, env)
    ok(["raci-gen", "lint", "."], repo, env)
    done = run(["raci-gen", "init", "roles/more"], repo, env)
    assert done.returncode == 2 and "inside the roles folder of the raci-gen project in ." in done.stderr


def test_no_project_here_says_so_and_names_the_ones_below(repo, tmp_path):
    repo, env = repo
    ok(["raci-gen", "init", "docs/raci"], repo, env)
    for command in (["build"], ["lint"], ["show"]):
        done = run(["raci-gen", *command], repo, env)
        assert done.returncode == 2, done.stderr
        assert done.stderr.splitlines()[0] == (".:1:1: error: no raci-gen project in . or above (no raci.yaml, nor "
                                               "roles/ and activities/); give a project folder found below: docs/raci")
    empty = tmp_path / "empty"
    empty.mkdir()
    done = run(["raci-gen", "build"], empty, env)
    assert done.returncode == 2
    assert done.stderr.splitlines()[0].endswith("no raci-gen project in . or above (no raci.yaml, nor roles/ and "
                                                "activities/); start one with `raci-gen init .`")


def test_import_out_writes_the_gitignore_init_writes(tmp_path):
    env = environment(tmp_path)
    (tmp_path / "table.md").write_text("| Activity | PM | Dev |\n|---|---|---|\n| Plan | A/R | C |\n",
                                       encoding="utf-8")
    ok(["raci-gen", "import", "table.md", "--out", "imported"], tmp_path, env)
    ok(["raci-gen", "init", "started"], tmp_path, env)
    assert (tmp_path / "imported" / ".gitignore").read_bytes() == (tmp_path / "started" / ".gitignore").read_bytes()


def test_init_leaves_a_configuration_whose_raci_gen_hooks_already_cover_the_folder(repo):
    repo, env = repo
    published = "repos:\n  - repo: https://example.invalid/raci-gen\n    rev: 0123456789abcdef0123456789abcdef01234567\n" \
                "    hooks:\n      - id: raci-gen-lint\n      - id: raci-gen-check\n"
    (repo / ".pre-commit-config.yaml").write_text(published, encoding="utf-8")
    done = ok(["raci-gen", "init", "docs/raci"], repo, env)
    assert ".pre-commit-config.yaml already runs raci-gen's hooks on docs/raci" in done.stderr
    assert (repo / ".pre-commit-config.yaml").read_text(encoding="utf-8") == published
    # A local hook of an earlier init (`raci-gen lint`, run in the top folder) does not cover it: ours are added.
    earlier = "repos:\n  - repo: local\n    hooks:\n      - {id: raci-gen-lint, name: l, entry: raci-gen lint, " \
              "language: system, pass_filenames: false, always_run: true}\n"
    (repo / ".pre-commit-config.yaml").write_text(earlier, encoding="utf-8")
    ok(["raci-gen", "init", "docs/other"], repo, env)
    assert (repo / ".pre-commit-config.yaml").read_text(encoding="utf-8").startswith(earlier + "  - repo: local\n")

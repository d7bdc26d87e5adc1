"""The git workflow a new project gets: what init writes, the pre-commit hooks run for real, and the shell
steps of the GitHub Action (action.yml) and of the GitLab CI template run in a temporary project.

Every process gets a fixed SOURCE_DATE_EPOCH, so that a run that crosses midnight cannot change the date line.
"""

from __future__ import annotations

import glob
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import FIRST_PHASE

REPO_ROOT = Path(__file__).resolve().parents[1]
BIN = os.path.dirname(sys.executable)
"""Where this environment's raci-gen (and pre-commit) are: the CI steps and hooks find them on PATH."""


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "PATH": BIN + os.pathsep + os.environ.get("PATH", ""), "SOURCE_DATE_EPOCH": "1700000000",
            "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "GIT_AUTHOR_NAME": "Test",
            "GIT_AUTHOR_EMAIL": "test@example.com", "GIT_COMMITTER_NAME": "Test",
            "GIT_COMMITTER_EMAIL": "test@example.com", "GIT_CONFIG_GLOBAL": os.devnull, **extra}


def sh(command: list[str] | str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    args = ["bash", "-eo", "pipefail", "-c", command] if isinstance(command, str) else command
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def init_project(tmp_path: Path, env: dict[str, str]) -> Path:
    done = sh(["raci-gen", "init", "team"], tmp_path, env)
    assert done.returncode == 0, done.stderr
    return tmp_path / "team"


def git_repository(project: Path, env: dict[str, str]) -> None:
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "RACI matrix"]):
        done = sh(["git", *args], project, env)
        assert done.returncode == 0, done.stderr


def edit_a_cell(project: Path) -> None:
    path = project / FIRST_PHASE
    text = path.read_text(encoding="utf-8")
    assert "R3: C" in text
    path.write_text(text.replace("R3: C", "R3: I", 1), encoding="utf-8")


# --- init -----------------------------------------------------------------------------------------------------------


def test_init_sets_up_git_the_way_the_readme_says(tmp_path):
    env = environment(tmp_path)
    project = init_project(tmp_path, env)
    assert (project / "output" / "raci-matrix.md").is_file(), "init builds the committed document"
    config = yaml.safe_load((project / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    assert [repo["repo"] for repo in config["repos"]] == ["local"]
    assert {hook["language"] for hook in hooks} == {"system"}
    assert all(hook["entry"].startswith("raci-gen ") for hook in hooks)
    git_repository(project, env)
    (project / "output" / "raci-matrix.pdf").write_bytes(b"%PDF")
    (project / "output" / "raci-matrix.xlsx").write_bytes(b"PK")
    (project / "output" / "raci-matrix.html").write_text("<p>")
    status = sh(["git", "status", "--porcelain", "--ignored"], project, env).stdout
    ignored = {line[3:] for line in status.splitlines() if line.startswith("!! ")}
    assert ignored == {"output/raci-matrix.pdf", "output/raci-matrix.xlsx", "output/raci-matrix.html"}
    tracked = sh(["git", "ls-files"], project, env).stdout.split()
    assert "output/raci-matrix.md" in tracked and ".pre-commit-config.yaml" in tracked and ".gitignore" in tracked


def test_init_keeps_a_gitignore_that_is_there(tmp_path):
    env = environment(tmp_path)
    (tmp_path / "team").mkdir()
    (tmp_path / "team" / ".gitignore").write_text("mine\n")
    done = sh(["raci-gen", "init", "team"], tmp_path, env)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "team" / ".gitignore").read_text() == "mine\n"
    assert "kept the existing" in done.stderr and ".gitignore" in done.stderr
    assert (tmp_path / "team" / ".pre-commit-config.yaml").is_file()


# --- pre-commit, for real -------------------------------------------------------------------------------------------


@pytest.fixture
def precommit_project(tmp_path) -> tuple[Path, dict[str, str]]:
    pytest.importorskip("pre_commit")
    env = environment(tmp_path)
    project = init_project(tmp_path, env)
    git_repository(project, env)
    return project, env


def pre_commit(project: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return sh([sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"], project, env)


def test_pre_commit_passes_on_a_fresh_project(precommit_project):
    project, env = precommit_project
    done = pre_commit(project, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("Passed") == 2


def test_pre_commit_fails_when_the_yaml_changed_without_a_rebuild(precommit_project):
    project, env = precommit_project
    edit_a_cell(project)
    done = pre_commit(project, env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "output/raci-matrix.md is out of date" in done.stdout
    assert sh(["raci-gen", "build", "-q", "--format", "md"], project, env).returncode == 0
    assert sh(["git", "add", "-A"], project, env).returncode == 0
    assert pre_commit(project, env).returncode == 0
    # The message names the command that fixes it (after the hook's own name, which says build --check).
    hook_output = done.stdout.split("- exit code: 1", 1)[-1]
    assert "run: raci-gen build -f md" in hook_output


# --- the CI templates' shell steps ------------------------------------------------------------------------------------

INSTALLS = re.compile(r"\bpip install\b|\bapt-get\b")


def action_steps(runner_temp: Path) -> tuple[list[tuple[str, dict[str, str]]], list[str]]:
    """The shell steps of action.yml with their env, inputs at their defaults; and the artifact path globs."""
    action = yaml.safe_load((REPO_ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    defaults = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}

    def expand(text: str) -> str:
        text = re.sub(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", lambda m: defaults[m.group(1)], text)
        text = text.replace("${{ runner.temp }}", str(runner_temp))
        assert "${{" not in text, text
        return text

    steps, artifacts = [], []
    uses = [step["uses"].split("@")[0] for step in action["runs"]["steps"] if "uses" in step]
    assert uses == ["actions/setup-python", "actions/upload-artifact"]
    installs = []
    for step in action["runs"]["steps"]:
        if "run" in step:
            assert step["shell"] == "bash"
            env = {k: expand(str(v)) for k, v in step.get("env", {}).items()}
            (installs if INSTALLS.search(step["run"]) else steps).append((expand(step["run"]), env))
        elif step["uses"].startswith("actions/upload-artifact"):
            artifacts = [expand(line.strip()) for line in step["with"]["path"].splitlines() if line.strip()]
    assert any("pip install" in run and "RACI_GEN_REQUIREMENT" in run for run, _ in installs)
    return steps, artifacts


def gitlab_job() -> tuple[list[str], dict[str, str], list[str], dict[str, str]]:
    """The script lines of the GitLab template's job, its variables, its artifact path globs and reports."""
    template = yaml.safe_load((REPO_ROOT / "ci" / "raci-gen.gitlab-ci.yml").read_text(encoding="utf-8"))
    job = template["raci-gen"]
    assert any("pip install" in line and "$RACI_GEN_REQUIREMENT" in line for line in job["before_script"])
    assert all(INSTALLS.search(line) for line in job["before_script"]), "before_script only installs"
    assert job["artifacts"]["when"] == "always", "the Code Quality report is kept when the lint fails"
    return (job["script"], {k: str(v) for k, v in job["variables"].items()}, job["artifacts"]["paths"],
            job["artifacts"]["reports"])


def test_github_action_steps_run_in_a_project(tmp_path):
    env = environment(tmp_path)
    project = init_project(tmp_path, env)
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    steps, artifacts = action_steps(runner_temp)
    assert [re.match(r"raci-gen (\w+)", run).group(1) for run, _ in steps] == ["lint", "build", "build"]
    for run, step_env in steps:
        done = sh(run, project, {**env, **step_env})
        assert done.returncode == 0, f"{run}\n{done.stdout}{done.stderr}"
    found = sorted(os.path.basename(p) for pattern in artifacts for p in glob.glob(pattern))
    assert found == ["raci-matrix.pdf", "raci-matrix.xlsx"]
    # Nothing lands in the checkout: the artifacts are built outside it.
    assert sorted(p.name for p in (project / "output").iterdir()) == ["raci-matrix.md"]


def test_github_action_check_fails_on_a_stale_document(tmp_path):
    env = environment(tmp_path)
    project = init_project(tmp_path, env)
    edit_a_cell(project)
    steps, _ = action_steps(tmp_path)
    check = next((run, step_env) for run, step_env in steps if "--check" in run)
    done = sh(check[0], project, {**env, **check[1]})
    assert done.returncode == 1 and "raci-matrix.md is out of date" in done.stderr


def test_github_action_lint_annotates(tmp_path):
    env = environment(tmp_path)
    project = init_project(tmp_path, env)
    path = project / FIRST_PHASE
    path.write_text(path.read_text(encoding="utf-8").replace("R1: A/R", "R1: R", 1), encoding="utf-8")
    steps, _ = action_steps(tmp_path)
    lint = next((run, step_env) for run, step_env in steps if run.startswith("raci-gen lint"))
    done = sh(lint[0], project, {**env, **lint[1]})
    assert done.returncode == 1
    assert re.search(rf"^::error file={re.escape(FIRST_PHASE)},line=\d+", done.stdout, re.M), done.stdout


def test_gitlab_template_script_runs_in_a_project(tmp_path):
    env = environment(tmp_path)
    project = init_project(tmp_path, env)
    script, variables, artifacts, reports = gitlab_job()
    for line in script:
        done = sh(line, project, {**env, **variables, "CI_PROJECT_DIR": str(project)})
        assert done.returncode == 0, f"{line}\n{done.stdout}{done.stderr}"
    found = sorted(os.path.relpath(p, project) for pattern in artifacts for p in glob.glob(str(project / pattern)))
    assert found == ["raci-gen-output/raci-matrix.pdf", "raci-gen-output/raci-matrix.xlsx"]
    report = json.loads((project / reports["codequality"]).read_text(encoding="utf-8"))
    assert isinstance(report, list) and all(issue["location"]["path"].startswith("activities/") for issue in report)
    edit_a_cell(project)
    check = next(line for line in script if "--check" in line)
    assert sh(check, project, {**env, **variables}).returncode == 1


def test_the_templates_are_shipped_in_the_sdist():
    pyproject = (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"action.yml"' in pyproject and '"ci"' in pyproject
    assert shutil.which("bash")


def test_the_remote_hooks_run_what_the_local_ones_do():
    """.pre-commit-hooks.yaml (for `repo: <raci-gen's URL>`) and the local hooks init writes run the same commands."""
    published = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text())
    remote = {h["id"]: (h["entry"], h["files"]) for h in published}
    local_config = (REPO_ROOT / "src" / "raci_gen" / "writing" / "scaffold_files" / "pre-commit-config.yaml").read_text()
    local = {h["id"]: (h["entry"], h["files"]) for r in yaml.safe_load(local_config)["repos"] for h in r["hooks"]}
    assert remote == local

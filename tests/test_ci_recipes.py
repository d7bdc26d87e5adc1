"""The CI recipes install raci-gen without a package index holding it, and the README names refs that exist.

action.yml installs from the action's own checkout and ci/raci-gen.gitlab-ci.yml from raci-gen's git repository
at a ref: here both install from a local clone of this repository, with pip kept off every index (no raci-gen
from anywhere else; hatchling, the build backend, and the dependencies are those of the test environment), and
the installed raci-gen then runs the recipes' steps in a new project. actionlint is not installable here from a
package registry with its binary, so the workflows are checked by structure: the inputs a workflow gives the
action are the action's, and the release workflow builds, checks and publishes on a version tag.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import documentation
import raci_gen

REPO_ROOT = Path(__file__).resolve().parents[1]
BIN = os.path.dirname(sys.executable)
README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
DOCUMENTATION = documentation.text()
"""The README and the pages in docs/, where the workflow, hooks and CI recipes are."""
OFFLINE_PIP = {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": "", "PIP_NO_DEPS": "1", "PIP_NO_BUILD_ISOLATION": "0",
               "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_CACHE_DIR": "1"}
"""pip without an index, dependencies or build isolation (PIP_NO_BUILD_ISOLATION=0 means --no-build-isolation)."""


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "PATH": BIN + os.pathsep + os.environ.get("PATH", ""), "SOURCE_DATE_EPOCH": "1700000000",
            "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", **extra}


def sh(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-eo", "pipefail", "-c", script], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    """A clone of this repository's committed main line, as a runner checks the action out."""
    import hatchling  # noqa: F401 - the build backend, from the test extra: pip may fetch nothing here
    where = tmp_path_factory.mktemp("raci-gen-clone") / "raci-gen"
    done = subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(REPO_ROOT), str(where)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return where


def installed(target: Path, env: dict[str, str]) -> dict[str, str]:
    """The environment in which `raci-gen` is the one pip installed into ``target``."""
    return {**env, "PYTHONPATH": str(target), "PATH": str(target / "bin") + os.pathsep + env["PATH"]}


def check_installed(target: Path, env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    env = installed(target, env)
    done = subprocess.run(["raci-gen", "--version"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and raci_gen.__version__ in done.stdout, done.stderr
    where = subprocess.run([sys.executable, "-c", "import raci_gen; print(raci_gen.__file__)"], env=env,
                           capture_output=True, text=True, timeout=60).stdout.strip()
    assert Path(where).is_relative_to(target), where
    assert (target / "raci_gen" / "example" / "raci.yaml").is_file(), "the wheel carries the example init copies"
    done = subprocess.run(["raci-gen", "init", "team"], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return env


# --- GitHub Action ---------------------------------------------------------------------------------------------------


def action() -> dict:
    return yaml.safe_load((REPO_ROOT / "action.yml").read_text(encoding="utf-8"))


def test_the_action_installs_raci_gen_from_its_own_checkout(clone, tmp_path):
    spec = action()
    inputs = {name: str(value.get("default", "")) for name, value in spec["inputs"].items()}
    install = next(step for step in spec["runs"]["steps"] if "pip install" in step.get("run", ""))
    env_of_step = {k: re.sub(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", lambda m: inputs[m.group(1)], str(v))
                   for k, v in install.get("env", {}).items()}
    target = tmp_path / "site"
    # A runner sets GITHUB_ACTION_PATH to the action's checkout; pip's target stands for the runner's Python.
    env = environment(tmp_path, **OFFLINE_PIP, **env_of_step, GITHUB_ACTION_PATH=str(clone), PIP_TARGET=str(target))
    done = sh(install["run"], tmp_path, env)
    assert done.returncode == 0, done.stdout + done.stderr
    env = check_installed(target, environment(tmp_path), tmp_path)
    runs = [step for step in spec["runs"]["steps"] if "raci-gen " in step.get("run", "")]
    assert len(runs) == 3
    for step in runs:
        step_env = {k: str(v).replace("${{ inputs.project }}", inputs["project"])
                    .replace("${{ runner.temp }}", str(tmp_path / "runner-temp")) for k, v in step["env"].items()}
        done = sh(step["run"], tmp_path / "team", {**env, **step_env})
        assert done.returncode == 0, f"{step['run']}\n{done.stdout}{done.stderr}"
    assert sorted(p.name for p in (tmp_path / "runner-temp" / "raci-gen").iterdir()) == \
        ["raci-matrix.pdf", "raci-matrix.xlsx"]


def test_a_workflow_gives_the_action_only_its_inputs():
    """What actionlint checks of a local action used by path (`uses: ./`), for the README's workflow."""
    spec = action()
    block = re.search(r"```yaml\n(# \.github/workflows/raci\.yml\n.*?)```", DOCUMENTATION, re.S).group(1)
    workflow = yaml.safe_load(block)
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    ours = [step for step in steps if "/raci-gen@" in step.get("uses", "")]
    assert len(ours) == 1
    assert set(ours[0].get("with", {})) <= set(spec["inputs"])
    assert all(value.get("description") for value in spec["inputs"].values())
    assert spec["runs"]["using"] == "composite"
    assert all(step.get("shell") == "bash" for step in spec["runs"]["steps"] if "run" in step)


# --- GitLab CI -------------------------------------------------------------------------------------------------------


def gitlab_variables(job: dict, **given: str) -> dict[str, str]:
    """The job's variables as GitLab expands them: ${NAME} and $NAME of other variables, the given ones winning."""
    variables = {**{k: str(v) for k, v in job["variables"].items()}, **given}
    for _ in range(len(variables)):
        variables = {k: re.sub(r"\$\{?(\w+)\}?", lambda m: variables.get(m.group(1), m.group(0)), v)
                     for k, v in variables.items()}
    return variables


def test_the_gitlab_template_installs_raci_gen_from_git_at_a_ref(clone, tmp_path):
    job = yaml.safe_load((REPO_ROOT / "ci" / "raci-gen.gitlab-ci.yml").read_text(encoding="utf-8"))["raci-gen"]
    defaults = gitlab_variables(job)
    assert defaults["RACI_GEN_REQUIREMENT"] == f"git+{defaults['RACI_GEN_REPOSITORY']}@{defaults['RACI_GEN_REF']}"
    assert defaults["RACI_GEN_REPOSITORY"].startswith("https://") and defaults["RACI_GEN_REF"]
    # The repository's URL is the one thing a user of a copy changes; the ref is the template's default.
    variables = gitlab_variables(job, RACI_GEN_REPOSITORY=f"file://{clone}")
    target = tmp_path / "site"
    env = environment(tmp_path, **OFFLINE_PIP, **variables, PIP_TARGET=str(target))
    for line in job["before_script"]:
        done = sh(line, tmp_path, env)
        assert done.returncode == 0, f"{line}\n{done.stdout}{done.stderr}"
    env = check_installed(target, environment(tmp_path, **variables), tmp_path)
    for line in job["script"]:
        done = sh(line, tmp_path / "team", env)
        assert done.returncode == 0, f"{line}\n{done.stdout}{done.stderr}"
    assert sorted(p.name for p in (tmp_path / "team" / "raci-gen-output").iterdir()) == \
        ["raci-matrix.pdf", "raci-matrix.xlsx"]


# --- the release workflow and the README ----------------------------------------------------------------------------


def release() -> dict:
    return yaml.safe_load((REPO_ROOT / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8"))


def test_the_release_workflow_builds_checks_and_publishes_on_a_version_tag():
    workflow = release()
    assert workflow[True]["push"]["tags"] == ["v*"]  # PyYAML reads the key `on` as True
    build, publish = workflow["jobs"]["build"], workflow["jobs"]["publish"]
    runs = "\n".join(step.get("run", "") for step in build["steps"])
    assert "python -m build" in runs and "twine check --strict" in runs
    assert publish["needs"] == "build" and publish["permissions"] == {"id-token": "write"}
    assert publish["environment"] == "pypi"
    assert [step["uses"].split("@")[0] for step in publish["steps"]] == \
        ["actions/download-artifact", "pypa/gh-action-pypi-publish"]
    assert workflow["permissions"] == {"contents": "read"}, "only the publishing job may mint a token"


def test_the_release_refuses_a_tag_that_is_not_the_version(tmp_path):
    """The check step's first lines, run for real: v + __version__ passes, another tag stops the release."""
    check = next(step for step in release()["jobs"]["build"]["steps"] if step.get("name") == "Check them")
    first_lines = "\n".join(check["run"].splitlines()[:2])
    env = environment(tmp_path)
    assert sh(first_lines, REPO_ROOT, {**env, "TAG": f"v{raci_gen.__version__}"}).returncode == 0
    done = sh(first_lines, REPO_ROOT, {**env, "TAG": "v99.0.0"})
    assert done.returncode == 1 and f"is not v{raci_gen.__version__}" in done.stdout


def test_the_readme_names_refs_that_exist():
    text = DOCUMENTATION
    refs = re.findall(r"raci-gen@([\w.-]+)", text) + re.findall(r"^\s*rev: ([\w.-]+)", text, re.M) \
        + re.findall(r"/-/raw/([\w.-]+)/ci/", text) + re.findall(r"RACI_GEN_REF: ([\w.-]+)", text)
    assert len(refs) >= 4, refs
    for ref in refs:
        assert re.fullmatch(r"[0-9a-f]{40}", ref), f"{ref}: a commit SHA, which exists, not a tag that may not"
        done = subprocess.run(["git", "cat-file", "-e", f"{ref}^{{commit}}"], cwd=REPO_ROOT, capture_output=True,
                              timeout=60)
        assert done.returncode == 0, f"{ref} is not a commit of this repository"


def test_the_readme_system_packages_command_runs_unattended():
    block = re.search(r"## System packages\n.*?```sh\n(.*?)```", README, re.S).group(1)
    commands = [c.strip() for c in block.strip().split("&&")]
    assert commands[0].endswith("apt-get update")
    assert re.search(r"apt-get install -y ", commands[1]), "no prompt to answer"
    packages = commands[1].split("-y ", 1)[1].split()
    action_install = next(line for step in action()["runs"]["steps"] for line in step.get("run", "").splitlines()
                          if "apt-get install" in line)
    assert set(packages) == set(action_install.split("-qq ")[-1].split()), "the same packages the Action installs"

"""A folder name from a pull request cannot start a line of raci-gen's output (docs/security.md, its item "Terminal": one
problem, finding or message is one line, so that a CI log or GitHub Actions reads no line of an attacker's).

Two messages printed a project folder's name as it is: ``hook check``'s "run: raci-gen build 'FOLDER' -f md"
(pre-commit passes the files of the commit, so the folder is the pull request's) and ``portfolio``'s "FOLDER:
error: the project cannot be read" (a portfolio of ``projects/*/``). A folder named ``p``, a line feed and
``::error file=x::pwned`` made GitHub Actions read ``::error file=x::pwned/: error: ...`` as its own command. Both
now show the line feed as ``\\n``, as every one-line message does; so do import's and init's lines naming folders.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

RACI_GEN = os.path.join(os.path.dirname(sys.executable), "raci-gen")
NAME = "p\n::error file=x::pwned"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([RACI_GEN, *args], capture_output=True, text=True, timeout=120, cwd=cwd,
                          env=dict(os.environ, SOURCE_DATE_EPOCH="1700000000"))


def project(root: Path) -> Path:
    (root / "roles").mkdir(parents=True)
    (root / "activities").mkdir()
    (root / "roles" / "roles.yaml").write_text("roles:\n- {id: R1, name: One}\n- {id: R2, name: Two}\n")
    (root / "activities" / "00.yaml").write_text(
        "phase: First\nactivities:\n- {id: A-1, name: Work, raci: {R1: A/R, R2: C}}\n")
    (root / "raci.yaml").write_text("title: T\noutput: {formats: [md]}\n")
    return root


def no_line_of_theirs(result: subprocess.CompletedProcess) -> None:
    lines = (result.stdout + result.stderr).splitlines()
    assert lines
    assert not [line for line in lines if line.startswith("::")], lines


def test_hook_check_names_a_stale_project_on_one_line(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    project(tmp_path / NAME)
    result = run("hook", "check", os.path.join(NAME, "raci.yaml"), cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    no_line_of_theirs(result)
    assert "run: raci-gen build 'p\\n::error file=x::pwned' -f md" in result.stderr


def test_portfolio_names_an_unreadable_project_on_one_line(tmp_path):
    (tmp_path / NAME).mkdir()
    (tmp_path / NAME / "raci.yaml").write_text("title: [\n")
    project(tmp_path / "good")
    result = run("portfolio", "-o", "out", NAME + "/", "good", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    no_line_of_theirs(result)
    assert "p\\n::error file=x::pwned/: error: the project cannot be read" in result.stderr

"""What `build --check` reads of the documents already on disk, which come with the pull request.

A check runs in CI on whatever a pull request commits, output folder included. It must read the
file a build would replace the way the build reaches it: never through a link that leaves the
project (``output/raci-matrix.md -> ../.git/config`` printed the CI token in the log as the "first
difference"), never through a link at a generated document's own path, never a FIFO (it hung) or
a device (``-> /dev/zero`` ended in MemoryError, exit 3). Each is one line and exit 2.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import copy_example

SECRET = "AUTHORIZATION: basic c2VjcmV0LXRva2Vu"


def run(project: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    # A memory cap and a time limit: the former code read /dev/zero until it ran out of memory.
    return subprocess.run(["prlimit", "--as=3000000000", sys.executable, "-m", "raci_gen", *args],
                          cwd=project, capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    root = copy_example(tmp_path / "repo")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "config", "http.https://github.com/.extraheader", SECRET], check=True)
    (root / "output").mkdir()
    return root


def _one_line_refusal(done: subprocess.CompletedProcess, path: str, words: str) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    assert SECRET not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert f"{path}: error: " in done.stderr and words in done.stderr, done.stderr


@pytest.mark.parametrize("args", [("build", "--check", "-f", "md"), ("build", "--check", "--diff", "-f", "md")])
def test_a_link_to_the_repository_config_is_not_read(project: Path, args) -> None:
    (project / "output" / "raci-matrix.md").symlink_to("../.git/config")
    _one_line_refusal(run(project, *args), "output/raci-matrix.md", "symbolic link")


def test_a_link_that_leaves_the_project_is_not_read(project: Path, tmp_path: Path) -> None:
    (tmp_path / "elsewhere.md").write_text(SECRET + "\n", encoding="utf-8")
    (project / "output" / "raci-matrix.md").symlink_to(tmp_path / "elsewhere.md")
    _one_line_refusal(run(project, "build", "--check", "--diff", "-f", "md"), "output/raci-matrix.md",
                      "leads outside")


@pytest.mark.parametrize("fmt", ["md", "pdf", "xlsx"])
def test_a_link_to_dev_zero_is_not_read(project: Path, fmt: str) -> None:
    (project / "output" / f"raci-matrix.{fmt}").symlink_to("/dev/zero")
    _one_line_refusal(run(project, "build", "--check", "-f", fmt), f"output/raci-matrix.{fmt}", "leads outside")


@pytest.mark.parametrize("fmt", ["md", "pdf", "xlsx"])
def test_a_fifo_does_not_hang_the_check(project: Path, fmt: str) -> None:
    os.mkfifo(project / "output" / f"raci-matrix.{fmt}")
    _one_line_refusal(run(project, "build", "--check", "-f", fmt), f"output/raci-matrix.{fmt}", "FIFO")


def test_a_document_that_is_a_plain_file_is_still_checked(project: Path) -> None:
    built = run(project, "build", "-f", "md,xlsx")
    assert built.returncode == 0, built.stderr
    assert run(project, "build", "--check", "-f", "md,xlsx").returncode == 0
    page = project / "output" / "raci-matrix.md"
    page.write_text(page.read_text(encoding="utf-8").replace("MLOps", "MLOpz", 1), encoding="utf-8")
    stale = run(project, "build", "--check", "-f", "md,xlsx")
    assert stale.returncode == 1 and "output/raci-matrix.md is out of date" in stale.stdout + stale.stderr


def test_a_revision_of_many_large_identical_yaml_files_is_refused_before_it_is_read(tmp_path: Path) -> None:
    """40 files of 1.9 MiB are one blob in git, a few KiB to push, and 76 MiB to copy out of the revision."""
    root = copy_example(tmp_path / "repo")
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-q", "-m", "project"], check=True)
    padding = ("# " + "x" * 97 + "\n") * 19_900  # 1.9 MiB: under the 2 MiB of one file
    (root / "notes").mkdir()
    for i in range(40):
        (root / "notes" / f"n{i:02}.yaml").write_text(padding, encoding="utf-8")
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-q", "-m", "padding"], check=True)
    done = run(root, "diff", "HEAD~1", "HEAD")
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "holds more than 64 MiB of YAML files in the project folder" in done.stderr, done.stderr

"""Where the real CLI writes, and what a failed write leaves: nothing outside its folder, all or nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import copy_example, snapshot

EPOCH_ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "raci_gen", *args], cwd=cwd, env=EPOCH_ENV, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture
def project(tmp_path) -> Path:
    return copy_example(tmp_path / "project")


@pytest.fixture
def outside(tmp_path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "authorized_keys").write_bytes(b"ssh-ed25519 AAAA the owner's key\n")
    return folder


def test_build_refuses_a_committed_link_to_a_file_outside(project, outside):
    (project / "output").mkdir()
    (project / "output" / "raci-matrix.md").symlink_to(outside / "authorized_keys")
    before = snapshot(outside)
    result = run("build", "--format", "md,html", "-q", cwd=project)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines()[0] == (
        "output/raci-matrix.md: error: a symbolic link on the way leads outside the current folder; refusing to write through it")
    assert snapshot(outside) == before
    assert sorted(os.listdir(project / "output")) == ["raci-matrix.md"]  # the HTML was not written either


def test_out_naming_a_linked_folder_inside_the_project_is_held_to_the_project(project, outside):
    """--out output names a path in the project: the project's link there is not the user's."""
    (project / "output").symlink_to(outside, target_is_directory=True)
    result = run("build", "--format", "md", "--out", "output", cwd=project)
    assert result.returncode == 2 and "leads outside" in result.stderr.splitlines()[0], result.stderr
    assert sorted(os.listdir(outside)) == ["authorized_keys"]


def test_schema_refuses_a_linked_folder_and_a_linked_file(tmp_path, outside):
    work = tmp_path / "work"
    work.mkdir()
    (work / "schemas").symlink_to(outside, target_is_directory=True)
    result = run("schema", cwd=work)
    assert result.returncode == 2 and result.stderr.startswith("schemas/"), result.stderr
    assert "leads outside" in result.stderr.splitlines()[0]
    (work / "schemas").unlink()
    (work / "schemas").mkdir()
    (work / "schemas" / "roles.schema.json").symlink_to(outside / "authorized_keys")
    result = run("schema", cwd=work)
    assert result.returncode == 2 and "leads outside" in result.stderr.splitlines()[0], result.stderr
    assert sorted(os.listdir(work / "schemas")) == ["roles.schema.json"]
    assert sorted(os.listdir(outside)) == ["authorized_keys"]
    assert (outside / "authorized_keys").read_bytes() == b"ssh-ed25519 AAAA the owner's key\n"


def test_init_into_a_linked_folder_of_the_current_one_is_refused(tmp_path, outside):
    work = tmp_path / "work"
    work.mkdir()
    (work / "team").symlink_to(outside, target_is_directory=True)
    result = run("init", "team", cwd=work)
    assert result.returncode == 2 and "leads outside" in result.stderr.splitlines()[0], result.stderr
    assert sorted(os.listdir(outside)) == ["authorized_keys"]


def test_a_folder_where_the_last_document_goes_leaves_every_earlier_one_as_it_was(project):
    out = project / "output"
    out.mkdir()
    (out / "raci-matrix.md").write_bytes(b"the committed Markdown\n")
    (out / "raci-matrix.html").mkdir()  # the rename of the HTML fails after the Markdown's
    result = run("build", "--format", "md,xlsx,html", cwd=project)
    assert result.returncode == 4, result.stderr
    assert result.stderr.splitlines() == [
        "output/raci-matrix.html: error: cannot write: Is a directory; no file was changed"]
    assert (out / "raci-matrix.md").read_bytes() == b"the committed Markdown\n"
    assert sorted(os.listdir(out)) == ["raci-matrix.html", "raci-matrix.md"]

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


@pytest.mark.parametrize("target", ["../raci.yaml", "../.github/ci.yml"])
def test_build_refuses_a_committed_link_to_another_file_of_the_project(project, target):
    """A document is never written through a link: one aimed at raci.yaml or a CI file would overwrite it."""
    (project / ".github").mkdir()
    (project / ".github" / "ci.yml").write_text("on: push\n", encoding="utf-8")
    (project / "output").mkdir()
    (project / "output" / "raci-matrix.md").symlink_to(target)
    before = snapshot(project)
    result = run("build", "--format", "md,html", "-q", cwd=project)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines()[0].startswith(
        "output/raci-matrix.md: error: is a symbolic link to another file of the project;")
    assert snapshot(project) == before


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


# --- a disk that fills up mid-build -------------------------------------------------------------------------------

EARLIER = {"raci-matrix.md": b"the Markdown committed last week\n", "raci-matrix.xlsx": b"last week's workbook",
           "raci-matrix.pdf": b"%PDF-1.7 last week's PDF"}


@pytest.fixture(scope="module")
def sizes(tmp_path_factory) -> dict[str, int]:
    """The size of each document of the example, as this build makes them (same input, same bytes)."""
    project = copy_example(tmp_path_factory.mktemp("sizes") / "project")
    result = run("build", "--format", "md,xlsx,pdf", "-q", cwd=project)
    assert result.returncode == 0, result.stderr
    return {name: (project / "output" / name).stat().st_size for name in EARLIER}


def earlier_documents(out: Path) -> None:
    out.mkdir()
    for name, data in EARLIER.items():
        (out / name).write_bytes(data)


def assert_as_before(out: Path) -> None:
    assert {p.name: p.read_bytes() for p in out.iterdir()} == EARLIER  # byte for byte, and no temporary file


def test_a_full_disk_at_the_pdf_leaves_every_document_as_it_was(tmp_path, project, sizes):
    """A small tmpfs that holds the new Markdown and workbook but not the PDF (root only; skipped elsewhere)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)],
                                           capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root and mount)")
    try:
        out = disk / "out"
        earlier_documents(out)
        page = 4096
        room = sum(-(-sizes[n] // page) * page for n in ("raci-matrix.md", "raci-matrix.xlsx")) + sizes[
            "raci-matrix.pdf"] // 2
        assert sizes["raci-matrix.pdf"] // 2 > 4 * page, sizes  # the PDF cannot fit in what is left
        disk_stat = os.statvfs(disk)
        (disk / "filler").write_bytes(b"\0" * (disk_stat.f_bavail * disk_stat.f_frsize - room))
        result = run("build", "--format", "md,xlsx,pdf", "--out", str(out), cwd=project)
        assert result.returncode == 4, result.stderr
        assert result.stderr.splitlines() == [
            f"{out / 'raci-matrix.pdf'}: error: cannot write: No space left on device; no file was changed"]
        assert_as_before(out)
    finally:
        subprocess.run(["umount", str(disk)], check=True)


FILE_SIZE_LIMITED = (
    "import resource, runpy, signal, sys\n"
    "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # so that a write past the limit fails with EFBIG\n"
    "limit = int(sys.argv.pop(1))\n"
    "resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))\n"
    "runpy.run_module('raci_gen', run_name='__main__', alter_sys=True)\n"
)


def test_a_file_size_limit_at_the_pdf_leaves_every_document_as_it_was(tmp_path, project, sizes):
    """The same on any machine: RLIMIT_FSIZE lets the Markdown and workbook be written, not the PDF."""
    limit = sizes["raci-matrix.pdf"] * 3 // 4  # room for the workbook's own temporary files (under 60 KB)
    assert max(sizes["raci-matrix.md"], sizes["raci-matrix.xlsx"]) < limit, sizes
    out = tmp_path / "out"
    earlier_documents(out)
    result = size_limited_build(limit, out, project)
    assert result.returncode == 4, result.stderr
    assert result.stderr.splitlines() == [
        f"{out / 'raci-matrix.pdf'}: error: cannot write: File too large; no file was changed"]
    assert_as_before(out)


def test_a_file_size_limit_while_rendering_is_the_environment_too(tmp_path, project):
    """openpyxl writes temporary files while it renders: a limit it hits is the machine's fault, not a bug."""
    out = tmp_path / "out"
    earlier_documents(out)
    result = size_limited_build(1024, out, project, "md,xlsx")
    assert result.returncode == 4, result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith("error: the machine refused: File too large") and first.endswith("no file was changed")
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert_as_before(out)


def size_limited_build(limit: int, out: Path, project: Path, formats: str = "md,xlsx,pdf"):
    return subprocess.run([sys.executable, "-c", FILE_SIZE_LIMITED, str(limit), "build", "--format", formats,
                           "--out", str(out)], cwd=project, env=EPOCH_ENV, capture_output=True, text=True,
                          timeout=300)


# --- injected pages -----------------------------------------------------------------------------------------------


def test_a_wiki_checkout_linked_into_the_project_is_updated_where_it_lives(project):
    """docs/ is a link to the wiki's checkout inside the project, its page a link too: both stay links."""
    (project / "wiki.git").mkdir()
    (project / "wiki.git" / "Team.md").write_bytes(b"Old Mac page\r<!-- BEGIN RACI -->\r<!-- END RACI -->\rEnd\r")
    (project / "docs").symlink_to("wiki.git", target_is_directory=True)
    (project / "Team.md").symlink_to(project / "docs" / "Team.md")
    result = run("build", "--format", "md", "--inject", "Team.md", "--section", "legend", "-q", cwd=project)
    assert result.returncode == 0, result.stderr
    page = (project / "wiki.git" / "Team.md").read_bytes()
    assert page.startswith(b"Old Mac page\r<!-- BEGIN RACI -->\r") and page.endswith(b"<!-- END RACI -->\rEnd\r")
    assert b"\n" not in page and b"Legend" in page  # the page's own line endings, inside the markers too
    assert os.path.islink(project / "docs") and os.path.islink(project / "Team.md")

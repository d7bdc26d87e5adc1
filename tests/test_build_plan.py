"""One way through a build (raci_gen.writing.output.plan): what a build reads back from disk it reads once, and
serve renders its downloads as a build renders a PDF (killed builds' scratch folders cleared first)."""

from __future__ import annotations

import collections
import os
import subprocess
import sys
import tempfile

import pytest

from conftest import copy_example
from raci_gen.runtime import confined, scratch


def _run(*args: str):
    """The real CLI in this process, dated as a user's build is (no SOURCE_DATE_EPOCH: from git, or kept)."""
    from click.testing import CliRunner

    from raci_gen.cli import main

    result = CliRunner().invoke(main, list(args), env={"SOURCE_DATE_EPOCH": None})
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def _reads(*args: str):
    """:func:`_run`, and how often each path was read back through confined.read_regular (the one reader of
    the documents, pages and stamps on disk), seen by the profiler: the real code, nothing replaced."""
    code = confined.read_regular.__code__
    paths: list[str] = []

    def profile(frame, event, arg):
        if event == "call" and frame.f_code is code:
            paths.append(frame.f_locals["path"])

    sys.setprofile(profile)
    try:
        result = _run(*args)
    finally:
        sys.setprofile(None)
    return result, collections.Counter(paths)


@pytest.mark.parametrize("check", [True, False], ids=["build --check", "build"])
def test_a_document_on_disk_is_read_once(tmp_path, check):
    """The kept date reads the documents already built (the inputs are dated by git); the comparison then
    uses those bytes (before, the Markdown was read twice: for the date, then to compare)."""
    project, out = copy_example(tmp_path / "project"), tmp_path / "out"
    for command in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@example.org",
                                                     "commit", "-q", "-m", "inputs"]):
        subprocess.run(["git", *command], cwd=project, check=True, capture_output=True)
    built = _run("build", str(project), "-f", "md,xlsx", "-o", str(out), "--no-lint", "-q")
    assert built.exit_code == 0, built.stderr
    result, reads = _reads("build", str(project), "-f", "md,xlsx", "-o", str(out), "--no-lint", "-q",
                           *(["--check"] if check else []))
    assert result.exit_code == 0, result.stderr
    documents = {path: n for path, n in reads.items() if path.startswith(str(out))}
    assert set(documents) >= {str(out / "raci-matrix.md"), str(out / "raci-matrix.xlsx")}, reads
    assert all(n == 1 for n in documents.values()), documents


def _dead_pid() -> int:
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                           check=True)
    return int(child.stdout)


@pytest.mark.skipif(os.name != "posix", reason="the scratch folders' locks are flock")
def test_serve_clears_a_killed_builds_scratch_folder_before_its_pdf(tmp_path, monkeypatch):
    """The preview's PDF download is rendered as a build renders one (output.render_one): a killed build's
    scratch folder in the temporary directory is removed first, as every PDF build does."""
    from raci_gen.writing.preview_server import Preview

    temporary = tmp_path / "tmp"
    temporary.mkdir()
    left = temporary / f"{scratch.PREFIX}{_dead_pid()}-abcdefgh"
    left.mkdir()
    (left / "part-0000-000000.pdf").write_bytes(b"%PDF-")
    (left / scratch.LOCK).write_bytes(b"")  # as a killed build leaves it: unlocked
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    preview = Preview(str(copy_example(tmp_path / "project")), None)
    preview.rebuild()
    assert preview.problems == ()
    data, name = preview.download("pdf")
    assert data.startswith(b"%PDF-") and name == "raci-matrix"
    assert not left.exists()

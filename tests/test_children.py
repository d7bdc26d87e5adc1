"""raci_gen.runtime.children: an error raised in a forked child reaches the user as it would from one process.

Each kind of error is raised in a real child, the full build's PDF child (output.py) and a PDF
part worker (pdf_parts.py), and the real command line's message and exit code are compared with
those of the same build done in one process.
"""

from __future__ import annotations

import errno
import os
import sys
import threading

import pytest

from conftest import run_in_process
from raci_gen.model.errors import EnvironmentFailure, InputError, Problem, RenderError, TemplateFailure
from raci_gen.model.matrix import Location

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")


class TwoArguments(Exception):
    """Its constructor takes other arguments than its message: pickle cannot rebuild it from its args."""

    def __init__(self, what: str, count: int):
        super().__init__(f"{what} failed {count} times")


class Unpicklable(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.lock = threading.Lock()  # pickle refuses locks


class Refusal(RenderError):
    """A raci-gen error whose constructor takes other arguments."""

    def __init__(self, path: str, why: str):
        super().__init__(f"{path}: error: {why}")


def _local_failure() -> BaseException:
    class ALocalFailure(EnvironmentFailure):  # not importable: pickle cannot name its class
        pass

    return ALocalFailure("error: the scratch folder is gone; no file was changed")


PROBLEMS = [Problem(Location("roles.yaml", 12, 5), "role R9 is not defined"),
            Problem(Location("raci.yaml", 3, 1), "unknown setting 'colour'")]

ERRORS = {
    "input": (lambda: InputError(list(PROBLEMS)), 2,
              ["raci.yaml:3:1: error: unknown setting 'colour'", "roles.yaml:12:5: error: role R9 is not defined",
               "2 problems found; nothing was written."]),
    "template": (lambda: TemplateFailure([Problem(Location("templates/raci.html.j2", 4, 9), "template failed: "
                                                  "ZeroDivisionError: division by zero")]), 2,
                 ["templates/raci.html.j2:4:9: error: template failed: ZeroDivisionError: division by zero",
                  "1 problem found; nothing was written."]),
    "render": (lambda: RenderError("the font would not load"), 2, ["error: the font would not load"]),
    "environment": (lambda: EnvironmentFailure("error: the disk is full; no file was changed"), 4,
                    ["error: the disk is full; no file was changed"]),
    "os": (lambda: OSError(errno.ENOSPC, "No space left on device", "/tmp/x"), 4,
           ["error: the machine refused: No space left on device (/tmp/x); no file was changed"]),
    "unpicklable": (lambda: Unpicklable("a lock in the way"), 3,
                    ["internal error: Unpicklable: a lock in the way",
                     "This is a bug in raci-gen; run again with --debug for a traceback and report it."]),
    "other arguments": (lambda: TwoArguments("the layout", 3), 3,
                        ["internal error: TwoArguments: the layout failed 3 times",
                         "This is a bug in raci-gen; run again with --debug for a traceback and report it."]),
    "raci-gen error, other arguments": (lambda: Refusal("templates/x.css", "cannot be read"), 2,
                                        ["templates/x.css: error: cannot be read"]),
    "class pickle cannot name": (_local_failure, 4, ["error: the scratch folder is gone; no file was changed"]),
}


def _raiser(make):
    def fail(*args, **kwargs):
        raise make()

    return fail


def _build(tmp_path, repo_root, *formats: str):
    out = tmp_path / "out"
    result = run_in_process("build", str(repo_root), "-f", ",".join(formats), "-o", str(out), "--no-lint")
    return result.returncode, result.stderr.strip().splitlines(), sorted(os.listdir(out)) if out.exists() else []


@pytest.mark.parametrize("kind", list(ERRORS))
def test_an_error_in_the_pdf_child_reads_as_in_one_process(kind, tmp_path, repo_root, monkeypatch):
    from raci_gen.writing import output
    from raci_gen.documents import pdf

    make, code, lines = ERRORS[kind]
    monkeypatch.setattr(pdf, "render_pdf", _raiser(make))
    results = []
    for forking in (True, False):
        monkeypatch.setattr(output, "_may_fork", lambda forking=forking: forking)
        results.append(_build(tmp_path / str(forking), repo_root, "md", "pdf"))
    assert results[0] == results[1] == (code, lines, [])


@pytest.mark.parametrize("kind", list(ERRORS))
def test_an_error_in_a_part_worker_reads_as_in_one_process(kind, tmp_path, repo_root, monkeypatch):
    from raci_gen.documents import pdf_parts

    make, code, lines = ERRORS[kind]
    monkeypatch.setattr(pdf_parts, "PARTS_FROM", 10)
    monkeypatch.setattr(pdf_parts, "_lay_out", _raiser(make))
    results = []
    for workers in (2, 0):
        monkeypatch.setattr(pdf_parts, "worker_count", lambda workers=workers: workers)
        results.append(_build(tmp_path / str(workers), repo_root, "pdf"))
    assert results[0] == results[1] == (code, lines, [])


def test_a_worker_error_crosses_two_children(tmp_path, repo_root, monkeypatch):
    """A part worker forked by the full build's PDF child: its error goes back twice, and still reads the same."""
    from raci_gen.writing import output
    from raci_gen.documents import pdf_parts

    monkeypatch.setattr(output, "_may_fork", lambda: True)
    monkeypatch.setattr(pdf_parts, "PARTS_FROM", 10)
    monkeypatch.setattr(pdf_parts, "worker_count", lambda: 2)
    for kind in ("input", "unpicklable", "class pickle cannot name"):
        make, code, lines = ERRORS[kind]
        monkeypatch.setattr(pdf_parts, "_lay_out", _raiser(make))
        assert _build(tmp_path / kind, repo_root, "md", "pdf") == (code, lines, [])


@pytest.mark.skipif(sys.version_info < (3, 11), reason="exception notes (add_note) came with Python 3.11")
def test_debug_shows_where_a_bug_was_raised_in_the_child(tmp_path, repo_root, monkeypatch):
    from raci_gen.writing import output
    from raci_gen.documents import pdf

    monkeypatch.setattr(output, "_may_fork", lambda: True)
    monkeypatch.setattr(pdf, "render_pdf", _raiser(lambda: TwoArguments("the layout", 3)))
    with pytest.raises(TwoArguments) as caught:
        run_in_process("--debug", "build", str(repo_root), "-f", "md,pdf", "-o", str(tmp_path / "out"))
    assert any("raised in the child process that rendered the PDF" in note and "in fail" in note
               for note in caught.value.__notes__)

"""Issue 18, the red team's third round: no traceback reaches a user, nothing sends a line break a project
chose to a terminal or a CI log, every refusal is one line ``FILE:LINE:COL: error: ...`` and exit 2.

* A line feed in a file name ended the problem's line and started one the project wrote, which GitHub
  Actions reads as a workflow command (``::warning file=evil::...``).
* A lone UTF-16 surrogate (``"\\uD800"`` in a quoted YAML string) and a file name that is not UTF-8 stopped
  every command with an internal error (UnicodeEncodeError, exit 3).
* A date after 2107 does not fit a zip entry's time: the workbook's build stopped (exit 3).

Every command runs as a real subprocess of raci-gen, on real files (and a real git repository where the
finding needs one).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from raci_gen.runtime.terminal import printable

from conftest import FIRST_PHASE, copy_example, write_project

INJECTED = "::warning file=evil::pwned"
"""What a file name would make GitHub Actions do, were it printed at the start of a line."""
SEPARATORS = {"LF": "\n", "CR": "\r", "LS": "\u2028"}


def _run(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {**os.environ, "COLUMNS": "100"}
    environment.pop("SOURCE_DATE_EPOCH", None)  # the dates come from raci.yaml or git here
    return subprocess.run([sys.executable, "-m", "raci_gen", *args], cwd=cwd, capture_output=True,
                          stdin=subprocess.DEVNULL, timeout=120, env={**environment, **(env or {})})


def _git(*args: str, cwd: Path, env: dict | None = None) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false",
                    *args], cwd=cwd, check=True, capture_output=True, timeout=60, env={**os.environ, **(env or {})})


def _lines(run: subprocess.CompletedProcess) -> list[bytes]:
    return (run.stdout + run.stderr).split(b"\n")


def _assert_one_line_each(name: str, run: subprocess.CompletedProcess) -> None:
    raw = run.stdout + run.stderr
    assert b"Traceback" not in raw and b"internal error" not in raw, (name, raw[-1500:])
    for line in _lines(run):
        assert not line.startswith(b"::warning"), (name, line)  # no line the project chose
    assert b"\r" not in raw and "\u2028".encode() not in raw, (name, raw[-1500:])


@pytest.mark.parametrize(("text", "shown"), [
    ("a\nb", "a\\nb"),
    ("a\r\nb", "a\\x0d\\nb"),
    ("a\u2028b\u2029c\x85d\x0be\x0cf", "a\\u2028b\\u2029c\\x85d\\x0be\\x0cf"),
    ("tab\tkept", "tab\tkept"),
    ("00\udcff.yaml", "00\\udcff.yaml"),
])
def test_one_line_shows_every_line_break_escaped(text, shown):
    assert printable(text, one_line=True) == shown
    assert printable(text).count("\n") == text.count("\n")  # a report's own lines are kept


def test_a_line_break_in_a_file_name_never_starts_a_line(tmp_path):
    """Files named after the first phase, with LF, CR and U+2028 before a workflow command: every problem
    (duplicate ids at each of them) is one line, in lint (text and github), build, build --check and show."""
    project = copy_example(tmp_path / "p")
    in_first_phase = len(yaml.safe_load((project / FIRST_PHASE).read_text(encoding="utf-8"))["activities"])
    for sep in SEPARATORS.values():
        shutil.copy(project / FIRST_PHASE, project / "activities" / f"00{sep}{INJECTED}.yaml")
    runs = {
        "lint": _run("lint", ".", cwd=project),
        "lint github": _run("lint", "--format", "github", ".", cwd=project),
        "build": _run("build", "-f", "md", ".", cwd=project),
        "build --check": _run("build", "--check", "--format", "md", ".", cwd=project),
        "show": _run("show", ".", cwd=project),
    }
    for name, run in runs.items():
        assert run.returncode == 2, (name, run.returncode, run.stderr[-1500:])
        _assert_one_line_each(name, run)
        problems = [line for line in run.stderr.split(b"\n") if b": error: duplicate activity id" in line]
        assert len(problems) == in_first_phase * 3, (name, run.stderr[-1500:])  # each, in 3 files after the first
        assert all(re.match(rb"activities/0[01][^\n]*\.yaml:\d+:9: error: ", p) for p in problems), problems
    first = runs["lint"].stderr.decode().splitlines()[0]
    assert first.endswith(f"first defined at activities/00\\n{INJECTED}.yaml:11:9"), first
    assert "activities/00\\x0d::warning" in runs["lint"].stderr.decode()
    assert "activities/00\\u2028::warning" in runs["lint"].stderr.decode()


def test_a_finding_in_a_file_named_with_a_line_feed_is_one_line(tmp_path):
    """A project that loads: its lint findings, build's and build --check's report of them, and diff's
    findings that appeared name the file on the finding's one line."""
    roles = [{"id": "R1", "name": "Owner"}, {"id": "R2", "name": "Builder"}]
    good = {"id": "A1", "name": "Plan", "raci": {"R1": "A", "R2": "R"}}
    no_one_accountable = {"id": "A2", "name": "Ship", "raci": {"R2": "R"}}
    old = write_project(tmp_path / "old", roles, {"01-plan": {"phase": "Plan", "activities": [good]}})
    new = write_project(tmp_path / "new", roles, {
        "01-plan": {"phase": "Plan", "activities": [good]},
        f"02\n{INJECTED}.yaml": {"phase": "Ship", "activities": [no_one_accountable]}})
    runs = {
        "lint": _run("lint", str(new), cwd=tmp_path),
        "lint github": _run("lint", "--format", "github", str(new), cwd=tmp_path),
        "build": _run("build", "-f", "md", str(new), cwd=tmp_path),
        "build --check": _run("build", "--check", "-f", "md", str(new), cwd=tmp_path),
        "diff": _run("diff", str(old), str(new), cwd=tmp_path),
        "lint two projects": _run("lint", str(old), str(new), cwd=tmp_path),
    }
    for name, run in runs.items():
        assert run.returncode in (0, 1), (name, run.returncode, run.stderr[-1500:])
        _assert_one_line_each(name, run)
        escaped = f"activities/02\\n{INJECTED}.yaml:".encode()
        if name != "lint github":
            assert any(escaped in line and b"A2" in line for line in _lines(run)), (name, run.stdout + run.stderr)
    assert b"/new/activities/02%0A%3A%3Awarning" in runs["lint github"].stdout


@pytest.mark.parametrize(("text", "code"), [("\\uD800 x", "D800"), ("\\uD83D\\uDE00", "D83D"),
                                            ("x \\U0000DC00", "DC00")])
def test_a_lone_surrogate_in_yaml_is_refused_where_it_is_written(tmp_path, text, code):
    project = write_project(tmp_path / "p", [{"id": "R1", "name": "Owner"}], {"01-plan": (
        "phase: Plan\nactivities:\n  - id: A1\n"
        f'    name: "{text}"\n'
        "    raci: {R1: A/R}\n")})
    expected = (f"activities/01-plan.yaml:4:11: error: the text holds U+{code}, half of a UTF-16 surrogate pair, "
                "which is not a character")
    for args in (("lint",), ("build", "-f", "md,xlsx,json,csv,html"), ("build", "--no-lint", "-f", "md"),
                 ("show",)):
        run = _run(*args, ".", cwd=project)
        assert run.returncode == 2, (args, run.returncode, run.stderr[-1500:])
        assert run.stderr.decode().splitlines()[0].startswith(expected), (args, run.stderr)
        assert b"internal error" not in run.stderr
    assert not (project / "output").exists()


def test_a_surrogate_in_a_key_and_a_real_emoji(tmp_path):
    """In a key it is refused at the key; the character itself, or its one 8-digit escape, is text."""
    project = write_project(tmp_path / "p", [{"id": "R1", "name": "Owner \\U0001F600 🙂"}], {"01-plan": (
        'phase: Plan\nactivities:\n  - id: A1\n    name: "Ship \\U0001F600"\n    raci: {R1: A/R}\n')},
        raci_yaml='title: "T"\n"\\uDC00x": 1\n')
    run = _run("lint", ".", cwd=project)
    assert run.returncode == 2
    assert run.stderr.decode().startswith("raci.yaml:2:1: error: the text holds U+DC00"), run.stderr
    (project / "raci.yaml").write_text('title: "T \\U0001F600"\n', encoding="utf-8")
    run = _run("build", "-f", "md", ".", cwd=project)
    assert run.returncode == 0, run.stderr
    assert "Ship 😀" in (project / "output" / "raci-matrix.md").read_text(encoding="utf-8")


def _bytes_name(folder: Path, name: bytes, data: bytes) -> None:
    try:
        with open(os.path.join(os.fsencode(folder), name), "wb") as fh:
            fh.write(data)
    except OSError as exc:  # a file system that holds only UTF-8 names (APFS)
        pytest.skip(f"this file system refuses a name that is not UTF-8: {exc}")


def test_a_file_name_that_is_not_utf8_is_refused_by_its_folder(tmp_path):
    project = copy_example(tmp_path / "p")
    _bytes_name(project / "activities", b"00\xff.yaml", (project / FIRST_PHASE).read_bytes())
    _git("init", "-q", ".", cwd=project)
    _git("add", "-A", cwd=project)
    _git("commit", "-q", "-m", "a name that is not UTF-8", cwd=project)
    expected = ("activities/00\\xff.yaml:1:1: error: the file name is not UTF-8 text (a byte that is not UTF-8 is "
                "shown as \\xNN)")
    for args in (("lint",), ("lint", "--format", "github"), ("lint", "--format", "sarif"), ("build",),
                 ("build", "--check"), ("show",)):
        run = _run(*args, ".", cwd=project)
        assert run.returncode == 2, (args, run.returncode, run.stderr[-1500:])
        assert run.stderr.decode().splitlines()[0].startswith(expected), (args, run.stderr)
        assert b"internal error" not in run.stderr
    assert not (project / "output").exists()


def test_a_template_name_that_is_not_utf8_is_refused(tmp_path):
    project = copy_example(tmp_path / "p")
    (project / "templates").mkdir()
    _bytes_name(project / "templates", b"a\xff.j2", b"{{ title }}\n")
    run = _run("build", "-f", "md", ".", cwd=project)
    assert run.returncode == 2, (run.returncode, run.stderr[-1500:])
    assert run.stderr.decode().splitlines()[0].startswith(
        "templates/a\\xff.j2:1:1: error: the file name is not UTF-8 text"), run.stderr
    # A name that is not UTF-8 outside what is read (a note beside the activities) changes nothing.
    os.remove(os.path.join(os.fsencode(project / "templates"), b"a\xff.j2"))
    _bytes_name(project / "activities", b"notes\xfe.txt", b"x")
    assert _run("build", "-f", "md", ".", cwd=project).returncode == 0


def _zip_times_and_core(workbook: Path) -> tuple[set, str]:
    with zipfile.ZipFile(io.BytesIO(workbook.read_bytes())) as z:
        return {info.date_time for info in z.infolist()}, z.read("docProps/core.xml").decode()


def test_a_date_after_2107_builds_the_workbook(tmp_path):
    """zip's entries hold years 1980 to 2107: later dates are clamped there, the document keeps its own."""
    project = copy_example(tmp_path / "p")
    config = project / "raci.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "date: 2108-01-01\n", encoding="utf-8")
    run = _run("build", "-f", "xlsx", ".", cwd=project)
    assert run.returncode == 0, run.stderr
    times, core = _zip_times_and_core(project / "output" / "raci-matrix.xlsx")
    assert times == {(2107, 12, 31, 23, 59, 58)}
    assert ">2108-01-01T00:00:00Z</dcterms:created>" in core


def test_a_commit_dated_after_2107_builds_the_workbook(tmp_path):
    project = copy_example(tmp_path / "p")
    _git("init", "-q", ".", cwd=project)
    _git("add", "-A", cwd=project)
    _git("commit", "-q", "-m", "far ahead", cwd=project, env={"GIT_COMMITTER_DATE": "@4386512000 +0000",
                                                              "GIT_AUTHOR_DATE": "@4386512000 +0000"})
    run = _run("build", "-f", "xlsx,md", "--out", str(tmp_path / "out"), ".", cwd=project)
    assert run.returncode == 0, run.stderr
    times, core = _zip_times_and_core(tmp_path / "out" / "raci-matrix.xlsx")
    assert times == {(2107, 12, 31, 23, 59, 58)}
    assert ">2109-01-01T" in core

"""build leaves what is up to date as it is, and shows a long build's progress on a terminal (issue 22, items 1
and 4).

Every test runs the installed ``raci-gen`` in a real subprocess, on real files (and a real git repository, a real
pseudo-terminal where it matters).
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import snapshot

RACI_GEN = os.path.join(os.path.dirname(sys.executable), "raci-gen")
BEGIN, END = "<!-- BEGIN RACI -->", "<!-- END RACI -->"


def _run(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"} | env
    return subprocess.run([RACI_GEN, *args], cwd=cwd, capture_output=True, text=True, timeout=300, env=environment)


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false",
                    *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def _project(make_project, folder: Path, formats: str = "[md, html, xlsx, pdf, csv, json]") -> Path:
    project = make_project(folder, [{"id": "PM", "name": "Project manager"}, {"id": "DEV", "name": "Developer"}],
                           {"01-plan": {"phase": "Plan", "activities": [
                               {"id": "P-1", "name": "Write the charter", "raci": {"PM": "A/R", "DEV": "C"}},
                               {"id": "P-2", "name": "Set up the repository", "raci": {"PM": "A", "DEV": "R"}}]}},
                           f"title: Skips\noutput:\n  dir: output\n  name: raci\n  formats: {formats}\n"
                           "  inject:\n    - {file: wiki/Team.md, section: matrix}\n")
    (project / "wiki").mkdir()
    (project / "wiki" / "Team.md").write_text(f"Ours.\n{BEGIN}\n{END}\n", encoding="utf-8")
    return project


def _documents(project: Path) -> dict[str, tuple[bytes, int]]:
    return snapshot(project / "output") | {"wiki/Team.md": snapshot(project / "wiki")["Team.md"]}


def test_an_unchanged_project_is_left_as_it_is_and_its_bytes_are_what_a_forced_build_writes(tmp_path, make_project):
    """Dated by git, as a committed project is: the second build renders nothing, writes nothing (no file's
    modification time moves) and says so in one line; --force writes every file again, to the same bytes."""
    project = _project(make_project, tmp_path / "team")
    _git("init", "-q", ".", cwd=project)
    _git("add", "raci.yaml", "roles", "activities", cwd=project)
    _git("commit", "-q", "-m", "charter", cwd=project)
    first = _run("build", cwd=project)
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("wrote ") == 7
    built = _documents(project)
    time.sleep(0.01)  # a rewrite would show in the modification times
    again = _run("build", cwd=project)
    assert again.returncode == 0, again.stderr
    names = ", ".join(os.path.join("output", "raci" + suffix)
                      for suffix in (".md", ".html", ".xlsx", ".pdf", ".csv", ".json")) + ", wiki/Team.md"
    assert again.stdout.splitlines()[:-1] == [f"up to date (not rewritten; --force rebuilds): {names}"]
    assert again.stdout.splitlines()[-1].startswith("built 0 of 7 files in ")
    assert _documents(project) == built
    assert _run("build", "-q", cwd=project).stdout == ""
    forced = _run("build", "--force", cwd=project)
    assert forced.returncode == 0, forced.stderr
    assert forced.stdout.count("wrote ") == 7 and "up to date" not in forced.stdout
    rebuilt = _documents(project)
    assert {name: data for name, (data, _) in rebuilt.items()} == {name: data for name, (data, _) in built.items()}
    assert all(rebuilt[name][1] != built[name][1] for name in built)  # --force did write them


def test_one_stale_document_is_rebuilt_and_the_others_left(tmp_path, make_project):
    """Per document: a workbook that was replaced and a Markdown that was deleted are built again (to the bytes
    they had), the PDF and the others are not touched."""
    project = _project(make_project, tmp_path / "team")
    assert _run("build", cwd=project).returncode == 0
    built = _documents(project)
    (project / "output" / "raci.xlsx").write_bytes(b"not a workbook")
    (project / "output" / "raci.md").unlink()
    time.sleep(0.01)
    done = _run("build", cwd=project)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:2] == [f"wrote {os.path.join('output', 'raci.md')} "
                                            f"({len(built['raci.md'][0]) / 1024:.1f} KiB)",
                                            f"wrote {os.path.join('output', 'raci.xlsx')} "
                                            f"({len(built['raci.xlsx'][0]) / 1024:.1f} KiB)"]
    assert done.stdout.splitlines()[-1].startswith("built 2 of 7 files in ")
    now = _documents(project)
    assert {name: data for name, (data, _) in now.items()} == {name: data for name, (data, _) in built.items()}
    assert {name for name in built if now[name][1] != built[name][1]} == {"raci.md", "raci.xlsx"}


def test_a_changed_input_or_template_rebuilds_what_it_shapes(tmp_path, make_project):
    """The stamp decides: a changed activity makes every document stale; a project's own raci.css the documents
    drawn by templates (whose stamps digest the project's templates folder), not the workbook."""
    project = _project(make_project, tmp_path / "team", "[md, html, xlsx]")
    assert _run("build", cwd=project).returncode == 0
    (project / "templates").mkdir()
    from raci_gen.input.templatefolder import built_in_folder  # the built-in stylesheet, with one rule more

    built_in = Path(built_in_folder()) / "raci.css"
    css = built_in.read_text(encoding="utf-8") + "\nh1 { letter-spacing: 0.5pt; }\n"
    (project / "templates" / "raci.css").write_text(css, encoding="utf-8")
    before = _documents(project)
    done = _run("build", cwd=project)
    assert done.returncode == 0, done.stderr
    after = _documents(project)
    assert {name for name in before if after[name] != before[name]} == {"raci.md", "raci.html"}
    activities = project / "activities" / "01-plan.yaml"
    activities.write_text(activities.read_text(encoding="utf-8").replace("Write the charter", "Draft the charter"),
                          encoding="utf-8")
    done = _run("build", cwd=project)
    assert done.returncode == 0, done.stderr
    assert "up to date" not in done.stdout and done.stdout.count("wrote ") == 4


def test_each_project_of_a_multi_project_build_is_left_as_it_is(tmp_path, make_project):
    first = _project(make_project, tmp_path / "a", "[md, xlsx]")
    second = _project(make_project, tmp_path / "b", "[md, xlsx]")
    assert _run("build", "a", "b", cwd=tmp_path).returncode == 0
    built = {p.name: _documents(p) for p in (first, second)}
    (first / "output" / "raci.md").unlink()
    time.sleep(0.01)
    done = _run("build", "a", "b", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert _documents(second) == built["b"]
    now = _documents(first)
    assert {name for name in now if now[name] != built["a"][name]} == {"raci.md"}
    assert now["raci.md"][0] == built["a"]["raci.md"][0]
    forced = _run("build", "a", "b", "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert all(_documents(p)[name][1] != built[p.name][name][1] for p in (first, second) for name in built[p.name])


def test_force_goes_with_a_build_not_a_check(tmp_path, make_project):
    project = _project(make_project, tmp_path / "team", "[md]")
    done = _run("build", "--check", "--force", cwd=project)
    assert done.returncode == 2
    assert "--force rebuilds what a build would leave as it is; --check writes nothing" in done.stderr


def _in_a_terminal(args: list[str], cwd: Path, stderr_to_terminal: bool = True) -> tuple[bytes, bytes, float]:
    """Run ``raci-gen ARGS`` with stdout (and stderr, or else a pipe) on a real pseudo-terminal of 100 columns;
    what the terminal got, what the pipe got, and the wall seconds."""
    import fcntl
    import struct
    import termios

    main, side = pty.openpty()
    fcntl.ioctl(side, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    environment = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    started = time.perf_counter()
    child = subprocess.Popen([RACI_GEN, *args], cwd=cwd, stdin=subprocess.DEVNULL, stdout=side,
                             stderr=side if stderr_to_terminal else subprocess.PIPE, env=environment)
    os.close(side)
    seen = b""
    while True:
        ready, _, _ = select.select([main], [], [], 1.0)
        if ready:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        elif child.poll() is not None:
            break
    piped = child.stderr.read() if child.stderr else b""
    assert child.wait(timeout=300) == 0, (seen, piped)
    os.close(main)
    return seen, piped, time.perf_counter() - started


@pytest.fixture(scope="module")
def long_project(tmp_path_factory) -> Path:
    """150 activities x 30 roles: its PDF takes seconds, past progress.AFTER, on any machine."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    try:
        from bench_build import generated_project
    finally:
        sys.path.pop(0)
    return generated_project(tmp_path_factory.mktemp("long") / "charter", 150, 30)


def test_a_long_build_shows_its_steps_on_a_terminal_and_clears_them(long_project):
    seen, _, seconds = _in_a_terminal(["build", "-f", "pdf", "--force"], long_project)
    from raci_gen.runtime.progress import AFTER

    assert seconds > AFTER + 0.5, "the project builds too fast to show its progress: make it larger"
    text = seen.decode("utf-8")
    shown = [piece.split("\r\n")[0] for piece in text.split("\r\x1b[K")[1:] if piece]
    # laid out whole, or in parts on a machine of two cores or more ("page 3 of a part")
    pages = [int(line.removesuffix(" of a part").rsplit(" ", 1)[1]) for line in shown
             if line.startswith("charter: pdf: laying out page ")]
    assert 1 in pages or 2 in pages, shown
    assert any(page > 5 for page in pages), shown
    assert all(len(line) < 100 for line in shown)
    # the last line is cleared before the report, which is as without a terminal
    report = text.rsplit("\r\x1b[K", 1)[1]
    assert report.splitlines()[0] == f"wrote {os.path.join('output', 'raci-matrix.pdf')} " \
        f"({(long_project / 'output' / 'raci-matrix.pdf').stat().st_size / 1024:.1f} KiB)"
    assert "\x1b" not in report


def test_a_long_build_shows_nothing_when_stderr_is_not_a_terminal_or_with_q(long_project):
    seen, piped, seconds = _in_a_terminal(["build", "-f", "pdf", "--force"], long_project, stderr_to_terminal=False)
    assert seconds > 2.5
    assert piped == b"" and b"\x1b" not in seen and seen.decode().splitlines()[-1].startswith("built 1 file in ")
    seen, _, seconds = _in_a_terminal(["build", "-f", "pdf", "--force", "-q"], long_project)
    assert seconds > 2.5
    assert seen == b""

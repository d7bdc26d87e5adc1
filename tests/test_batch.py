"""Several projects in one run: `raci-gen build DIR...` and `raci-gen lint DIR...` (raci_gen.runtime.batch)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from openpyxl import load_workbook

from conftest import copy_example, write_project
from raci_gen.runtime import batch


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "raci_gen", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env={**__import__("os").environ, "SOURCE_DATE_EPOCH": "1700000000"})


def small(root: Path, name: str, accountable: str = "A") -> Path:
    return write_project(root / name, [{"id": "PM", "name": "Project manager"}, {"id": "DEV", "name": "Developer"}],
                         {"01-work": {"phase": "Work", "activities": [
                             {"id": "W-1", "name": "Plan the work", "raci": {"PM": accountable, "DEV": "R"}},
                             {"id": "W-2", "name": "Do the work", "raci": {"PM": "A", "DEV": "R"}}]}})


@pytest.fixture()
def three(tmp_path: Path) -> Path:
    """good-1 and good-2 build; broken has a YAML syntax error."""
    small(tmp_path, "good-1")
    small(tmp_path, "good-2")
    broken = small(tmp_path, "broken")
    (broken / "roles" / "more.yaml").write_text("roles: [\n", encoding="utf-8")
    return tmp_path


def test_one_bad_project_does_not_stop_the_others(three: Path):
    done = run("build", "good-1", "broken", "good-2", "-f", "md,xlsx", cwd=three)
    assert done.returncode == 2, done.stderr  # the broken one's status: bad input
    for good in ("good-1", "good-2"):
        md = (three / good / "output" / "raci-matrix.md").read_text(encoding="utf-8")
        assert any(t.type == "table_open" for t in MarkdownIt("commonmark").enable("table").parse(md))
        sheet = load_workbook(three / good / "output" / "raci-matrix.xlsx").active
        assert "Plan the work" in [c.value for row in sheet.iter_rows() for c in row]
    assert not (three / "broken" / "output").exists()
    lines = done.stderr.splitlines()
    assert "broken/roles/more.yaml:2:1: error: YAML syntax error" in done.stderr
    assert any(line.startswith("good-1: ok") for line in done.stdout.splitlines())
    assert any(line.startswith("broken: failed, exit 2") for line in lines)
    assert lines[-1] == "built 2 of 3 projects; failed: broken"
    assert "Traceback" not in done.stderr


def test_worst_status_wins_and_check_mode_passes_through(three: Path):
    assert run("build", "good-1", "good-2", "-f", "md", "-q", cwd=three).returncode == 0
    checked = run("build", "good-1", "good-2", "-f", "md", "--check", cwd=three)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.splitlines()[-1] == "checked 2 of 2 projects"
    # A lint error (two Accountables) is exit 1, below the broken project's 2.
    small(three, "two-a", accountable="A")
    path = three / "two-a" / "activities" / "01-work.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("DEV: R", "DEV: A", 1), encoding="utf-8")
    assert run("build", "good-1", "two-a", "-f", "md", cwd=three).returncode == 1
    assert run("build", "two-a", "broken", "-f", "md", cwd=three).returncode == 2


def test_quiet_prints_only_failures(three: Path):
    done = run("build", "good-1", "good-2", "-f", "md", "-q", cwd=three)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    done = run("build", "good-1", "broken", "-f", "md", "-q", cwd=three)
    assert done.returncode == 2
    assert "good-1" not in done.stderr and "broken: failed" in done.stderr


def test_lint_several_projects(three: Path):
    done = run("lint", "good-1", "broken", "good-2", "--format", "github", cwd=three)
    assert done.returncode == 2
    assert "broken/roles/more.yaml:2:1" in done.stderr
    assert done.stderr.splitlines()[-1] == "linted 2 of 3 projects; failed: broken"
    refused = run("lint", "good-1", "good-2", "--format", "json", cwd=three)
    assert refused.returncode == 2 and "with several project folders" in refused.stderr


def test_options_that_name_one_projects_files_are_refused(three: Path):
    done = run("build", "good-1", "good-2", "--out", "x", cwd=three)
    assert done.returncode == 2 and "--out" in done.stderr
    assert not (three / "x").exists()


def test_all_formats_of_several_example_copies(tmp_path: Path):
    """The real thing: md, xlsx and pdf of two example copies, built by forked workers."""
    for name in ("a", "b"):
        copy_example(tmp_path / name)
    done = run("build", "a", "b", "-j", "2", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    for name in ("a", "b"):
        assert (tmp_path / name / "output" / "raci-matrix.pdf").read_bytes().startswith(b"%PDF-")
    # Same bytes as a build of one project on its own.
    single = run("build", "a", "--out", str(tmp_path / "single"), cwd=tmp_path)
    assert single.returncode == 0, single.stderr
    for suffix in (".md", ".xlsx", ".pdf"):
        assert (tmp_path / "a" / "output" / f"raci-matrix{suffix}").read_bytes() == \
               (tmp_path / "single" / f"raci-matrix{suffix}").read_bytes()


def _status(folder: str) -> int:
    print(f"working on {folder}")
    if folder == "boom":
        raise RuntimeError("a worker that dies")
    return {"ok": 0, "bad": 2}[folder]


@pytest.mark.parametrize("workers", [1, 2])
def test_run_many_keeps_order_and_survives_a_dying_job(workers: int):
    seen = []
    if workers == 1:
        # In-process, an exception is the job's own business: the CLI's job never raises.
        results = batch.run_many(_status, ["ok", "bad"], workers, on_result=seen.append)
    else:
        results = batch.run_many(_status, ["ok", "boom", "bad"], workers, on_result=seen.append)
        assert results[1].status == 3 and "a worker that dies" in results[1].stderr
    assert [r.folder for r in results][0] == "ok" and results[0].stdout == "working on ok\n"
    assert results[-1].status == 2
    assert sorted(r.folder for r in seen) == sorted(r.folder for r in results)


def test_folders_named_twice_are_built_once_and_warnings_of_good_projects_are_shown(three: Path):
    idle = write_project(three / "idle", [{"id": "PM", "name": "Project manager"}, {"id": "DEV", "name": "Developer"},
                                          {"id": "QA", "name": "Tester"}],
                         {"01-work": {"phase": "Work", "activities": [
                             {"id": "W-1", "name": "Plan the work", "raci": {"PM": "A", "DEV": "R"}}]}})
    done = run("build", "good-1", "idle", "./good-1", "good-1/", "-f", "md", cwd=three)
    assert done.returncode == 0, done.stderr
    assert [line.split(":")[0] for line in done.stdout.splitlines()] == ["good-1", "idle", "built 2 of 2 projects"]
    # The idle role is a warning: the project builds, and says so, as `raci-gen build idle` would.
    warning = next(line for line in done.stderr.splitlines() if "[idle-role]" in line)
    assert warning.startswith(f"{Path('idle', 'roles', 'roles.yaml')}:")
    assert (idle / "output" / "raci-matrix.md").is_file()
    quiet = run("build", "good-1", "idle", "-f", "md", "-q", cwd=three)
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")


def _wait_for_the_other(folder: str) -> int:
    """``first`` finishes only once ``second`` has: the order results come in is the reverse of the folders'."""
    flag = Path(os.environ["RACI_TEST_FLAG"])
    if folder == "second":
        flag.write_text("done", encoding="utf-8")
        return 1
    for _ in range(6000):  # at most a minute, so that a broken pool cannot hang the tests
        if flag.exists():
            break
        time.sleep(0.01)
    return 0


def test_results_are_reported_in_the_order_of_the_folders(tmp_path: Path, monkeypatch):
    """Whichever worker finishes first, a run prints its projects in the order they were given."""
    monkeypatch.setenv("RACI_TEST_FLAG", str(tmp_path / "second-is-done"))
    seen = []
    results = batch.run_many(_wait_for_the_other, ["first", "second"], 2, on_result=seen.append)
    assert (tmp_path / "second-is-done").exists()
    assert [r.folder for r in seen] == [r.folder for r in results] == ["first", "second"]
    assert [r.status for r in results] == [0, 1]


def _after_the_largest(folder: str) -> int:
    """The small projects start only once the large one has: they wait for it."""
    started = Path(folder) / "started"
    if folder.endswith("large"):
        started.write_text("yes", encoding="utf-8")
        return 0
    for _ in range(3000):  # at most half a minute, so that a wrong order fails instead of hanging
        if (Path(folder).parent / "large" / "started").exists():
            return 0
        time.sleep(0.01)
    return 1


def test_the_largest_projects_start_first(tmp_path: Path):
    """Given last, the 40-activity project still starts first, and the results keep the folders' order."""
    small(tmp_path, "a-small")
    small(tmp_path, "b-small")
    write_project(tmp_path / "large", [{"id": "PM", "name": "Project manager"}, {"id": "DEV", "name": "Developer"}],
                  {"01-work": {"phase": "Work", "activities": [
                      {"id": f"W-{i}", "name": f"Step {i}", "raci": {"PM": "A", "DEV": "R"}} for i in range(40)]}})
    folders = [str(tmp_path / name) for name in ("a-small", "b-small", "large")]
    assert batch.input_size(folders[2]) > batch.input_size(folders[0]) > 0
    seen = []
    results = batch.run_many(_after_the_largest, folders, 2, on_result=seen.append)
    assert [r.status for r in results] == [0, 0, 0]
    assert [r.folder for r in seen] == folders


def test_distinct_folders(tmp_path: Path):
    (tmp_path / "a").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "a")
    assert batch.distinct([str(tmp_path / "a"), str(tmp_path / "b"), str(tmp_path / "a") + "/",
                           str(tmp_path / "link"), str(tmp_path / "." / "b")]) == [str(tmp_path / "a"),
                                                                                 str(tmp_path / "b")]


def test_worker_count():
    assert batch.worker_count(1) == 1
    assert batch.worker_count(12, 3) == 3
    assert batch.worker_count(2, 8) == 2


# --- a worker killed from outside -------------------------------------------------------------

linux = pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="finds the workers through /proc")


def _killed_on_victim(folder: str) -> int:
    """Kills its own worker (as the kernel's out-of-memory killer would) on ``victim``."""
    if folder == "victim":
        os.kill(os.getpid(), signal.SIGKILL)
    return 0


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forked workers")
def test_a_killed_worker_costs_its_own_folder_only():
    folders = ["a", "victim", "b", "c", "d", "e", "f"]
    seen = []
    results = batch.run_many(_killed_on_victim, folders, 2, on_result=seen.append)
    assert [r.folder for r in results] == [r.folder for r in seen] == folders
    assert [r.status for r in results] == [0, batch.LOST, 0, 0, 0, 0, 0]
    assert results[1].stderr == ("victim: error: the process working on this project was killed by signal 9 "
                                 "(SIGKILL; out of memory?); the other projects went on\n")


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(n) for n in task.read_text().split()]
        except OSError:  # the thread ended meanwhile
            pass
    return found


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command's name, from the state on; None when the process is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None


def _started(pid: int) -> tuple[int, int]:
    """When ``pid`` started (clock ticks since boot), then its number: the order the workers were forked in."""
    fields = _stat(pid)
    return (int(fields[19]) if fields else 1 << 62, pid)


def _cpu_ticks(pid: int) -> int:
    fields = _stat(pid)
    return int(fields[11]) + int(fields[12]) if fields else 0


@pytest.fixture()
def six(tmp_path: Path) -> Path:
    """``large`` (3,000 activities: its Markdown build takes a second or more, so its worker starts first and is
    still at work when killed) and five small projects."""
    steps = "".join(f"  - id: W-{i}\n    name: Step {i}\n    raci: {{PM: A, DEV: R}}\n" for i in range(3000))
    write_project(tmp_path / "large", [{"id": "PM", "name": "Project manager"}, {"id": "DEV", "name": "Developer"}],
                  {"01-work": "phase: Work\nactivities:\n" + steps})  # as text: dumping 3,000 takes seconds
    for name in "abcde":
        small(tmp_path, name)
    return tmp_path


@linux
def test_build_goes_on_when_a_worker_is_killed(six: Path):
    """`raci-gen build large a b c d e`: the worker building ``large`` is killed with SIGKILL while at work; the
    five others are built, ``large`` is reported killed, exit 4."""
    build = subprocess.Popen([sys.executable, "-m", "raci_gen", "build", "large", *"abcde", "-f", "md", "-j", "2"],
                             cwd=six, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and build.poll() is None:
            workers = sorted(_children(build.pid), key=_started)
            # The first worker forked took the largest project; once it has used some processor time it is at work.
            if workers and _cpu_ticks(workers[0]) * 1000 // os.sysconf("SC_CLK_TCK") >= 50:
                os.kill(workers[0], signal.SIGKILL)
                break
            time.sleep(0.005)
        else:
            pytest.fail("no worker was seen at work on the large project")
        out, err = build.communicate(timeout=120)
    finally:
        build.kill()
        build.wait()
    assert build.returncode == batch.LOST, err
    lines = err.splitlines()
    assert ("large: error: the process working on this project was killed by signal 9 (SIGKILL; out of memory?); "
            "the other projects went on") in lines
    assert any(line.startswith("large: failed, exit 4 (") for line in lines)
    assert lines[-1] == "built 5 of 6 projects; failed: large"
    assert [line.split(":")[0] for line in out.splitlines()] == list("abcde")
    for name in "abcde":
        assert "Plan the work" in (six / name / "output" / "raci-matrix.md").read_text(encoding="utf-8")
    assert not (six / "large" / "output").exists()
    assert "Traceback" not in err


@linux
def test_a_killed_build_leaves_no_worker(six: Path):
    """SIGKILL to raci-gen itself: its workers end with it, instead of waiting for work forever."""
    build = subprocess.Popen([sys.executable, "-m", "raci_gen", "build", "large", *"abcde", "-f", "md", "-j", "2"],
                             cwd=six, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while len(workers) < 2 and time.monotonic() < deadline and build.poll() is None:
            workers = _children(build.pid)
            time.sleep(0.005)
        assert len(workers) == 2, "the two workers were not seen"
    finally:
        build.kill()
        build.wait()
    try:
        deadline = time.monotonic() + 10  # SIGKILL takes effect soon, not at once; the large build takes longer
        while time.monotonic() < deadline and any((_stat(w) or ["Z"])[0] != "Z" for w in workers):
            time.sleep(0.05)
        assert all((_stat(w) or ["Z"])[0] == "Z" for w in workers), "a worker outlived the killed build"
    finally:
        for worker in workers:  # on the old code: they wait for work forever
            if (_stat(worker) or ["Z"])[0] != "Z":
                os.kill(worker, signal.SIGKILL)


@linux
def test_ctrl_c_is_one_line(six: Path):
    """Ctrl-C (SIGINT to the terminal's process group) while one worker builds and the other waits for work:
    `interrupted`, exit 130, no traceback from a worker, no process left."""
    build = subprocess.Popen([sys.executable, "-m", "raci_gen", "build", "large", *"abcde", "-f", "md", "-j", "2"],
                             cwd=six, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             start_new_session=True,  # a group of its own, as a terminal's command has
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # not ignored
    try:
        deadline = time.monotonic() + 60
        # The small projects built while the large one is not: one worker waits for work.
        while not all((six / name / "output" / "raci-matrix.md").exists() for name in "abcde"):
            assert time.monotonic() < deadline and build.poll() is None, build.communicate()
            time.sleep(0.005)
        os.killpg(build.pid, signal.SIGINT)
        out, err = build.communicate(timeout=60)
    finally:
        build.kill()
        build.wait()
    assert (build.returncode, err.splitlines()[-1]) == (130, "interrupted"), err
    assert "Traceback" not in err
    assert not (six / "large" / "output").exists()
    deadline = time.monotonic() + 10
    while _in_group(build.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _in_group(build.pid) == []


def _in_group(group: int) -> list[int]:
    """The live processes of process group ``group``."""
    found = []
    for entry in Path("/proc").iterdir():
        fields = _stat(int(entry.name)) if entry.name.isdigit() else None
        if fields and fields[0] != "Z" and int(fields[2]) == group:
            found.append(int(entry.name))
    return found

"""raci_gen.runtime.scratch: the folder a killed PDF build leaves in the temporary directory is removed by the next
build, and nothing else there is touched (another user's folder, a link, a file, a live build's folder, also
seen from another PID namespace)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

import pytest

import documentation
from conftest import run_in_process
from raci_gen.runtime import scratch

posix = pytest.mark.skipif(os.name != "posix" or not hasattr(os, "fork"), reason="forked parts and kill(pid, 0)")

KILLED_BUILD = textwrap.dedent("""
    import os, sys, time
    from raci_gen.writing import output
    from raci_gen.documents import pdf_parts

    ready, project, out, formats = sys.argv[1:]
    pdf_parts.PARTS_FROM = 10  # the example, laid out in parts
    pdf_parts.PART_CELLS = 100
    output._may_fork = lambda: True  # with md too, the PDF (and its folder) is made by the build's PDF child
    real = pdf_parts._lay_out

    def lay_out(*args):
        laid = real(*args)  # one part written to the scratch folder
        open(ready, "w").close()
        time.sleep(600)  # then wait to be killed
        return laid

    pdf_parts._lay_out = lay_out
    from raci_gen.cli import main
    sys.exit(main(["build", project, "-f", formats, "-o", out, "--no-lint"]))
""")


def _dead_pid() -> int:
    """The number of a process that has ended (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _locked(folder) -> bool:
    """Whether a process holds the lock of scratch folder ``folder`` (the build, its PDF child, a part worker)."""
    with open(os.path.join(folder, scratch.LOCK), "rb") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
    return False


def _ours(directory) -> list[str]:
    return sorted(name for name in os.listdir(directory) if name.startswith(scratch.PREFIX))


@posix
@pytest.mark.parametrize("formats", ["pdf", "md,pdf"])
def test_the_next_build_removes_what_a_killed_build_left(formats, tmp_path, repo_root, monkeypatch):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    ready = tmp_path / "ready"
    build = subprocess.Popen([sys.executable, "-c", KILLED_BUILD, str(ready), str(repo_root), str(tmp_path / "out"),
                              formats], env={**os.environ, "TMPDIR": str(temporary)}, start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while not ready.exists():  # not a timing: the build says when a part is written
            assert build.poll() is None, build.stderr.read().decode()
            time.sleep(0.05)
    finally:
        os.killpg(build.pid, signal.SIGKILL)  # the build, its PDF child and the part workers
        build.wait()
        build.stderr.close()
    left = _ours(temporary)
    assert len(left) == 1 and left[0].startswith(scratch.PREFIX)
    owner = int(scratch._LEFTOVER.match(left[0]).group(1))  # the build, or its PDF child
    while scratch._alive(owner) or _locked(temporary / left[0]):  # SIGKILL takes effect soon, not at once
        time.sleep(0.05)
    assert any(name.startswith("part-") for name in os.listdir(temporary / left[0]))

    # What is not ours to remove, beside it.
    dead = _dead_pid()
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "keep.txt").write_text("not yours\n")
    (temporary / f"{scratch.PREFIX}{dead}-linklink").symlink_to(target, target_is_directory=True)
    (temporary / f"{scratch.PREFIX}{dead}-filefile").write_text("a file\n")
    (temporary / f"{scratch.PREFIX}{os.getpid()}-livelive").mkdir()  # a build still running
    (temporary / f"{scratch.PREFIX}h4c506zq").mkdir()  # not our exact name: no process number
    (temporary / f"{scratch.PREFIX}{dead}-abcdefgh-more").mkdir()
    kept = [name for name in _ours(temporary) if name != left[0]]

    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    result = run_in_process("build", str(repo_root), "-f", "pdf", "-o", str(tmp_path / "next"), "--no-lint")
    assert result.returncode == 0, result.stderr
    assert _ours(temporary) == kept
    assert (target / "keep.txt").read_text() == "not yours\n"
    assert os.path.islink(temporary / f"{scratch.PREFIX}{dead}-linklink")


@posix
def test_another_users_folder_is_left_alone(tmp_path):
    name = f"{scratch.PREFIX}{_dead_pid()}-abcdefgh"
    (tmp_path / name).mkdir()
    (tmp_path / name / "part-0000-000000.pdf").write_bytes(b"%PDF-")
    (tmp_path / name / scratch.LOCK).write_bytes(b"")  # as a killed build leaves it: unlocked
    assert scratch.remove_leftovers(str(tmp_path), uid=os.getuid() + 1) == []  # as another user sees it
    assert (tmp_path / name / "part-0000-000000.pdf").exists()
    if os.getuid() == 0:  # root can make a folder truly someone else's
        os.chown(tmp_path / name, 12345, 12345)
        assert scratch.remove_leftovers(str(tmp_path)) == []
        assert (tmp_path / name).is_dir()
        os.chown(tmp_path / name, 0, 0)
    assert scratch.remove_leftovers(str(tmp_path)) == [name]
    assert not (tmp_path / name).exists()


@posix
def test_cleaning_never_fails(tmp_path):
    assert scratch.remove_leftovers(str(tmp_path / "missing")) == []
    (tmp_path / "a file").write_text("")
    assert scratch.remove_leftovers(str(tmp_path / "a file")) == []


def test_the_folder_is_named_after_its_process():
    with scratch.folder() as folder:
        name = os.path.basename(folder)
        assert scratch._LEFTOVER.match(name).group(1) == str(os.getpid())
        assert oct(os.stat(folder).st_mode & 0o777) == oct(0o700)
    assert not os.path.exists(folder)


# --- a live build's folder, seen from another PID namespace ------------------------------------

HOLDER = textwrap.dedent("""
    import sys, time
    from raci_gen.runtime import scratch

    with scratch.folder() as folder:  # as a build laying out a PDF holds it
        print(folder, flush=True)
        time.sleep(600)
""")


@pytest.fixture()
def live_folder(tmp_path):
    """A scratch folder in ``tmp_path`` that a live process (a build, as far as the folder tells) holds."""
    holder = subprocess.Popen([sys.executable, "-c", HOLDER], env={**os.environ, "TMPDIR": str(tmp_path)},
                              stdout=subprocess.PIPE, text=True)
    try:
        yield holder, holder.stdout.readline().strip()
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()


@posix
def test_a_folder_whose_lock_is_held_is_kept_whatever_its_name_says(tmp_path, live_folder):
    """The holder's number names no process here, as a build's in another PID namespace (a container sharing
    /tmp): its lock keeps its folder; once it is gone, the folder goes."""
    holder, made = live_folder
    name = f"{scratch.PREFIX}{_dead_pid()}-{os.path.basename(made)[-8:]}"
    os.rename(made, tmp_path / name)
    (tmp_path / name / "part-0000-000000.pdf").write_bytes(b"%PDF-")
    assert scratch.remove_leftovers(str(tmp_path), now=time.time() + 7 * 24 * 3600) == []
    assert (tmp_path / name / "part-0000-000000.pdf").exists()
    holder.kill()
    holder.wait()
    assert scratch.remove_leftovers(str(tmp_path)) == [name]
    assert not (tmp_path / name).exists()


unshare = shutil.which("unshare")


def _own_pid_namespace_works() -> bool:
    try:
        return subprocess.run([unshare, "--pid", "--fork", "--mount-proc", "true"], capture_output=True,
                              timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


@posix
@pytest.mark.skipif(not unshare or not _own_pid_namespace_works(), reason="needs unshare --pid (root, Linux)")
def test_a_cleanup_in_another_pid_namespace_keeps_a_live_builds_folder(tmp_path, live_folder):
    """The real thing: the cleanup runs in a PID namespace of its own, where the holder's number names no process."""
    holder, made = live_folder
    cleanup = [unshare, "--pid", "--fork", "--mount-proc", sys.executable, "-c",
               "import os, sys; from raci_gen.runtime import scratch; print(os.getpid(), scratch.remove_leftovers(sys.argv[1]))",
               str(tmp_path)]
    done = subprocess.run(cleanup, capture_output=True, text=True, timeout=60)
    assert done.stdout == "1 []\n", done.stderr  # in a namespace of its own, and nothing removed
    assert os.path.isfile(os.path.join(made, scratch.LOCK))
    holder.kill()
    holder.wait()
    done = subprocess.run(cleanup, capture_output=True, text=True, timeout=60)
    assert done.stdout == f"1 [{os.path.basename(made)!r}]\n", done.stderr


@posix
def test_a_folder_without_a_lock_goes_only_when_its_process_is_gone_and_it_is_old(tmp_path):
    """As an older raci-gen left it (or a build killed before it locked its folder): by its process and its age."""
    dead = tmp_path / f"{scratch.PREFIX}{_dead_pid()}-abcdefgh"
    live = tmp_path / f"{scratch.PREFIX}{os.getpid()}-livelive"
    for folder in (dead, live):
        folder.mkdir()
        (folder / "part-0000-000000.pdf").write_bytes(b"%PDF-")
    modified = dead.stat().st_mtime
    assert scratch.remove_leftovers(str(tmp_path), now=modified + scratch.UNLOCKED_AFTER - 60) == []
    assert scratch.remove_leftovers(str(tmp_path), now=modified + scratch.UNLOCKED_AFTER + 60) == [dead.name]
    assert not dead.exists() and live.is_dir()
    assert f"it has not changed for {scratch.UNLOCKED_AFTER // 3600} hours" in documentation.flat_text()


@posix
@pytest.mark.parametrize("kind", ["link", "fifo", "folder"])
def test_a_lock_that_is_not_a_regular_file_keeps_its_folder(tmp_path, kind):
    """Only a lock file raci-gen could have made lets a folder go: never one that is followed, or blocks."""
    outside = tmp_path / "outside"
    outside.write_text("not yours\n")
    folder = tmp_path / "tmp" / f"{scratch.PREFIX}{_dead_pid()}-abcdefgh"
    folder.mkdir(parents=True)
    lock = folder / scratch.LOCK
    {"link": lambda: lock.symlink_to(outside), "fifo": lambda: os.mkfifo(lock), "folder": lock.mkdir}[kind]()
    assert scratch.remove_leftovers(str(tmp_path / "tmp"), now=time.time() + 7 * 24 * 3600) == []
    assert folder.is_dir() and outside.read_text() == "not yours\n"

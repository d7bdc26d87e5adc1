"""raci_gen.runtime.confined: writes that stay beneath their folder, all or nothing."""

from __future__ import annotations

import os
import stat

import pytest

from raci_gen.runtime.confined import Write, confine, read_regular, write_all
from raci_gen.model.errors import EnvironmentFailure, RaciError


def leftovers(folder) -> list[str]:
    return sorted(name for name in os.listdir(folder) if name.startswith(".raci-gen-"))


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    (root / "output").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    return root


def refused(writes, replace=True) -> str:
    with pytest.raises(RaciError) as info:
        write_all(writes, replace)
    assert not isinstance(info.value, EnvironmentFailure)
    return str(info.value)


# --- which folder a path stays in ---------------------------------------------------------------------------------


def test_confine_keeps_project_paths_in_the_project_and_others_in_the_named_folder(tmp_path, project):
    assert confine(str(project / "output" / "x.md"), str(project)) == str(project)
    assert confine(str(project / "output" / "x.md"), str(project), str(project / "output")) == str(project)
    elsewhere = tmp_path / "elsewhere"
    assert confine(str(elsewhere / "x.md"), str(project), str(elsewhere)) == str(elsewhere)
    with pytest.raises(RaciError, match="leads outside the project folder"):
        confine(str(elsewhere / "x.md"), str(project))
    with pytest.raises(RaciError):  # lexically: a/../.. is outside, whatever a is
        confine(str(project / "output" / ".." / ".." / "x.md"), str(project))


# --- links --------------------------------------------------------------------------------------------------------


def test_a_link_to_a_file_outside_is_refused_and_the_file_untouched(tmp_path, project):
    secret = tmp_path / "outside" / "authorized_keys"
    secret.write_bytes(b"ssh-ed25519 AAAA key\n")
    (project / "output" / "raci-matrix.md").symlink_to(secret)
    message = refused([Write(str(project / "output" / "raci-matrix.md"), b"attacker line\n", str(project))])
    assert message.startswith(f"{project / 'output' / 'raci-matrix.md'}: error: a symbolic link on the way leads "
                              f"outside {project}")
    assert secret.read_bytes() == b"ssh-ed25519 AAAA key\n"
    assert os.path.islink(project / "output" / "raci-matrix.md")
    assert leftovers(project / "output") == []


def test_a_relative_link_climbing_out_is_refused(tmp_path, project):
    (project / "output" / "x.md").symlink_to("../../outside/x.md")
    (tmp_path / "outside" / "x.md").write_bytes(b"theirs")
    assert "leads outside" in refused([Write(str(project / "output" / "x.md"), b"new", str(project))])
    assert (tmp_path / "outside" / "x.md").read_bytes() == b"theirs"


def test_a_dangling_link_is_not_followed(tmp_path, project):
    (project / "output" / "x.md").symlink_to(tmp_path / "outside" / "new-file")
    (project / "output" / "y.md").symlink_to("missing-inside.md")
    for name, why in (("x.md", "leads outside"), ("y.md", "leads nowhere")):
        assert why in refused([Write(str(project / "output" / name), b"new", str(project))])
    assert os.listdir(tmp_path / "outside") == []
    assert not (project / "output" / "missing-inside.md").exists()


def test_a_linked_folder_leading_out_is_refused(tmp_path, project):
    (project / "output").rmdir()
    (project / "output").symlink_to(tmp_path / "outside", target_is_directory=True)
    assert "leads outside" in refused([Write(str(project / "output" / "x.md"), b"new", str(project))])
    assert os.listdir(tmp_path / "outside") == []


def test_links_that_stay_inside_are_followed(project):
    """A wiki checkout linked into the project: the page is updated where it lives, the link stays a link."""
    (project / "wiki").mkdir()
    (project / "wiki" / "Team.md").write_bytes(b"old")
    (project / "wiki" / "Team.md").chmod(0o600)
    (project / "docs").symlink_to("wiki", target_is_directory=True)
    (project / "output" / "Team.md").symlink_to(project / "wiki" / "Team.md")  # absolute, inside
    write_all([Write(str(project / "output" / "Team.md"), b"new", str(project))])
    assert (project / "wiki" / "Team.md").read_bytes() == b"new"
    assert stat.S_IMODE((project / "wiki" / "Team.md").stat().st_mode) == 0o600  # the page keeps its mode
    assert os.path.islink(project / "output" / "Team.md")
    write_all([Write(str(project / "docs" / "Team.md"), b"newer", str(project))])
    assert (project / "wiki" / "Team.md").read_bytes() == b"newer" and os.path.islink(project / "docs")


def test_a_link_loop_is_refused(project):
    (project / "output" / "a.md").symlink_to("b.md")
    (project / "output" / "b.md").symlink_to("a.md")
    assert "too many symbolic links" in refused([Write(str(project / "output" / "a.md"), b"x", str(project))])


def test_a_link_to_a_fifo_inside_is_refused(project):
    os.mkfifo(project / "output" / "pipe")
    (project / "output" / "x.md").symlink_to("pipe")
    assert "not a regular file" in refused([Write(str(project / "output" / "x.md"), b"x", str(project))])


def test_the_named_folder_may_itself_be_a_link(tmp_path):
    """--out LINK: the user's own path is followed; links inside it are held to it."""
    (tmp_path / "real").mkdir()
    (tmp_path / "named").symlink_to(tmp_path / "real", target_is_directory=True)
    write_all([Write(str(tmp_path / "named" / "x.md"), b"x", str(tmp_path / "named"))])
    assert (tmp_path / "real" / "x.md").read_bytes() == b"x"


# --- all or nothing -----------------------------------------------------------------------------------------------


def test_a_failure_at_the_last_file_puts_every_earlier_one_back(project):
    out = project / "output"
    (out / "a.md").write_bytes(b"old a")
    (out / "c.pdf").mkdir()  # a folder where the last file should go: the rename fails
    writes = [Write(str(out / "a.md"), b"new a", str(project)), Write(str(out / "b.xlsx"), b"new b", str(project)),
              Write(str(out / "sub" / "d.html"), b"new d", str(project)),
              Write(str(out / "c.pdf"), b"new c", str(project))]
    with pytest.raises(EnvironmentFailure) as info:
        write_all(writes)
    assert str(info.value) == f"{out / 'c.pdf'}: error: cannot write: Is a directory; no file was changed"
    assert (out / "a.md").read_bytes() == b"old a"
    assert not (out / "b.xlsx").exists() and not (out / "sub").exists()  # added files and folders go again
    assert (out / "c.pdf").is_dir() and leftovers(out) == []


def test_a_root_made_for_a_failed_write_is_removed(tmp_path):
    named = tmp_path / "new" / "folder"
    (tmp_path / "blocker").write_bytes(b"")
    with pytest.raises(EnvironmentFailure):
        write_all([Write(str(named / "x.md"), b"x", str(named)),
                   Write(str(tmp_path / "blocker" / "y.md"), b"y", str(tmp_path / "blocker"))])
    assert not (tmp_path / "new").exists()


def test_replace_false_never_overwrites_even_a_dangling_link(tmp_path):
    (tmp_path / "a").write_bytes(b"mine")
    (tmp_path / "b").symlink_to(tmp_path / "nowhere")
    for name in ("a", "b"):
        message = refused([Write(str(tmp_path / "new"), b"n", str(tmp_path)),
                           Write(str(tmp_path / name), b"x", str(tmp_path))], replace=False)
        assert "exists already" in message or "leads nowhere" in message
        assert not (tmp_path / "new").exists()
    assert (tmp_path / "a").read_bytes() == b"mine" and not (tmp_path / "nowhere").exists()
    write_all([Write(str(tmp_path / "c" / "new"), b"n", str(tmp_path))], replace=False)
    assert (tmp_path / "c" / "new").read_bytes() == b"n" and leftovers(tmp_path / "c") == []


# --- reading ------------------------------------------------------------------------------------------------------


def test_read_regular_refuses_fifos_folders_big_files_and_links_out(tmp_path, project):
    os.mkfifo(project / "pipe.md")  # opened, it would block until a writer comes
    (project / "folder.md").mkdir()
    (project / "big.md").write_bytes(b"x" * 101)
    (tmp_path / "outside" / "p.md").write_bytes(b"theirs")
    (project / "link.md").symlink_to(tmp_path / "outside" / "p.md")
    for name, expected in (("pipe.md", "page is not a regular file (a FIFO)"),
                           ("folder.md", "page is not a regular file (a folder)"),
                           ("big.md", "page is larger than"), ("link.md", "leads outside")):
        with pytest.raises(RaciError) as info:
            read_regular(str(project / name), str(project), 100, "page")
        assert str(info.value).startswith(f"{project / name}: error: "), info.value
        assert expected in str(info.value)
    assert read_regular(str(project / "big.md"), str(project), 101) == b"x" * 101
    with pytest.raises(FileNotFoundError):
        read_regular(str(project / "missing.md"), str(project), 100)


FLIPPER = """
import os, shutil, sys, time
project, outside = sys.argv[1], sys.argv[2]
output, parked = os.path.join(project, "output"), os.path.join(project, "parked")
while True:
    try:
        os.rename(output, parked)
    except OSError:
        continue
    try:
        os.symlink(outside, output)
    except OSError:
        pass
    time.sleep(0.0005)
    if os.path.islink(output):
        os.unlink(output)
    elif os.path.isdir(output):  # the writer made it while it was missing
        shutil.rmtree(output, ignore_errors=True)
    os.rename(parked, output)
    time.sleep(0.0005)
"""


def test_swapping_a_folder_for_a_link_while_writing_never_writes_outside(tmp_path, project):
    """An attacker racing the build from another process: output/ flips between a folder and a link outside.

    Whatever the interleaving, the descriptor walk writes inside the project or refuses; nothing lands outside.
    """
    import subprocess
    import sys
    import time

    outside = tmp_path / "outside"
    flipper = subprocess.Popen([sys.executable, "-c", FLIPPER, str(project), str(outside)])
    outcomes: dict[str, int] = {}
    try:
        time.sleep(0.3)  # let it start flipping
        for _ in range(300):
            try:
                write_all([Write(str(project / "output" / "x.md"), b"doc", str(project))])
                outcome = "written"
            except RaciError as exc:
                outcome = "refused" if "leads outside" in str(exc) else "failed"
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            assert os.listdir(outside) == [], outcomes
    finally:
        flipper.kill()
        flipper.wait()
    assert sum(outcomes.values()) == 300

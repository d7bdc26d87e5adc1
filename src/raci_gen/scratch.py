"""Scratch folders in the temporary directory, and the removal of those a killed build left behind.

A long PDF is laid out in parts, written to files in a folder of its own under the temporary
directory (:mod:`raci_gen.renderers.pdf_parts`). The folder is removed when the PDF is done or
fails; a build killed with SIGKILL (or by the kernel for want of memory) cannot remove it. So
the folder is named after the process that made it, ``raci-gen-pdf-PID-XXXXXXXX``, and every
build that makes a PDF first removes (:func:`remove_leftovers`) the folders of that name whose
process is gone.

The temporary directory is shared with other users and may hold anything, so only what is
surely ours is removed: a real folder (never a symbolic link, never followed), owned by this
user, whose name matches exactly, whose process no longer exists. A live process of that number,
whoever runs it, keeps its folder. Nothing here ever fails a build: what cannot be removed stays.
This module imports nothing of raci-gen.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile

PREFIX = "raci-gen-pdf-"
_LEFTOVER = re.compile(re.escape(PREFIX) + r"([1-9][0-9]{0,9})-[a-z0-9_]{8}\Z")
"""The exact name of a folder :func:`folder` makes: the prefix, the pid, and tempfile's eight characters."""


def folder() -> tempfile.TemporaryDirectory:
    """A new private folder (mode 0700) in the temporary directory, named after this process, removed
    when the ``with`` block ends."""
    return tempfile.TemporaryDirectory(prefix=f"{PREFIX}{os.getpid()}-")


def remove_leftovers(directory: str | None = None, uid: int | None = None) -> list[str]:
    """Remove the scratch folders in ``directory`` (the temporary directory) that belong to user ``uid`` (this
    one) and whose process is gone; the names removed. Whatever goes wrong, nothing is raised."""
    if os.name != "posix":  # os.kill(pid, 0) asks about a process only there
        return []
    removed = []
    try:
        directory = directory or tempfile.gettempdir()
        uid = os.getuid() if uid is None else uid
        parent = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except (OSError, AttributeError):
        return []
    try:
        with os.scandir(parent) as entries:
            names = [entry.name for entry in entries if _LEFTOVER.match(entry.name)]
        for name in names:
            try:
                found = os.stat(name, dir_fd=parent, follow_symlinks=False)
                if not stat.S_ISDIR(found.st_mode) or found.st_uid != uid:
                    continue  # a link, a file, someone else's folder: not ours to touch
                if _alive(int(_LEFTOVER.match(name).group(1))):
                    continue
                # rmtree refuses a link, and walks the folder through file descriptors, following no link in it.
                shutil.rmtree(os.path.join(directory, name))
                removed.append(name)
            except OSError:
                continue
    except OSError:
        pass
    finally:
        os.close(parent)
    return removed


def _alive(pid: int) -> bool:
    """Whether a process numbered ``pid`` exists (run by anyone): only a missing one lets its folder go."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):  # another user's process (EPERM), or a number no process has: keep
        return True
    try:  # on Linux, a zombie (killed, not yet reaped by its parent) works for nobody
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rpartition(b")")[2].split()[:1] != [b"Z"]
    except OSError:
        return True

"""Scratch folders in the temporary directory, and the removal of those a killed build left behind.

A long PDF is laid out in parts, written to files in a folder of its own under the temporary
directory (:mod:`raci_gen.documents.pdf_parts`). The folder is removed when the PDF is done or
fails; a build killed with SIGKILL (or by the kernel for want of memory) cannot remove it. So
every build that makes a PDF first removes (:func:`remove_leftovers`) the folders of dead builds.

Which build is dead is not a question for its process number: the temporary directory may be
shared by processes in other PID namespaces (containers, CI jobs), where a live build's number
names no process, or someone else's. So a build holds an exclusive lock (``flock``) on a file
in its folder, :data:`LOCK`, for as long as the folder is in use (its part workers, forked,
share it), and a folder is removed only when that lock can be taken at once: the kernel lets go
of it when the last process holding it ends, however it ends, and ``flock`` works across PID
namespaces on the same file system. A folder without that file (made by an older raci-gen, or
by a build killed between making its folder and locking it, or on a file system without
``flock``) goes only when the process it is named after (``raci-gen-pdf-PID-XXXXXXXX``) is gone
*and* it has not changed for :data:`UNLOCKED_AFTER`, longer than any build.

The temporary directory is shared with other users and may hold anything, so only what is
surely ours is removed: a real folder (never a symbolic link, never followed), owned by this
user, whose name matches exactly, holding a lock file that is a regular file or none. Nothing
here ever fails a build: what cannot be removed stays. This module imports nothing of raci-gen.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
import time

try:
    import fcntl
except ImportError:  # Windows: no flock; no cleanup there either (see remove_leftovers)
    fcntl = None

PREFIX = "raci-gen-pdf-"
_LEFTOVER = re.compile(re.escape(PREFIX) + r"([1-9][0-9]{0,9})-[a-z0-9_]{8}\Z")
"""The exact name of a folder :func:`folder` makes: the prefix, the pid, and tempfile's eight characters."""
LOCK = "lock"
"""The file in a scratch folder that its build holds locked while the folder is in use."""
UNLOCKED_AFTER = 24 * 3600
"""Seconds a folder without a lock file must have been left unchanged (and its process gone) to be removed:
well above any build's length."""


class folder:
    """A new private folder (mode 0700) in the temporary directory, named after this process and locked
    (:data:`LOCK`) as long as the ``with`` block runs, then removed; ``with`` gives its path."""

    def __init__(self) -> None:
        self.path = ""
        self._lock: int | None = None

    def __enter__(self) -> str:
        self.path = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-")
        self._lock = _hold(self.path)
        return self.path

    def __exit__(self, *exc_info) -> None:
        # Removed before the lock goes, so that no cleanup takes the folder of a live build; what cannot be
        # removed (a file made read-only, say) goes with the next build's cleanup, unlocked then.
        shutil.rmtree(self.path, ignore_errors=True)
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None


def _hold(path: str) -> int | None:
    """Lock a new file in ``path`` and name it :data:`LOCK`; the descriptor that holds the lock, or None
    where there is no ``flock`` (the folder then goes by its process and its age).

    Locked under another name first, so that a cleanup never finds :data:`LOCK` unlocked in a live
    build's folder. Not inherited by programs this process runs (close on exec); shared by the
    processes it forks, which are part of the build.
    """
    if fcntl is None:
        return None
    making = os.path.join(path, LOCK + ".new")
    try:
        descriptor = os.open(making, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError:
        return None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a new file: nobody else holds it
        os.rename(making, os.path.join(path, LOCK))
    except OSError:
        os.close(descriptor)
        return None
    return descriptor


def remove_leftovers(directory: str | None = None, uid: int | None = None, now: float | None = None) -> list[str]:
    """Remove the scratch folders in ``directory`` (the temporary directory) that belong to user ``uid`` (this
    one) and no live build uses (see the module's docstring); the names removed. ``now`` is the time to measure
    the age of an unlocked folder from. Whatever goes wrong, nothing is raised."""
    if os.name != "posix" or fcntl is None:  # os.kill(pid, 0) and flock work there only
        return []
    removed = []
    try:
        directory = directory or tempfile.gettempdir()
        uid = os.getuid() if uid is None else uid
        now = time.time() if now is None else now
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
                lock = _take_lock(parent, name)
                if lock is False:
                    continue  # a live build's, or a lock file that is not ours
                try:
                    if lock is None and (_alive(int(_LEFTOVER.match(name).group(1)))
                                         or now - found.st_mtime < UNLOCKED_AFTER):
                        continue
                    # rmtree refuses a link, and walks the folder through file descriptors, following no link in it.
                    shutil.rmtree(os.path.join(directory, name))
                    removed.append(name)
                finally:
                    if lock is not None:
                        os.close(lock)
            except OSError:
                continue
    except OSError:
        pass
    finally:
        os.close(parent)
    return removed


def _take_lock(parent: int, name: str) -> int | bool | None:
    """The lock of folder ``name`` in ``parent``, taken: its descriptor (a dead build's folder); False when
    it cannot be taken at once (a live build's) or is not a regular file; None when the folder has none."""
    try:
        inside = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=parent)
    except OSError:
        return False
    try:
        # Non-blocking: a FIFO put there opens at once, and is then refused as not a regular file. For writing:
        # NFS makes flock a POSIX lock, which wants that for an exclusive one.
        lock = os.open(LOCK, os.O_RDWR | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=inside)
    except FileNotFoundError:
        return None
    except OSError:  # a link, or no permission: keep
        return False
    finally:
        os.close(inside)
    try:
        if not stat.S_ISREG(os.fstat(lock).st_mode):
            raise OSError("not a lock file")
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # held by a live build (in any PID namespace): fails
    except OSError:
        os.close(lock)
        return False
    return lock


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

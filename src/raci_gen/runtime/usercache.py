"""raci-gen's private cache folder, ``$XDG_CACHE_HOME/raci-gen`` (``~/.cache/raci-gen``).

It holds ``templates/``: the built-in templates compiled to Python bytecode
(:mod:`raci_gen.documents.templating`), only to start faster, never needed; a project's own
templates are never cached.

What is read back from the folder is trusted (bytecode is code), so a folder is used only
when it is a real folder (not a link), owned by the user running raci-gen and writable by
nobody else; raci-gen makes its folders 0700. A folder that cannot be made or fails these
checks, and any error reading or writing an entry, means working without the cache, never
a failed command: the results are the same bytes either way. ``RACI_GEN_NO_CACHE=1`` turns
the cache off; deleting the folder is always safe.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile

ROOT_NAME = "raci-gen"
NO_CACHE = "RACI_GEN_NO_CACHE"
"""Environment variable: when set to anything but empty or 0, nothing is read from or written to the cache."""
MAX_ENTRIES = 2000
"""Entries a folder may hold before the older half is removed (each file version adds one)."""

_folders: dict[str, str | None] = {}


def folder(name: str) -> str | None:
    """The path of the cache's sub-folder ``name``, made if missing; None when there is no usable one."""
    if name not in _folders:
        _folders[name] = _usable_folder(name)
    return _folders[name]


def _usable_folder(name: str) -> str | None:
    if os.environ.get(NO_CACHE, "") not in ("", "0"):
        return None
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # the XDG rule: a relative path is ignored
        base = os.path.join(os.path.expanduser("~"), ".cache")
        if not os.path.isabs(base):  # no home folder
            return None
    top = os.path.join(base, ROOT_NAME)
    path = os.path.join(top, name)
    try:
        if not os.path.isdir(path):
            os.makedirs(base, mode=0o700, exist_ok=True)
            for each in (top, path):
                try:
                    os.mkdir(each, 0o700)
                except FileExistsError:
                    pass
        if not (_private(top) and _private(path)):
            return None
    except (OSError, ValueError):  # a read-only or missing home, a NUL byte in the variable...
        return None
    return path


def _private(path: str) -> bool:
    """Whether ``path`` is a folder (not a link) of ours that nobody else may write to."""
    info = os.lstat(path)
    return (stat.S_ISDIR(info.st_mode) and info.st_uid == os.geteuid()
            and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH))


def file_digest(*paths: str) -> str:
    """SHA-256 of the named files' bytes, to put raci-gen's own code into a cache key (a changed
    module, even at the same version number, then never meets entries made by the old one)."""
    digest = hashlib.sha256()
    for path in paths:
        with open(path, "rb") as fh:
            digest.update(fh.read())
        digest.update(b"\0")
    return digest.hexdigest()


def read(folder_path: str, name: str) -> bytes | None:
    """The bytes of entry ``name``, or None (absent, unreadable, not a plain file of ours)."""
    try:
        fd = os.open(os.path.join(folder_path, name), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
            return None
        with os.fdopen(fd, "rb") as fh:
            fd = -1
            return fh.read()
    except OSError:
        return None
    finally:
        if fd >= 0:
            os.close(fd)


def write(folder_path: str, name: str, data: bytes) -> None:
    """Store entry ``name`` whole or not at all (a temporary file renamed); errors are ignored."""
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(dir=folder_path, prefix=".tmp-")
        with os.fdopen(handle, "wb") as fh:
            fh.write(data)
        os.replace(temporary, os.path.join(folder_path, name))
        temporary = None
        _prune(folder_path)
    except OSError:
        pass
    finally:
        if temporary is not None:
            try:
                os.remove(temporary)
            except OSError:
                pass


def _prune(folder_path: str) -> None:
    """Keep the folder small: past MAX_ENTRIES entries, the older half goes."""
    names = os.listdir(folder_path)
    if len(names) <= MAX_ENTRIES:
        return
    aged = []
    for entry in names:
        try:
            aged.append((os.stat(os.path.join(folder_path, entry)).st_mtime_ns, entry))
        except OSError:
            pass
    for _, entry in sorted(aged)[: len(aged) // 2]:
        try:
            os.remove(os.path.join(folder_path, entry))
        except OSError:
            pass

"""Reading and writing files that stay beneath one folder, whatever symbolic links that folder holds.

A project folder is untrusted input: in CI it is whatever a pull request put there,
symbolic links included. ``output/raci-matrix.md -> ~/.ssh/authorized_keys`` must not
make a build write into the key file. Every file raci-gen writes (documents, injected
pages, schemas, the files of ``init``) therefore goes through :func:`write_all`, which
keeps each write beneath a *root*: the project folder, or a folder the user named on the
command line (:func:`confine` says which).

Paths are walked one component at a time from a file descriptor of the root, each folder
opened with ``O_NOFOLLOW`` relative to the one before (``openat``), so there is no window
between checking a path and using it. A symbolic link met on the way is followed only
while its target stays beneath the root (a wiki checkout linked into the project keeps
working); one that leads out, or leads nowhere (dangling), is refused with one line. The
last step is a ``rename`` inside the final folder, which replaces whatever is at the name
and never follows it.

:func:`write_all` is all or nothing: it writes and fsyncs a temporary file for every
target first, then renames them into place, keeping the file each one replaces as a hard
link until all are in place; if any step fails, the files replaced so far are put back and
the folders it made are removed, so the files are as they were before the call.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat
import time
from dataclasses import dataclass
from typing import Iterable

from raci_gen.model.errors import EnvironmentFailure, RaciError

MAX_LINKS = 40
"""Symbolic links followed for one path, as the kernel's own limit (ELOOP)."""
_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_NOT_FOLLOWED = (errno.ELOOP, errno.ENOTDIR, errno.EMLINK)  # what O_NOFOLLOW gives for a link (EMLINK on BSD)
_NO_HARD_LINKS = (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS)  # link() where there are none

TEMPORARY = re.compile(r"\.raci-gen-(?:(\d+)-)?[^/]*\.tmp")
"""Temporary files and backups :func:`write_all` makes: ``.raci-gen-PID-XXXXXXXX.tmp``."""
STALE_AFTER = 3600
"""Seconds after which a temporary file that names no process counts as left over."""


@dataclass(frozen=True)
class Write:
    """One file to write: ``path`` as the user sees it, its bytes, and the folder it must stay in."""

    path: str
    data: bytes
    root: str
    follow_link: bool = True
    """Whether a link at the path itself is followed (while it stays beneath the root): yes for a page
    that lives elsewhere (a wiki checkout linked in), no for a generated document, which has no reason to
    be a link and which a committed link would otherwise aim at another file of the project (raci.yaml,
    a CI configuration)."""
    create_only: bool = False
    """Whether the file must be new: one that is there (or appears meanwhile) is never replaced, the call
    fails and writes nothing, as with ``replace=False`` for this file alone (a new file of ``import --into``)."""
    expected: bytes | None = None
    """The bytes the file had when the new ones were made from them (a file ``import --into`` edits): if it
    holds others when it is about to be replaced (someone saved it meanwhile), the call fails and writes
    nothing rather than lose that edit."""


def confine(path: str, base: str, named: str | None = None) -> str:
    """The folder a write to ``path`` must stay in.

    ``base`` is the project folder (the current folder for commands that have none): a
    path inside it, as written, stays inside it, whatever links the project holds.
    ``named`` is the folder the user named on the command line for this path (``--out
    DIR``, ``schema DIR``, ``init DIR``, the folder of ``--inject PAGE``): a path outside
    the project stays inside that folder.
    """
    for folder in (base, os.path.realpath(base)):
        if _within(path, folder):
            return folder
    if named is not None and _within(path, named):
        return named
    raise RaciError(f"{path}: error: leads outside the project folder; not written")


def _within(path: str, folder: str) -> bool:
    path, folder = os.path.abspath(path), os.path.abspath(folder)
    return os.path.commonpath([path, folder]) == folder


def _parts(path: str, root: str) -> list[str]:
    relative = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    parts = [p for p in relative.split(os.sep) if p not in ("", ".")]
    if not parts or parts[0] == "..":
        raise RaciError(f"{path}: error: leads outside {root}; not written")
    return parts


class _Walk:
    """Open folders (by descriptor) beneath roots, and what was made on the way, for one call."""

    def __init__(self) -> None:
        self.descriptors: list[int] = []
        self.roots: dict[str, tuple[int, list[str]]] = {}
        self.made_roots: list[str] = []
        """Folders of a root that did not exist and were made with makedirs (paths the user named)."""
        self.made: list[tuple[int, str]] = []
        """Folders made beneath a root, as (descriptor of the parent, name), in the order made."""

    def close(self) -> None:
        for fd in reversed(self.descriptors):
            try:
                os.close(fd)
            except OSError:
                pass
        self.descriptors.clear()

    def root(self, root: str, create: bool) -> tuple[int, list[str]]:
        """A descriptor of ``root`` and its real path, split. The root itself is the user's, so links in it are followed."""
        if root not in self.roots:
            try:
                if create and not os.path.isdir(root):
                    missing, folder = [], os.path.abspath(root)
                    while not os.path.lexists(folder):
                        missing.append(folder)
                        folder = os.path.dirname(folder)
                    os.makedirs(root, exist_ok=True)
                    self.made_roots.extend(missing)  # deepest first
                fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            except OSError as exc:
                raise EnvironmentFailure(f"{root}: error: cannot write here: {exc.strerror}") from None
            self.descriptors.append(fd)
            self.roots[root] = (fd, [p for p in os.path.realpath(root).split(os.sep) if p])
        return self.roots[root]

    def locate(self, path: str, root: str, create: bool, doing: str,
               follow_link: bool = True) -> tuple[int, str, os.stat_result | None]:
        """The folder (descriptor) and name where ``path`` is, beneath ``root``, and what is there now.

        Folders on the way are made when ``create``. A link is followed only while it stays
        beneath the root; the last component is followed only to a regular file that exists.
        """
        root_fd, real_root = self.root(root, create)
        stack = [root_fd]
        queue = _parts(path, root)
        links = 0
        through_link = False

        def follow(folder: int, name: str) -> list[str]:
            nonlocal links, stack
            links += 1
            if links > MAX_LINKS:
                raise RaciError(f"{path}: error: too many symbolic links on the way; refusing to {doing} it")
            target = os.readlink(name, dir_fd=folder)
            parts = target.split("/")
            if target.startswith("/"):
                parts = [p for p in parts if p]
                if parts[: len(real_root)] != real_root:
                    raise RaciError(f"{path}: error: a symbolic link on the way leads outside {_shown(root)}; "
                                    f"refusing to {doing} through it")
                stack = [root_fd]
                parts = parts[len(real_root):]
            return [p for p in parts if p not in ("", ".")]

        while queue:
            name = queue.pop(0)
            if name == "..":
                if len(stack) == 1:
                    raise RaciError(f"{path}: error: a symbolic link on the way leads outside {_shown(root)}; "
                                    f"refusing to {doing} through it")
                stack.pop()
                if not queue:
                    raise RaciError(f"{path}: error: names a folder, not a file")
                continue
            if queue:  # a folder on the way
                try:
                    fd = os.open(name, _DIRECTORY, dir_fd=stack[-1])
                except FileNotFoundError:
                    if through_link:
                        raise RaciError(f"{path}: error: is a symbolic link that leads nowhere; "
                                        f"refusing to {doing} through it") from None
                    if not create:
                        raise
                    os.mkdir(name, 0o777, dir_fd=stack[-1])
                    self.made.append((stack[-1], name))
                    fd = os.open(name, _DIRECTORY, dir_fd=stack[-1])
                except OSError as exc:
                    if exc.errno not in _NOT_FOLLOWED or not _is_link(stack[-1], name):
                        raise
                    queue = follow(stack[-1], name) + queue
                    continue
                self.descriptors.append(fd)
                stack.append(fd)
                continue
            try:  # the file itself
                st = os.stat(name, dir_fd=stack[-1], follow_symlinks=False)
            except FileNotFoundError:
                if through_link:
                    raise RaciError(f"{path}: error: is a symbolic link that leads nowhere; "
                                    f"refusing to {doing} through it") from None
                return stack[-1], name, None
            if stat.S_ISLNK(st.st_mode):
                through_link, create = True, False  # a link is followed only to a file that is there
                queue = follow(stack[-1], name)
                if not queue:
                    raise RaciError(f"{path}: error: is a symbolic link to a folder, not a file")
                continue
            if through_link and not stat.S_ISREG(st.st_mode):
                raise RaciError(f"{path}: error: is a symbolic link to something that is not a regular file; "
                                f"refusing to {doing} through it")
            if through_link and not follow_link:
                raise RaciError(f"{path}: error: is a symbolic link to another file of the project; a generated "
                                f"document is written only as a file of its own, so remove the link "
                                f"(--inject updates a page that lives elsewhere)")
            return stack[-1], name, st
        raise RaciError(f"{path}: error: names a folder, not a file")  # pragma: no cover - _parts gives a name


def _shown(root: str) -> str:
    return "the current folder" if os.path.normpath(root) == "." else root


def _is_link(folder: int, name: str) -> bool:
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode)
    except OSError:
        return False


def read_regular(path: str, root: str, limit: int, what: str = "file", follow_link: bool = True) -> bytes:
    """The bytes of the regular file at ``path``, reached beneath ``root`` as :func:`write_all` would.

    With ``follow_link`` false, a link at ``path`` itself is refused even when it stays beneath
    ``root``, as a generated document is never written through one.

    Anything but a regular file (a FIFO, a device, a folder) is refused without being
    opened for long: the file is opened non-blocking and checked with fstat before a byte
    is read. A file over ``limit`` bytes is refused. FileNotFoundError and other OSErrors
    are left to the caller to word.
    """
    walk = _Walk()
    try:
        folder, name, st = walk.locate(path, root, create=False, doing="read", follow_link=follow_link)
        if st is None:
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), path)
        if not stat.S_ISREG(st.st_mode):
            raise RaciError(f"{path}: error: {what} is not a regular file ({_kind(st.st_mode)}); it is not read")
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=folder)
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode):  # swapped since the stat above
                raise RaciError(f"{path}: error: {what} is not a regular file ({_kind(st.st_mode)}); it is not read")
            data = fh.read(limit + 1)
        if len(data) > limit:
            raise RaciError(f"{path}: error: {what} is larger than {limit // (1024 * 1024)} MiB; it is not read")
        return data
    finally:
        walk.close()


def _kind(mode: int) -> str:
    for test, kind in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")):
        if test(mode):
            return kind
    return "not a file"


@dataclass
class _Placed:
    write: Write
    folder: int
    name: str
    temporary: str
    backup: str | None = None
    committed: bool = False


def write_all(writes: Iterable[Write], replace: bool = True) -> None:
    """Write every file, or none: each beneath its root, each atomically, the set as a whole.

    With ``replace=False`` an existing file (or link) at a target is never replaced: the
    call fails and writes nothing (``init``). Refusals (a link leading out, a dangling link,
    a file that exists) raise RaciError; what the machine refuses (disk full, read-only,
    permission, a folder in the way) raises EnvironmentFailure. Either way the files are as
    they were before the call.
    """
    walk = _Walk()
    placed: list[_Placed] = []
    cleaned: set[tuple[int, int]] = set()
    current = ""
    try:
        try:
            located = []
            for item in writes:  # every path first, so that a refusal comes before any file is touched
                current = item.path
                located.append((item, *walk.locate(item.path, item.root, create=True, doing="write",
                                                   follow_link=item.follow_link)))
            for item, folder, name, st in located:
                current = item.path
                where = os.fstat(folder)
                if (where.st_dev, where.st_ino) not in cleaned:
                    cleaned.add((where.st_dev, where.st_ino))
                    remove_stale_temporaries(folder)
                temporary, fd = _create_temporary(folder)
                placed.append(_Placed(item, folder, name, temporary))
                with os.fdopen(fd, "wb") as fh:
                    fh.write(item.data)
                    fh.flush()
                    if st is not None and stat.S_ISREG(st.st_mode):
                        os.fchmod(fh.fileno(), stat.S_IMODE(st.st_mode) & 0o777)  # the page keeps its mode
                    os.fsync(fh.fileno())
            for entry in placed:
                current = entry.write.path
                _commit(entry, replace and not entry.write.create_only)
        except OSError as exc:
            problems = _roll_back(placed, walk)
            raise EnvironmentFailure(_failure(current, exc, problems)) from None
        except BaseException:
            _roll_back(placed, walk)
            raise
        for entry in placed:  # all in place: the old files go
            if entry.backup:
                _unlink(entry.backup, entry.folder)
            if not replace or entry.write.create_only:
                _unlink(entry.temporary, entry.folder)
        for fd in {e.folder for e in placed}:
            try:
                os.fsync(fd)  # the renames themselves reach the disk
            except OSError:
                pass
    finally:
        walk.close()


def _fresh_name() -> str:
    return f".raci-gen-{os.getpid()}-{secrets.token_hex(4)}.tmp"


def _create_temporary(folder: int) -> tuple[str, int]:
    while True:
        name = _fresh_name()
        try:
            return name, os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666,
                                 dir_fd=folder)
        except FileExistsError:
            continue


def _commit(entry: _Placed, replace: bool) -> None:
    folder, name = entry.folder, entry.name
    if not replace:
        try:
            os.link(entry.temporary, name, src_dir_fd=folder, dst_dir_fd=folder, follow_symlinks=False)
        except FileExistsError:
            raise RaciError(f"{entry.write.path}: error: exists already; refusing to overwrite it") from None
        except OSError as exc:
            if exc.errno not in _NO_HARD_LINKS:
                raise
            # No hard links here (FAT, exFAT, some network shares): the name is taken with O_EXCL, which
            # fails where anything is, and the file renamed onto it (a reader may see it empty, briefly).
            try:
                os.close(os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666,
                                 dir_fd=folder))
            except FileExistsError:
                raise RaciError(f"{entry.write.path}: error: exists already; refusing to overwrite it") from None
            entry.committed = True  # from here a failure removes the name taken
            os.replace(entry.temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
            return
        entry.committed = True
        return
    if entry.write.expected is not None:
        _check_unchanged(entry)
    try:
        st = os.stat(name, dir_fd=folder, follow_symlinks=False)
    except FileNotFoundError:
        st = None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), entry.write.path)
        backup = _fresh_name()
        try:  # a second name for the old file, so that it can come back
            os.link(name, backup, src_dir_fd=folder, dst_dir_fd=folder, follow_symlinks=False)
        except OSError:  # no hard links here: move it aside instead (a reader may see it missing, briefly)
            os.rename(name, backup, src_dir_fd=folder, dst_dir_fd=folder)
        entry.backup = backup
    os.replace(entry.temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
    entry.committed = True


def _check_unchanged(entry: _Placed) -> None:
    """Refuse to replace a file that no longer holds the bytes its new bytes were made from. Checked just
    before the rename: what is left is the moment between this read and that rename."""
    expected = entry.write.expected
    try:
        fd = os.open(entry.name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=entry.folder)
    except FileNotFoundError:
        now = None
    else:
        with os.fdopen(fd, "rb") as fh:
            now = fh.read(len(expected) + 1)
    if now != expected:
        raise RaciError(f"{entry.write.path}: error: {'was removed' if now is None else 'changed'} since raci-gen "
                        "read it (saved by someone else meanwhile); nothing was written, so that edit is not "
                        "lost: run the command again")


def _roll_back(placed: list[_Placed], walk: _Walk) -> list[str]:
    """Put back what was replaced, remove what was added; the paths that could not be restored."""
    problems = []
    for entry in reversed(placed):
        folder, name = entry.folder, entry.name
        try:
            if entry.committed and entry.backup:
                os.replace(entry.backup, name, src_dir_fd=folder, dst_dir_fd=folder)
                entry.backup = None
            elif entry.committed:
                os.unlink(name, dir_fd=folder)
            elif entry.backup:  # moved aside, not yet replaced
                os.replace(entry.backup, name, src_dir_fd=folder, dst_dir_fd=folder)
                entry.backup = None
        except OSError:
            problems.append(entry.write.path)
        _unlink(entry.temporary, folder)
    for folder, name in reversed(walk.made):
        try:
            os.rmdir(name, dir_fd=folder)
        except OSError:
            pass
    for path in walk.made_roots:
        try:
            os.rmdir(path)
        except OSError:
            pass
    return problems


def _failure(path: str, exc: OSError, not_restored: list[str]) -> str:
    reason = exc.strerror or str(exc)
    if not_restored:
        return (f"{path}: error: cannot write: {reason}; and could not restore {', '.join(not_restored)}, "
                "which may now be half new")
    return f"{path}: error: cannot write: {reason}; no file was changed"


def _unlink(name: str, folder: int) -> None:
    try:
        os.unlink(name, dir_fd=folder)
    except OSError:
        pass


def remove_stale_temporaries(folder: str | int) -> list[str]:
    """Remove the temporary files that builds killed while writing left in ``folder``; return their names.

    ``folder`` is a path or an open descriptor. A build killed (SIGKILL, power cut)
    between creating its temporary file and renaming it leaves the file behind; the
    documents themselves are whole, old or new. A temporary file is left over when the
    process it names is gone (or, for one that names none, when it is older than
    STALE_AFTER); one whose process still runs belongs to a build writing now.
    """
    removed: list[str] = []
    try:
        fd = folder if isinstance(folder, int) else os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return removed
    try:
        names = os.listdir(fd)
    except OSError:
        names = []
    try:
        for name in names:
            match = TEMPORARY.fullmatch(name)
            if not match:
                continue
            try:
                info = os.stat(name, dir_fd=fd, follow_symlinks=False)
            except OSError:
                continue
            if not stat.S_ISREG(info.st_mode):
                continue
            if match.group(1) is not None:
                if _running(int(match.group(1))):
                    continue
            elif time.time() - info.st_mtime < STALE_AFTER:
                continue
            try:
                os.unlink(name, dir_fd=fd)
            except OSError:
                continue
            removed.append(name)
    finally:
        if not isinstance(folder, int):
            os.close(fd)
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # not ours to signal: it runs
        return True
    return True

"""A project as it is in a git revision, read without touching the working tree or the index.

:func:`load_revision` reads the project's YAML files as they are in a revision (``git ls-tree`` and ``git cat-file
--batch``, one bounded file at a time, through :mod:`raci_gen.input.gitrepo`) into a temporary folder and loads them.
Paths in the problems read as if the project had been loaded from ``project_dir`` (``roles/x.yaml`` when it is the
current folder): every :class:`~raci_gen.model.matrix.Location` that starts with the temporary folder is rewritten,
so the temporary path never reaches the user. ``raci-gen diff`` (:mod:`raci_gen.documents.diff`) compares two.
"""

from __future__ import annotations

import dataclasses
import os
import posixpath
import re
import tempfile
from typing import TypeVar

from raci_gen.input import gitrepo
from raci_gen.model.errors import InputError, Problem, RaciError
from raci_gen.model.matrix import Location, Project

T = TypeVar("T")

NO_GIT = "git is not installed; it is needed to read revisions (give two project folders instead)"
MAX_REVISION = 256
"""Longest revision raci-gen hands to git (branch names, tags, ``HEAD~3``, ``main@{yesterday}``...)."""
MAX_REVISION_FILES = 10_000
"""Most YAML files raci-gen reads from one revision."""
MAX_REVISION_BYTES = 64 * 1024 * 1024
"""Most bytes of YAML raci-gen copies out of one revision (twice what the loader accepts of a project's inputs,
so that other YAML files in the project folder fit too). A pull request's revision is made by its author: 10,000
files of 2 MiB that are one blob in git are a few KiB to push and were 20 GB in memory and in the scratch folder."""
YAML_SUFFIXES = (".yaml", ".yml")


def check_revision(rev: str) -> None:
    """Refuse a revision git should not even see: too long, empty, an option, or with control characters."""
    if len(rev) > MAX_REVISION:
        raise RaciError(f"a revision of {len(rev):,} characters is not a git revision raci-gen reads "
                        f"(at most {MAX_REVISION})")
    if not rev or rev.startswith("-") or any(ord(c) < 0x20 or ord(c) == 0x7F for c in rev):
        raise RaciError(f"{rev!r} is neither a project folder nor a git revision")


def load_revision(rev: str, project_dir: str = ".") -> Project:
    """The project in ``project_dir`` as it is in git revision ``rev``.

    Reads only the YAML files of the project's tree in ``rev`` (``git ls-tree``, then
    ``git cat-file --batch``, one file at a time), so a large file elsewhere in the folder
    costs nothing; a YAML file over the loader's size limit is not read but stands in for
    itself as an empty file of its size, so the loader refuses it as it would on disk. A
    symbolic link is kept when it stays inside the project, and refused when it leads
    outside. Locations read as if loaded from ``project_dir``; ``Project.root`` is
    ``REV:PATH`` (git's name for the folder), as the temporary folder is gone when this
    returns.
    """
    check_revision(rev)
    neither = f"{rev!r} is neither a project folder nor a git revision"
    if not os.path.isdir(project_dir):
        raise RaciError(f"{neither} (project folder {project_dir!r} not found)")
    try:
        repository = gitrepo.find_repository(project_dir)
    except gitrepo.NotARepository:
        raise RaciError(f"{neither} ({os.path.normpath(project_dir)!r} is not in a git repository)") from None
    except OSError:
        raise RaciError(NO_GIT) from None
    top = repository.work_tree
    rel = os.path.relpath(os.path.realpath(project_dir), top)
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):  # pragma: no cover - git says it is inside
        raise RaciError(f"{project_dir!r} is not inside the git repository at {top}")
    rel = "" if rel == os.curdir else rel.replace(os.sep, "/")
    tree = _git(repository, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{tree}}")
    if tree is None:
        raise RaciError(neither)
    tree = tree.decode().strip()
    where = f"{rev}:{rel}"
    subtree = _git(repository, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{tree}:{rel}") \
        if rel else tree.encode()
    if subtree is None or _git(repository, "cat-file", "-t", subtree.decode().strip()) != b"tree\n":
        raise RaciError(f"the project folder {rel!r} does not exist in revision {rev!r}")

    from raci_gen.input.loader import load_project

    shown_root = os.path.normpath(project_dir)
    with tempfile.TemporaryDirectory(prefix="raci-gen-diff-") as tmp:
        _extract_yaml(repository, subtree.decode().strip(), tmp, rev, shown_root)
        try:
            project = load_project(tmp)
        except InputError as exc:
            raise in_revision(_relocated_error(exc, tmp, shown_root), rev) from None
    project = _relocate(project, tmp, shown_root)
    return dataclasses.replace(project, root=where,
                               sources=tuple(_shown(s, tmp, shown_root) for s in project.sources))


def _extract_yaml(repository: gitrepo.GitRepository, tree: str, tmp: str, rev: str, shown_root: str) -> None:
    """Write the YAML files (and links) of git tree ``tree`` under the folder ``tmp``."""
    from raci_gen.input.yamlsource import MAX_FILE_BYTES

    listing = _git(repository, "ls-tree", "-r", "-z", "--long", "--end-of-options", tree)
    if listing is None:  # pragma: no cover - the tree exists, so git can list it
        raise RaciError(f"git ls-tree failed for revision {rev!r}")
    wanted: list[tuple[str, str, str]] = []  # (object id, path, mode) of blobs to read
    copied = 0  # their bytes, counted from the listing before any is read
    links: list[tuple[str, str]] = []
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, _, raw_path = entry.partition(b"\t")
        mode, kind, oid, size = meta.split()
        path = raw_path.decode("utf-8", "surrogateescape")
        if kind != b"blob":
            continue
        target = os.path.join(tmp, *path.split("/"))
        if mode == b"120000":  # any link: it may name a folder of YAML files
            links.append((oid.decode(), path))
        elif not path.lower().endswith(YAML_SUFFIXES):
            continue
        elif int(size) > MAX_FILE_BYTES:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as placeholder:  # sparse: the loader refuses it by its size alone
                placeholder.truncate(int(size))
        else:
            wanted.append((oid.decode(), path, mode.decode()))
            copied += int(size)
            if copied > MAX_REVISION_BYTES:
                raise RaciError(f"revision {rev!r} holds more than {MAX_REVISION_BYTES // (1024 * 1024)} MiB of YAML "
                                f"files in the project folder ({copied:,} bytes by "
                                f"{os.path.normpath(os.path.join(shown_root, path))}); raci-gen reads at most that "
                                "much of a revision")
        if len(wanted) + len(links) > MAX_REVISION_FILES:
            raise RaciError(f"revision {rev!r} has more than {MAX_REVISION_FILES:,} YAML files in the project "
                            "folder; raci-gen reads at most that many")
    blobs = _cat_blobs(repository, [oid for oid, _, _ in wanted] + [oid for oid, _ in links], MAX_FILE_BYTES)
    for oid, path, _mode in wanted:
        target = os.path.join(tmp, *path.split("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as out:
            out.write(blobs.pop(oid, b"") if oid in blobs else b"")
    for oid, path in links:
        link_target = blobs.get(oid, b"").decode("utf-8", "surrogateescape")
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), link_target))
        if posixpath.isabs(link_target) or resolved == ".." or resolved.startswith("../"):
            member = os.path.normpath(os.path.join(shown_root, path))
            raise RaciError(f"revision {rev!r}: {member} is not read: it is a link that leads outside the project "
                            "or an absolute path")
        target = os.path.join(tmp, *path.split("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        os.symlink(link_target, target)


def _cat_blobs(repository: gitrepo.GitRepository, oids: list[str], limit: int) -> dict[str, bytes]:
    """The content of each blob as stored, read one after the other from ``git cat-file --batch`` (each at most
    ``limit``): no filter or textconv runs."""
    if not oids:
        return {}
    try:
        process = repository.start("cat-file", "--batch")
    except OSError:  # pragma: no cover - git ran a moment ago
        raise RaciError(NO_GIT) from None
    found: dict[str, bytes] = {}
    try:
        assert process.stdin is not None and process.stdout is not None
        for oid in dict.fromkeys(oids):
            process.stdin.write(oid.encode("ascii") + b"\n")
            process.stdin.flush()
            header = process.stdout.readline().split()
            if len(header) != 3 or header[1] == b"missing":  # pragma: no cover - ls-tree just listed it
                continue
            size = int(header[2])
            if size > limit:  # pragma: no cover - sizes were checked on the listing
                raise RaciError(f"a file of {size:,} bytes in the revision is over the limit of {limit:,}")
            found[oid] = process.stdout.read(size)
            process.stdout.read(1)  # the newline after each object
    finally:
        if process.stdin:
            process.stdin.close()
        process.wait()
    return found


def _git(repository: gitrepo.GitRepository, *args: str) -> bytes | None:
    """git's standard output, or None when git fails."""
    try:
        return repository.run(*args)
    except OSError:
        raise RaciError(NO_GIT) from None


def _shown(path: str, tmp: str, shown_root: str) -> str:
    """``path`` under the temporary folder ``tmp`` as it would read under ``shown_root``."""
    if path == tmp:
        return shown_root
    if path.startswith(tmp + os.sep):
        return os.path.normpath(os.path.join(shown_root, path[len(tmp) + 1:]))
    return path


def _relocate(obj: T, tmp: str, shown_root: str) -> T:
    """``obj`` (frozen dataclasses and tuples of them) with every Location under ``tmp`` moved to ``shown_root``."""
    if isinstance(obj, Location):
        file = _shown(obj.file, tmp, shown_root)
        return obj if file == obj.file else dataclasses.replace(obj, file=file)
    if isinstance(obj, tuple):
        items = tuple(_relocate(item, tmp, shown_root) for item in obj)
        return obj if all(a is b for a, b in zip(items, obj)) else items  # type: ignore[return-value]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        changes = {}
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            moved = _relocate(value, tmp, shown_root)
            if moved is not value:
                changes[f.name] = moved
        return dataclasses.replace(obj, **changes) if changes else obj
    return obj


def _relocated_error(exc: InputError, tmp: str, shown_root: str) -> InputError:
    """The loader's problems with the temporary folder taken out of locations and messages."""
    pattern = re.compile(re.escape(tmp) + r"(?:" + re.escape(os.sep) + r"[^\s'\":]*)?")
    return InputError([Problem(_relocate(p.location, tmp, shown_root),
                               pattern.sub(lambda m: _shown(m.group(0), tmp, shown_root), p.message))
                       for p in exc.problems])


def in_revision(exc: InputError, rev: str) -> InputError:
    return InputError([Problem(p.location, f"{p.message} (in revision {rev})") for p in exc.problems])

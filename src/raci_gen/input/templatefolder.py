"""The project's templates folder: what a template may name, and a bounded walk of the folder.

A project's templates come with the pull request, and the documents they make are published
(the Action uploads them). So a template reads templates and nothing else: files of its own
folder, by a plain relative name, never anything hidden or of a version-control folder (the CI
token that ``actions/checkout`` persists lives in ``.git/config``), never through a symbolic link
that leaves the folder, and only files whose suffix says they are templates. The folder itself
cannot be the project folder, nor be in a version-control folder (checked by the loader, which
calls :func:`folder_problems`; the renderers read through :func:`template_name_refusal` and
:mod:`raci_gen.runtime.confined`).

Walking the folder (the loader's checks, the templates' digest in every document's stamp) is
bounded in depth, in entries and in bytes, without recursion: a tree 1,100 folders deep is one
line, not a ``RecursionError``.
"""

from __future__ import annotations

import functools
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from raci_gen.input import filenames
from raci_gen.model.errors import Problem, RaciError
from raci_gen.model.matrix import Location

MAX_DEPTH = 16
"""Folders within folders beneath the templates folder."""
MAX_ENTRIES = 1_000
"""Files and folders beneath the templates folder, all levels together."""
MAX_FILE_BYTES = 1024 * 1024
"""Largest file in the templates folder (the built-in templates are 14 KiB at most)."""
MAX_FOLDER_BYTES = 16 * 1024 * 1024
"""Largest sum of the sizes of the templates folder's files."""

TEMPLATE_SUFFIXES = (".j2", ".jinja", ".jinja2", ".html", ".htm", ".css", ".md", ".txt", ".svg")
"""What the name of a file a template includes, imports or extends ends in (case-insensitive)."""
VCS_FOLDERS = frozenset({".git", ".hg", ".svn", ".bzr", "_darcs", "cvs"})
"""Folders of version-control systems (compared ignoring case, as macOS and Windows open them)."""


BUILT_IN_NAMES = ("raci.md.j2", "raci.html.j2", "raci.css")
"""The built-in templates, which a project's file of the same name replaces."""


@functools.cache
def built_in_folder() -> str:
    """Where the built-in templates are: packaged in the wheel (``raci_gen/templates``), or the top-level
    ``templates/`` of a source checkout (an editable install), the folder they are kept in."""
    # The package's own folder from this file, not importlib.resources.files, which imports zipfile on every run
    # (tests/test_usercache.py holds a Markdown build to what it uses); the same folder for an installed package.
    package = Path(__file__).resolve().parents[1]
    packaged = package / "templates"
    checkout = package.parents[1] / "templates"
    for folder in (packaged, checkout):
        if all((folder / name).is_file() for name in BUILT_IN_NAMES):
            return str(folder.resolve())
    raise RaciError("the built-in templates are missing from this installation; reinstall raci-gen")


def built_in_bytes(name: str) -> bytes:
    """The bytes of the built-in template ``name`` (one of :data:`BUILT_IN_NAMES`), read at each call: in a
    checkout they are the example's templates, which ``raci-gen serve`` may see edited (15 KiB at most)."""
    with open(os.path.join(built_in_folder(), name), "rb") as fh:
        return fh.read()


def is_built_in(name: str, data: bytes) -> bool:
    """Whether a project's template file named ``name`` in its templates folder, holding ``data``, is the
    built-in template of that name: same name, same bytes. Such a file is the built-in set, not the project's
    own (no sandbox timer, no one-piece PDF, the built-in's digest in the stamps): the repository's top, whose
    templates folder is where the built-in templates are kept, and a copy from ``raci-gen init --templates``
    left as it came, build the documents the built-in templates build, byte for byte."""
    return name in BUILT_IN_NAMES and data == built_in_bytes(name)


def _figure(n: int) -> str:
    return f"{n:,}"


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):g} MiB"


def template_name_refusal(name: str) -> str | None:
    """Why a template may not include, import or extend ``name``; None when the name is allowed.

    Names are paths relative to the templates folder, with ``/`` between folders. A name that
    passes may still not exist there (then the built-in template of that name is used, if any).
    """
    if "\\" in name:
        return "a template is named by its path in the templates folder with '/' between folders, not '\\'"
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in name):
        return "the name holds a control character"
    if name.startswith("/"):
        return "the name is an absolute path; a template names files of the templates folder, relative to it"
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if not parts:
        return "the name is empty"
    if ".." in parts:
        return "the name goes up ('..') out of the templates folder; a template reads only files inside it"
    for part in parts:
        if part.casefold() in VCS_FOLDERS:
            return f"the name passes through {part!r}, a version-control folder, which a template never reads"
        if part.startswith("."):
            return f"the name passes through {part!r}, a hidden file or folder, which a template never reads"
    if len(parts) - 1 > MAX_DEPTH:
        return f"the name is {len(parts) - 1} folders deep; the limit is {MAX_DEPTH}"
    if not parts[-1].casefold().endswith(TEMPLATE_SUFFIXES):
        return f"not a template file: a template reads only files ending in {', '.join(TEMPLATE_SUFFIXES)}"
    return None


def template_parts(name: str) -> list[str]:
    """The folders and file of an allowed template name (see :func:`template_name_refusal`)."""
    return [p for p in name.split("/") if p not in ("", ".")]


@dataclass(frozen=True)
class Entry:
    """One file or folder beneath the templates folder."""

    path: str
    """The templates folder's path joined with :attr:`relative`."""
    relative: str
    """Its path in the templates folder, with ``/`` between folders."""
    is_link: bool
    is_folder: bool
    """A folder that the walk went into (never a link to one)."""


@dataclass
class Walk:
    """What :func:`walk` found, and where it stopped when the folder is over a limit."""

    entries: list[Entry]
    over: tuple[str, str] | None = None
    """(path, why) of the first entry beyond :data:`MAX_DEPTH` or :data:`MAX_ENTRIES`."""


def walk(folder: str) -> Walk:
    """Every file and folder beneath ``folder``, in name order, each folder before what it holds.

    Links to folders are listed but not gone into (so no cycle), and the walk stops at the first
    entry beyond :data:`MAX_DEPTH` folders or :data:`MAX_ENTRIES` entries: an explicit stack, so the
    depth of the tree costs no Python recursion. Folders that cannot be read are passed over.
    """
    found: list[Entry] = []
    pending: list[tuple[str, str, int]] = [(folder, "", 0)]  # (path, relative, depth)
    while pending:
        path, relative, depth = pending.pop()
        try:
            with os.scandir(path) as listing:
                children = sorted(listing, key=lambda e: e.name)
        except OSError:
            continue
        below: list[tuple[str, str, int]] = []
        for child in children:
            child_relative = f"{relative}/{child.name}" if relative else child.name
            if len(found) >= MAX_ENTRIES:
                return Walk(found, (child.path, f"the templates folder holds more than {_figure(MAX_ENTRIES)} files "
                                                f"and folders; the limit is {_figure(MAX_ENTRIES)}"))
            try:
                is_link = child.is_symlink()
                is_folder = not is_link and child.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_folder and depth + 1 > MAX_DEPTH:
                return Walk(found, (child.path, f"folder more than {MAX_DEPTH} folders deep in the templates "
                                                f"folder; the limit is {MAX_DEPTH}"))
            found.append(Entry(child.path, child_relative, is_link, is_folder))
            if is_folder:
                below.append((child.path, child_relative, depth + 1))
        pending.extend(reversed(below))
    return Walk(found)


def holds_only_built_in(folder: str) -> bool:
    """Whether the templates folder ``folder`` is there and is the built-in set: the folder the built-in
    templates are kept in (the repository's top), or one that holds nothing but unchanged copies of them
    (:func:`is_built_in`; no subfolder, no link, no other file), as ``init --templates`` leaves it."""
    try:
        if not os.path.isdir(folder):
            return False
        if os.path.realpath(folder) == built_in_folder():
            return True
    except (OSError, ValueError):
        return False
    found = walk(folder)
    if found.over is not None:
        return False
    for entry in found.entries:
        if entry.is_folder or entry.is_link or entry.relative not in BUILT_IN_NAMES:
            return False
        expected = built_in_bytes(entry.relative)
        try:  # never through a link, and a FIFO does not hold the build
            fd = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            return False
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_size != len(expected):
                return False
            with os.fdopen(os.dup(fd), "rb") as fh:
                if fh.read(len(expected) + 1) != expected:
                    return False
        except OSError:
            return False
        finally:
            os.close(fd)
    return True


def _within(real: str, real_folder: str) -> bool:
    return os.path.commonpath([real_folder, real]) == real_folder


def setting_problem(root: str, path: str) -> str | None:
    """Why the templates folder ``path`` (inside the project folder ``root``) is refused; None if it is not.

    The project folder itself holds ``.git`` (and, in CI, whatever else the runner leaves in the
    workspace); a version-control folder holds its credentials.
    """
    real_root = os.path.realpath(root)
    real = os.path.realpath(path)
    if real == real_root:
        return ("the templates folder is the project folder itself, which holds .git and the runner's files; "
                "keep templates in a folder of their own (templates/)")
    vcs = vcs_folder_on_the_way(root, path)
    if vcs is not None:
        return f"the templates folder is in {vcs!r}, a version-control folder; keep templates in templates/"
    return None


def vcs_folder_on_the_way(root: str, path: str) -> str | None:
    """The version-control folder (:data:`VCS_FOLDERS`: ``.git`` and the like) that ``path`` is in, its
    symbolic links resolved, below the project folder ``root``; None when there is none. Such a folder holds the
    CI token (``.git/config``) and the hooks git runs (``.git/hooks``): raci-gen neither reads nor writes there."""
    try:
        relative = os.path.relpath(os.path.realpath(path), os.path.realpath(root))
    except (ValueError, OSError):
        return None
    return next((part for part in relative.split(os.sep) if part.casefold() in VCS_FOLDERS), None)


def folder_problems(folder: str, outside_project: str, project_root: str) -> list[Problem]:
    """What is wrong beneath the templates ``folder`` (a folder inside ``project_root``): more than the
    walk's limits, a symbolic link that leads outside the project (worded ``outside_project``) or outside
    the templates folder, a file over :data:`MAX_FILE_BYTES`, more than :data:`MAX_FOLDER_BYTES` in all.
    Locations are the paths, normalized, at line 1, column 1."""
    found = walk(folder)
    problems: list[Problem] = []
    real_root, real_folder = os.path.realpath(project_root), os.path.realpath(folder)
    total = 0
    for entry in found.entries:
        undecodable = filenames.not_utf8(entry.relative.rpartition("/")[2])  # a folder's files: the folder's name
        if undecodable is not None:
            problems.append(Problem(Location(os.path.normpath(os.path.join(os.path.dirname(entry.path),
                                                                           undecodable))), filenames.NOT_UTF8))
            continue
        where = Location(os.path.normpath(entry.path))
        if entry.is_link:
            try:
                real = os.path.realpath(entry.path)
            except (ValueError, OSError):
                continue
            if not _within(real, real_root):
                problems.append(Problem(where, outside_project))
                continue
            if not _within(real, real_folder):
                problems.append(Problem(where, "symbolic link leads outside the templates folder; it is not read "
                                               "(a template reads only the templates folder's own files)"))
                continue
        if entry.is_folder:
            continue
        try:
            st = os.stat(entry.path)
        except (ValueError, OSError):
            continue
        if not stat.S_ISREG(st.st_mode):
            continue
        if st.st_size > MAX_FILE_BYTES:
            problems.append(Problem(where, f"file of {_figure(st.st_size)} bytes in the templates folder; "
                                           f"the limit is {_mib(MAX_FILE_BYTES)} a file"))
        total += st.st_size
    if total > MAX_FOLDER_BYTES:
        problems.append(Problem(Location(os.path.normpath(folder)),
                                f"the templates folder's files hold {_figure(total)} bytes; "
                                f"the limit is {_mib(MAX_FOLDER_BYTES)} in all"))
    if found.over is not None:
        problems.append(Problem(Location(os.path.normpath(found.over[0])), found.over[1]))
    return problems

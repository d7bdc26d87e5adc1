"""Find the project a command is run in, as black, ruff and pre-commit find their configuration.

A folder is a project when it holds a ``raci.yaml`` file, or both a ``roles/`` and an
``activities/`` folder. From a starting folder that is not one, the search walks up
through its parents to the nearest project, and stops without one:

* at the top of a git (or Mercurial) working tree: a folder holding ``.git`` or ``.hg``
  is the last one looked at, so a project outside the repository is never picked up;
* where the parent lies on another filesystem (a mount point), as git does;
* at the filesystem root.

The walk follows the path as given (``..`` of a folder reached through a symbolic link
is the folder the user sees, not the link's target), and the root it returns reads from
the current folder the way the start did: relative in, relative out (``../..``), so
every path printed from it stays one a user can click from where they stand.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Sequence

CONFIG_NAME = "raci.yaml"
"""Also files.CONFIG_NAME; kept here so that discovery needs nothing but os."""
INPUT_FOLDERS = ("roles", "activities")
REPOSITORY_MARKERS = (".git", ".hg")


@dataclass(frozen=True)
class Discovered:
    root: str
    """The project folder to load: ``start`` itself, or the nearest project above it."""
    moved: bool
    """True when ``root`` is not ``start``: the command should say which root it uses."""


def is_project(folder: str) -> bool:
    """Whether ``folder`` holds a raci.yaml file, or both a roles/ and an activities/ folder."""
    try:
        if os.path.isfile(os.path.join(folder, CONFIG_NAME)):
            return True
        return all(os.path.isdir(os.path.join(folder, name)) for name in INPUT_FOLDERS)
    except (OSError, ValueError):
        return False


def find_project(start: str = ".") -> Discovered:
    """The project for a command started in ``start`` (see the module docstring).

    When no project is found, ``start`` is returned unchanged, so the loader reports
    what is missing there, where the user asked.
    """
    if is_project(start) or not _is_dir(start):
        return Discovered(start, False)
    absolute = os.path.abspath(start)
    folder = absolute
    while True:
        if _is_repository_top(folder):
            return Discovered(start, False)
        parent = os.path.dirname(folder)
        if parent == folder or not _same_filesystem(folder, parent):
            return Discovered(start, False)
        folder = parent
        if is_project(folder):
            return Discovered(_as_given(folder, start), True)


def project_of(path: str) -> str | None:
    """The project a file (or folder) belongs to: the nearest project folder holding it, found as
    :func:`find_project` finds one from the file's folder; None when there is none (a ``roles/``
    folder of another tool, say). A path that does not exist (a file the commit deletes) is looked
    up from its nearest folder that does."""
    folder = os.path.dirname(os.path.normpath(path)) if not _is_dir(path) else path
    while folder and not _is_dir(folder):
        folder = os.path.dirname(folder)
    found = find_project(folder or ".")
    return found.root if is_project(found.root) else None


def projects_of(paths: Sequence[str]) -> list[str]:
    """The projects of ``paths`` (see :func:`project_of`), each once, in the order of their first file;
    paths that belong to no project are left out."""
    folders: dict[str, None] = {}
    of_folder: dict[str, str | None] = {}  # pre-commit --all-files gives every file: each folder is walked once
    for path in paths:
        if _is_dir(path):
            folder = project_of(path)
        else:
            parent = os.path.dirname(os.path.normpath(path))
            if parent not in of_folder:
                of_folder[parent] = project_of(path)
            folder = of_folder[parent]
        if folder is not None:
            folders.setdefault(os.path.normpath(folder))
    return distinct(list(folders))


BELOW_DEPTH = 4
"""How deep below a folder :func:`projects_below` looks for projects (``docs/teams/raci`` is 3)."""
BELOW_FOLDERS = 2000
"""How many folders it looks into at most: a home folder or a large monorepo is not walked whole."""


def projects_below(start: str, depth: int = BELOW_DEPTH, most: int = BELOW_FOLDERS) -> list[str]:
    """Project folders below ``start`` (not ``start`` itself), as paths from the current folder, in
    sorted order: at most ``depth`` levels down and ``most`` folders looked into, hidden folders
    (``.git``, ``.venv``) and symbolic links skipped, and none looked for inside a project found."""
    found: list[str] = []
    queue = [(start, 0)]
    looked = 0
    while queue and looked < most:
        folder, level = queue.pop(0)
        looked += 1
        try:
            with os.scandir(folder) as entries:
                children = sorted(e.name for e in entries
                                  if not e.name.startswith(".") and e.is_dir(follow_symlinks=False))
        except (OSError, ValueError):
            continue
        for name in children:
            child = os.path.normpath(os.path.join(folder, name))
            if is_project(child):
                found.append(child)
            elif level + 1 < depth:
                queue.append((child, level + 1))
    return sorted(found)


def no_project_here(start: str) -> str | None:
    """What to say when ``start`` is no project and none is above it (None when there is one, or
    when ``start`` holds part of one: the loader then says which part is missing)."""
    if find_project(start).moved or is_project(start) or not _is_dir(start):
        return None
    if any(os.path.lexists(os.path.join(start, name)) for name in INPUT_FOLDERS):
        return None
    below = projects_below(start)
    if below:
        shown = ", ".join(below[:5]) + (f" and {len(below) - 5} more" if len(below) > 5 else "")
        way_out = f"give a project folder found below: {shown}"
    else:
        way_out = f"start one with `raci-gen init {start}`"
    return (f"no raci-gen project in {start} or above (no {CONFIG_NAME}, nor {'/ and '.join(INPUT_FOLDERS)}/); "
            + way_out)


def _as_given(found: str, start: str) -> str:
    """``found`` written the way ``start`` was: absolute, or relative to the current folder."""
    if os.path.isabs(start):
        return found
    return os.path.relpath(found)


def _is_dir(path: str) -> bool:
    try:
        return os.path.isdir(path)
    except (OSError, ValueError):
        return False


def _is_repository_top(folder: str) -> bool:
    return any(os.path.lexists(os.path.join(folder, marker)) for marker in REPOSITORY_MARKERS)


def _same_filesystem(a: str, b: str) -> bool:
    try:
        return os.stat(a).st_dev == os.stat(b).st_dev
    except OSError:
        return False


def distinct(folders: Sequence[str]) -> list[str]:
    """``folders`` without repeats, in their order: a folder named twice, by any spelling (``a``, ``a/``,
    ``./a``, a link to it), is one project (two builds of one project at once would write the same files;
    a portfolio would count it twice)."""
    seen: set[str] = set()
    kept = []
    for folder in folders:
        real = os.path.realpath(folder)
        if real not in seen:
            seen.add(real)
            kept.append(folder)
    return kept

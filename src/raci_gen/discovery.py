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
"""Also loader.CONFIG_NAME; kept here so that discovery needs nothing but os."""
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

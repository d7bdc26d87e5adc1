"""Which input files a project has, and reading one: the YAML files behind raci.yaml's ``roles:`` and
``activities:`` (a file, or a folder's ``*.yaml`` and ``*.yml``), kept inside the project and out of
version-control folders; their count and their sizes held to :mod:`.limits` before any is read; and one file read,
added to the project's digest and parsed with positions.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from raci_gen.input import filenames, templatefolder
from raci_gen.input.limits import MAX_INPUT_BYTES, MAX_PHASES, MAX_ROLE_FILES
from raci_gen.input.yamlsource import MAX_FILE_BYTES, Located, SlowParse, parse, read_text
from raci_gen.model.errors import Problem
from raci_gen.model.matrix import Location

if TYPE_CHECKING:
    import hashlib

CONFIG_NAME = "raci.yaml"
YAML_SUFFIXES = (".yaml", ".yml")
OUTSIDE_LINK = "symbolic link leads outside the project folder; it is not read"


def inside_project(root: str, path: str) -> bool:
    """Whether ``path``, symbolic links resolved, is within the folder ``root``.

    Raises ValueError or OSError for a path that cannot be resolved (a NUL byte, say).
    """
    real_root = os.path.realpath(root)
    return os.path.commonpath([real_root, os.path.realpath(path)]) == real_root


def input_files(root: str, configured: str, what: str, config: Located | None,
                problems: list[Problem]) -> list[tuple[str, str]]:
    """The YAML files behind a `roles:` or `activities:` setting, as (real path, shown path).

    Problems point at the setting in raci.yaml when it is there, else at the path.
    """
    path = os.path.join(root, configured)
    shown = os.path.normpath(path)
    setting = config.at((what,)) if config is not None and isinstance(config.data, dict) \
        and what in config.data else None
    where = setting or Location(shown)
    try:
        inside = inside_project(root, path)
        is_file = os.path.isfile(path)
        is_dir = os.path.isdir(path)
    except (ValueError, OSError):  # a NUL byte, or an unreadable path
        problems.append(Problem(where, f"the {what} path {configured!r} is not a usable path"))
        return []
    if not inside:
        how = "through a symbolic link" if os.path.islink(path) or not setting else repr(configured)
        problems.append(Problem(where, f"the {what} path leads outside the project folder ({how}); "
                                       "keep inputs inside the project"))
        return []
    vcs = templatefolder.vcs_folder_on_the_way(root, path)
    if vcs is not None:
        problems.append(Problem(where, f"the {what} path leads into {vcs!r}, a version-control folder, which "
                                       "raci-gen never reads; keep inputs in a folder of their own"))
        return []
    if is_file:
        return [(path, shown)]
    if not is_dir:
        if setting:
            problems.append(Problem(where, f"{what} folder {shown!r} not found; create it with *.yaml files "
                                           f"or correct '{what}:'"))
        else:
            problems.append(Problem(where, f"{what} folder not found; create {shown}/ with *.yaml files "
                                           f"or set '{what}:' in {CONFIG_NAME}"))
        return []
    try:
        names = sorted(os.listdir(path))
    except OSError as exc:
        problems.append(Problem(where, f"cannot read the {what} folder {shown!r}: {exc.strerror}"))
        return []
    files = []
    for name in names:
        full = os.path.join(path, name)
        if not name.endswith(YAML_SUFFIXES) or name.startswith("."):
            continue
        undecodable = filenames.not_utf8(name)
        if undecodable is not None:
            problems.append(Problem(Location(os.path.join(shown, undecodable)), filenames.NOT_UTF8))
            continue
        if leads_outside(root, full):
            problems.append(Problem(Location(os.path.join(shown, name)), OUTSIDE_LINK))
            continue
        vcs = templatefolder.vcs_folder_on_the_way(root, full)
        if vcs is not None:  # a link to .git/config: its token would be parsed, and quoted in errors
            problems.append(Problem(Location(os.path.join(shown, name)),
                                    f"symbolic link leads into {vcs!r}, a version-control folder; it is not read"))
            continue
        if os.path.isfile(full):
            files.append((full, os.path.join(shown, name)))
    if not files:
        problems.append(Problem(where, f"no *.yaml files in the {what} folder {shown!r}"))
    return files


def limit_problem(config: list[tuple[str, str]], role_files: list[tuple[str, str]],
                  activity_files: list[tuple[str, str]]) -> Problem | None:
    """The problem with the input files as a whole, found before any of them is read (``config`` is raci.yaml,
    already read, as (real path, shown path), or nothing): too many phases, too many role files, or too many
    bytes in all; None when they are within :mod:`.limits`."""
    if len(activity_files) > MAX_PHASES:
        # Refused before the files are read: reading 20,000 of them would take longer than any build.
        return Problem(Location(activity_files[MAX_PHASES][1], 1, 1),
                       f"more than {MAX_PHASES:,} phases (activity files; this is file "
                       f"{MAX_PHASES + 1:,} of {len(activity_files):,}); the limit is {MAX_PHASES:,}")
    if len(role_files) > MAX_ROLE_FILES:
        # Refused before the files are read, as the phases are.
        return Problem(Location(role_files[MAX_ROLE_FILES][1], 1, 1),
                       f"more than {MAX_ROLE_FILES:,} role files (this is file {MAX_ROLE_FILES + 1:,} "
                       f"of {len(role_files):,}); the limit is {MAX_ROLE_FILES:,}")
    return _over_input_budget(config, role_files + activity_files)


def _over_input_budget(read: list[tuple[str, str]], unread: list[tuple[str, str]]) -> Problem | None:
    """The problem at the first input file whose size brings the sum past MAX_INPUT_BYTES (raci.yaml, already
    read, first), found by their sizes before any other is read; None when they are within it."""
    total = 0
    for path, shown in read + unread:
        try:
            size = os.stat(path).st_size
        except OSError:
            continue  # reading it says why
        if size > MAX_FILE_BYTES:
            continue  # refused on its own, by its size, and never read
        total += size
        if total > MAX_INPUT_BYTES:
            return Problem(Location(shown, 1, 1),
                           f"the input files (raci.yaml, roles and activities) hold more than "
                           f"{MAX_INPUT_BYTES // (1024 * 1024)} MiB: {total:,} bytes with this file, of "
                           f"{len(read + unread):,} files; the limit is {MAX_INPUT_BYTES:,} bytes in all")
    return None


def leads_outside(root: str, path: str) -> bool:
    """Whether ``path`` is (or passes through) a symbolic link to somewhere outside ``root``."""
    try:
        return os.path.islink(path) and not inside_project(root, path)
    except (ValueError, OSError):
        return False


def parse_file(path: str, shown: str, digest: "hashlib._Hash | None" = None,
               slow: SlowParse | None = None) -> Located:
    """The file parsed; what the parser refused around readable data is in ``Located.problems``."""
    text = read_text(path, shown)
    if digest is not None:
        digest.update(os.path.basename(path).encode("utf-8") + b"\0" + text.encode("utf-8") + b"\0")
    return parse(text, shown, keep_going=True, slow=slow)

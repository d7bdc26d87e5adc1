"""The git repository a project folder is in, and the one way raci-gen runs git in it.

raci-gen asks git two things: the date and the state of a project's inputs (``status`` and ``log``, for the
document's date) and the project's YAML files as they are in a revision (``rev-parse``, ``ls-tree`` and
``cat-file``, for ``diff``). The project folder comes with pull requests, so nothing in it may choose what
git runs or which repository it reads:

* The repository is found by walking up from the project folder (its real path) to the first folder with a
  ``.git`` entry, as git does but without git's other rule, that a folder which looks like a bare repository
  (``HEAD``, ``config``, ``objects/``, ``refs/``) is one: those are ordinary names a commit may carry, and a
  ``config`` among them could set ``core.fsmonitor`` to any command. A commit cannot carry ``.git`` (git refuses
  to check out such a path), so a ``.git`` entry was made by git (clone, init, ``worktree add``, a submodule).
  git is then asked, from that folder only (``GIT_CEILING_DIRECTORIES``), which repository it is, so that its
  own checks (a repository owned by someone else, ``safe.directory``) still apply; a repository that is not
  that ``.git`` (or the folder a ``.git`` file names), or whose files lie in the work tree, is not used.
  Every command then names the repository and its work tree (``--git-dir``, ``--work-tree``).
* The ``.gitattributes`` of a commit choose filter drivers (``filter=lfs``) whose commands the user's or the
  repository's configuration defines, and ``git status`` runs a file's clean filter when its timestamps do not
  settle it. Every filter driver configured is switched off for raci-gen's commands; so are fsmonitor, hooks,
  signature checks in ``log``, external diff and textconv, pagers, credential helpers and prompts.
  ``cat-file`` reads objects as stored (no ``--filters``, no ``--textconv``).
* Pathspecs are literal (``--literal-pathspecs``): a folder named ``:(exclude)x`` or ``*`` is that folder.

The environment a git hook gives raci-gen (``GIT_DIR``, ``GIT_INDEX_FILE``, ...) describes the repository of
the commit being made, which may not be the project's: the repository-choosing variables are dropped, and
``GIT_INDEX_FILE`` is kept only when it names a file of the repository found. The user's own configuration
(``~/.gitconfig``, ``GIT_CONFIG_*``) is kept, as it is the user's, but for what is switched off above.

Nothing here imports the rest of raci-gen.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass

DROPPED_VARIABLES = frozenset({
    "GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_SHALLOW_FILE", "GIT_PREFIX",
    "GIT_CEILING_DIRECTORIES", "GIT_DISCOVERY_ACROSS_FILESYSTEM", "GIT_EXTERNAL_DIFF", "GIT_PAGER",
    "GIT_ASKPASS", "SSH_ASKPASS", "GIT_LITERAL_PATHSPECS", "GIT_GLOB_PATHSPECS", "GIT_NOGLOB_PATHSPECS",
    "GIT_ICASE_PATHSPECS",
})
"""Variables of the calling environment git never sees from raci-gen: they would choose another repository,
index or object store than the one found from the project folder, a command to run, or other pathspecs
(git refuses ``GIT_GLOB_PATHSPECS`` with ``--literal-pathspecs``)."""

SWITCHED_OFF = (
    "core.fsmonitor=false",          # a command git runs to learn which files changed
    f"core.hooksPath={os.devnull}",  # none of raci-gen's commands runs a hook; none could if one did
    "core.pager=cat",
    "core.askPass=",
    "credential.helper=",            # an empty value clears the list of helpers
    "diff.external=",
    "log.showSignature=false",       # would run gpg.program on every commit log reads
    "safe.bareRepository=explicit",  # git 2.38 and later: never a bare repository git found by itself
)
"""Configuration given on every git command line (``-c``), after and above every configuration file."""

FILTER_KEYS = ("clean", "smudge", "process")


class NotARepository(Exception):
    """The folder is not in a git work tree raci-gen reads (or git refused, failed or took too long to say)."""


@dataclass(frozen=True)
class GitRepository:
    """A git repository and its work tree, as raci-gen runs git in them."""

    git_dir: str
    """The repository's files (real path): ``TOP/.git``, or where a ``.git`` file points (worktree, submodule)."""
    work_tree: str
    """The top of the work tree (real path): the folder holding ``.git``."""
    filters: tuple[str, ...] = ()
    """The filter drivers the configuration defines, each switched off on every command."""
    index_file: str | None = None
    """The calling hook's ``GIT_INDEX_FILE``, kept when it is a file of this repository."""

    def command(self, *args: str) -> list[str]:
        """The git command line for ``args`` in this repository, with everything above switched off."""
        config = list(SWITCHED_OFF)
        for name in self.filters:
            config += [f"filter.{name}.{key}=" for key in FILTER_KEYS] + [f"filter.{name}.required=false"]
        return ["git", "--no-pager", "--literal-pathspecs", f"--git-dir={self.git_dir}",
                f"--work-tree={self.work_tree}", *_options(config), *args]

    def environment(self) -> dict[str, str]:
        env = git_environment()
        if self.index_file is not None:
            env["GIT_INDEX_FILE"] = self.index_file
        return env

    def run(self, *args: str, timeout: float | None = None) -> bytes | None:
        """git's standard output for ``args``, or None when git fails (a revision that is not there, ...).

        Raises OSError when git cannot be run and subprocess.TimeoutExpired after ``timeout`` seconds.
        """
        done = subprocess.run(self.command(*args), cwd=self.work_tree, env=self.environment(),
                              stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout, check=False)
        return done.stdout if done.returncode == 0 else None

    def start(self, *args: str) -> subprocess.Popen:
        """git running ``args`` with pipes to its standard input and output (``cat-file --batch``)."""
        return subprocess.Popen(self.command(*args), cwd=self.work_tree, env=self.environment(),
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def pathspec(self, folder: str, path: str) -> str:
        """``path``, relative to ``folder`` (in the work tree), as a path relative to the top of the work tree."""
        inside = os.path.relpath(os.path.realpath(folder), self.work_tree)
        joined = os.path.normpath(os.path.join(inside, path))
        return joined.replace(os.sep, "/")


def _options(config: list[str]) -> list[str]:
    return [part for setting in config for part in ("-c", setting)]


def git_environment() -> dict[str, str]:
    """The calling environment without :data:`DROPPED_VARIABLES`, git's output in plain English, no prompt,
    no pager, no optional lock (a ``status`` does not rewrite the index)."""
    env = {name: value for name, value in os.environ.items() if name not in DROPPED_VARIABLES}
    env.update({"GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "LC_ALL": "C"})
    return env


def work_tree_top(folder: str) -> str | None:
    """The nearest folder at or above ``folder`` (real path) that holds a ``.git`` entry, or None.

    Stops where git stops: at a folder named in ``GIT_CEILING_DIRECTORIES`` (not looked into) and, unless
    ``GIT_DISCOVERY_ACROSS_FILESYSTEM`` is true, where the parent is on another file system.
    """
    here = os.path.realpath(folder)
    ceilings = {os.path.realpath(entry) for entry in os.environ.get("GIT_CEILING_DIRECTORIES", "").split(os.pathsep)
                if os.path.isabs(entry)}
    across = os.environ.get("GIT_DISCOVERY_ACROSS_FILESYSTEM", "").strip().lower() in ("1", "true", "yes", "on")
    try:
        device = os.stat(here).st_dev
    except OSError:
        return None
    while True:
        if os.path.lexists(os.path.join(here, ".git")):
            return here
        parent = os.path.dirname(here)
        if parent == here or parent in ceilings:
            return None
        try:
            if not across and os.stat(parent).st_dev != device:
                return None
        except OSError:
            return None
        here = parent


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def find_repository(folder: str, timeout: float | None = None) -> GitRepository:
    """The git repository whose work tree holds ``folder``, found only through a ``.git`` entry.

    Raises :class:`NotARepository` when there is none, git refuses it (another owner) or names another
    repository, OSError when git cannot be run, subprocess.TimeoutExpired after ``timeout`` seconds.
    """
    top = work_tree_top(folder)
    if top is None:
        raise NotARepository(f"{folder} is not in a git work tree")
    env = git_environment()
    parent = os.path.dirname(top)
    env["GIT_CEILING_DIRECTORIES"] = parent if parent != top else ""
    ask = ["git", "--no-pager", *_options(list(SWITCHED_OFF)), "rev-parse", "--absolute-git-dir",
           "--show-toplevel"]
    done = subprocess.run(ask, cwd=top, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout,
                          check=False)
    lines = done.stdout.decode("utf-8", "surrogateescape").splitlines()
    if done.returncode != 0 or len(lines) != 2:
        raise NotARepository(f"git does not read {top} as a work tree")
    git_dir, toplevel = (os.path.realpath(line) for line in lines)
    dot_git = os.path.join(top, ".git")
    if toplevel != top:
        raise NotARepository(f"the repository of {top} has its work tree at {toplevel}")
    # The repository is the folder .git itself, or lies outside the work tree: a .git file (or link) that
    # names a folder of the work tree names files a commit could have put there.
    if git_dir != dot_git and _inside(git_dir, top):
        raise NotARepository(f"the repository of {top} is in its work tree, at {git_dir}")
    if os.path.isdir(dot_git) and git_dir != os.path.realpath(dot_git):  # git fell back on something else
        raise NotARepository(f"git reads {git_dir} as the repository of {top}, not {dot_git}")
    return GitRepository(git_dir, top, _filter_drivers(git_dir, top, env, timeout), _hook_index(git_dir))


def _filter_drivers(git_dir: str, top: str, env: dict[str, str], timeout: float | None) -> tuple[str, ...]:
    """The names of the filter drivers the configuration (system, user, repository, command line) defines.

    A name with ``=`` in it cannot be switched off with ``-c``: such a repository is not used.
    """
    ask = ["git", "--no-pager", f"--git-dir={git_dir}", f"--work-tree={top}", *_options(list(SWITCHED_OFF)),
           "config", "--null", "--name-only", "--get-regexp", r"^filter\."]
    done = subprocess.run(ask, cwd=top, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout,
                          check=False)
    if done.returncode not in (0, 1):  # 1: no such key
        raise NotARepository(f"git cannot read the configuration of {git_dir}")
    names = []
    for key in done.stdout.decode("utf-8", "surrogateescape").split("\0"):
        name, dot, _setting = key[len("filter."):].rpartition(".")
        if not key or not dot:
            continue
        if "=" in name or "\n" in name:
            raise NotARepository(f"the filter driver {name!r} cannot be switched off")
        names.append(name)
    return tuple(dict.fromkeys(names))


def _hook_index(git_dir: str) -> str | None:
    """The calling git hook's ``GIT_INDEX_FILE`` (relative to the folder the hook runs in), when it is a file
    of the repository ``git_dir``: the index of the commit being made. Another repository's index is not ours."""
    index = os.environ.get("GIT_INDEX_FILE")
    if not index:
        return None
    index = os.path.realpath(index)
    return index if _inside(index, git_dir) and index != git_dir else None

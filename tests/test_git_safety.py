"""git runs nothing a project carries (raci_gen.input.gitrepo): the repository is found through a real ``.git``, never
through files a commit planted in the project folder, and no filter, fsmonitor or hook the project's files
choose runs, for the date (build, build --check, portfolio) and for diff.

Real git and real ``raci-gen`` processes. Every process gets a HOME of its own (its ~/.gitconfig) and no system
git configuration; SOURCE_DATE_EPOCH is unset, so that the date comes from git.
"""

from __future__ import annotations

import datetime as _dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import write_project

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

BIN = os.path.dirname(sys.executable)
COMMITTED = "2024-03-05"
ROLES = [{"id": "R1", "name": "One"}, {"id": "R2", "name": "Two"}]
CELL_BEFORE, CELL_AFTER = "R2: C", "R2: I"
ACTIVITIES = {"01": f"phase: P\nactivities:\n  - id: A-1\n    name: a\n    raci:\n      R1: A/R\n      {CELL_BEFORE}\n"}


def environment(home: Path, **extra: str) -> dict[str, str]:
    """The environment of every process here: no GIT_* of the caller's, a HOME of its own, no system config."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") and k != "SOURCE_DATE_EPOCH"}
    env.update({"PATH": BIN + os.pathsep + os.environ.get("PATH", ""), "HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1",
                "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_AUTHOR_DATE": f"{COMMITTED}T10:11:12+00:00",
                "GIT_COMMITTER_DATE": f"{COMMITTED}T10:11:12+00:00", **extra})
    return env


class Workspace:
    """A temporary HOME, a marker file no command may create, and helpers to run git and raci-gen."""

    def __init__(self, tmp_path: Path):
        self.tmp = tmp_path
        self.home = tmp_path / "home"
        self.home.mkdir()
        self.marker = tmp_path / "ran-a-command"
        self.env = environment(self.home)

    def git(self, cwd: Path, *args: str, **extra: str) -> str:
        done = subprocess.run(["git", *args], cwd=cwd, env={**self.env, **extra}, capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def raci_gen(self, cwd: Path, *args: str, **extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(["raci-gen", *args], cwd=cwd, env={**self.env, **extra}, capture_output=True,
                              text=True, timeout=120)

    def command(self) -> str:
        """A shell command that creates the marker (and fails, as a fsmonitor that answers nothing)."""
        return f"touch '{self.marker}'; false"

    def repository(self, name: str = "repo", project: str = "docs/raci", built: bool = True) -> tuple[Path, Path]:
        """A repository with a small project at ``project`` (committed on :data:`COMMITTED`, with its Markdown
        when ``built``: built before the commit, it carries the day of the build, which builds of the same
        inputs keep)."""
        top = self.tmp / name
        folder = top / project if project else top
        write_project(folder, ROLES, ACTIVITIES, "title: T\n")
        self.git(top, "init", "-q", "-b", "main")
        if built:
            done = self.raci_gen(folder, "build", "-q", "-f", "md")
            assert done.returncode == 0, done.stderr
        self.git(top, "add", "-A")
        self.git(top, "commit", "-q", "-m", "RACI matrix")
        return top, folder

    def plant_bare_repository(self, folder: Path) -> None:
        """The files of a repository of its own in ``folder``: HEAD, config (core.fsmonitor runs
        :meth:`command`, core.worktree is the folder), objects/ and refs/ holding two commits of the project
        as it is now, so that `diff HEAD~1 HEAD` read from it says nothing changed."""
        decoy = self.tmp / "decoy"
        shutil.copytree(folder, decoy)
        self.git(decoy, "init", "-q", "-b", "main")
        self.git(decoy, "add", "-A")
        self.git(decoy, "commit", "-q", "-m", "one")
        self.git(decoy, "commit", "-q", "--allow-empty", "-m", "two")
        for name in ("HEAD", "objects", "refs"):
            source = decoy / ".git" / name
            (shutil.copytree if source.is_dir() else shutil.copy)(source, folder / name)
        (folder / "config").write_text(
            "[core]\n\trepositoryformatversion = 0\n\tbare = false\n\tworktree = .\n"
            f"\tfsmonitor = \"{self.command()}\"\n", encoding="utf-8")
        for keep in ("objects", "refs"):  # git keeps no empty folder; a PR would carry a file in each
            (folder / keep / ".keep").write_text("", encoding="utf-8")

    def change_a_cell(self, folder: Path) -> None:
        path = folder / "activities" / "01.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace(CELL_BEFORE, CELL_AFTER), encoding="utf-8")


@pytest.fixture
def space(tmp_path) -> Workspace:
    return Workspace(tmp_path)


def date_line(markdown: Path) -> str:
    return next((line for line in markdown.read_text(encoding="utf-8").splitlines() if "**Date:**" in line), "")


def built_date(space: Workspace, folder: Path) -> str:
    """The date line of the Markdown a build writes for the project in ``folder`` (to a folder outside it),
    dated from git: the project's own documents, whose date a build of the same inputs keeps, are set aside."""
    out = space.tmp / "out"
    shutil.rmtree(out, ignore_errors=True)
    own, aside = folder / "output", space.tmp / "output-aside"
    if own.exists():
        own.rename(aside)
    try:
        done = space.raci_gen(space.tmp, "build", "-q", "-f", "md", "--out", str(out), str(folder))
    finally:
        if aside.exists():
            aside.rename(own)
    assert done.returncode == 0, done.stderr
    return date_line(next(out.glob("*.md")))


def build_day() -> tuple[str, str]:
    """The day a build now dates inputs not committed as they are (UTC), and the next (a test run may cross
    midnight)."""
    today = _dt.datetime.now(_dt.timezone.utc).date()
    return today.isoformat(), (today + _dt.timedelta(days=1)).isoformat()


@pytest.fixture
def planted(space) -> tuple[Workspace, Path, Path]:
    """The red team's pull request: the project in docs/raci, a repository's files planted there, committed."""
    top, folder = space.repository()
    space.plant_bare_repository(folder)
    space.git(top, "add", "-A")
    space.git(top, "commit", "-q", "-m", "a pull request")
    assert space.git(top, "ls-files", "docs/raci/config", "docs/raci/HEAD").split() == ["docs/raci/HEAD",
                                                                                      "docs/raci/config"]
    return space, top, folder


# --- planted repository files ---------------------------------------------------------------------------------------


def test_build_and_check_run_no_planted_fsmonitor(planted):
    space, top, folder = planted
    done = space.raci_gen(top, "build", "--check", "-f", "md", "docs/raci")
    assert not space.marker.exists(), "build --check ran the planted core.fsmonitor"
    assert done.returncode == 0, done.stdout + done.stderr
    assert COMMITTED in built_date(space, folder), "the date comes from the real repository"
    assert not space.marker.exists(), "build ran the planted core.fsmonitor"


def test_portfolio_runs_no_planted_fsmonitor(planted):
    space, top, folder = planted
    done = space.raci_gen(top, "portfolio", "-q", "--out", str(space.tmp / "index"), "docs/raci")
    assert done.returncode == 0, done.stdout + done.stderr
    assert not space.marker.exists(), "portfolio ran the planted core.fsmonitor"


def test_diff_reads_the_real_repository_not_the_planted_one(planted):
    space, top, folder = planted
    space.change_a_cell(folder)
    space.git(top, "commit", "-q", "-am", "a cell changed")
    done = space.raci_gen(folder, "diff", "--exit-code", "HEAD~1", "HEAD")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "No changes" not in done.stdout and "A-1" in done.stdout and "C → I" in done.stdout
    # the project folder given from elsewhere
    done = space.raci_gen(top, "diff", "--project", "docs/raci", "HEAD~1", "HEAD")
    assert done.returncode == 0 and "C → I" in done.stdout, done.stdout + done.stderr
    assert not space.marker.exists()


def test_a_folder_with_planted_files_outside_git_is_plain_files(space):
    """A project downloaded as an archive: the planted files are not a repository, the documents have no date."""
    folder = write_project(space.tmp / "download", ROLES, ACTIVITIES, "title: T\n")
    space.plant_bare_repository(folder)
    space.env["GIT_CEILING_DIRECTORIES"] = str(space.tmp)  # whatever holds the temporary folder
    assert built_date(space, folder) == ""
    done = space.raci_gen(folder, "diff", "HEAD~1", "HEAD")
    assert done.returncode == 2 and "not in a git repository" in done.stderr, done.stdout + done.stderr
    assert not space.marker.exists()


# --- drivers the project's .gitattributes choose ----------------------------------------------------------------------


@pytest.mark.parametrize("project", ["", "docs/raci"], ids=["at the top", "in docs/raci"])
def test_filter_and_textconv_drivers_of_the_users_config_do_not_run(space, project):
    """The user's ~/.gitconfig defines drivers; a committed .gitattributes picks them for the project's files.
    `git status` runs a clean filter on a file its timestamps do not settle: here every input, touched."""
    (space.home / ".gitconfig").write_text(
        f"[filter \"evil\"]\n\tclean = \"{space.command()}\"\n\tsmudge = cat\n\trequired = true\n"
        f"[filter \"proc\"]\n\tprocess = \"{space.command()}\"\n"
        f"[diff \"evil\"]\n\ttextconv = \"{space.command()}\"\n", encoding="utf-8")
    top, folder = space.repository(project=project)
    (folder / ".gitattributes").write_text("activities/*.yaml filter=evil diff=evil\nroles/*.yaml filter=proc\n"
                                           "raci.yaml filter=evil\n", encoding="utf-8")
    space.git(top, "-c", "filter.evil.clean=cat", "-c", "filter.proc.process=", "add", "-A")
    space.git(top, "-c", "filter.evil.clean=cat", "-c", "filter.proc.process=", "commit", "-q", "-m", "attributes")
    for path in folder.rglob("*.y*ml"):
        os.utime(path, (1_000_000_000, 1_000_000_000))
    assert built_date(space, folder).endswith(COMMITTED), "the files are as committed"
    done = space.raci_gen(folder, "build", "--check", "-f", "md")
    assert done.returncode == 0, done.stdout + done.stderr
    space.change_a_cell(folder)
    space.git(top, "-c", "filter.evil.clean=cat", "-c", "filter.proc.process=", "commit", "-q", "-am", "cell")
    done = space.raci_gen(folder, "diff", "HEAD~1", "HEAD")
    assert done.returncode == 0 and "C → I" in done.stdout, done.stdout + done.stderr
    assert not space.marker.exists(), "a driver chosen by the project's .gitattributes ran"


# --- what still gets its date ---------------------------------------------------------------------------------------


def test_a_git_file_naming_a_folder_of_the_work_tree_is_not_followed(space):
    """A `.git` file is made by git (worktree, submodule) and names a folder outside the work tree; one that names
    a folder of files inside it (here the planted repository) is not used."""
    folder = write_project(space.tmp / "top" / "docs" / "raci", ROLES, ACTIVITIES, "title: T\n")
    space.plant_bare_repository(folder)
    (space.tmp / "top" / ".git").write_text("gitdir: docs/raci\n", encoding="utf-8")
    space.env["GIT_CEILING_DIRECTORIES"] = str(space.tmp)
    assert built_date(space, folder) == ""
    assert not space.marker.exists()


def test_a_project_not_in_git_builds_without_a_date(space):
    folder = write_project(space.tmp / "plain", ROLES, ACTIVITIES, "title: T\n")
    space.env["GIT_CEILING_DIRECTORIES"] = str(space.tmp)
    assert built_date(space, folder) == ""


def test_a_worktree_gets_its_date(space):
    top, _ = space.repository()
    worktree = space.tmp / "wt"
    space.git(top, "worktree", "add", "-q", "-b", "other", str(worktree))
    assert (worktree / ".git").is_file()
    assert built_date(space, worktree / "docs" / "raci").endswith(COMMITTED)
    space.change_a_cell(worktree / "docs" / "raci")
    assert built_date(space, worktree / "docs" / "raci").endswith(build_day())


def install_hook(space: Workspace, top: Path, project: str) -> Path:
    """A pre-commit hook in ``top`` that builds the Markdown of ``project`` and notes its date line in the file
    it returns (one line per commit)."""
    log = space.tmp / "hook-dates"
    out = space.tmp / "hook-out"
    hook = top / ".git" / "hooks" / "pre-commit"
    hook.write_text(f"#!/bin/sh\nset -e\nrm -rf '{out}'\nraci-gen build -q -f md --out '{out}' '{project}'\n"
                    f"grep -h 'Date:' '{out}'/*.md >> '{log}'\n", encoding="utf-8")
    hook.chmod(0o755)
    return log


def test_a_pre_commit_hook_gets_the_date(space):
    """git runs its hooks with GIT_INDEX_FILE set (the lock of `commit -a`, or `.git/index`, relative)."""
    top, folder = space.repository()
    log = install_hook(space, top, "docs/raci")
    space.change_a_cell(folder)
    space.git(top, "commit", "-q", "-am", "a cell, with the hook")
    (folder / "notes.txt").write_text("x", encoding="utf-8")
    space.git(top, "add", "docs/raci/notes.txt")
    space.git(top, "commit", "-q", "-m", "notes")
    lines = log.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    assert lines[0].endswith(build_day()), lines  # the cell being committed: not in the last commit
    assert lines[1].endswith(COMMITTED), lines


def test_a_submodule_gets_its_date(space):
    """Also from a hook of the outer repository, whose GIT_INDEX_FILE is not the submodule's."""
    inner, _ = space.repository(name="inner", project="", built=False)
    outer = space.tmp / "outer"
    outer.mkdir()
    space.git(outer, "init", "-q", "-b", "main")
    space.git(outer, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(inner), "raci",
              GIT_COMMITTER_DATE="2025-01-01T00:00:00+00:00")
    space.git(outer, "commit", "-q", "-m", "submodule", GIT_COMMITTER_DATE="2025-01-01T00:00:00+00:00")
    assert (outer / "raci" / ".git").is_file()
    assert built_date(space, outer / "raci").endswith(COMMITTED), "the submodule's own commit, not the outer one"
    log = install_hook(space, outer, "raci")
    (outer / "notes.txt").write_text("x", encoding="utf-8")
    space.git(outer, "add", "notes.txt")
    space.git(outer, "commit", "-q", "-m", "notes")
    assert log.read_text(encoding="utf-8").splitlines()[0].endswith(COMMITTED)


def test_git_variables_of_the_caller_choose_no_other_repository(space):
    """GIT_DIR and GIT_WORK_TREE of another repository (a hook of another repository) do not date the project."""
    top, folder = space.repository(built=False)
    other, _ = space.repository(name="other", built=False)
    out = space.tmp / "out"
    done = space.raci_gen(space.tmp, "build", "-q", "-f", "md", "--out", str(out), str(folder),
                          GIT_DIR=str(other / ".git"), GIT_WORK_TREE=str(other))
    assert done.returncode == 0, done.stderr
    assert date_line(next(out.glob("*.md"))).endswith(COMMITTED)



"""Documents describe their inputs, not the working tree (issue 19, item 2).

The pre-commit hook makes you build before you commit: the committed Markdown is built while its inputs are
not committed yet, and the commit may be made or pushed days later. That Markdown, a build after the commit, a
build from a fresh clone in CI (the PDF into a temporary --out folder too) must agree, on any later day, so that
`build --check` passes on whatever the hook let through. No document says "uncommitted".

Real git, real `raci-gen` processes and a moved clock (libfaketime: the days below are far from today, so that a
clock that did not move fails the tests). Every process gets a HOME of its own, no GIT_* of the caller's and no
SOURCE_DATE_EPOCH, so that the date comes from git and the clock.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import write_project

pytestmark = [
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
    pytest.mark.skipif(shutil.which("faketime") is None, reason="faketime (libfaketime) is not installed"),
]

BIN = os.path.dirname(sys.executable)
DAY = {n: f"2031-05-{10 + n:02d}" for n in (-5, 0, 3, 6)}
"""The days of the story, by their number: day 0 the inputs are edited and built, day 3 they are committed."""
ROLES = [{"id": "R1", "name": "One"}, {"id": "R2", "name": "Two"}]
CELL_BEFORE, CELL_AFTER = "R2: C", "R2: I"
ACTIVITIES = {"01": f"phase: P\nactivities:\n  - id: A-1\n    name: a\n    raci:\n      R1: A/R\n      {CELL_BEFORE}\n"}
DATE_LINE = re.compile(r"\*\*Date:\*\* *(.*)")
OLD_WORDING = ("uncommitted", "not committed")


class Space:
    """A temporary HOME and helpers that run git and raci-gen on a chosen day (noon UTC)."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        home = tmp / "home"
        home.mkdir()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "FAKETIME")) and k != "SOURCE_DATE_EPOCH"}
        env.update({"PATH": BIN + os.pathsep + os.environ.get("PATH", ""), "HOME": str(home), "TZ": "UTC",
                    "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                    "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"})
        self.env = env

    def run(self, day: int, cwd: Path, *command: str) -> subprocess.CompletedProcess:
        return subprocess.run(["faketime", f"{DAY[day]} 12:00:00", *command], cwd=cwd, env=self.env,
                              capture_output=True, text=True, timeout=120)

    def git(self, day: int, cwd: Path, *args: str) -> str:
        done = self.run(day, cwd, "git", *args)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def raci_gen(self, day: int, cwd: Path, *args: str) -> subprocess.CompletedProcess:
        return self.run(day, cwd, "raci-gen", *args)

    def build(self, day: int, cwd: Path, *args: str) -> None:
        done = self.raci_gen(day, cwd, "build", "-q", *args)
        assert done.returncode == 0, done.stderr

    def passes_check(self, day: int, cwd: Path, *args: str) -> None:
        done = self.raci_gen(day, cwd, "build", "--check", "-f", "md", *args)
        assert done.returncode == 0, f"day {day}: {done.stderr}"


@pytest.fixture
def space(tmp_path) -> Space:
    return Space(tmp_path)


def date_of(markdown: Path) -> str:
    text = markdown.read_text(encoding="utf-8")
    assert not any(words in text for words in OLD_WORDING), text
    found = DATE_LINE.search(text)
    return found.group(1).strip() if found else ""


def change_a_cell(project: Path) -> None:
    path = project / "activities" / "01.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(CELL_BEFORE, CELL_AFTER), encoding="utf-8")


def committed_repository(space: Space, day: int = -5, built: bool = True) -> tuple[Path, Path]:
    """A repository whose project in docs/raci is committed on ``day``, with its Markdown when ``built``."""
    top = space.tmp / "repo"
    project = write_project(top / "docs" / "raci", ROLES, ACTIVITIES, "title: T\n")
    space.git(day, top, "init", "-q", "-b", "main")
    if built:
        space.build(day, project, "-f", "md")
    space.git(day, top, "add", "-A")
    space.git(day, top, "commit", "-q", "-m", "RACI matrix")
    return top, project


def test_the_committed_markdown_a_later_build_and_a_fresh_clone_agree(space):
    top, project = committed_repository(space)
    markdown = project / "output" / "raci-matrix.md"
    assert date_of(markdown) == DAY[-5]
    # day 0: an edit, built as the pre-commit hook asks, before the commit
    change_a_cell(project)
    space.build(0, project, "-f", "md")
    assert date_of(markdown) == DAY[0]
    built = markdown.read_bytes()
    # day 3: committed (the hook's check passes on the day of the commit), then built again: nothing changes
    space.passes_check(3, project)
    space.git(3, top, "commit", "-q", "-am", "a cell")
    assert space.git(3, top, "log", "-1", "--format=%cs").strip() == DAY[3]
    space.passes_check(6, project)
    space.build(6, project, "-f", "md")
    assert markdown.read_bytes() == built
    # a fresh clone, in CI, on the day of the commit and days later
    clone = space.tmp / "clone"
    space.git(6, space.tmp, "clone", "-q", str(top), str(clone))
    for day in (3, 6):
        space.passes_check(day, clone / "docs" / "raci")
    # the PDF CI builds from the clone into a folder of its own carries the committed Markdown's date
    out = space.tmp / "artifacts"
    space.build(6, clone / "docs" / "raci", "-f", "pdf", "--out", str(out))
    from pypdf import PdfReader

    text = "\n".join(page.extract_text() or "" for page in PdfReader(str(out / "raci-matrix.pdf")).pages)
    assert DAY[0] in text and DAY[3] not in text and DAY[6] not in text, text
    assert not any(words in text for words in OLD_WORDING)
    # an edit without a rebuild is still found
    change_a_cell_back = clone / "docs" / "raci" / "activities" / "01.yaml"
    change_a_cell_back.write_text(change_a_cell_back.read_text(encoding="utf-8").replace(CELL_AFTER, CELL_BEFORE),
                                  encoding="utf-8")
    stale = space.raci_gen(6, clone / "docs" / "raci", "build", "--check", "-f", "md")
    assert stale.returncode == 1 and "raci-matrix.md is out of date" in stale.stderr, stale.stderr
    assert "  activities/01.yaml changed since it was built" in stale.stderr.splitlines()


def test_committed_inputs_without_a_document_take_the_date_of_their_commit(space):
    top, project = committed_repository(space, built=False)
    change_a_cell(project)
    space.git(3, top, "commit", "-q", "-am", "a cell, not built")
    out = space.tmp / "out"
    space.build(6, project, "-f", "md", "--out", str(out))
    assert date_of(out / "raci-matrix.md") == DAY[3]
    # and inputs changed since their commit, never built: the day of the build, with nothing added
    change_a_cell_back = project / "activities" / "01.yaml"
    change_a_cell_back.write_text(change_a_cell_back.read_text(encoding="utf-8").replace(CELL_AFTER, CELL_BEFORE + "\n"),
                                  encoding="utf-8")
    space.build(6, project, "-f", "md", "--out", str(out))
    assert date_of(out / "raci-matrix.md") == DAY[6]


def test_the_committed_markdown_wins_over_a_leftover_in_the_out_folder(space):
    """Two documents of the same inputs with other dates: the project's own Markdown (the committed one, which a
    fresh clone has too) decides, not what an earlier build left in the --out folder."""
    top, project = committed_repository(space)
    change_a_cell(project)
    space.build(0, project, "-f", "md")
    space.git(3, top, "commit", "-q", "-am", "a cell")
    markdown = project / "output" / "raci-matrix.md"
    committed = markdown.read_bytes()
    out = space.tmp / "out"
    markdown.unlink()
    space.build(6, project, "-f", "md", "--out", str(out))
    assert date_of(out / "raci-matrix.md") == DAY[3]  # nothing to keep: the commit's date
    markdown.write_bytes(committed)
    space.build(6, project, "-f", "md", "--out", str(out))
    assert date_of(out / "raci-matrix.md") == DAY[0]


def test_init_then_build_says_the_day(space):
    top = space.tmp / "repo"
    top.mkdir()
    space.git(0, top, "init", "-q", "-b", "main")
    done = space.raci_gen(0, top, "init", "docs/raci")
    assert done.returncode == 0, done.stderr
    project = top / "docs" / "raci"
    markdown = project / "output" / "raci-matrix.md"
    assert date_of(markdown) == DAY[0]
    space.build(3, project, "-f", "md")
    assert date_of(markdown) == DAY[0]
    space.git(3, top, "add", "-A")
    space.git(3, top, "commit", "-q", "-m", "RACI matrix")
    space.passes_check(6, project)


def test_a_document_of_an_earlier_raci_gen_that_noted_uncommitted_changes_is_not_kept(space):
    """A date line that described a working tree is not carried on: the document is rebuilt with a date."""
    top, project = committed_repository(space)
    markdown = project / "output" / "raci-matrix.md"
    old = markdown.read_text(encoding="utf-8").replace(DAY[-5], f"{DAY[-5]}, with uncommitted changes")
    markdown.write_text(old, encoding="utf-8")
    space.build(6, project, "-f", "md")
    assert date_of(markdown) == DAY[-5]  # the commit's date: the inputs are committed as they are


def test_an_output_file_that_is_a_link_to_an_endless_device_is_not_read(space):
    """The output folder comes with the repository: a PDF there that is a link to /dev/zero is not read for its
    date (it would be read until memory runs out), nor one that leads out of the project."""
    if not os.path.exists("/dev/zero") or shutil.which("prlimit") is None:
        pytest.skip("needs /dev/zero and prlimit")
    top, project = committed_repository(space, built=False)
    (project / "output").mkdir()
    (project / "output" / "raci-matrix.pdf").symlink_to("/dev/zero")
    (project / "output" / "raci-matrix.html").symlink_to(space.tmp / "elsewhere.html")
    (space.tmp / "elsewhere.html").write_text("x", encoding="utf-8")
    out = space.tmp / "out"
    done = subprocess.run(["prlimit", "--as=2000000000", "faketime", f"{DAY[6]} 12:00:00", "raci-gen", "build",
                           "-q", "-f", "md", "--out", str(out)], cwd=project, env=space.env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert date_of(out / "raci-matrix.md") == DAY[-5]


def test_a_wiki_page_holding_the_whole_document_keeps_its_date(space):
    """A team that commits only the page the document is injected into: the page's stamp keeps the date."""
    top = space.tmp / "repo"
    project = write_project(top / "docs" / "raci", ROLES, ACTIVITIES,
                            "title: T\noutput:\n  inject:\n    - wiki/Page.md\n")
    (project / "wiki").mkdir()
    (project / "wiki" / "Page.md").write_text("# Team\n\n<!-- BEGIN RACI -->\n<!-- END RACI -->\n", encoding="utf-8")
    space.git(0, top, "init", "-q", "-b", "main")
    space.build(0, project, "-f", "md")
    (project / "output" / "raci-matrix.md").unlink()
    space.git(3, top, "add", "-A")
    space.git(3, top, "commit", "-q", "-m", "RACI matrix, in the wiki page only")
    out = space.tmp / "out"
    space.build(6, project, "-f", "md", "--out", str(out))
    assert date_of(out / "raci-matrix.md") == DAY[0]
    assert date_of(project / "wiki" / "Page.md") == DAY[0]

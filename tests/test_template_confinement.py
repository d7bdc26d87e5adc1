"""Templates read templates: the project's templates folder, nothing else (issue 18, item 2).

A project in a git repository whose ``.git/config`` holds a CI token, as ``actions/checkout``
leaves it (``http.https://github.com/.extraheader``). Its templates try to copy the token into
the documents the Action publishes: ``templates: .`` with ``{% include ".git/config" %}``, a link
``templates/c.txt -> ../.git/config``, names with ``..``, absolute paths and backslashes. Each is
one line ``FILE:LINE:COL: error: ...`` naming the setting, the link or the including template's
line, exit 2, nothing written, the token nowhere. A link that stays inside the templates folder
keeps working. Also: a templates tree 1,100 folders deep (a RecursionError before), the folder's
size limits, a missing include named with its place, and ``output.name`` reserved on Windows.

Every build is the installed ``raci-gen`` in a process of its own, on real files.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import documentation
from raci_gen.input import templatefolder
from raci_gen.model.errors import TemplateFailure
from raci_gen.input.loader import load_project
from raci_gen.documents.document import make_document
from raci_gen.documents.markdown import render_markdown

_NEXT_TO_PYTHON = os.path.join(os.path.dirname(sys.executable), "raci-gen")
RACI_GEN = _NEXT_TO_PYTHON if os.path.exists(_NEXT_TO_PYTHON) else "raci-gen"

SECRET = "AUTHORIZATION: basic eC1hY2Nlc3MtdG9rZW46Z2hzX1NFQ1JFVA=="
"""What actions/checkout persists in .git/config: the job's token, readable by anything in the workspace."""

# A matrix the lint finds nothing in, so that stderr holds only what a test is about.
ROLES = "roles:\n  - id: R1\n    name: Owner\n  - id: R2\n    name: Engineer\n  - id: R3\n    name: Analyst\n"
ACTIVITIES = ("phase: Work\nactivities:\n"
              "  - id: W-1\n    name: Plan\n    raci:\n      R1: A\n      R2: R\n      R3: C\n"
              "  - id: W-2\n    name: Build\n    raci:\n      R2: A\n      R3: R\n      R1: I\n"
              "  - id: W-3\n    name: Check\n    raci:\n      R3: A\n      R1: R\n      R2: C\n")


def project_in_git(root: Path, files: dict[str, str]) -> Path:
    """A project in a git repository whose config holds :data:`SECRET`; ``files`` added (path: text)."""
    for rel, text in {"roles/roles.yaml": ROLES, "activities/01-work.yaml": ACTIVITIES, **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "config", "http.https://github.com/.extraheader", SECRET], check=True)
    assert SECRET in (root / ".git" / "config").read_text(encoding="utf-8")
    return root


def run(project: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([RACI_GEN, *args], cwd=project, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000"})


def files_under(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_refused(project: Path, first_line: str, lint: bool = False) -> None:
    """``build`` (and ``lint`` too with ``lint``): exit 2, ``first_line`` then the count, nothing written, no token."""
    out = project.parent / "out"
    done = [run(project, "build", ".", "--format", "md,html", "--out", str(out))]
    if lint:
        done.append(run(project, "lint", "."))
    for each in done:
        assert each.returncode == 2, each.stderr
        assert SECRET not in each.stdout + each.stderr
        assert each.stderr.splitlines() == [first_line, "1 problem found; nothing was written."], each.stderr
    assert not out.exists()


def assert_render_refused(project: Path, first_line: str) -> None:
    """``build`` (the lint passes: the problem is the template's): exit 2, one line, nothing written, no token."""
    out = project.parent / "out"
    done = run(project, "build", ".", "--format", "md,html", "--out", str(out))
    assert done.returncode == 2, done.stderr
    assert SECRET not in done.stdout + done.stderr
    assert done.stderr.splitlines() == [first_line, "1 problem found; nothing was written."]
    assert not out.exists()


# --- the templates folder itself ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("setting", "message"), [
    (".", "the templates folder is the project folder itself"),
    ("./", "the templates folder is the project folder itself"),
    ("roles/..", "the templates folder is the project folder itself"),
    (".git", "the templates folder is in '.git', a version-control folder"),
    (".git/hooks", "the templates folder is in '.git', a version-control folder"),
])
def test_a_templates_setting_at_the_root_or_in_git_is_refused_at_its_place(tmp_path, setting, message):
    project = project_in_git(tmp_path / "p", {
        "raci.yaml": f"templates: {setting}\n",
        "raci.md.j2": '{% include ".git/config" %}\n', "raci.html.j2": '{% include ".git/config" %}\n',
    })
    (project / ".git" / "hooks").mkdir(exist_ok=True)
    (project / ".git" / "hooks" / "raci.md.j2").write_text('{% include "../config" %}\n', encoding="utf-8")
    # all three formats: the Action uploads the Markdown, the HTML and the PDF
    out = project.parent / "out"
    done = run(project, "build", ".", "--format", "md,html,pdf", "--out", str(out))
    assert done.returncode == 2, done.stderr
    assert SECRET not in done.stdout + done.stderr
    line, = done.stderr.splitlines()[:-1]
    assert line.startswith(f"raci.yaml:1:12: error: {message}"), line
    assert not out.exists()


@pytest.mark.parametrize("target", [".", ".git"])
def test_a_templates_folder_linked_to_the_root_or_to_git_is_refused(tmp_path, target):
    project = project_in_git(tmp_path / "p", {"raci.md.j2": '{% include ".git/config" %}\n',
                                              ".git/raci.md.j2": '{% include "config" %}\n'})
    (project / "templates").symlink_to(target)
    assert_refused(project, "templates:1:1: error: " + templatefolder.setting_problem(
        str(project), str(project / "templates")), lint=True)


# --- links in the templates folder --------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["../.git/config", "../roles/roles.yaml", "../.git"])
def test_a_link_that_leaves_the_templates_folder_is_refused(tmp_path, target):
    project = project_in_git(tmp_path / "p", {"templates/raci.md.j2": '# Matrix\n{% include "c.txt" %}\n'
                                                                      '{% include "c.txt/config" %}\n'})
    (project / "templates" / "c.txt").symlink_to(target)
    assert_refused(project, "templates/c.txt:1:1: error: symbolic link leads outside the templates folder; it is "
                            "not read (a template reads only the templates folder's own files)", lint=True)


def test_links_that_stay_inside_the_templates_folder_still_work(tmp_path):
    project = project_in_git(tmp_path / "p", {
        "templates/parts/row.j2": "PART of {{ doc.title }}\n",
        "templates/raci.md.j2": '{% include "linked.j2" %}{% include "folder/row.j2" %}{% include "./parts/row.j2" %}',
    })
    (project / "templates" / "linked.j2").symlink_to("parts/row.j2")
    (project / "templates" / "folder").symlink_to("parts")
    done = run(project, "build", ".", "--format", "md", "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "raci-matrix.md").read_text(encoding="utf-8") == "PART of RACI matrix\n" * 3


def test_a_link_made_after_the_checks_is_still_not_followed_out(tmp_path):
    """The loader's check and the read are apart in time: the read itself does not follow a link out
    of the templates folder (a link swapped in between, or a folder checked by an older raci-gen)."""
    project = project_in_git(tmp_path / "p", {"templates/raci.md.j2": 'x\n{% include "c.txt" %}\n'})
    document = make_document(load_project(str(project)))
    (project / "templates" / "c.txt").symlink_to("../.git/config")
    with pytest.raises(TemplateFailure) as info:
        render_markdown(document)
    message = str(info.value)
    assert message.startswith(f"{os.path.normpath(project / 'templates' / 'raci.md.j2')}:2:1: error: "
                              "template 'c.txt' is not read: ")
    assert "leads outside" in message and SECRET not in message


# --- names a template includes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "why"), [
    ("../raci.yaml", "the name goes up ('..') out of the templates folder"),
    ("sub/../../raci.yaml", "the name goes up ('..') out of the templates folder"),
    ("/etc/passwd", "the name is an absolute path"),
    # the template's string "..\\\\x" is the name ..\\x, which the message shows as the template spells it
    ("..\\\\x", "a template is named by its path in the templates folder with '/' between folders, not '\\'"),
    (".git/config", "the name passes through '.git', a version-control folder"),
    ("CVS/Root.txt", "the name passes through 'CVS', a version-control folder"),
    (".env.md", "the name passes through '.env.md', a hidden file or folder"),
    ("data.yaml", "not a template file: a template reads only files ending in .j2, "),
])
def test_a_name_outside_the_rules_is_refused_at_the_including_line(tmp_path, name, why):
    project = project_in_git(tmp_path / "p", {"templates/raci.md.j2": f'# Matrix\n\n{{% include "{name}" %}}\n',
                                              "templates/data.yaml": "x: 1\n", "templates/.env.md": SECRET,
                                              "templates/CVS/Root.txt": SECRET})
    done = run(project, "build", ".", "--format", "md", "--out", str(tmp_path / "out"))
    assert done.returncode == 2, done.stderr
    line, = done.stderr.splitlines()[:-1]
    assert line.startswith(f"templates/raci.md.j2:3:1: error: template '{name}' is not read: {why}"), line
    assert SECRET not in done.stdout + done.stderr and not (tmp_path / "out").exists()


@pytest.mark.parametrize("tag", ['{% include ".git/config" ignore missing %}',
                                 '{% include ["nope.j2", ".git/config"] %}', '{% import ".git/config" as x %}',
                                 '{% from ".git/config" import y %}', '{% extends ".git/config" %}'])
def test_every_way_of_naming_a_template_is_refused_alike(tmp_path, tag):
    """``ignore missing`` and a list of names pass over a template that is not there, not over a refusal."""
    project = project_in_git(tmp_path / "p", {"templates/raci.md.j2": f"# Matrix\n\n{tag}\n"})
    assert_render_refused(project, "templates/raci.md.j2:3:1: error: template '.git/config' is not read: the name "
                                   "passes through '.git', a version-control folder, which a template never reads")


def test_a_missing_include_names_the_including_template_and_line(tmp_path):
    project = project_in_git(tmp_path / "p", {"templates/raci.md.j2": "# Matrix\n\n\n{% include 'nope.j2' %}\n"})
    assert_render_refused(project, "templates/raci.md.j2:4:1: error: template 'nope.j2' not found in templates/ "
                                   "nor among the built-in templates (raci.md.j2, raci.html.j2, raci.css)")


# --- the folder's bounds ------------------------------------------------------------------------------------------


def _deep_tree(folder: Path, depth: int) -> None:
    """``folder/a/a/.../a/x.j2``, ``depth`` folders deep, made one level at a time from descriptors
    (os.makedirs recurses, and the path grows past what one call may name)."""
    folder.mkdir(parents=True)
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for _ in range(depth):
            os.mkdir("a", dir_fd=fd)
            inner = os.open("a", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = inner
        os.close(os.open("x.j2", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd))
    finally:
        os.close(fd)


def _remove_deep_tree(folder: Path) -> None:
    """Undo :func:`_deep_tree` without recursion (shutil.rmtree, and so pytest's clean-up, recurse)."""
    fds = [os.open(folder, os.O_RDONLY | os.O_DIRECTORY)]
    try:
        while True:
            names = os.listdir(fds[-1])
            if "a" in names:
                fds.append(os.open("a", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fds[-1]))
                continue
            for name in names:
                os.unlink(name, dir_fd=fds[-1])
            if len(fds) == 1:
                break
            os.close(fds.pop())
            os.rmdir("a", dir_fd=fds[-1])
    finally:
        for fd in fds:
            os.close(fd)
    folder.rmdir()


def test_a_templates_tree_1100_folders_deep_is_one_line(tmp_path):
    project = project_in_git(tmp_path / "p", {})
    _deep_tree(project / "templates", 1_100)
    try:
        started = time.monotonic()
        deepest = "templates" + "/a" * (templatefolder.MAX_DEPTH + 1)
        assert_refused(project, f"{deepest}:1:1: error: folder more than {templatefolder.MAX_DEPTH} folders deep "
                                f"in the templates folder; the limit is {templatefolder.MAX_DEPTH}", lint=True)
        assert time.monotonic() - started < 30
    finally:
        _remove_deep_tree(project / "templates")


def test_a_templates_tree_at_the_depth_limit_builds(tmp_path):
    project = project_in_git(tmp_path / "p", {})
    _deep_tree(project / "templates", templatefolder.MAX_DEPTH)
    inner = "/".join(["a"] * templatefolder.MAX_DEPTH) + "/x.j2"
    (project / "templates" / inner).write_text("deep\n", encoding="utf-8")
    (project / "templates" / "raci.md.j2").write_text(f'{{% include "{inner}" %}}', encoding="utf-8")
    done = run(project, "build", ".", "--format", "md", "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "raci-matrix.md").read_text(encoding="utf-8") == "deep\n"


def test_too_many_files_in_the_templates_folder(tmp_path):
    project = project_in_git(tmp_path / "p", {})
    (project / "templates").mkdir()
    for i in range(templatefolder.MAX_ENTRIES + 1):
        (project / "templates" / f"{i:04d}.j2").touch()
    assert_refused(project, f"templates/{templatefolder.MAX_ENTRIES:04d}.j2:1:1: error: the templates folder holds "
                            "more than 1,000 files and folders; the limit is 1,000")


def test_a_template_file_over_the_size_limit(tmp_path):
    project = project_in_git(tmp_path / "p", {})
    (project / "templates").mkdir()
    (project / "templates" / "raci.md.j2").write_bytes(b"x" * (templatefolder.MAX_FILE_BYTES + 1))
    assert_refused(project, "templates/raci.md.j2:1:1: error: file of 1,048,577 bytes in the templates folder; "
                            "the limit is 1 MiB a file")


def test_the_templates_folder_over_its_total_size(tmp_path):
    project = project_in_git(tmp_path / "p", {})
    (project / "templates").mkdir()
    for i in range(17):
        (project / "templates" / f"{i:02d}.css").write_bytes(b"x" * templatefolder.MAX_FILE_BYTES)
    assert_refused(project, "templates:1:1: error: the templates folder's files hold 17,825,792 bytes; "
                            "the limit is 16 MiB in all")


def test_a_fifo_in_the_templates_folder_holds_nothing_up(tmp_path):
    """Neither the templates' digest (in every document's stamp) nor an include waits on a FIFO."""
    project = project_in_git(tmp_path / "p", {"templates/raci.md.j2": "# Matrix\n"})
    os.mkfifo(project / "templates" / "pipe.j2")
    done = run(project, "build", ".", "--format", "md", "--out", str(tmp_path / "first"), timeout=30)
    assert done.returncode == 0, done.stderr
    (project / "templates" / "raci.md.j2").write_text('# Matrix\n{% include "pipe.j2" %}\n', encoding="utf-8")
    assert_render_refused(project, "templates/raci.md.j2:2:1: error: template 'pipe.j2' is not read: template is "
                                   "not a regular file (a FIFO); it is not read")


# --- output.name --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "device"), [("con", "CON"), ("CON.md", "CON"), ("lpt1", "LPT1"),
                                              ("Nul.", "NUL"), ("com9.draft", "COM9")])
def test_an_output_name_windows_reserves_is_refused(tmp_path, name, device):
    project = project_in_git(tmp_path / "p", {"raci.yaml": f"output:\n  name: {name}\n"})
    assert_refused(project, f"raci.yaml:2:9: error: output.name '{name}' is {device}, a device name Windows "
                            f"reserves whatever suffix follows (CON, PRN, AUX, NUL, COM0-9, LPT0-9); choose another "
                            f"file stem")


@pytest.mark.parametrize("name", ["console", "com10", "lpt", "auxiliary.v2", "nul-matrix"])
def test_output_names_that_only_look_reserved_are_accepted(tmp_path, name):
    project = project_in_git(tmp_path / "p", {"raci.yaml": f"output:\n  name: {name}\n"})
    assert load_project(str(project)).settings.output.name == name


def test_readme_states_the_limits_the_code_enforces():
    text = documentation.flat_text()
    row = (f"| the project's templates folder | {templatefolder.MAX_DEPTH} folders deep, "
           f"{templatefolder.MAX_ENTRIES:,} files and folders, {templatefolder.MAX_FILE_BYTES // 2**20} MiB a file, "
           f"{templatefolder.MAX_FOLDER_BYTES // 2**20} MiB in all |")
    assert row in text
    assert "a suffix other than " + ", ".join(f"`{s}`" for s in templatefolder.TEMPLATE_SUFFIXES) + ", " in text
    assert ", ".join(f"`{name}`" for name in (".git", ".hg", ".svn", ".bzr", "_darcs", "CVS")) in text
    assert {name.casefold() for name in (".git", ".hg", ".svn", ".bzr", "_darcs", "CVS")} == templatefolder.VCS_FOLDERS


@pytest.mark.parametrize(("block", "line"), [
    ("{% include 'nope.j2' %}", "templates/raci.md.j2:3:1: error: template 'nope.j2' not found in templates/ nor "
                                "among the built-in templates (raci.md.j2, raci.html.j2, raci.css)"),
    ("{% if %}", "templates/raci.md.j2:3:1: error: template syntax error: Expected an expression, got 'end of "
                 "statement block'"),
])
def test_a_section_for_a_page_names_the_template_line_too(tmp_path, block, line):
    """``--inject PAGE --section S`` renders one block of raci.md.j2: its errors are placed as a build's are
    (they read ``--section: error: raci.md.j2: error: template failed: ...`` before)."""
    project = project_in_git(tmp_path / "p", {
        "templates/raci.md.j2": f"# Matrix\n{{% block matrix %}}\n{block}\n{{% endblock %}}\n",
        "page.md": "# Page\n<!-- BEGIN RACI -->\n<!-- END RACI -->\n"})
    done = run(project, "build", ".", "--format", "html", "--out", str(tmp_path / "out"), "--inject", "page.md",
               "--section", "matrix")
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [line, "1 problem found; nothing was written."]

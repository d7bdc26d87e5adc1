"""``raci-gen init --templates``: the built-in templates copied into a project to customise (issue 20, item 1).

A copy left as it came is the built-in set: the documents are the same bytes as without it (their stamps
digest the built-in templates), and so are the repository's own example's, whose templates folder is where the
built-in templates are kept. Nothing is overwritten; a templates folder a build would not read is refused at
raci.yaml's setting; each refusal is one line, exit 2, nothing written.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from conftest import EPOCH, REPO_ROOT, copy_example, run_in_process
from raci_gen.input.templatefolder import BUILT_IN_NAMES, built_in_folder

FORMATS = "md,html,xlsx,csv,json"


def built(project: Path, out: Path, formats: str = FORMATS) -> dict[str, bytes]:
    result = run_in_process("build", str(project), "-f", formats, "-o", str(out), "--no-lint")
    assert result.returncode == 0, result.stderr
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_a_copy_left_as_it_came_builds_the_same_bytes_and_a_changed_one_is_the_projects(tmp_path):
    project = copy_example(tmp_path / "team")
    before = built(project, tmp_path / "before", FORMATS + ",pdf")
    result = run_in_process("init", "--templates", str(project))
    assert result.returncode == 0, result.stderr
    assert "wrote 3 files to" in result.stdout
    for name in BUILT_IN_NAMES:
        assert (project / "templates" / name).read_bytes() == (Path(built_in_folder()) / name).read_bytes()
    assert built(project, tmp_path / "copied", FORMATS + ",pdf") == before  # stamps too: the built-in's digest
    with open(project / "templates" / "raci.css", "a", encoding="utf-8") as fh:
        fh.write("h1 { letter-spacing: 0.5pt; }\n")
    changed = built(project, tmp_path / "changed")
    assert changed["raci-matrix.md"] != before["raci-matrix.md"]  # the stamp's templates digest: the project's own
    assert b"letter-spacing: 0.5pt" in changed["raci-matrix.html"]
    assert changed["raci-matrix.xlsx"] == before["raci-matrix.xlsx"]  # drawn by no template


def test_the_repository_example_builds_as_with_no_templates_folder(tmp_path):
    """The top of the repository is the example project, its templates/ the built-in templates themselves."""
    # from a checkout the built-in folder is this one; from a wheel it is the packaged copy of the same files
    assert os.path.realpath(REPO_ROOT / "templates") == built_in_folder() or all(
        (REPO_ROOT / "templates" / name).read_bytes() == (Path(built_in_folder()) / name).read_bytes()
        for name in BUILT_IN_NAMES)
    at_top = built(REPO_ROOT, tmp_path / "top", "md,html")
    copy = copy_example(tmp_path / "example")  # raci.yaml, roles/, activities/: no templates folder
    assert not (copy / "templates").exists()
    assert built(copy, tmp_path / "copy", "md,html") == at_top


def test_nothing_is_overwritten(tmp_path):
    project = copy_example(tmp_path / "team")
    (project / "templates").mkdir()
    (project / "templates" / "raci.css").write_text("body { color: red }\n", encoding="utf-8")
    result = run_in_process("init", "--templates", str(project))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"{project / 'templates' / 'raci.css'}:1:1: error: the file is there already, and init --templates "
        "overwrites nothing; remove or rename what is there to copy the built-in raci.md.j2, raci.html.j2, raci.css"]
    assert sorted(os.listdir(project / "templates")) == ["raci.css"]  # nothing written, the own file kept
    assert (project / "templates" / "raci.css").read_text(encoding="utf-8") == "body { color: red }\n"
    # a second run over a full copy counts them
    shutil.rmtree(project / "templates")
    assert run_in_process("init", "--templates", str(project)).returncode == 0
    again = run_in_process("init", "--templates", str(project))
    assert again.returncode == 2
    assert again.stderr.splitlines()[0].endswith(
        "raci.md.j2:1:1: error: 3 of the 3 built-in templates are there already, and init --templates overwrites "
        "nothing; remove or rename what is there to copy the built-in raci.md.j2, raci.html.j2, raci.css")


def test_the_templates_setting_is_followed_and_a_folder_a_build_would_not_read_is_refused(tmp_path):
    project = copy_example(tmp_path / "team")
    config = project / "raci.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text + "templates: look/templates\n", encoding="utf-8")
    line = len(text.splitlines()) + 1
    assert run_in_process("init", "--templates", str(project)).returncode == 0
    assert sorted(os.listdir(project / "look" / "templates")) == sorted(BUILT_IN_NAMES)
    for setting, message in [
            ("../outside", "the templates path '../outside' leads outside the project folder; init --templates "
                           "copies the built-in templates only into the project's own folder"),
            (".", "the templates folder is the project folder itself, which holds .git and the runner's files; "
                  "keep templates in a folder of their own (templates/)"),
            (".git/t", "the templates folder is in '.git', a version-control folder; keep templates in templates/")]:
        config.write_text(text + f"templates: {setting}\n", encoding="utf-8")
        result = run_in_process("init", "--templates", str(project))
        assert (result.returncode, result.stderr.splitlines()) == (2, [f"{config}:{line}:12: error: {message}"])
    assert not (tmp_path / "outside").exists() and not (project / ".git").exists()
    assert not (project / "raci.md.j2").exists()


def test_a_link_in_the_way_is_not_followed_out_of_the_project(tmp_path):
    project = copy_example(tmp_path / "team")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (project / "templates").symlink_to(elsewhere)
    result = run_in_process("init", "--templates", str(project))
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1, result.stderr
    assert "leads outside the project folder" in result.stderr
    assert os.listdir(elsewhere) == []


def test_a_templates_path_that_is_not_a_folder_is_refused(tmp_path):
    project = copy_example(tmp_path / "team")
    (project / "templates").write_text("", encoding="utf-8")
    result = run_in_process("init", "--templates", str(project))
    assert (result.returncode, result.stderr.splitlines()) == (2, [
        f"{project / 'templates'}:1:1: error: the templates folder is there, but not as a folder (a file, or a link "
        "to none); init --templates overwrites nothing"])  # was exit 4, the write's 'Not a directory'
    assert (project / "templates").read_bytes() == b""


def test_a_new_project_with_its_templates_passes_its_own_check(tmp_path):
    """``init --templates DIR`` where DIR is no project yet: the project and its templates, the Markdown built
    and up to date; the installed command, in a subprocess."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(EPOCH)}
    done = subprocess.run(["raci-gen", "init", "--templates", "team"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert sorted(os.listdir(tmp_path / "team" / "templates")) == sorted(BUILT_IN_NAMES)
    check = subprocess.run(["raci-gen", "build", "--check", "-f", "md", "team"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_new_project_is_not_made_over_existing_templates(tmp_path):
    (tmp_path / "team" / "templates").mkdir(parents=True)
    (tmp_path / "team" / "templates" / "raci.md.j2").write_text("# mine\n", encoding="utf-8")
    result = run_in_process("init", "--templates", str(tmp_path / "team"))
    assert result.returncode == 2
    assert "raci.md.j2" in result.stderr and len(result.stderr.splitlines()) == 1
    assert os.listdir(tmp_path / "team") == ["templates"]


def test_an_unchanged_copy_runs_without_the_project_templates_timer(tmp_path, document_of):
    """The sandbox's timer and memory watch are for a project's own templates, which the built-in ones are not."""
    from raci_gen.documents.templating import _project_templates

    project = copy_example(tmp_path / "team")
    assert run_in_process("init", "--templates", str(project)).returncode == 0
    assert not _project_templates(document_of(project))
    (project / "templates" / "raci.md.j2").write_bytes((project / "templates" / "raci.md.j2").read_bytes() + b"\n")
    assert _project_templates(document_of(project))


def test_unchanged_copies_do_not_date_the_documents_committed_or_not(tmp_path):
    """In git the documents' date is the last commit to the inputs (the build day while they differ from it); the
    unchanged copies are the built-in set, not an input: neither leaving them uncommitted nor committing them
    later moves the date, a changed one does."""
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env.update(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.org", GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    project = copy_example(tmp_path / "team")

    def git(*args: str, date: str = "2024-03-01T12:00:00Z") -> None:
        subprocess.run(["git", *args], cwd=project, env={**env, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date},
                       check=True, capture_output=True, timeout=60)

    def markdown() -> bytes:
        out = tmp_path / "out"
        shutil.rmtree(out, ignore_errors=True)
        done = subprocess.run(["raci-gen", "build", ".", "-f", "md", "--no-lint", "-o", str(out)], cwd=project,
                              env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return (out / "raci-matrix.md").read_bytes()

    git("init", "-q", ".")
    git("add", "-A")
    git("commit", "-q", "-m", "inputs")
    before = markdown()
    assert b"**Date:** 2024-03-01" in before
    assert run_in_process("init", "--templates", str(project)).returncode == 0
    assert markdown() == before  # uncommitted copies: still the commit's date, not the build day
    git("add", "templates")
    git("commit", "-q", "-m", "templates", date="2025-06-01T12:00:00Z")
    assert markdown() == before
    with open(project / "templates" / "raci.md.j2", "a", encoding="utf-8") as fh:
        fh.write("\n")
    git("commit", "-q", "-a", "-m", "own", date="2025-07-01T12:00:00Z")
    assert b"**Date:** 2025-07-01" in markdown()

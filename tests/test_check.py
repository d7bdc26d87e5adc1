"""`raci-gen build --check`: build in memory, write nothing, report what is missing or out of date;
and `--inject` / `output.inject`, whose pages --check covers too."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from raci_gen.cli import main
from raci_gen.writing.inject import BEGIN, END
from conftest import FIRST_PHASE, copy_example, snapshot

REPO_ROOT = Path(__file__).resolve().parents[1]
EPOCH = "1700000000"
ALL = "md,html,xlsx,pdf"
CHEAP = "md,html,xlsx"
PAGE = f"# Team\n\nOur team wrote this.\n\n{BEGIN}\n{END}\n\nAnd this, after.\n"




def headlines(stderr: str) -> list[str]:
    """The lines of a check's report that name a file (not its indented details, not the fix)."""
    return [line for line in stderr.splitlines() if not line.startswith(("  ", "run: "))]


def fix_line(stderr: str) -> str:
    return stderr.splitlines()[-1]


def out(project: Path, suffix: str) -> str:
    return str(project / "output" / f"raci-matrix.{suffix}")


@pytest.fixture
def cli(monkeypatch):
    """Runs raci-gen in process with SOURCE_DATE_EPOCH set, so every build of the same input is the same."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args), prog_name="raci-gen")


@pytest.fixture(scope="module")
def built_all(tmp_path_factory) -> Path:
    """The example, built once in all four formats (one PDF render for the module)."""
    project = copy_example(tmp_path_factory.mktemp("built") / "project")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        result = CliRunner().invoke(main, ["build", str(project), "-q", "-f", ALL])
    assert result.exit_code == 0, result.output
    return project


@pytest.fixture
def built(tmp_path, cli) -> Path:
    """A fresh copy of the example built in md, html and xlsx."""
    project = copy_example(tmp_path / "project")
    result = cli("build", str(project), "-q", "-f", CHEAP)
    assert result.exit_code == 0, result.output
    return project


# --- documents ----------------------------------------------------------------------------------------------------


def test_up_to_date_exits_0_and_writes_nothing(built_all, cli):
    before = snapshot(built_all)
    result = cli("build", str(built_all), "--check", "-f", ALL)
    assert result.exit_code == 0, result.output
    assert result.stdout == "4 files up to date\n"
    assert result.stderr == ""
    assert snapshot(built_all) == before  # same files, same bytes, same modification times


def test_up_to_date_quiet_prints_nothing(built, cli):
    result = cli("build", str(built), "--check", "-q", "-f", CHEAP)
    assert result.exit_code == 0
    assert result.stdout == "" and result.stderr == ""


@pytest.mark.parametrize("suffix", ["md", "html"])
def test_a_stale_text_document_is_out_of_date(built, cli, suffix):
    path = Path(out(built, suffix))
    path.write_bytes(path.read_bytes() + b"\n")
    before = snapshot(built)
    result = cli("build", str(built), "--check", "-f", CHEAP)
    assert result.exit_code == 1
    assert headlines(result.stderr) == [f"{path} is out of date"]
    assert "  - (blank line)" in result.stderr.splitlines()
    assert fix_line(result.stderr) == f"run: raci-gen build {built} -f {CHEAP}"
    assert snapshot(built) == before


def test_an_edited_workbook_is_found_by_strict_bytes(built, cli):
    """The workbook is decided by the provenance it records; an edit that keeps it needs --strict-bytes."""
    path = Path(out(built, "xlsx"))
    path.write_bytes(path.read_bytes() + b"\n")
    assert cli("build", str(built), "--check", "-f", CHEAP).exit_code == 0
    result = cli("build", str(built), "--check", "--strict-bytes", "-f", CHEAP)
    assert result.exit_code == 1
    assert headlines(result.stderr) == [f"{path} is out of date"]
    assert "its bytes differ though it records the same provenance" in result.stderr


def test_a_stale_markdown_shows_the_differing_line_and_diff_shows_all(built, cli):
    path = Path(out(built, "md"))
    path.write_text(path.read_text(encoding="utf-8").replace("| A/R |", "| A |", 1), encoding="utf-8")
    result = cli("build", str(built), "--check", "-f", "md")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == f"{path} is out of date"
    assert lines[1].startswith("  first difference at line ")
    assert lines[2].startswith("  - | ") and "| A |" in lines[2]
    assert lines[3].startswith("  + | ") and "| A/R |" in lines[3]
    assert lines[-1] == f"run: raci-gen build {built} -f md"
    assert "---" not in result.stderr
    result = cli("build", str(built), "--check", "--diff", "-f", "md")
    assert f"--- {path} (on disk)" in result.stderr and f"+++ {path} (a build now)" in result.stderr
    assert any(line.startswith("@@ ") for line in result.stderr.splitlines())


def test_strict_bytes_and_diff_need_check(built, cli):
    for option in ("--strict-bytes", "--diff"):
        result = cli("build", str(built), option, "-f", "md")
        assert result.exit_code == 2 and "--check" in result.stderr


def test_a_changed_matrix_makes_every_document_stale(built, cli):
    path = built / FIRST_PHASE
    path.write_text(path.read_text(encoding="utf-8").replace("R3: C", "R3: I", 1), encoding="utf-8")
    result = cli("build", str(built), "--check", "-f", CHEAP)
    assert result.exit_code == 1
    assert headlines(result.stderr) == [f"{out(built, s)} is out of date" for s in ("md", "html", "xlsx")]
    # every document names the file that changed, the binary one from its stamp alone
    assert result.stderr.count(f"  {FIRST_PHASE} changed since it was built") == 3


def test_another_date_makes_every_document_stale(built, cli, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(EPOCH) + 86_400))
    result = cli("build", str(built), "--check", "-f", CHEAP)
    assert result.exit_code == 1
    assert len(headlines(result.stderr)) == 3
    assert "  its date is '2023-11-14'; a build now dates it '2023-11-15'" in result.stderr.splitlines()


def test_a_missing_document_is_missing(built, cli):
    os.unlink(out(built, "html"))
    before = snapshot(built)
    result = cli("build", str(built), "--check", "-f", CHEAP)
    assert result.exit_code == 1
    assert result.stderr == f"{out(built, 'html')} is missing\nrun: raci-gen build {built} -f {CHEAP}\n"
    assert snapshot(built) == before


def test_nothing_built_yet_creates_no_output_folder(tmp_path, cli):
    project = copy_example(tmp_path / "project")
    result = cli("build", str(project), "--check", "-f", "md,html")
    assert result.exit_code == 1
    assert headlines(result.stderr) == [f"{out(project, 'md')} is missing", f"{out(project, 'html')} is missing"]
    assert not (project / "output").exists()


def test_check_follows_out(built, cli, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    assert cli("build", str(built), "-q", "-f", "md", "-o", str(elsewhere)).exit_code == 0
    assert cli("build", str(built), "--check", "-f", "md", "-o", str(elsewhere)).exit_code == 0
    (elsewhere / "raci-matrix.md").write_text("changed\n", encoding="utf-8")
    result = cli("build", str(built), "--check", "-f", "md", "-o", str(elsewhere))
    assert result.exit_code == 1 and headlines(result.stderr) == [f"{elsewhere / 'raci-matrix.md'} is out of date"]
    assert fix_line(result.stderr) == f"run: raci-gen build {built} -f md -o {elsewhere}"


# --- injected pages -----------------------------------------------------------------------------------------------


@pytest.fixture
def built_md(tmp_path, cli) -> Path:
    """A fresh copy of the example built_md in Markdown only."""
    project = copy_example(tmp_path / "project")
    assert cli("build", str(project), "-q", "-f", "md").exit_code == 0
    return project


@pytest.fixture
def page(built_md) -> Path:
    path = built_md / "docs" / "Team.md"
    path.parent.mkdir()
    path.write_text(PAGE, encoding="utf-8")
    return path


def test_inject_writes_the_section_and_check_sees_it_up_to_date(built_md, page, cli):
    result = cli("build", str(built_md), "-q", "-f", "md", "--inject", str(page), "--section", "matrix")
    assert result.exit_code == 0, result.output
    text = page.read_text(encoding="utf-8")
    assert text.startswith("# Team\n\nOur team wrote this.\n\n" + BEGIN + "\n## Matrix\n")
    assert text.endswith(END + "\n\nAnd this, after.\n")
    assert "## Legend" not in text and "## Roles" not in text
    before = snapshot(built_md)
    result = cli("build", str(built_md), "--check", "-f", "md", "--inject", str(page), "--section", "matrix")
    assert result.exit_code == 0, result.output
    assert result.stdout == "2 files up to date\n"
    assert snapshot(built_md) == before


def test_check_reports_a_page_that_was_never_injected(built_md, page, cli):
    before = page.read_bytes()
    result = cli("build", str(built_md), "--check", "-f", "md", "--inject", str(page))
    assert result.exit_code == 1
    assert headlines(result.stderr) == [f"{page} is out of date"]
    assert fix_line(result.stderr) == f"run: raci-gen build {built_md} -f md --inject {page}"
    assert page.read_bytes() == before


def test_a_page_edited_outside_the_markers_is_still_up_to_date(built_md, page, cli):
    assert cli("build", str(built_md), "-q", "-f", "md", "--inject", str(page)).exit_code == 0
    text = page.read_text(encoding="utf-8")
    edited = "# Our team, renamed\n\nNew intro.\n" + text[text.index(BEGIN):] + "A new paragraph at the end.\n"
    page.write_text(edited, encoding="utf-8")
    result = cli("build", str(built_md), "--check", "-f", "md", "--inject", str(page))
    assert result.exit_code == 0, result.output
    assert page.read_text(encoding="utf-8") == edited


def test_a_page_edited_inside_the_markers_is_out_of_date(built_md, page, cli):
    assert cli("build", str(built_md), "-q", "-f", "md", "--inject", str(page)).exit_code == 0
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("| A/R |", "| A |", 1), encoding="utf-8")
    result = cli("build", str(built_md), "--check", "-f", "md", "--inject", str(page))
    assert result.exit_code == 1
    assert headlines(result.stderr) == [f"{page} is out of date"]


def test_a_crlf_page_stays_crlf_and_up_to_date(built_md, page, cli):
    page.write_bytes(PAGE.replace("\n", "\r\n").encode("utf-8"))
    assert cli("build", str(built_md), "-q", "-f", "md", "--inject", str(page)).exit_code == 0
    data = page.read_bytes()
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert data.startswith(b"# Team\r\n\r\nOur team wrote this.\r\n")
    assert cli("build", str(built_md), "--check", "-q", "-f", "md", "--inject", str(page)).exit_code == 0


def test_the_whole_document_goes_in_by_default(built_md, page, cli):
    assert cli("build", str(built_md), "-q", "-f", "md", "--inject", str(page)).exit_code == 0
    document = Path(out(built_md, "md")).read_text(encoding="utf-8")
    text = page.read_text(encoding="utf-8")
    assert text[text.index(BEGIN) + len(BEGIN) + 1: text.index(END)] == document


def test_output_inject_in_raci_yaml(built_md, page, cli):
    other = built_md / "docs" / "All.md"
    other.write_text(f"{BEGIN}\n{END}\n", encoding="utf-8")
    with open(built_md / "raci.yaml", "a", encoding="utf-8") as fh:
        fh.write("  inject:\n    - docs/All.md\n    - {file: docs/Team.md, section: matrix}\n")
    result = cli("build", str(built_md), "--check", "-f", "md")
    assert result.exit_code == 1
    # raci.yaml changed, and the documents record the digest of every input: the Markdown is stale too
    assert sorted(headlines(result.stderr)) == sorted(
        [f"{out(built_md, 'md')} is out of date",
         f"{os.path.join(str(built_md), 'docs', 'All.md')} is out of date",
         f"{os.path.join(str(built_md), 'docs', 'Team.md')} is out of date"])
    assert "  raci.yaml changed since it was built" in result.stderr.splitlines()
    result = cli("build", str(built_md), "-f", "md")
    assert result.exit_code == 0, result.output
    team = page.read_text(encoding="utf-8")
    assert "## Matrix" in team and "## Legend" not in team and "Generated by" not in team
    assert "## Legend" in other.read_text(encoding="utf-8")
    assert cli("build", str(built_md), "--check", "-f", "md").exit_code == 0


@pytest.mark.parametrize("where", ["../outside.md", "/tmp/raci-gen-outside.md", "docs/link.md"])
def test_an_inject_page_outside_the_project_is_refused(built_md, cli, tmp_path, where):
    outside = tmp_path / "outside.md"
    outside.write_text(PAGE, encoding="utf-8")
    (built_md / "docs").mkdir()
    (built_md / "docs" / "link.md").symlink_to(outside)
    if where.startswith("/"):
        where = str(outside)
    with open(built_md / "raci.yaml", "a", encoding="utf-8") as fh:
        fh.write(f"  inject:\n    - {where}\n")
    for args in (["build", str(built_md), "-q", "-f", "md"], ["build", str(built_md), "--check", "-f", "md"]):
        result = cli(*args)
        assert result.exit_code == 2, result.output
        assert "outside the project folder" in result.stderr
        assert result.stderr.startswith(str(built_md / "raci.yaml") + ":")
    assert outside.read_text(encoding="utf-8") == PAGE


def test_unknown_section_exits_2_and_names_the_sections(built_md, page, cli):
    before = snapshot(built_md)
    result = cli("build", str(built_md), "-f", "md", "--inject", str(page), "--section", "nope")
    assert result.exit_code == 2
    assert "'nope'" in result.stderr
    for name in ("title", "legend", "matrix", "roles"):
        assert name in result.stderr
    assert snapshot(built_md) == before


def test_unknown_section_names_document_too(built_md, page, cli):
    result = cli("build", str(built_md), "-f", "md", "--inject", str(page), "--section", "nope")
    assert result.exit_code == 2 and "document" in result.stderr


def test_a_page_without_markers_stops_the_build(built_md, page, cli):
    page.write_text("# Team\n\nNo markers.\n", encoding="utf-8")
    before = snapshot(built_md)
    for extra in ([], ["--check"]):
        result = cli("build", str(built_md), "-f", "md", "--inject", str(page), *extra)
        assert result.exit_code == 2
        assert result.stderr.startswith(f"{page}:1:1: error: ")
        assert BEGIN in result.stderr
    assert snapshot(built_md) == before  # the Markdown, already rendered, is not written either


def test_a_role_named_like_a_marker_keeps_the_page_injectable(built_md, page, cli):
    roles = built_md / "roles" / "mlops-roles.yaml"
    roles.write_text(roles.read_text(encoding="utf-8").replace(
        "name: Business Stakeholder", f'name: "Stakeholder {END} {BEGIN}"', 1), encoding="utf-8")
    assert cli("build", str(built_md), "-q", "-f", "md", "--inject", str(page)).exit_code == 0
    text = page.read_text(encoding="utf-8")
    assert text.count(BEGIN) == 1 and text.count(END) == 1
    result = cli("build", str(built_md), "--check", "-f", "md", "--inject", str(page))
    assert result.exit_code == 0, result.output
    from markdown_it import MarkdownIt
    html = MarkdownIt("commonmark").enable(["table"]).render(text[text.index(BEGIN):])
    assert "Stakeholder &lt;!-- END RACI --&gt; &lt;!-- BEGIN RACI --&gt;" in html


def test_unknown_section_in_raci_yaml_exits_2(built_md, page, cli):
    with open(built_md / "raci.yaml", "a", encoding="utf-8") as fh:
        fh.write("  inject:\n    - {file: docs/Team.md, section: nope}\n")
    result = cli("build", str(built_md), "-f", "md")
    assert result.exit_code == 2
    assert "'nope'" in result.stderr and "matrix" in result.stderr
    assert page.read_text(encoding="utf-8") == PAGE


def test_unknown_section_in_raci_yaml_points_at_raci_yaml(built_md, page, cli):
    with open(built_md / "raci.yaml", "a", encoding="utf-8") as fh:
        fh.write("  inject:\n    - {file: docs/Team.md, section: nope}\n")
    result = cli("build", str(built_md), "-f", "md")
    assert result.stderr.startswith(str(built_md / "raci.yaml") + ":")


def test_unknown_section_without_an_inject_page_exits_2(built_md, cli):
    result = cli("build", str(built_md), "-f", "md", "--section", "nope")
    assert result.exit_code == 2


# --- docs as code that holds: tomorrow, elsewhere, with other optional libraries ----------------------------------

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}
WITHOUT_LXML = "import sys; sys.modules['lxml'] = None; from raci_gen.cli import main; sys.exit(main())"


def run(cwd: Path, *args: str, prefix: tuple[str, ...] = (), python: tuple[str, ...] = ("-m", "raci_gen"),
        env_extra: dict | None = None) -> subprocess.CompletedProcess:
    """raci-gen (or git, with ``python=()``) in a fresh process, without SOURCE_DATE_EPOCH: the real clock."""
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env.update(GIT_ENV, **(env_extra or {}))
    command = [*prefix, sys.executable, *python, *args] if python else [*prefix, *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@needs_git
def test_a_committed_project_stays_up_to_date_tomorrow_elsewhere_and_without_lxml(tmp_path):
    """The issue's scenario, for real: git init, raci-gen init, build, commit; then build --check passes now,
    from activities/, with the clock two and forty days ahead (libfaketime), in a copy of the repository, and
    where lxml cannot be imported (strict bytes included)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    assert run(repo, "git", "init", "-q", python=()).returncode == 0
    assert run(repo, "init", "t").returncode == 0
    project = repo / "t"
    built = run(project, "build", "-q")
    assert built.returncode == 0, built.stderr
    assert run(repo, "git", "add", "-A", python=()).returncode == 0
    assert run(repo, "git", "commit", "-q", "-m", "x", python=()).returncode == 0

    def passes(where: Path, **kwargs) -> None:
        result = run(where, "build", "--check", **kwargs)
        assert result.returncode == 0, result.stderr
        assert result.stdout.endswith("files up to date\n")

    passes(project)
    passes(project / "activities")  # the project found from a subfolder
    if shutil.which("faketime"):
        for days in (2, 40):
            moved = run(project, "import time; print(time.time())", python=("-c",),
                        prefix=("faketime", "-f", f"+{days}d"))
            assert abs(float(moved.stdout) - time.time() - days * 86_400) < 3_600  # the clock did move
            passes(project, prefix=("faketime", "-f", f"+{days}d"))
    copy = tmp_path / "elsewhere" / "copy"
    shutil.copytree(repo, copy, symlinks=True)
    passes(copy / "t")
    result = run(copy / "t", "build", "--check", "--strict-bytes", python=("-c", WITHOUT_LXML))
    assert result.returncode == 0, result.stderr
    # and an edit of an input is found, with the file that changed and the command that fixes it
    roles = next((copy / "t" / "roles").glob("*.yaml"))
    roles.write_text(roles.read_text(encoding="utf-8").replace("name: Business Stakeholder", "name: Sponsor", 1),
                     encoding="utf-8")
    result = run(copy / "t", "build", "--check")
    assert result.returncode == 1
    assert f"  roles/{roles.name} changed since it was built" in result.stderr.splitlines()
    assert result.stderr.splitlines()[-1] == "run: raci-gen build"


CHECK_AND_REPORT_IMPORTS = """
import sys
from raci_gen.cli import main
try:
    main(["build", sys.argv[1], "--check", "-f", "md,xlsx,pdf"], prog_name="raci-gen")
except SystemExit as exc:
    code = exc.code
print(code, sorted(m for m in ("weasyprint", "openpyxl", "fontTools", "lxml") if m in sys.modules))
"""


def check_in_fresh_process(project: Path) -> tuple[str, str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    proc = subprocess.run([sys.executable, "-c", CHECK_AND_REPORT_IMPORTS, str(project)], capture_output=True,
                          text=True, env=env, timeout=120)
    return proc.stdout.strip().splitlines()[-1], proc.stderr


def test_check_decides_pdf_and_workbook_without_rendering_them(built_all, tmp_path):
    """Up to date and stale alike, the check reads the recorded provenance: WeasyPrint and openpyxl are
    never imported."""
    stdout, stderr = check_in_fresh_process(built_all)
    assert stdout == "0 []", stderr
    project = copy_example(tmp_path / "project")
    for suffix in ("md", "xlsx", "pdf"):
        os.makedirs(project / "output", exist_ok=True)
        shutil.copy(out(built_all, suffix), out(project, suffix))
    path = project / FIRST_PHASE
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    stdout, stderr = check_in_fresh_process(project)
    assert stdout == "1 []"
    lines = stderr.splitlines()
    assert f"{out(project, 'pdf')} is out of date" in lines
    assert f"{out(project, 'xlsx')} is out of date" in lines
    assert lines.count(f"  {FIRST_PHASE} changed since it was built") == 3
    assert lines[-1] == f"run: raci-gen build {project} -f md,xlsx,pdf"


def test_a_pdf_without_provenance_is_out_of_date(built_all, tmp_path, cli):
    project = copy_example(tmp_path / "project")
    (project / "output").mkdir()
    Path(out(project, "pdf")).write_bytes(b"%PDF-1.7\n%%EOF\n")
    result = cli("build", str(project), "--check", "-f", "pdf")
    assert result.exit_code == 1
    assert "  it records no raci-gen provenance" in result.stderr

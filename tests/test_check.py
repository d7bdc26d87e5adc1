"""`raci-gen build --check`: build in memory, write nothing, report what is missing or out of date;
and `--inject` / `output.inject`, whose pages --check covers too."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from raci_gen.cli import main
from raci_gen.inject import BEGIN, END
from conftest import FIRST_PHASE, copy_example, snapshot

REPO_ROOT = Path(__file__).resolve().parents[1]
EPOCH = "1700000000"
ALL = "md,html,xlsx,pdf"
CHEAP = "md,html,xlsx"
PAGE = f"# Team\n\nOur team wrote this.\n\n{BEGIN}\n{END}\n\nAnd this, after.\n"




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


@pytest.mark.parametrize("suffix", ["md", "html", "xlsx"])
def test_a_stale_document_is_out_of_date(built, cli, suffix):
    path = Path(out(built, suffix))
    path.write_bytes(path.read_bytes() + b"\n")
    before = snapshot(built)
    result = cli("build", str(built), "--check", "-f", CHEAP)
    assert result.exit_code == 1
    assert result.stderr == f"{path} is out of date\n"
    assert snapshot(built) == before


def test_a_changed_matrix_makes_every_document_stale(built, cli):
    path = built / FIRST_PHASE
    path.write_text(path.read_text(encoding="utf-8").replace("R3: C", "R3: I", 1), encoding="utf-8")
    result = cli("build", str(built), "--check", "-f", CHEAP)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"{out(built, s)} is out of date" for s in ("md", "html", "xlsx")]


def test_another_date_makes_every_document_stale(built, cli, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(EPOCH) + 86_400))
    result = cli("build", str(built), "--check", "-f", CHEAP)
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 3


def test_a_missing_document_is_missing(built, cli):
    os.unlink(out(built, "html"))
    before = snapshot(built)
    result = cli("build", str(built), "--check", "-f", CHEAP)
    assert result.exit_code == 1
    assert result.stderr == f"{out(built, 'html')} is missing\n"
    assert snapshot(built) == before


def test_nothing_built_yet_creates_no_output_folder(tmp_path, cli):
    project = copy_example(tmp_path / "project")
    result = cli("build", str(project), "--check", "-f", "md,html")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"{out(project, 'md')} is missing", f"{out(project, 'html')} is missing"]
    assert not (project / "output").exists()


def test_check_follows_out(built, cli, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    assert cli("build", str(built), "-q", "-f", "md", "-o", str(elsewhere)).exit_code == 0
    assert cli("build", str(built), "--check", "-f", "md", "-o", str(elsewhere)).exit_code == 0
    (elsewhere / "raci-matrix.md").write_text("changed\n", encoding="utf-8")
    result = cli("build", str(built), "--check", "-f", "md", "-o", str(elsewhere))
    assert result.exit_code == 1 and result.stderr == f"{elsewhere / 'raci-matrix.md'} is out of date\n"


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
    assert result.stderr == f"{page} is out of date\n"
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
    assert result.stderr == f"{page} is out of date\n"


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
    assert sorted(result.stderr.splitlines()) == sorted(
        [f"{os.path.join(str(built_md), 'docs', 'All.md')} is out of date",
         f"{os.path.join(str(built_md), 'docs', 'Team.md')} is out of date"])
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

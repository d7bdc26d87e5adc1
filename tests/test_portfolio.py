"""`raci-gen portfolio`: the index of many projects and each person's load across them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from openpyxl import load_workbook

from conftest import write_project

ADA = {"name": "Ada Lovelace", "email": "ada@example.org", "team": "Data"}


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "raci_gen", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def project(root: Path, name: str, ada_role: str, letters: list[str], variant: str = "RACI",
            other_letter: str = "R") -> Path:
    """Two roles; Ada is on ``ada_role``; activity i gives Ada's role ``letters[i]``."""
    roles = [{"id": "LEAD", "name": "Lead", "people": [ADA] if ada_role == "LEAD" else ["Bob"]},
             {"id": "TEAM", "name": "Team", "people": [ADA] if ada_role == "TEAM" else ["Carol"]}]
    other = "TEAM" if ada_role == "LEAD" else "LEAD"
    activities = []
    for i, letter in enumerate(letters, 1):
        raci = {ada_role: letter}
        if "A" not in letter.split("/") and variant == "RACI":
            raci[other] = "A"
        elif "R" not in letter.split("/") and variant == "RACI":
            raci[other] = "R"
        activities.append({"id": f"X-{i}", "name": f"Activity {i} of {name}", "raci": raci})
    return write_project(root / name, roles, {"01-all": {"phase": "All", "activities": activities}},
                         {"title": f"Charter {name}", "version": "2.1", "variant": variant})


@pytest.fixture()
def portfolio_tree(tmp_path: Path) -> Path:
    # Ada: project one A/R on 2 activities and C on 1; project two I on 2; project three A on 1 (as TEAM).
    project(tmp_path, "one", "LEAD", ["A/R", "A/R", "C"])
    project(tmp_path, "two", "TEAM", ["I", "I"])
    project(tmp_path, "three", "TEAM", ["A", "C", "I", "C"])
    return tmp_path


def _rows(md: str, as_read: bool) -> list[list[str]]:
    """The cells of every table row of ``md``: as written (the inline source) or, with ``as_read``,
    as a reader sees them (text and code, markup dropped)."""
    rows, row = [], None
    for token in MarkdownIt("commonmark").enable("table").parse(md):
        if token.type == "tr_open":
            row = []
        elif token.type == "tr_close":
            rows.append(row)
        elif token.type == "inline" and row is not None:
            row.append("".join(c.content for c in token.children or [] if c.type in ("text", "code_inline"))
                       if as_read else token.content)
    return rows


def people_rows(md: str) -> dict[str, list[str]]:
    return {r[0]: r for r in _rows(md, as_read=False) if r and r[0] in ("Ada Lovelace", "Bob", "Carol")}


def table_rows(md: str, column: int = 1) -> dict[str, list[str]]:
    """Every row of the Markdown's tables as a reader sees the cells, by the text of one column
    (default: the folder)."""
    return {r[column]: r for r in _rows(md, as_read=True) if len(r) > column}


def people_rows_any(md: str) -> list[str]:
    tokens = MarkdownIt("commonmark").enable("table").parse(md)
    return ["".join(c.content for c in t.children or [] if c.type == "text") for t in tokens if t.type == "inline"]


def test_a_person_on_three_projects_shows_the_right_counts(portfolio_tree: Path):
    done = run("portfolio", "one", "two", "three", "--out", "index", "-f", "md,html,xlsx", cwd=portfolio_tree)
    assert done.returncode == 0, done.stderr
    md = (portfolio_tree / "index" / "portfolio.md").read_text(encoding="utf-8")
    ada = people_rows(md)["Ada Lovelace"]
    # Person | Team | Projects | A | R | C | I | Share
    assert ada[1:7] == ["Data", "3", "3 (2)", "2 (1)", "3 (2)", "3 (2)"]
    # A or R on 3 of the 9 activities of the portfolio: over the default limit of 20%, flagged in every format.
    assert ada[7] == "33% ⚠ over the limit"
    sheet = load_workbook(portfolio_tree / "index" / "portfolio.xlsx")["People"]
    header = [c.value for c in sheet[1]]
    row = {header[i]: c.value for i, c in enumerate(next(r for r in sheet.iter_rows(min_row=2)
                                                         if r[0].value == "Ada Lovelace"))}
    assert (row["Projects"], row["A activities"], row["A projects"], row["I activities"]) == (3, 3, 2, 3)
    assert row["Over the limit"] == "yes"
    html = (portfolio_tree / "index" / "portfolio.html").read_text(encoding="utf-8")
    assert '<tr class="over"><td>Ada Lovelace</td>' in html


def test_the_limit_is_configurable_and_the_index_links_documents(portfolio_tree: Path):
    assert run("build", "one", "-f", "md", "--no-lint", cwd=portfolio_tree).returncode == 0
    done = run("portfolio", "one", "two", "three", "--out", "index", "--max-share", "0.5", cwd=portfolio_tree)
    assert done.returncode == 0, done.stderr
    md = (portfolio_tree / "index" / "portfolio.md").read_text(encoding="utf-8")
    assert "over the limit" not in people_rows(md)["Ada Lovelace"][7]
    tokens = MarkdownIt("commonmark").enable("table").parse(md)
    links = [child.attrs["href"] for t in tokens if t.type == "inline" for child in t.children or []
             if child.type == "link_open"]
    assert "../one/output/raci-matrix.md" in links
    for link in links:  # every link resolves from the index's folder, where it is built
        target = (portfolio_tree / "index" / link).resolve()
        assert target.is_file() or "not built" in md
    assert "| Charter one | ../one | 2.1 | 3 | 2 | " in md


def test_same_bytes_wherever_the_tree_is(portfolio_tree: Path, tmp_path_factory):
    assert run("portfolio", "one", "two", "three", "--out", "index", "-f", "md,html,xlsx",
               cwd=portfolio_tree).returncode == 0
    elsewhere = tmp_path_factory.mktemp("moved") / "deep" / "tree"
    shutil.copytree(portfolio_tree, elsewhere)
    shutil.rmtree(elsewhere / "index")
    assert run("portfolio", "../tree/one", "two", str(elsewhere / "three"), "--out", "../tree/index",
               "-f", "md,html,xlsx", cwd=elsewhere).returncode == 0
    for name in ("portfolio.md", "portfolio.html", "portfolio.xlsx"):
        assert (portfolio_tree / "index" / name).read_bytes() == (elsewhere / "index" / name).read_bytes(), name


def test_a_project_that_cannot_be_read_is_listed(portfolio_tree: Path):
    (portfolio_tree / "two" / "roles" / "roles.yaml").write_text("roles: [\n", encoding="utf-8")
    done = run("portfolio", "one", "two", "three", "--out", "index", "-f", "md,xlsx", cwd=portfolio_tree)
    assert done.returncode == 2
    # On the terminal, the problem itself, FILE:LINE:COL from where the command runs, then what it means.
    first, second = done.stderr.splitlines()[:2]
    assert first.startswith("two/roles/roles.yaml:2:1: error: YAML syntax error")
    assert second.startswith("two: error: the project cannot be read")
    md = (portfolio_tree / "index" / "portfolio.md").read_text(encoding="utf-8")
    assert "../two/roles/roles.yaml:2:1: error: YAML syntax error" in md
    assert people_rows(md)["Ada Lovelace"][2] == "2"  # on the two projects that could be read
    # Its size is not known: blank, not 0 activities and 0 roles.
    rows = table_rows(md)
    assert rows["../two"][3:5] == ["", ""]
    assert rows["../one"][3:5] == ["3", "2"]
    sheet = load_workbook(portfolio_tree / "index" / "portfolio.xlsx")["Projects"]
    two = next(r for r in sheet.iter_rows(min_row=2) if r[1].value == "../two")
    assert (two[3].value, two[4].value) == (None, None)


def test_mixed_variants_count_by_part(tmp_path: Path):
    write_project(tmp_path / "daci", [{"id": "D", "name": "Driver", "people": [ADA]},
                                      {"id": "AP", "name": "Approver", "people": ["Bob"]}],
                  {"01": {"phase": "P", "activities": [{"id": "X-1", "name": "Decide", "raci": {"D": "D", "AP": "A"}}]}},
                  {"title": "Decision", "variant": "DACI"})
    done = run("portfolio", "daci", "--out", "index", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = people_rows((tmp_path / "index" / "portfolio.md").read_text(encoding="utf-8"))
    assert rows["Ada Lovelace"][3:7] == ["–", "1 (1)", "–", "–"]  # the Driver does the work: R
    assert rows["Bob"][3:7] == ["1 (1)", "–", "–", "–"]  # the Approver answers for it: A


def test_hostile_names_are_escaped(tmp_path: Path):
    write_project(tmp_path / "p", [{"id": "L", "name": "Lead", "people": ["<b>x</b> | y"]}],
                  {"01": {"phase": "P", "activities": [{"id": "X-1", "name": "Do", "raci": {"L": "A/R"}}]}},
                  {"title": "=HYPERLINK(\"http://x\") | <script>"})
    assert run("portfolio", "p", "--out", "i", "-f", "md,html,xlsx", cwd=tmp_path).returncode == 0
    html = (tmp_path / "i" / "portfolio.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "<b>x</b>" not in html
    md = (tmp_path / "i" / "portfolio.md").read_text(encoding="utf-8")
    tokens = MarkdownIt("commonmark").enable("table").parse(md)
    inline = [c for t in tokens if t.type == "inline" for c in t.children or []]
    assert not [c for c in inline if c.type.startswith("html")]
    assert "<b>x</b> | y" in people_rows_any(md)
    cell = load_workbook(tmp_path / "i" / "portfolio.xlsx")["Projects"]["A2"]
    assert cell.data_type == "s" and cell.quotePrefix


def test_the_index_does_not_depend_on_the_order_of_the_folders(tmp_path: Path):
    """A shell's ``*`` sorts by locale, and a folder may be named twice: the index is the same bytes."""
    def team(name: str, who) -> None:
        write_project(tmp_path / name, [{"id": "L", "name": "Lead", "people": [who]},
                                        {"id": "T", "name": "Team", "people": ["Bob"]}],
                      {"01": {"phase": "P", "activities": [
                          {"id": "X-1", "name": "Do", "raci": {"L": "A", "T": "R"}}]}},
                      {"title": f"Charter {name}"})
    # The same Ada (the e-mail says so), written differently in each charter.
    team("a-one", {"name": "ADA LOVELACE", "email": "ADA@example.org", "team": "Steering"})
    team("a", {"name": "Ada Lovelace", "email": "ada@example.org", "team": "Data"})
    team("b", {"name": "Ada Lovelace", "email": "ada@example.org", "team": "data"})
    orders = [("a", "a-one", "b"), ("b", "a-one", "a", "./a", "b/")]
    for number, order in enumerate(orders):
        done = run("portfolio", *order, "--out", f"index-{number}", "-f", "md,html,xlsx", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    for name in ("portfolio.md", "portfolio.html", "portfolio.xlsx"):
        assert (tmp_path / "index-0" / name).read_bytes() == (tmp_path / "index-1" / name).read_bytes(), name
    md = (tmp_path / "index-1" / "portfolio.md").read_text(encoding="utf-8")
    projects = [row[1] for row in table_rows(md).values() if row[1].startswith("../")]
    assert projects == ["../a", "../a-one", "../b"]  # by folder, each once
    assert md.splitlines()[2].startswith("3 projects, 3 activities")
    ada = people_rows(md)["Ada Lovelace"]  # the spelling most charters use
    assert ada[1:4] == ["Data, Steering", "3", "3 (3)"]
    sheet = load_workbook(tmp_path / "index-1" / "portfolio.xlsx")["People"]
    assert [(r[0].value, r[1].value) for r in sheet.iter_rows(min_row=2) if r[1].value] == \
        [("Ada Lovelace", "ada@example.org")]


def test_a_person_written_without_e_mail_is_the_one_with_it(tmp_path: Path):
    def charter(name: str, *people) -> None:
        write_project(tmp_path / name, [{"id": "L", "name": "Lead", "people": list(people)},
                                        {"id": "T", "name": "Team", "people": ["Bob"]}],
                      {"01": {"phase": "P", "activities": [
                          {"id": "X-1", "name": "Do", "raci": {"L": "A", "T": "R"}}]}})
    charter("one", ADA, {"name": "Alan Turing", "email": "alan@a.example"})
    charter("two", "Ada Lovelace", {"name": "Alan Turing", "email": "alan@b.example"})
    charter("three", " ada  lovelace ", "Alan Turing")
    done = run("portfolio", "one", "two", "three", "--out", "index", "-f", "md,html,xlsx", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    md = (tmp_path / "index" / "portfolio.md").read_text(encoding="utf-8")
    rows = table_rows(md, column=0)
    # One Ada on three projects (only one Ada has an e-mail).
    assert rows["Ada Lovelace"][1:4] == ["Data", "3", "3 (3)"]
    # Two Alan Turings with their own e-mails, and one without who could be either: three rows, told apart.
    alans = sorted(name for name in rows if name.startswith("Alan Turing"))
    assert alans == ["Alan Turing (no e-mail)", "Alan Turing <alan@a.example>", "Alan Turing <alan@b.example>"]
    html = (tmp_path / "index" / "portfolio.html").read_text(encoding="utf-8")
    assert "<td>Alan Turing &lt;alan@b.example&gt;</td>" in html
    sheet = load_workbook(tmp_path / "index" / "portfolio.xlsx")["People"]
    assert sorted((r[0].value, r[1].value or "") for r in sheet.iter_rows(min_row=2)
                  if r[0].value.startswith("Alan")) == \
        [("Alan Turing", ""), ("Alan Turing", "alan@a.example"), ("Alan Turing", "alan@b.example")]


def test_documents_out_of_date_or_that_cannot_be_built_are_shown(portfolio_tree: Path):
    """The index says which documents a build now would write otherwise, not only which exist."""
    for name in ("one", "two"):
        assert run("build", name, "-f", "md", "--no-lint", cwd=portfolio_tree).returncode == 0
    roles = portfolio_tree / "two" / "roles" / "roles.yaml"
    roles.write_text(roles.read_text(encoding="utf-8").replace("name: Lead", "name: Leader"), encoding="utf-8")
    (portfolio_tree / "three" / "templates").mkdir()
    (portfolio_tree / "three" / "templates" / "raci.md.j2").write_text("# {{ nothing.here }}\n", encoding="utf-8")
    done = run("portfolio", "one", "two", "three", "--out", "index", "-f", "md,html,xlsx", cwd=portfolio_tree)
    assert done.returncode == 0, done.stderr  # every project could be read; the index tells the rest
    # On the terminal, the template's error as FILE:LINE:COL from where the command runs.
    assert done.stderr.splitlines()[0].startswith(f"{Path('three', 'templates', 'raci.md.j2')}:1:")
    assert done.stderr.splitlines()[1] == "three: warning: its documents cannot be built; the index says so"
    md = (portfolio_tree / "index" / "portfolio.md").read_text(encoding="utf-8")
    rows = table_rows(md)
    assert rows["../one"][6] == "md, xlsx (not built), pdf (not built)"
    assert rows["../two"][6].startswith("md (out of date), ")
    assert rows["../three"][6].startswith("cannot be built: ../three/templates/raci.md.j2:1:")
    summary = " ".join(md.split("\n\n")[1].splitlines())  # wrapped at 80
    assert "3 projects have documents that are not built, out of date or cannot be built." in summary
    html = (portfolio_tree / "index" / "portfolio.html").read_text(encoding="utf-8")
    assert 'raci-matrix.md">md</a> (out of date)' in html and "cannot be built: ../three/templates" in html
    sheet = load_workbook(portfolio_tree / "index" / "portfolio.xlsx")["Projects"]
    cells = {r[1].value: r[6].value for r in sheet.iter_rows(min_row=2)}
    assert cells["../two"].startswith("../two/output/raci-matrix.md (out of date), ")
    assert cells["../one"].startswith("../one/output/raci-matrix.md, ")


def test_the_workbook_keeps_its_headers_in_view_filters_and_prints_across(portfolio_tree: Path):
    assert run("portfolio", "one", "two", "three", "--out", "index", "-f", "xlsx", cwd=portfolio_tree).returncode == 0
    book = load_workbook(portfolio_tree / "index" / "portfolio.xlsx")
    for name, rows in (("Projects", 3), ("People", 3)):
        sheet = book[name]
        last = sheet.max_column
        assert sheet.freeze_panes == "B2", name
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, last).column_letter}{1 + rows}", name
        assert sheet.cell(1, last).value and sheet.cell(1, last + 1).value is None  # the filter spans every column
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1, name
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, name
        # Every column is wide enough for its header.
        for col in range(1, last + 1):
            width = sheet.column_dimensions[sheet.cell(1, col).column_letter].width
            assert width >= len(sheet.cell(1, col).value), (name, sheet.cell(1, col).value)

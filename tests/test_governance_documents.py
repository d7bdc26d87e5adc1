"""The governance data in every format where it belongs (issue 23, item 4): people's from/until/note and handles
and roles' handles in the Roles tables (Markdown, HTML, the PDF made from it, the workbook) and in show --role;
separate-sign-off-people counts only the people in post on the lint's day. Real files, the installed raci-gen in a
subprocess, the workbook read back with openpyxl."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from test_html_browser import browser  # noqa: F401  (the fixture)

RACI_GEN = os.path.join(os.path.dirname(sys.executable), "raci-gen")

ROLES = {"roles": [
    {"id": "LEAD", "name": "Lead", "handles": ["@acme/leads"], "people": [
        {"name": "Ada Lovelace", "email": "ada@example.org", "until": "2026-06-30",
         "note": "parental leave, Alan Turing covers", "handles": ["@ada-l"]},
        {"name": "Alan Turing", "email": "alan@example.org", "from": "2026-07-01"}]},
    {"id": "TEAM", "name": "Team", "people": [
        {"name": "Grace Hopper", "handles": ["@grace"]},
        {"name": "Alan Turing", "email": "alan@example.org", "until": "2026-06-15"}]},
]}
"""LEAD is Ada's until 30 June 2026, then Alan's; Alan was in TEAM until 15 June, so on 1 July nobody signs off
their own work, and on 10 June Alan (in post in TEAM, not yet in LEAD) does not either."""

ACTIVITIES = """\
phase: Build
activities:
  - id: B-1
    name: Write the code
    raci: {LEAD: A, TEAM: R}
  - id: B-2
    name: Accept the code
    sign-off: true
    raci: {LEAD: A, TEAM: R}
"""


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([RACI_GEN, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def write(root: Path, roles: dict = ROLES, date: str = "2026-06-10") -> Path:
    (root / "roles").mkdir(parents=True)
    (root / "activities").mkdir()
    (root / "raci.yaml").write_text(f"title: Charter\ndate: {date}\nanalysis: false\n", encoding="utf-8")
    write_roles(root, roles)
    (root / "activities" / "01-build.yaml").write_text(ACTIVITIES, encoding="utf-8")
    return root


def write_roles(root: Path, roles: dict) -> None:
    # JSON is YAML; dates unquoted, as the loader reads a quoted one as text
    text = re.sub(r'"([0-9]{4}-[0-9]{2}-[0-9]{2})"', r"\1", json.dumps(roles))
    (root / "roles" / "roles.yaml").write_text(text, encoding="utf-8")


def role_row(markdown: str, role: str) -> str:
    [line] = [line for line in markdown.splitlines() if line.startswith(f"| {role} |")]
    return line


def test_roles_table_in_markdown_names_dates_notes_and_handles(tmp_path):
    root = write(tmp_path / "p")
    result = run("build", "--format", "md", "--no-lint", cwd=root)
    assert result.returncode == 0, result.stderr
    markdown = (root / "output" / "raci-matrix.md").read_text(encoding="utf-8")
    # on 10 June: Ada in post (until 30 June, her note, her handle), the role's team handle; "@" escaped
    assert role_row(markdown, "LEAD") == (
        "| LEAD | Lead | Ada Lovelace \\<ada\\@example.org\\> \\[until 2026-06-30; parental leave, Alan Turing "
        "covers; \\@ada-l\\]; handles: \\@acme/leads | | |")
    assert role_row(markdown, "TEAM") == (
        "| TEAM | Team | Grace Hopper \\[\\@grace\\], Alan Turing \\<alan\\@example.org\\> \\[until 2026-06-15\\] | | |")


def test_as_of_a_hand_over_names_the_new_person_with_their_start(tmp_path):
    root = write(tmp_path / "p")
    result = run("build", "--format", "md", "--no-lint", "--as-of", "2026-07-01", cwd=root)
    assert result.returncode == 0, result.stderr
    markdown = (root / "output" / "raci-matrix.md").read_text(encoding="utf-8")
    assert role_row(markdown, "LEAD") == (
        "| LEAD | Lead | Alan Turing \\<alan\\@example.org\\> \\[from 2026-07-01\\]; handles: \\@acme/leads | | |")


def test_roles_table_in_html(tmp_path):
    root = write(tmp_path / "p")
    result = run("build", "--format", "html", "--no-lint", cwd=root)
    assert result.returncode == 0, result.stderr
    html = (root / "output" / "raci-matrix.html").read_text(encoding="utf-8")
    assert '<span class="terms">until 2026-06-30; parental leave, Alan Turing covers; @ada-l</span>' in html
    assert '<span class="terms">@grace</span>' in html
    assert '<span class="handles">handles: @acme/leads</span>' in html


def test_roles_sheet_of_the_workbook(tmp_path):
    root = write(tmp_path / "p")
    result = run("build", "--format", "xlsx", "--no-lint", cwd=root)
    assert result.returncode == 0, result.stderr
    sheets = openpyxl.load_workbook(root / "output" / "raci-matrix.xlsx")
    [sheet] = [s for s in sheets.worksheets if s.title == "Roles"]
    people = {sheet.cell(row, 1).value: sheet.cell(row, 3).value for row in range(2, sheet.max_row + 1)}
    assert people["LEAD"] == ("Ada Lovelace <ada@example.org> [until 2026-06-30; parental leave, Alan Turing covers; "
                              "@ada-l]\nhandles: @acme/leads")
    assert people["TEAM"] == "Grace Hopper [@grace]\nAlan Turing <alan@example.org> [until 2026-06-15]"


def test_show_role_gives_the_handles(tmp_path):
    root = write(tmp_path / "p")
    result = run("show", "--role", "LEAD", "--width", "200", cwd=root)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "Handles: @acme/leads" in lines
    [people] = [line for line in lines if line.startswith("People: ")]
    assert "[until 2026-06-30; " in people and "parental leave, Alan Turing covers; @ada-l]" in people
    team = run("show", "--role", "TEAM", "--width", "200", cwd=root).stdout
    assert "Grace Hopper [@grace]" in team and "Handles:" not in team


def own_work_lines(root: Path, *args: str) -> list[str]:
    result = run("lint", *args, cwd=root)
    return [line for line in result.stdout.splitlines() if "[separate-sign-off-people]" in line]


def test_sign_off_people_counts_only_the_people_in_post(tmp_path):
    roles = json.loads(json.dumps(ROLES))
    # Alan fills TEAM until 15 June and LEAD from 1 July: he never signs off his own work
    root = write(tmp_path / "p", roles)
    assert own_work_lines(root, "--as-of", "2026-06-10") == []
    assert own_work_lines(root, "--as-of", "2026-07-02") == []
    # in TEAM until 5 July: in both roles from 1 to 5 July
    roles["roles"][1]["people"][1]["until"] = "2026-07-05"
    write_roles(root, roles)
    assert own_work_lines(root, "--as-of", "2026-06-10") == []
    [found] = own_work_lines(root, "--as-of", "2026-07-02")
    assert "Alan Turing <alan@example.org> fills both role LEAD" in found
    assert own_work_lines(root, "--as-of", "2026-07-06") == []


def test_documents_report_sign_off_people_of_their_own_date(tmp_path):
    roles = json.loads(json.dumps(ROLES))
    roles["roles"][1]["people"][1]["until"] = "2026-07-05"
    root = write(tmp_path / "p", roles, date="2026-06-10")
    (root / "raci.yaml").write_text("title: Charter\ndate: 2026-06-10\nfindings: true\n",
                                    encoding="utf-8")
    # the lint of 2 July finds Alan; the documents of 10 June do not (he is not yet in LEAD then)
    result = run("build", "--format", "md", "--as-of", "2026-07-02", "--no-lint", cwd=root)
    assert result.returncode == 0, result.stderr
    markdown = (root / "output" / "raci-matrix.md").read_text(encoding="utf-8")
    assert "\\[separate-sign-off-people\\]" in markdown and "sign-off B-2 (Accept the code): Alan Turing" in markdown
    result = run("build", "--format", "md", "--no-lint", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "separate-sign-off-people" not in (root / "output" / "raci-matrix.md").read_text(encoding="utf-8")


def test_diff_names_people_handles_and_paths_that_changed(tmp_path):
    old = write(tmp_path / "old")
    roles = json.loads(json.dumps(ROLES))
    lead, team = roles["roles"]
    lead["handles"] = ["@acme/ml-leads"]
    lead["people"][0]["until"] = "2026-07-31"  # Ada's leave starts later
    lead["people"][0]["handles"] = ["@ada-l", "ada@example.org"]
    team["people"].pop()  # Alan leaves the team
    team["people"].append({"name": "Katherine Johnson", "from": "2026-08-01"})
    new = write(tmp_path / "new", roles)
    (new / "activities" / "01-build.yaml").write_text(ACTIVITIES.replace(
        "    sign-off: true\n", "    sign-off: true\n    paths: [src/, docs/]\n"), encoding="utf-8")
    result = run("diff", "old", "new", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.splitlines()[0].startswith("Changes in responsibilities (old → new): 3 changes to people, 2 changes "
                                           "to handles, 1 change to paths")
    assert ("People:\n"
            "  LEAD Lead: Ada Lovelace: until 2026-06-30; parental leave, Alan Turing covers → until 2026-07-31; "
            "parental leave, Alan Turing covers\n"
            "  TEAM Team: Katherine Johnson joined (from 2026-08-01)\n"
            "  TEAM Team: Alan Turing left\n") in text
    assert ("Handles:\n"
            "  LEAD Lead: @acme/leads → @acme/ml-leads\n"
            "  LEAD Lead: Ada Lovelace: @ada-l → @ada-l ada@example.org\n") in text
    assert "Paths:\n  B-2 Accept the code: (none) → src/ docs/\n" in text
    markdown = run("diff", "old", "new", "--format", "markdown", cwd=tmp_path).stdout
    assert "### People" in markdown and "### Handles" in markdown and "### Paths" in markdown
    # the same project on both sides: nothing changed
    assert run("diff", "old", "old", cwd=tmp_path).stdout.startswith("No changes in responsibilities")


def test_paths_in_the_notes_of_html_and_pdf(tmp_path):
    import pypdf

    root = write(tmp_path / "p")
    (root / "activities" / "01-build.yaml").write_text(ACTIVITIES.replace(
        "    sign-off: true\n", "    sign-off: true\n    paths: [src/, docs/*.md]\n").replace(
        "    name: Write the code\n", "    name: Write the code\n    description: Reviewed by two.\n    paths: [lib/]\n"),
        encoding="utf-8")
    result = run("build", "--format", "html,pdf", "--no-lint", cwd=root)
    assert result.returncode == 0, result.stderr
    html = (root / "output" / "raci-matrix.html").read_text(encoding="utf-8")
    # a note of its own for an activity with paths only; after the description for the other
    assert '<td class="desc">Reviewed by two.\n<span class="paths">Paths: lib/</span></td>' in html
    assert '<td class="desc"><span class="paths">Paths: src/ docs/*.md</span></td>' in html
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(root / "output" / "raci-matrix.pdf").pages)
    assert "Paths: lib/" in text and "Paths: src/ docs/*.md" in text


def test_markdown_with_dates_notes_handles_and_paths_passes_markdownlint(tmp_path):
    markdownlint = shutil.which("markdownlint-cli2")
    if markdownlint is None:
        pytest.skip("markdownlint-cli2 is not installed (npm; .ci/run)")
    root = write(tmp_path / "p")
    (root / "activities" / "01-build.yaml").write_text(ACTIVITIES.replace(
        "    sign-off: true\n", "    sign-off: true\n    paths: [src/, docs/*.md]\n"), encoding="utf-8")
    result = run("build", "--format", "md", "--no-lint", "-o", "../lint", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "\\@ada-l" in (tmp_path / "lint" / "raci-matrix.md").read_text(encoding="utf-8")
    done = subprocess.run([markdownlint, "*.md"], cwd=tmp_path / "lint", capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_html_with_dates_notes_handles_and_paths_has_no_axe_violation(tmp_path, request):
    from test_html_browser import AXE_RUN, WIDTHS, show

    browser = request.getfixturevalue("browser")  # test_html_browser's: skips where Chromium or axe are missing
    root = write(tmp_path / "p")
    (root / "activities" / "01-build.yaml").write_text(ACTIVITIES.replace(
        "    sign-off: true\n", "    sign-off: true\n    paths: [src/, docs/*.md]\n"), encoding="utf-8")
    result = run("build", "--format", "html", "--no-lint", cwd=root)
    assert result.returncode == 0, result.stderr
    for width in WIDTHS.values():
        show(browser, root / "output" / "raci-matrix.html", width)
        browser.execute_script(browser.axe)
        assert browser.execute_async_script(AXE_RUN) == []


def test_the_workbook_has_a_paths_sheet_only_when_activities_govern_paths(tmp_path):
    root = write(tmp_path / "p")
    assert run("build", "--format", "xlsx", "--no-lint", "-o", "../without", cwd=root).returncode == 0
    assert "Paths" not in openpyxl.load_workbook(tmp_path / "without" / "raci-matrix.xlsx").sheetnames
    (root / "activities" / "01-build.yaml").write_text(ACTIVITIES.replace(
        "    sign-off: true\n", "    sign-off: true\n    paths: [src/, docs/*.md]\n"), encoding="utf-8")
    result = run("build", "--format", "xlsx", "--no-lint", "-o", "../with", cwd=root)
    assert result.returncode == 0, result.stderr
    sheets = openpyxl.load_workbook(tmp_path / "with" / "raci-matrix.xlsx")
    assert sheets.sheetnames[:4] == ["RACI matrix", "Roles", "By role", "Paths"]
    rows = [[cell.value for cell in row] for row in sheets["Paths"].iter_rows()]
    assert rows == [["ID", "Activity", "Paths"], ["B-2", "Accept the code", "src/\ndocs/*.md"]]
    # a workbook raci-gen wrote is read back from its matrix sheet alone: the import sees no change
    before = (root / "activities" / "01-build.yaml").read_bytes()
    back = run("import", str(tmp_path / "with" / "raci-matrix.xlsx"), "--into", ".", cwd=root)
    # (exit 1: the people under the role headers are left out, as for any workbook of a project with people)
    assert back.returncode == 1 and "No changes in responsibilities" in back.stdout + back.stderr, back.stderr
    assert (root / "activities" / "01-build.yaml").read_bytes() == before


def test_markdown_lists_the_paths_only_when_activities_govern_paths(tmp_path):
    root = write(tmp_path / "p")
    assert run("build", "--format", "md", "--no-lint", "-o", "../without", cwd=root).returncode == 0
    assert "## Paths" not in (tmp_path / "without" / "raci-matrix.md").read_text(encoding="utf-8")
    (root / "activities" / "01-build.yaml").write_text(ACTIVITIES.replace(
        "    sign-off: true\n", "    sign-off: true\n    paths: [src/, docs/*.md]\n"), encoding="utf-8")
    assert run("build", "--format", "md", "--no-lint", "-o", "../with", cwd=root).returncode == 0
    markdown = (tmp_path / "with" / "raci-matrix.md").read_text(encoding="utf-8")
    section = markdown[markdown.index("## Paths"):markdown.index("## By role")]
    assert [line for line in section.splitlines() if line.startswith("| B-")] == [
        "| B-2 | Accept the code | src/ docs/\\*.md |"]


def test_diff_keeps_a_person_whose_email_is_added_and_ignores_the_order_of_handles(tmp_path):
    """An e-mail given later is the same person (not one who left and one who joined), a new name under the same
    e-mail is a rename, and handles listed in another order or case are the same owners."""
    write(tmp_path / "old")
    roles = json.loads(json.dumps(ROLES))
    lead, team = roles["roles"]
    team["people"][0]["email"] = "grace@example.org"  # Grace had no e-mail
    lead["people"][1]["name"] = "Alan M. Turing"  # same e-mail
    lead["people"][0]["handles"] = ["@ADA-L"]
    lead["handles"] = ["@Acme/Leads"]
    write(tmp_path / "new", roles)
    result = run("diff", "old", "new", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert ("People:\n"
            "  LEAD Lead: Alan Turing → Alan M. Turing\n"
            "  TEAM Team: Grace Hopper: e-mail (none) → grace@example.org\n") in result.stdout
    assert "joined" not in result.stdout and "left" not in result.stdout and "Handles" not in result.stdout
    roles["roles"][0]["handles"] = ["@acme/leads", "@acme/owners"]
    write_roles(tmp_path / "new", roles)
    assert "  LEAD Lead: @acme/leads → @acme/leads @acme/owners\n" in run("diff", "old", "new", cwd=tmp_path).stdout

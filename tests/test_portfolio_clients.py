"""The portfolio's documents, and a project's that uses the newer features, read by their clients (issue 21):
a three-charter portfolio with sign-offs one signs off their own work on, people with from:/until: and so
hand-overs coming up, and projects built with ``findings: true``, all by the installed ``raci-gen``.

* the portfolio's HTML has no axe violation in headless Chromium at 1280 and 390 px (test_html_browser's
  browser, skipped as there where Chromium, its driver, selenium or axe-core is missing);
* the portfolio's Markdown and a charter's, with its sign-offs and its open findings, pass markdownlint-cli2's
  default configuration (test_markdownlint's runner, skipped where it is missing);
* the portfolio's workbook holds the values LibreOffice reads back from it after computing it (skipped where
  ``soffice`` is missing).
"""

from __future__ import annotations

import datetime
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from conftest import write_project
from test_html_browser import AXE_RUN, WIDTHS, browser, show  # noqa: F401  (browser: the fixture)
from test_markdownlint import linted, needs_markdownlint
from test_xlsx import recalculate

AS_OF = "2026-07-01"
ADA = {"name": "Ada Lovelace", "email": "ada@example.org", "team": "Data", "until": datetime.date(2026, 7, 10),
       "note": "parental leave; Alan Turing covers"}
ALAN = {"name": "Alan Turing", "email": "alan@example.org", "team": "Data", "from": datetime.date(2026, 7, 11)}


def charter(root: Path, name: str, ada_does: bool) -> Path:
    """Three roles; Ada leads until 10 July and Alan from the 11th; on ``ada_does`` Ada is also the team that
    does the work the lead signs off (her own work, which lint reports and the portfolio lists)."""
    roles = [{"id": "LEAD", "name": "Lead", "people": [ADA, ALAN]},
             {"id": "TEAM", "name": "Team",
              "people": [ADA if ada_does else {"name": "Bob", "email": "bob@example.org"}]},
             {"id": "OPS", "name": "Operations", "people": [{"name": "Carol", "email": "carol@example.org"}]}]
    activities = [
        {"id": "X-1", "name": "Accept the plan", "raci": {"LEAD": "A", "TEAM": "R", "OPS": "C"}, "sign-off": True},
        {"id": "X-2", "name": "Do the work", "raci": {"LEAD": "A", "TEAM": "R", "OPS": "I"}},
        {"id": "X-3", "name": "Accept the release", "raci": {"LEAD": "A", "OPS": "R", "TEAM": "I"}, "sign-off": True}]
    return write_project(root / name, roles, {"01-all": {"phase": "All", "activities": activities}},
                         {"title": f"Charter {name}", "version": "1.0", "findings": True,
                          "output": {"formats": ["md", "html", "xlsx"]}})


def raci_gen(*args: str, cwd: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "raci_gen", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode in (0, 1), done.stdout + done.stderr  # 1: lint findings


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    """Three charters, each built (with its findings) and the portfolio of them in index/."""
    root = tmp_path_factory.mktemp("portfolio")
    for name, ada_does in (("one", True), ("two", False), ("three", True)):
        charter(root, name, ada_does)
        raci_gen("build", name, "--no-lint", "--as-of", AS_OF, cwd=root)
    raci_gen("portfolio", "one", "two", "three", "--out", "index", "-f", "md,html,xlsx", "--as-of", AS_OF, cwd=root)
    md = (root / "index" / "portfolio.md").read_text(encoding="utf-8")
    # What the portfolio was made to hold is in it, so the clients saw it.
    for held in ("## Hand-overs coming up", "## Sign-offs of one's own work", "parental leave", "Charter three"):
        assert held in md, held
    return root


@needs_markdownlint
def test_the_portfolio_markdown_passes_markdownlint(tmp_path, tree):
    assert linted(tmp_path, tree / "index" / "portfolio.md") == []


@needs_markdownlint
def test_a_charter_with_sign_offs_and_its_findings_passes_markdownlint(tmp_path, tree):
    document = tree / "one" / "output" / "raci-matrix.md"
    text = document.read_text(encoding="utf-8")
    assert "*(sign-off)*" in text and "### Open findings" in text and "Ada Lovelace" in text
    assert linted(tmp_path, document) == []


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_axe_finds_no_violation_in_the_portfolio(browser, tree, width):  # noqa: F811
    show(browser, tree / "index" / "portfolio.html", width)
    browser.execute_script(browser.axe)
    assert browser.execute_async_script(AXE_RUN) == []


def test_the_portfolio_workbook_holds_what_libreoffice_reads(tmp_path, tree):
    """Every cell's value as stored (what openpyxl with data_only and pandas read) is LibreOffice's: a formula
    would need its cached value, and the sheets hold none without one."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not on PATH")
    data = (tree / "index" / "portfolio.xlsx").read_bytes()
    stored = openpyxl.load_workbook(tree / "index" / "portfolio.xlsx", data_only=True)
    computed = recalculate({"portfolio": data}, tmp_path)["portfolio"]
    assert stored.sheetnames == computed.sheetnames
    assert len(stored.sheetnames) == 4, stored.sheetnames  # projects, people, hand-overs, own sign-offs
    for sheet in stored.sheetnames:
        ours = [[c for c in row] for row in stored[sheet].iter_rows(values_only=True)]
        theirs = [[c for c in row] for row in computed[sheet].iter_rows(values_only=True)]
        assert ours == theirs, sheet
        assert any(value not in (None, "") for row in ours for value in row), sheet


def test_on_a_phone_the_portfolio_keeps_the_screens_width(browser, tree):  # noqa: F811
    """The tables, wider than a phone, scroll in their own boxes; the page is not a desktop page shrunk."""
    show(browser, tree / "index" / "portfolio.html", WIDTHS["phone"])
    assert browser.execute_script("return [innerWidth, document.documentElement.scrollWidth]") == [390, 390]
    assert browser.execute_script("return [...document.querySelectorAll('.wide')].some(b => b.scrollWidth > "
                                  "b.clientWidth)")  # the portfolio's tables are wider than 390 px

"""The HTML document in a real browser (issue 21, item 2): headless Chromium, Debian's chromium and
chromium-driver driven by selenium, with axe-core injected into the page. Three documents built by the installed
``raci-gen``: the example, a new user's 20 x 6 matrix and a wide one of 30 roles, each seen on a 1280 px screen and
on a 390 px phone (a mobile viewport, so the page's own ``<meta name="viewport">`` decides its width):

* axe finds no violation (contrast, landmarks, everything its default rules check);
* each letter's colour has 4.5:1 against every colour behind it (axe leaves single letters undecided);
* nothing runs off the page sideways (at a 768 px tablet's width too); the matrix scrolls in its own box, where
  every letter's box lies inside its cell and the ID and activity columns stay in view when the box is scrolled
  to its end;
* printed (print media at the width of A4 landscape), the matrix is laid out as on paper, nothing hidden;
* the CSS a browser reads has nothing only the PDF engine understands.

The browser tests skip where Chromium, its driver, selenium or axe-core (``axe.min.js``, from npm) are missing;
.ci/run installs them. ``RACI_GEN_AXE_JS`` names another axe.min.js; ``RACI_GEN_SCREENSHOTS`` a folder that keeps
the screenshots (PNG) taken at each width.
"""

from __future__ import annotations

import base64
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import copy_example
from raci_gen.documents.html import render_html, render_html_text

AXE_VERSION = "4.14.1"
"""The axe-core that .ci/run installs (npm) into the cache below."""
AXE_JS = Path.home() / ".cache" / "raci-gen-ci" / f"axe-core-{AXE_VERSION}" / "node_modules" / "axe-core" / "axe.min.js"
"""Where .ci/run puts it when XDG_CACHE_HOME is not set (it says where in RACI_GEN_AXE_JS; conftest.py moves
XDG_CACHE_HOME for the tests' own caches)."""
WIDTHS = {"screen": 1280, "phone": 390}
MEASURED = {**WIDTHS, "tablet": 768}
"""Widths the boxes are measured at: axe's two and a tablet's, in between."""
PRINT_WIDTH = 1032
"""A4 landscape less the PDF's side margins (297 - 24 mm) in CSS pixels."""
PAGES = ("example", "20x6", "30-roles")


def _write(root: Path, roles: list, phases: list, settings: dict) -> Path:
    (root / "roles").mkdir(parents=True)
    (root / "activities").mkdir()
    (root / "roles" / "roles.yaml").write_text(yaml.safe_dump({"roles": roles}, sort_keys=False), encoding="utf-8")
    for number, (phase, activities) in enumerate(phases, start=1):
        (root / "activities" / f"{number:02d}.yaml").write_text(
            yaml.safe_dump({"phase": phase, "activities": activities}, sort_keys=False), encoding="utf-8")
    (root / "raci.yaml").write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    return root


def twenty_by_six(root: Path) -> Path:
    """A new user's matrix: 6 roles with people, 20 activities in 4 phases; CAIRO, whose O (out of the loop) is
    grey text on white."""
    names = ["Product Owner", "Engineering Lead", "Data Scientist", "Platform Engineer", "Security Officer",
             "Compliance Manager"]
    roles = [{"id": f"R{i}", "name": name, "people": [{"name": f"Person {i}", "email": f"person.{i}@example.org"}]}
             for i, name in enumerate(names, start=1)]
    phases = []
    for p in range(4):
        activities = []
        for a in range(5):
            n = p * 5 + a
            activities.append({"id": f"P{p + 1}-{a + 1}", "name": f"Activity {n + 1}, with a name of several words",
                               "raci": {f"R{n % 6 + 1}": "A", f"R{(n + 1) % 6 + 1}": "R",
                                        f"R{(n + 2) % 6 + 1}": "C",
                                        f"R{(n + 4) % 6 + 1}": "I", f"R{(n + 5) % 6 + 1}": "O"}})
        phases.append((f"Phase {p + 1}", activities))
    return _write(root, roles, phases, {"title": "Twenty by six", "project": "A new team", "variant": "CAIRO"})


def thirty_roles(root: Path) -> Path:
    """A wide matrix: 30 roles, split into tables of ten on paper, each with the letters A/R, R, C and I."""
    roles = [{"id": f"R{i}", "name": f"Role number {i} of the platform team"} for i in range(1, 31)]
    activities = [{"id": f"W-{n + 1}", "name": f"Wide activity {n + 1}",
                   "raci": {f"R{n % 30 + 1}": "A/R", f"R{(n + 3) % 30 + 1}": "C", f"R{(n + 7) % 30 + 1}": "I",
                            f"R{(n + 11) % 30 + 1}": "R"}} for n in range(30)]
    return _write(root, roles, [("Only phase", activities)], {"title": "Thirty roles"})


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """Each page's HTML document, built by a raci-gen process."""
    top = tmp_path_factory.mktemp("browser")
    projects = {"example": copy_example(top / "example"), "20x6": twenty_by_six(top / "20x6"),
                "30-roles": thirty_roles(top / "30-roles")}
    pages = {}
    for name, project in projects.items():
        out = top / "out" / name
        done = subprocess.run([sys.executable, "-m", "raci_gen", "build", str(project), "-f", "html",
                               "--out", str(out)], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        pages[name] = out / "raci-matrix.html"
    return pages


def _axe_source() -> str:
    path = Path(os.environ.get("RACI_GEN_AXE_JS") or AXE_JS)
    if not path.is_file():
        pytest.skip(f"axe-core is not installed ({path}; .ci/run installs it with npm)")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def browser():
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.skip("selenium is not installed (pip install '.[test]')")
    chromium = shutil.which("chromium")
    driver = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver")
                                                else None)
    if not chromium or not driver:
        pytest.skip("Debian's chromium and chromium-driver are not installed (.ci/run installs them)")
    axe = _axe_source()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--window-size=1280,900"):
        options.add_argument(flag)
    chrome = webdriver.Chrome(service=Service(driver), options=options)
    chrome.set_script_timeout(60)
    chrome.axe = axe
    yield chrome
    chrome.quit()


def show(browser, page: Path, width: int, media: str = "screen") -> None:
    """Open ``page`` in a viewport ``width`` CSS pixels wide: a phone's (mobile, which honours the page's
    viewport) below 600, else a desktop's."""
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": width, "height": 844 if width < 600 else 900, "deviceScaleFactor": 1,
                             "mobile": width < 600})
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": media})
    browser.get(page.as_uri())
    browser.execute_script("return document.fonts.ready")


def screenshot(browser, folder: Path, name: str) -> None:
    """The top of the page, to look at (the whole page is as tall as thousands of pixels)."""
    keep = os.environ.get("RACI_GEN_SCREENSHOTS")
    folder = Path(keep) if keep else folder
    folder.mkdir(parents=True, exist_ok=True)
    width = browser.execute_script("return document.documentElement.clientWidth")
    shot = browser.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": 1600, "scale": 1}})
    (folder / f"{name}.png").write_bytes(base64.b64decode(shot["data"]))


# Boxes measured in the page: lists of what is wrong, empty when all is well.
LETTERS_OUTSIDE = """
const wrong = [], px = Math.round;
const inside = (inner, outer) => inner.left >= outer.left - 0.5 && inner.right <= outer.right + 0.5
    && inner.top >= outer.top - 0.5 && inner.bottom <= outer.bottom + 0.5;
const shown = b => `${px(b.left)}-${px(b.right)} x ${px(b.top)}-${px(b.bottom)}`;
for (const cell of document.querySelectorAll('table.matrix td.cell, table.matrix th.role')) {
  if (!cell.textContent.trim()) continue;
  const box = cell.getBoundingClientRect(), style = getComputedStyle(cell), width = name => parseFloat(style[name]);
  const content = {left: box.left + width('borderLeftWidth'), right: box.right - width('borderRightWidth'),
                   top: box.top + width('borderTopWidth'), bottom: box.bottom - width('borderBottomWidth')};
  const range = document.createRange();
  range.selectNodeContents(cell);
  const outside = [...range.getClientRects()].find(letters => letters.width && !inside(letters, content));
  if (outside)
    wrong.push(`${cell.closest('tr').querySelector('th').textContent.trim()} ${cell.textContent.trim().slice(0, 20)}: `
               + `text ${shown(outside)}, cell ${shown(content)}`);
  if (wrong.length > 10) break;
}
return wrong;
"""

OFF_THE_PAGE = """
const width = document.documentElement.clientWidth, wrong = [], page = document.documentElement.scrollWidth;
if (page > width) wrong.push(`the page is ${page} px wide`);
for (const element of document.querySelectorAll('body *')) {
  if (element.closest('section.matrix > table')) continue;  // inside the matrix's own box
  const right = Math.round(element.getBoundingClientRect().right);
  if (right > width) wrong.push(`<${element.tagName.toLowerCase()} class="${element.className}"> ends at ${right} px`);
}
return [innerWidth, wrong.slice(0, 10)];
"""

SCROLLED = """
const box = document.querySelector('section.matrix'), wrong = [], px = Math.round;
box.scrollLeft = box.scrollWidth;
const edge = box.getBoundingClientRect();
for (const row of box.querySelectorAll('tbody tr:not(.phase), thead tr')) {
  const cells = row.children, name = cells[0].textContent.trim();
  const id = cells[0].getBoundingClientRect(), activity = cells[1].getBoundingClientRect();
  const last = cells[cells.length - 1].getBoundingClientRect();
  if (Math.abs(id.left - edge.left) > 1 || Math.abs(activity.left - id.right) > 1)
    wrong.push(`${name}: id at ${px(id.left)}, activity at ${px(activity.left)}, box at ${px(edge.left)}`);
  else if (last.right > edge.right + 1 || last.left < activity.right - 1)
    wrong.push(`${name}: last role column at ${px(last.left)}-${px(last.right)} out of view`);
  if (wrong.length > 10) break;
}
return [box.scrollWidth, box.clientWidth, box.scrollLeft, wrong];
"""


AXE_RUN = """
const done = arguments[arguments.length - 1];
const where = node => node.target.join(' ') + ' ' + (node.failureSummary || '').split('\\n')[1];
axe.run(document).then(
  result => done(result.violations.map(v => `${v.id} (${v.impact}): ${v.help}; ${v.nodes.slice(0, 3).map(where)}`)),
  error => done([String(error)]));
"""
"""axe's default rules (WCAG 2.0-2.2 A and AA, best practices), each violation in a line with its first nodes."""


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_violation(browser, built, tmp_path, name, width):
    show(browser, built[name], width)
    screenshot(browser, tmp_path, f"{name}-{width}")
    browser.execute_script(browser.axe)
    violations = browser.execute_async_script(AXE_RUN)
    assert violations == []


@pytest.mark.parametrize("width", MEASURED.values(), ids=MEASURED.keys())
@pytest.mark.parametrize("name", PAGES)
def test_letters_stay_in_their_cells_and_nothing_runs_off_the_page(browser, built, name, width):
    show(browser, built[name], width)
    viewport, off = browser.execute_script(OFF_THE_PAGE)
    assert viewport == width  # the page's viewport, not a desktop page shrunk onto the phone (980 px)
    assert off == []
    assert browser.execute_script(LETTERS_OUTSIDE) == []


LETTERS_CONTRAST = """
const channel = x => x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
const luminance = ([r, g, b]) => 0.2126 * channel(r / 255) + 0.7152 * channel(g / 255) + 0.0722 * channel(b / 255);
const ratio = (a, b) => {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
};
const colours = text => (text.match(/rgba?\\([^)]*\\)/g) || []).map(m => m.match(/[\\d.]+/g).map(Number))
    .filter(c => c.length < 4 || c[3] > 0);
const wrong = [], seen = new Set();
for (const e of document.querySelectorAll('td.cell, .legend b, section.role-view h4 b')) {
  const style = getComputedStyle(e), key = e.className + ' ' + e.textContent.trim();
  if (!e.textContent.trim() || seen.has(key)) continue;
  seen.add(key);
  const backs = [...colours(style.backgroundImage), ...colours(style.backgroundColor)];
  const worst = Math.min(...(backs.length ? backs : [[255, 255, 255]]).map(b => ratio(colours(style.color)[0], b)));
  if (worst < 4.5)
    wrong.push(`${key}: ${style.color} on ${style.backgroundColor} ${style.backgroundImage}, ${worst.toFixed(2)}:1`);
}
return wrong;
"""
"""The letters' own colours, which axe leaves undecided (a text of one character may not be text, it says, and
it does not read a gradient): each letter against every colour behind it, at least 4.5:1 (WCAG 1.4.3)."""


@pytest.mark.parametrize("name", PAGES)
def test_letters_contrast_with_their_cells(browser, built, name):
    show(browser, built[name], WIDTHS["screen"])
    assert browser.execute_script(LETTERS_CONTRAST) == []


@pytest.mark.parametrize("name", PAGES)
def test_id_and_activity_stay_in_view_when_the_matrix_scrolls(browser, built, name):
    show(browser, built[name], WIDTHS["phone"])
    scroll_width, client_width, scrolled, wrong = browser.execute_script(SCROLLED)
    assert scroll_width > client_width and scrolled > 0  # on a phone the matrix scrolls in its box
    assert wrong == []


def test_the_example_matrix_fits_a_wide_screen_without_scrolling(browser, built):
    show(browser, built["example"], WIDTHS["screen"])
    assert browser.execute_script(
        "const box = document.querySelector('section.matrix'); return box.scrollWidth <= box.clientWidth")


@pytest.mark.parametrize("name", PAGES)
def test_printed_the_matrix_is_laid_out_as_on_paper(browser, built, name):
    show(browser, built[name], PRINT_WIDTH, media="print")
    assert browser.execute_script("return getComputedStyle(document.querySelector('section.matrix')).overflowX") \
        == "visible"
    assert browser.execute_script(
        "return [...document.querySelectorAll('table.matrix')].every(t => t.getBoundingClientRect().right <= "
        "document.documentElement.clientWidth + 0.5)")
    assert browser.execute_script(LETTERS_OUTSIDE) == []


def test_printed_from_the_browser_on_the_documents_paper(browser, built):
    """The page's own @page (the PDF's margin boxes are not in it) gives Chromium's print the PDF's paper."""
    import pypdf

    show(browser, built["example"], WIDTHS["screen"])
    printed = browser.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True})
    pages = pypdf.PdfReader(io.BytesIO(base64.b64decode(printed["data"]))).pages
    assert len(pages) > 5
    assert [round(float(x)) for x in pages[0].mediabox[2:]] == [842, 595]  # A4 landscape, in points


# The CSS each reader gets; no browser needed. --------------------------------------------------------------------

PDF_ENGINE_ONLY = re.compile(r"bookmark-(level|label|state)|string-set|@(top|bottom|left|right)-|counter\(pages\)"
                             r"|\b(leader|target-counter|target-text)\(")


def _styles(html: str) -> str:
    return "".join(re.findall(r"<style>(.*?)</style>", html, re.S))


def test_the_page_a_browser_reads_has_no_pdf_engine_css(example_document):
    page = render_html(example_document).decode("utf-8")
    assert PDF_ENGINE_ONLY.findall(_styles(page)) == []
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "<main>" in page and "<footer>" in page


def test_the_pdf_engine_still_gets_its_css(example_document):
    """The PDF's source keeps the outline and the page footers, and no landmark (the structure tree of a PDF
    laid out in parts would get one per part)."""
    source = render_html_text(example_document)
    found = {m.group(0) for m in PDF_ENGINE_ONLY.finditer(_styles(source))}
    assert {"bookmark-level", "bookmark-label", "@bottom-", "counter(pages)"} <= found
    assert "<main>" not in source and "<footer>" not in source

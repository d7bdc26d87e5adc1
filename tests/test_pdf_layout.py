"""The PDF a sponsor reads (issue 21, item 7), read back from the pages WeasyPrint lays out.

On the example, a new user's 20 x 6 matrix, a 150 x 30 one and a 305 x 3 one laid out in parts: every phase
heading has at least three of its rows after it on its page (all of them when it has fewer), no page holds a
table's last row alone (nor a phase's), the approval block shares its page with what comes before it, an e-mail
address breaks only before its @ and its dots, an activity id not at all, the workload chart's bars count what
the table's On counts, and an A/R cell is drawn in both its letters' colours where an A alone (a sign-off) is
not. The open lint findings are in the documents only when raci.yaml's ``findings`` asks, worded by activity
and role, without file positions.

Text and boxes are read with PDFium (pypdfium2, which pdfplumber uses; twenty times faster than pdfminer on
the 60 pages of the 150 x 30 matrix), the bookmarks with pypdf, and the colours from the page drawn by PDFium.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pypdf
import pypdfium2
import pytest
import yaml

from conftest import EPOCH
from raci_gen.documents import pdf_parts
from raci_gen.documents.html import PHASE_HEAD_ROWS, chart_bars, described, matrix_layout
from raci_gen.documents.pdf import render_pdf

MARGIN_PT = 12 / 25.4 * 72
"""The page's left margin (raci.css: 12 mm): where the tables start."""
PHASE_SIZES = (1, 2, 3, 4, 5, 7, 9, 12, 16)
"""Phase sizes of the generated matrices, in turn: phases of one and two rows, and long ones that cross pages."""


def sponsor_project(root: Path, activities: int, roles: int, findings: bool | None = None) -> Path:
    """A project as a new user writes one: phases of :data:`PHASE_SIZES` rows, people with hyphenated names
    and e-mail addresses, notes on every other activity, seven signers at most."""
    (root / "roles").mkdir(parents=True, exist_ok=True)
    (root / "activities").mkdir(parents=True, exist_ok=True)
    role_list = [{"id": f"R{r}", "name": f"Role number {r} of the team",
                  "description": "Looks after part of the work and answers for it. " * (1 + r % 3),
                  "people": [{"name": f"Anne-Marie Dupont-Leclerc {r}", "team": "Data-platform team",
                              "email": f"anne-marie.dupont-leclerc-{r}@data-platform.example-company.com"}]}
                 for r in range(1, roles + 1)]
    (root / "roles" / "roles.yaml").write_text(yaml.safe_dump({"roles": role_list}, sort_keys=False))
    done, phase = 0, 0
    while done < activities:
        size = min(PHASE_SIZES[phase % len(PHASE_SIZES)], activities - done)
        phase += 1
        rows = []
        for k in range(1, size + 1):
            first = done % roles
            raci = {f"R{first + 1}": "A/R" if done % 3 == 0 else "A"}
            if done % 3:
                raci[f"R{(first + 1) % roles + 1}"] = "R"
            for j in range(2, min(roles, 6)):
                raci.setdefault(f"R{(first + j) % roles + 1}", "C" if j % 2 else "I")
            row = {"id": f"P{phase}-{k:02d}", "raci": raci,
                   "name": f"Activity {done + 1} of phase {phase}" + (", a name that wraps in its column"
                                                                       if done % 4 == 0 else "")}
            if done % 2 == 0:
                row["description"] = " ".join(["Why the activity is assigned so, and where that comes from."]
                                              * (1 + done % 5))
            rows.append(row)
            done += 1
        (root / "activities" / f"{phase:03d}-phase.yaml").write_text(yaml.safe_dump(
            {"phase": f"Phase {phase} of the lifecycle", "description": "What this phase covers.",
             "activities": rows}, sort_keys=False))
    settings = {"title": "RACI matrix", "project": f"Sponsor test {activities} x {roles}", "version": "1.0",
                "author": "raci-gen test", "date": "2026-01-15",
                "approval": [{"name": "(to be named)", "role": f"Holder of role R{r}"}
                             for r in range(1, min(roles, 7) + 1)]}
    if findings is not None:
        settings["findings"] = findings
    (root / "raci.yaml").write_text(yaml.safe_dump(settings, sort_keys=False))
    return root


# --- reading the pages ----------------------------------------------------------------------------------------------


@dataclass
class Word:
    text: str
    x0: float
    top: float


@dataclass
class Line:
    words: list[Word]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def top(self) -> float:
        return self.words[0].top


def page_lines(data: bytes) -> list[list[Line]]:
    """Every page's lines of words, top to bottom, each left to right (the footer left out)."""
    pages = []
    document = pypdfium2.PdfDocument(data)
    try:
        for page in document:
            _, height = page.get_size()
            textpage = page.get_textpage()
            chars = []
            for i in range(textpage.count_chars()):
                text = textpage.get_text_range(i, 1).replace("\ufffe", "-")  # PDFium's mark of a line-end hyphen
                left, bottom, right, top = textpage.get_charbox(i, loose=True)  # the line's box, not the ink
                if height - bottom < height - 16 / 25.4 * 72:  # above the bottom margin, where the footer is
                    chars.append((text, left, right, height - top, height - bottom))
            pages.append(_lines(chars))
    finally:
        document.close()
    return pages


def _lines(chars: list[tuple]) -> list[Line]:
    """Chars grouped into lines (by their boxes' bottom, within 1.5 pt) and words (by a space, or a gap of 4 pt
    between two columns' texts)."""
    rows: dict[int, list[tuple]] = {}
    for char in chars:
        if char[0].strip() or char[0] == " ":
            rows.setdefault(round(char[4] / 1.5), []).append(char)
    lines = []
    for key in sorted(rows):
        words: list[Word] = []
        current, last_right = "", None
        for text, left, right, top, _ in sorted(rows[key], key=lambda c: c[1]):
            if not text.strip() or (last_right is not None and left - last_right > 4):
                if current:
                    words.append(Word(current, start, line_top))
                current = ""
            if text.strip():
                if not current:
                    start, line_top = left, top
                current += text
                last_right = right
        if current:
            words.append(Word(current, start, line_top))
        if words:
            lines.append(Line(words))
    return lines


def sections(data: bytes) -> dict[str, int]:
    """The first page (0-based) of each top-level bookmark: Matrix, Roles, ..., Approval."""
    pdf = pypdf.PdfReader(io.BytesIO(data))
    return {item.title: pdf.get_destination_page_number(item) for item in pdf.outline if not isinstance(item, list)}


@dataclass
class Laid:
    """A document and its PDF, read: the lines of each page, the first page of each section."""

    document: object
    data: bytes
    lines: list[list[Line]]
    sections: dict[str, int]


def laid(document, data: bytes | None = None) -> Laid:
    data = render_pdf(document) if data is None else data
    return Laid(document, data, page_lines(data), sections(data))


SHARED = {"Roles", "Workload"}
"""Sections whose last page the next one may start on (the notes after the roles, the approval after the
workload); every other section is followed by one that starts a page."""


def section_pages(pdf: Laid, title: str) -> list[tuple[int, list[Line]]]:
    """(page number, lines) of the pages the section ``title`` is on."""
    starts = sorted(pdf.sections.items(), key=lambda kv: kv[1])
    names = [name for name, _ in starts]
    first = pdf.sections[title]
    after = [page for _, page in starts[names.index(title) + 1:]]
    end = (after[0] + (title in SHARED)) if after else len(pdf.lines)
    return [(number, pdf.lines[number]) for number in range(first, max(end, first + 1))]


@pytest.fixture(scope="module")
def example(example_document, example_pdf) -> Laid:
    return laid(example_document, example_pdf)


@pytest.fixture(scope="module")
def small(tmp_path_factory, document_of) -> Laid:
    return laid(document_of(sponsor_project(tmp_path_factory.mktemp("small"), 20, 6)))


@pytest.fixture(scope="module")
def large(tmp_path_factory, document_of) -> Laid:
    return laid(document_of(sponsor_project(tmp_path_factory.mktemp("large"), 150, 30)))


@pytest.fixture(scope="module")
def in_parts(tmp_path_factory, document_of) -> Laid:
    """305 x 3: past pdf_parts.PARTS_FROM activities, so laid out in parts (cut at page breaks) and joined."""
    document = document_of(sponsor_project(tmp_path_factory.mktemp("parts"), 305, 3))
    assert pdf_parts.wanted(document)
    return laid(document)


LAYOUTS = ["example", "small", "large", "in_parts"]


@pytest.fixture(params=LAYOUTS)
def pdf(request) -> Laid:
    return request.getfixturevalue(request.param)


def at_left(line: Line, slack: float = 8.0) -> bool:
    """Whether the line starts in the first column of a table (its cell padding included)."""
    return line.x0 < MARGIN_PT + slack


# --- the matrix -----------------------------------------------------------------------------------------------------


def matrix_events(pdf: Laid) -> list[list[tuple]]:
    """Per page of the matrix: ("heading", phase number) and ("row", phase number, row number in the phase),
    top to bottom."""
    phases = pdf.document.matrix.phases
    ids = {a.id: (p, k) for p, phase in enumerate(phases) for k, a in enumerate(phase.activities)}
    pages = []
    for _, lines in section_pages(pdf, "Matrix"):
        events = []
        for line in lines:
            if not at_left(line):
                continue
            if line.words[0].text in ids:
                events.append(("row", *ids[line.words[0].text]))
                continue
            for p, phase in enumerate(phases):
                if line.text.startswith(phase.name):
                    events.append(("heading", p))
                    break
        pages.append(events)
    return pages


def test_the_matrix_pages_are_read(pdf):
    """The reading below sees every row of the matrix, once per table of role columns, and every heading."""
    events = [e for page in matrix_events(pdf) for e in page]
    activities = sum(len(p.activities) for p in pdf.document.matrix.phases)
    tables = len(matrix_layout(pdf.document).chunks)
    assert sum(1 for e in events if e[0] == "row") == activities * tables
    assert sum(1 for e in events if e[0] == "heading") == len(pdf.document.matrix.phases) * tables


def test_a_phase_heading_keeps_three_rows_on_its_page(pdf):
    phases = pdf.document.matrix.phases
    for number, events in enumerate(matrix_events(pdf)):
        for i, event in enumerate(events):
            if event[0] != "heading":
                continue
            phase = event[1]
            after = sum(1 for e in events[i + 1:] if e[0] == "row" and e[1] == phase)
            wanted = min(PHASE_HEAD_ROWS, len(phases[phase].activities))
            assert after >= wanted, (f"page {number + 1}: {phases[phase].name!r} has {after} of its rows under "
                                     f"its heading, not {wanted}")


def test_no_page_holds_a_last_row_alone(pdf):
    """Neither the matrix's last row nor a phase's: a row alone on a page is a sliver of its table."""
    phases = pdf.document.matrix.phases
    for number, events in enumerate(matrix_events(pdf)):
        rows = [e for e in events if e[0] == "row"]
        for phase in {e[1] for e in rows}:
            own = [e for e in events if e[1] == phase]
            last = len(phases[phase].activities) - 1
            assert own != [("row", phase, last)] or last == 0, (
                f"page {number + 1} holds the last row of {phases[phase].name!r} alone")


def test_no_page_holds_the_last_note_or_role_alone(pdf):
    notes = [a.id for _, a in described(pdf.document)]
    roles = [r.id for r in pdf.document.matrix.roles]
    for title, ids in (("Notes on the activities", notes), ("Roles", roles)):
        pages = section_pages(pdf, title)
        for number, lines in pages:
            seen = [line.words[0].text for line in lines if at_left(line) and line.words[0].text in ids]
            assert seen != [ids[-1]], f"page {number + 1} holds the last row of {title!r} alone"
        assert any(ids[-1] in [line.words[0].text for line in lines] for _, lines in pages)


# --- the approval, the e-mail addresses -----------------------------------------------------------------------------


def test_the_approval_block_shares_its_page(pdf):
    page = pdf.sections["Approval"]
    lines = pdf.lines[page]
    heading = next(i for i, line in enumerate(lines) if line.text == "Approval")
    assert heading > 0, f"page {page + 1} starts with the approval block: it left what comes before it"
    signers = [s.name for s in pdf.document.approval]
    assert sum(1 for line in lines[heading:] if line.text.startswith(signers[0])) >= signers.count(signers[0])
    assert lines[-1].text.startswith("Generated by") or any(l.text.startswith("Generated by") for l in lines)


def test_an_email_address_breaks_at_its_at_or_a_dot_only(pdf):
    emails = [p.email for r in pdf.document.matrix.roles for p in r.people if p.email]
    if not emails:
        pytest.skip("no e-mail addresses")  # the example names no people
    words = [w.text for _, lines in section_pages(pdf, "Roles") for line in lines for w in line.words]
    for email in emails:
        # The address piece by piece, as the lines hold it: each piece ends at its end, or before an @ or a dot.
        position = 0
        while position < len(email):
            pieces = [w for w in words if email.startswith(w, position) and (len(w) >= 3 or
                                                                             position + len(w) == len(email))]
            assert pieces, f"{email[position:]!r} of {email!r} is not in the roles table"
            piece = max(pieces, key=len)
            position += len(piece)
            assert position == len(email) or email[position] in "@.", f"{email!r} broken after {piece!r}"


def test_an_activity_id_is_whole_in_the_notes_and_role_views(tmp_path, document_of):
    """Ids of 23 characters (longer than the notes' former 14 mm column): each stays on one line, as in the
    matrix, in the notes table and in the role views."""
    root = sponsor_project(tmp_path / "ids", 12, 4)
    for path in (root / "activities").glob("*.yaml"):
        data = yaml.safe_load(path.read_text())
        for activity in data["activities"]:
            activity["id"] = "GOVERNANCE-REVIEW-" + activity["id"]
        path.write_text(yaml.safe_dump(data, sort_keys=False))
    pdf = laid(document_of(root))
    for title, ids in (("Notes on the activities", [a.id for _, a in described(pdf.document)]),
                       ("By role", [a.id for a in pdf.document.matrix.activities()])):
        words = {w.text for _, lines in section_pages(pdf, title) for line in lines for w in line.words}
        assert set(ids) <= words, f"{title}: {sorted(set(ids) - words)} broken"


def test_a_role_id_is_whole_in_the_roles_table(tmp_path, document_of):
    """Role ids of up to 32 characters (the most an id may have), hyphenated, longer than the Roles table's
    former 14 mm column: each stays on one line."""
    root = sponsor_project(tmp_path / "role-ids", 12, 4)
    names = {1: "ML-OPS", 2: "DATA-PLATFORM-LEAD", 3: "MODEL-RISK-OFFICER-WIDE-MMWW-N03", 4: "W4"}
    for path in [root / "roles" / "roles.yaml", *(root / "activities").glob("*.yaml")]:
        path.write_text(re.sub(r"\bR(\d)\b", lambda m: names[int(m.group(1))], path.read_text()))
    pdf = laid(document_of(root))
    words = {w.text for _, lines in section_pages(pdf, "Roles") for line in lines for w in line.words}
    assert set(names.values()) <= words, f"{sorted(set(names.values()) - words)} broken"


def test_a_hyphenated_role_name_breaks_at_its_spaces_in_the_matrix_header(tmp_path, document_of):
    """Six roles, their names written across 27 mm columns: a hyphenated word that fits a line is not broken
    at its hyphen (it was: "Head of data-" / "platform")."""
    root = sponsor_project(tmp_path / "names", 12, 6)
    names = iter(["Head of data-platform", "Lead of the data-ops crew", "Chief data-science officer",
                  "Owner of the go-live", "Model-risk officer", "Site-reliability engineer"])
    path = root / "roles" / "roles.yaml"
    path.write_text(re.sub(r"Role number \d+ of the team", lambda m: next(names), path.read_text()))
    document = document_of(root)
    assert not any(chunk.turned for chunk in matrix_layout(document).chunks)  # else the words are not on lines
    pdf = laid(document)
    words = {w.text for line in pdf.lines[0] for w in line.words}
    hyphenated = {w for role in document.matrix.roles for w in role.name.split() if "-" in w}
    assert len(hyphenated) == 6 and hyphenated <= words, f"{sorted(hyphenated - words)} broken at a hyphen"


# --- the workload ---------------------------------------------------------------------------------------------------


def test_the_chart_counts_what_the_table_counts(pdf):
    """Each bar ends in the number of activities the role takes part in: the table's On, not the sum of its
    letters (an A/R cell counts once in the bar, under both A and R in the table). A sentence says so."""
    roles = [r.id for r in pdf.document.matrix.roles]
    lines = [(number, line) for number, page in section_pages(pdf, "Workload") for line in page]
    text = " ".join(line.text for _, line in lines)
    assert "Each bar counts the activities a role takes part in (the table's On)" in text
    header = next(i for i, (_, line) in enumerate(lines) if [w.text for w in line.words[-2:]] == ["On", "Owns"])
    chart, table = {}, {}
    # The chart, above the table: a role's label and, on its bar's band, the number at the bar's end.
    for number, line in lines[:header]:
        for label in (w for w in line.words if w.text in roles and w.x0 < MARGIN_PT + 60):
            band = [w for n, other in lines[:header] if n == number for w in other.words
                    if abs(w.top - label.top) < 4 and re.fullmatch(r"\d+", w.text)]
            chart.setdefault(label.text, int(max(band, key=lambda w: w.x0).text))
    # The table: a role's row, its On before its Owns.
    for _, line in lines[header + 1:]:
        if line.words[0].text in roles and line.words[0].text not in table:
            table[line.words[0].text] = int(line.words[-2].text)
    loads = {w.role.id: w for w in pdf.document.workload()}
    bars = chart_bars(pdf.document)
    assert chart == table == {r: loads[r].activities for r in roles} == {r: bars[r].total for r in roles}
    # The sum of the letters is not what the bars show, wherever a role holds an A/R.
    assert any(sum(loads[r].counts.values()) != loads[r].activities for r in roles)


def colours_at(data: bytes, page: int, points: list[tuple[float, float]]) -> list[tuple[int, int, int]]:
    """The colours of the drawn page at ``points`` (PDF points from the top left)."""
    document = pypdfium2.PdfDocument(data)
    try:
        image = document[page].render(scale=2).to_pil().convert("RGB")
    finally:
        document.close()
    return [image.getpixel((round(x * 2), round(y * 2))) for x, y in points]


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def test_a_sign_off_cell_looks_other_than_an_a_r_cell(example):
    """An A alone is in A's colour corner to corner; an A/R is in A's colour at its top left and R's at its
    bottom right. Sampled off the letters, 6 pt in from two corners of a cell 18 pt high."""
    matrix = example.document.matrix
    fills = {code: hex_rgb(matrix.letter(code).fill) for code in ("A", "R")}
    first_page = example.lines[0]
    head = next(line.top for line in first_page if [w.text for w in line.words[:2]] == ["ID", "Activity"])
    cells = {}
    for line in first_page:
        for word in (w for w in line.words if w.top > head):
            if word.text in ("A", "A/R") and word.x0 > MARGIN_PT + 100 and word.text not in cells:
                cells[word.text] = word
    assert set(cells) == {"A", "A/R"}
    samples = {}
    for text, word in cells.items():
        samples[text] = colours_at(example.data, 0, [(word.x0 - 14, word.top - 2), (word.x0 + 30, word.top + 9)])

    def near(colour, wanted):
        return all(abs(a - b) <= 12 for a, b in zip(colour, wanted))

    assert near(samples["A"][0], fills["A"]) and near(samples["A"][1], fills["A"]), samples
    assert near(samples["A/R"][0], fills["A"]) and near(samples["A/R"][1], fills["R"]), samples


# --- the findings ---------------------------------------------------------------------------------------------------


def findings_project(root: Path, findings: bool | None) -> Path:
    """8 activities of 4 roles, and two warnings the lint keeps: a role in no activity, an activity twice."""
    sponsor_project(root, 8, 4, findings)
    roles = yaml.safe_load((root / "roles" / "roles.yaml").read_text())
    roles["roles"].append({"id": "R9", "name": "Idle helper"})
    (root / "roles" / "roles.yaml").write_text(yaml.safe_dump(roles, sort_keys=False))
    phase = root / "activities" / "004-phase.yaml"
    data = yaml.safe_load(phase.read_text())
    data["activities"].append(dict(data["activities"][0], id="P4-09", description=None))
    phase.write_text(yaml.safe_dump(data, sort_keys=False))
    return root


def build(project: Path, out: Path) -> tuple[str, list[str]]:
    """The Markdown and the PDF's page texts (whitespace left out) that ``raci-gen build`` writes."""
    done = subprocess.run([sys.executable, "-m", "raci_gen", "build", ".", "--out", str(out), "--format", "md,pdf"],
                          cwd=project, env={**os.environ, "SOURCE_DATE_EPOCH": str(EPOCH)},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "idle-role" in done.stdout + done.stderr  # the lint's report says them
    data = (out / "raci-matrix.pdf").read_bytes()
    texts = ["".join(w.text for line in page for w in line.words) for page in page_lines(data)]
    return (out / "raci-matrix.md").read_text(encoding="utf-8"), texts


@pytest.mark.parametrize("setting", [None, False])
def test_findings_stay_out_of_the_documents_by_default(tmp_path, setting):
    markdown, texts = build(findings_project(tmp_path / "project", setting), tmp_path / "out")
    assert "Open findings" not in markdown and "Idle helper: takes part" not in markdown
    assert not any("Openfindings" in t or "takespartinnoactivity" in t for t in texts)
    assert "## Workload" in markdown  # the analysis section itself stays


def test_findings_when_asked_speak_of_activities_and_roles(tmp_path):
    markdown, texts = build(findings_project(tmp_path / "project", True), tmp_path / "out")
    listed = markdown.split("### Open findings", 1)[1].split("## Approval", 1)[0]
    assert "R9 Idle helper: takes part in no activity \\[idle-role\\]" in listed
    assert "P4-09 Activity" in listed and "has the same name as P4-01" in " ".join(listed.split())
    assert ".yaml" not in listed and not re.search(r":\d+:\d+", listed)
    text = "".join(texts)
    pdf_listed = text.split("Openfindings", 1)[1].split("Approval", 1)[0]
    assert "R9Idlehelper:takespartinnoactivity[idle-role]" in pdf_listed
    assert ".yaml" not in pdf_listed and not re.search(r":\d+:\d+", pdf_listed)

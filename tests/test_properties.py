"""Property-based tests: any text in the model comes out of every document as that text.

Hypothesis builds matrices straight from the model's dataclasses (no YAML), with
names made of arbitrary Unicode mixed with what means something in Markdown,
HTML, CSS or a spreadsheet: ``|``, backticks, ``<``, ``&``, line breaks, a
leading ``=``, ``+``, ``-``, ``@``, tab or carriage return, right-to-left text,
emoji and CJK. Each document is read back with a real parser and compared with
what the model says, after a normalisation defined here, once, per format:

Markdown (markdown-it-py, CommonMark plus GFM tables), :func:`md_expected`:
    line breaks (CRLF, CR, LF) become the one raw HTML GFM tables allow, ``<br>``,
    read back as a line break; each line loses its leading and trailing
    whitespace (Python's ``str.strip``, which is what GFM does to a cell's edges
    too), a tab inside a line becomes a space, and control characters other
    than tab and line breaks become U+FFFD. Every other character comes back as
    itself: no emphasis, code, link, entity or HTML is made from the data.

HTML (``html.parser``), :func:`html_expected`:
    control characters other than tab and line breaks become U+FFFD; nothing
    else changes. The tags and attribute names are those of the same matrix with
    every text replaced by a plain word: no element comes from the data.

Workbook (openpyxl), :func:`xlsx_expected`:
    characters XML 1.0 cannot carry become U+FFFD, CRLF and CR become LF (XML
    reads them so), text longer than a cell holds is cut. Every such cell is a
    text cell, never a formula, and text starting with ``=``, ``+``, ``-``,
    ``@``, tab or CR has the quote prefix. raci-gen's own formulas (counts) are the
    same whatever the text.

PDF (pypdf text extraction; slow, so few examples): names in scripts DejaVu
    covers (Latin, Greek, Cyrillic, Hebrew, Arabic) are in the text, ignoring
    white space, and WeasyPrint logs no ``.notdef glyph`` warning. CJK and emoji
    have no glyph in DejaVu: there the warning *is* logged (the documented limit).

The filters md_escape, md_paragraph and css_string are also checked one by one, on many
more examples, each followed by the template's ``finalize`` as every ``{{ ... }}`` is.
"""

from __future__ import annotations

import html.parser
import io
import logging
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field

import openpyxl
import pypdf
import pytest
import tinycss2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from raci_gen.model.matrix import Activity, Cell, Location, Matrix, Phase, Project, Role, Settings
from raci_gen.documents.document import Document, make_document
from raci_gen.documents.html import render_html_text
from raci_gen.documents.markdown import render_markdown_text
from raci_gen.documents.templating import _finalize, css_string, md_escape, md_paragraph
from raci_gen.model.patterns import FORMULA_STARTS
from raci_gen.documents.xlsx import MAX_CELL_TEXT, render_xlsx
from raci_gen.model.variants import RACI

EPOCH = "1700000000"
HERE = Location("activities/01.yaml", 1, 1)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

# --- strategies ---------------------------------------------------------------------------------------------------

SPECIAL = [
    "|", "\\|", "`", "``", "```", "<", ">", "&", "&amp;", "&#60;", "<b>", "</td>", "<br>", "<!--", "-->", "<script>",
    "\n", "\r", "\r\n", "\t", " ", "  ", "\u00a0", "\u200b", "\u2028", "\u0085",
    "=", "+", "-", "@", "=1+1", "=HYPERLINK(\"http://x\")", "*", "_", "**", "~~", "[", "]", "](", "#", "##", "!",
    "\\", "$", "{{", "}}", "{%", "'", '"', ":", "---", "1.", ">",
    "עברית", "العربية", "مرحبا", "😀", "👩‍💻", "漢字", "日本語", "Ελληνικά", "Кириллица", "С", "é", "_x0041_",
    "\x00", "\x01", "\x1b", "\x7f", "\x9b",
]
text_piece = st.one_of(st.sampled_from(SPECIAL), st.text(max_size=6))
texts = st.lists(text_piece, max_size=6).map("".join)
"""Arbitrary Unicode (no surrogates, as YAML gives) with the characters that mean something somewhere."""
ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,7}", fullmatch=True)


@dataclass
class Data:
    """A matrix as plain data: roles (id, name, similar, description) and phases (name, description, activities)."""

    title: str
    project: str
    author: str
    roles: list[tuple[str, str, list[str], str]]
    phases: list[tuple[str, str, list[tuple[str, str, str, dict[str, tuple[str, ...]]]]]] = field(default_factory=list)

    def texts(self) -> list[str]:
        found = [self.title, self.project, self.author]
        for _, name, similar, description in self.roles:
            found += [name, *similar, description]
        for name, description, activities in self.phases:
            found += [name, description] + [t for _, a_name, a_desc, _ in activities for t in (a_name, a_desc)]
        return found

    def mapped(self, f) -> "Data":
        """The same matrix with every text ``t`` replaced by ``f(t)``."""
        return Data(f(self.title), f(self.project), f(self.author),
                    [(i, f(n), [f(s) for s in sim], f(d)) for i, n, sim, d in self.roles],
                    [(f(n), f(d), [(i, f(an), f(ad), cells) for i, an, ad, cells in acts])
                     for n, d, acts in self.phases])


LETTERS = st.sampled_from([("A",), ("R",), ("C",), ("I",), ("A", "R")])


@st.composite
def matrices(draw, text=texts, max_roles=4, max_phases=2, max_activities=3) -> Data:
    role_ids = draw(st.lists(ids, min_size=1, max_size=max_roles, unique_by=str.casefold))
    roles = [(rid, draw(text), draw(st.lists(text, max_size=2)), draw(text)) for rid in role_ids]
    activity_ids = iter(draw(st.lists(ids, min_size=max_phases * max_activities,
                                      max_size=max_phases * max_activities, unique_by=str.casefold)))
    phases = []
    for _ in range(draw(st.integers(1, max_phases))):
        activities = []
        for _ in range(draw(st.integers(1, max_activities))):
            cells = draw(st.dictionaries(st.sampled_from(role_ids), LETTERS, max_size=len(role_ids)))
            activities.append((next(activity_ids), draw(text), draw(text), cells))
        phases.append((draw(text), draw(text), activities))
    return Data(draw(text), draw(text), draw(text), roles, phases)


def plain_twin():
    """A function that maps each text to its plain twin: ASCII letters where the text has other
    characters than white space and hyphens, those kept, so that words, hyphenated words and lengths
    (the page's layout depends on them: the PDF's column headers keep a hyphenated word that fits
    whole, in a span of its own) stay; a different twin for each different text (the page groups
    activities by phase name), and nothing for nothing."""
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    twins: dict[str, str] = {}

    def twin(text: str) -> str:
        if text not in twins:
            mark = letters[len(twins) % len(letters)]
            twins[text] = "".join(c if c.isspace() or c == "-" else mark for c in text)
        return twins[text]

    return twin


def document(data: Data, tmp_root: str = "/nonexistent-raci-gen-project") -> Document:
    """The Document renderers get for ``data``, built at a fixed time, with no project templates."""
    roles = tuple(Role(id=i, name=n, location=HERE, similar=tuple(s), description=d or None)
                  for i, n, s, d in data.roles)
    phases = tuple(Phase(name=n, location=HERE, description=d or None, activities=tuple(
        Activity(id=i, name=an, location=HERE, description=ad or None,
                 cells=tuple(Cell(role, letters, HERE) for role, letters in cells.items()))
        for i, an, ad, cells in acts)) for n, d, acts in data.phases)
    settings_ = Settings(title=data.title, project=data.project or None, author=data.author or None,
                         date="2023-11-14", analysis=True)
    project = Project(root=tmp_root, settings=settings_, matrix=Matrix(roles=roles, phases=phases, variant=RACI))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        return make_document(project)


# --- Markdown -----------------------------------------------------------------------------------------------------


def md_expected(text: str) -> str:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return CONTROL.sub("\ufffd", "\n".join(line.strip() for line in lines).replace("\t", " "))


def gfm() -> MarkdownIt:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def inline_text(token) -> str:
    """What a reader sees in an inline token: text, with ``<br>`` and a hard break as a line break, a wrap as a
    space; anything else fails."""
    out = []
    for child in token.children or []:
        if child.type == "text":
            out.append(child.content)
        elif child.type == "html_inline" and child.content == "<br>" or child.type == "hardbreak":
            out.append("\n")
        elif child.type == "softbreak":  # where a paragraph is wrapped: one space
            out.append(" ")
        elif child.type == "html_inline" and re.fullmatch(r'<a name="role\.[a-z0-9._-]+">|</a>', child.content):
            continue  # a role heading's explicit anchor: shows nothing
        else:
            raise AssertionError(f"{child.type} {child.content!r} made from the data in {token.content!r}")
    return "".join(out)


@dataclass
class MdTable:
    heading: str | None
    cells: list[list]
    """The inline token of every cell, row by row."""

    @property
    def rows(self) -> list[list[str]]:
        """The text of every cell; fails where a cell holds anything but text and ``<br>``."""
        return [[inline_text(cell) for cell in row] for row in self.cells]

    @property
    def header(self) -> list[str]:
        """The header row's text, whatever markup the template put there."""
        return ["".join(c.content for c in cell.children or [] if c.type == "text") for cell in self.cells[0]]


def md_tables(markdown: str) -> tuple[list[MdTable], list[str]]:
    """Every table (with the heading above it) and every heading, read as GFM, cell and heading
    text by :func:`inline_text`. Checks that the only raw HTML is the generator comment at the top,
    ``<br>`` and role anchors, that there are no images, and that links are the template's own, to a role."""
    tokens = gfm().parse(markdown)
    html_blocks = [t for t in tokens if t.type == "html_block"]
    assert tokens[0] is html_blocks[0], [t.content for t in html_blocks]
    assert html_blocks[0].content.startswith("<!-- Generated by ") and html_blocks[0].content.count("-->") == 1
    # Besides: markdownlint's switches around a table, a role heading with an explicit anchor, a long heading.
    assert all(re.fullmatch(r"<!-- markdownlint-(capture|restore) -->(<!-- markdownlint-disable[A-Z0-9 ]+-->)?\n|"
                            r"<!-- markdownlint-disable-next-line MD013 -->\n", block.content)
               for block in html_blocks[1:]), [t.content for t in html_blocks]
    for child in (c for t in tokens if t.type == "inline" for c in t.children or []):
        # <a name="role.ID"></a>: the explicit anchor of a role heading whose slug another heading could take.
        assert child.type != "html_inline" or child.content == "<br>" or re.fullmatch(
            r'<a name="role\.[a-z0-9._-]+">|</a>', child.content), child.content
        assert child.type != "image", child
        assert child.type != "link_open" or re.fullmatch(r"#role[-.][a-z0-9._-]+", child.attrs["href"]), child.attrs
    tables: list[MdTable] = []
    headings: list[str] = []
    heading = None
    row: list[str] | None = None
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            heading = inline_text(tokens[i + 1])
            headings.append(heading)
        elif token.type == "table_open":
            tables.append(MdTable(heading, []))
        elif token.type == "tr_open":
            row = []
        elif token.type == "tr_close":
            tables[-1].cells.append(row)
            row = None
        elif token.type == "inline" and row is not None:
            row.append(token)
    return tables, headings


@settings(max_examples=40, deadline=None)
@given(matrices())
def test_markdown_reads_back_as_the_same_grid(data):
    doc = document(data)
    tables, headings = md_tables(render_markdown_text(doc))
    roles = doc.matrix.roles
    header = ["ID", "Activity"] + [r.id for r in roles]
    phase_tables = [t for t in tables if t.header == header]
    assert [t.heading for t in phase_tables] == [md_expected(p.name) for p in doc.matrix.phases]
    for phase, table in zip(doc.matrix.phases, phase_tables):
        assert table.rows[1:] == [[a.id, md_expected(a.name)] + ["/".join(a.letters(r.id)) for r in roles]
                                  for a in phase.activities]
    role_tables = [t for t in tables if t.header[:2] == ["ID", "Role"]]
    assert len(role_tables) == 1
    header, *rows = role_tables[0].rows
    by_column = {name: [row[header.index(name)] for row in rows] for name in header}
    assert by_column["ID"] == [r.id for r in roles]
    assert by_column["Role"] == [md_expected(r.name) for r in roles]
    # The template joins with ", "; GFM strips the spaces at the cell's edges (not a <br>).
    assert by_column["Similar roles"] == [", ".join(md_expected(s) for s in r.similar).strip(" ") for r in roles]
    assert by_column["Description"] == [md_expected(r.description or "") for r in roles]
    assert md_expected(doc.title) in headings
    for table in tables:  # no text made a column of its own, or swallowed one
        assert len({len(row) for row in table.cells}) == 1, table


@settings(max_examples=300, deadline=None)
@given(texts)
def test_md_paragraph_is_one_literal_paragraph(text):
    tokens = gfm().parse(f"## Phase\n\n{_finalize(md_paragraph(text))}\n\nnext\n")
    blocks = [t.type for t in tokens if t.level == 0 and t.nesting >= 0]
    expected = md_expected(text.strip())
    if expected:
        assert blocks == ["heading_open", "paragraph_open", "paragraph_open"], blocks
        assert inline_text(tokens[4]) == expected
    else:
        assert blocks == ["heading_open", "paragraph_open"], blocks


@settings(max_examples=300, deadline=None)
@given(texts)
def test_md_escape_is_literal_in_a_table_cell(text):
    table = f"| a | b |\n|---|---|\n| {_finalize(md_escape(text))} | z |\n"
    tables, _ = md_tables("<!-- Generated by test -->\n" + table)
    assert tables[0].rows == [["a", "b"], [md_expected(text), "z"]]


# --- HTML ---------------------------------------------------------------------------------------------------------


def html_expected(text: str) -> str:
    return CONTROL.sub("\ufffd", text)


class Reader(html.parser.HTMLParser):
    """Tags (name and attribute names), attributes, and the text between tags as the reader sees it.

    ``<wbr>``, the line-break opportunity the template puts into long words, is neither a tag
    here nor the end of a text: ``abc<wbr>def`` reads ``abcdef``.
    """

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, tuple[str, ...]]] = []
        self.attrs: list[dict[str, str | None]] = []
        self.data: list[str] = []
        self.style: list[str] = []
        self.stack: list[str] = []
        self.text: list[str] = []

    def flush(self):
        if self.text:
            (self.style if self.stack[-1:] == ["style"] else self.data).append("".join(self.text))
            self.text = []

    def handle_starttag(self, tag, attrs):
        if tag == "wbr" and not attrs:
            return
        self.flush()
        self.tags.append((tag, tuple(name for name, _ in attrs)))
        self.attrs.append(dict(attrs))
        if tag not in ("meta", "br", "col", "wbr", "img", "link", "hr", "input"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        self.flush()
        while self.stack and self.stack.pop() != tag:
            pass

    def handle_data(self, data):
        self.text.append(data)

    def close(self):
        super().close()
        self.flush()


def read_html(text: str) -> Reader:
    reader = Reader()
    reader.feed(text)
    reader.close()
    return reader


@settings(max_examples=12, deadline=None)
@given(matrices())
def test_html_is_escaped_and_keeps_the_text(data):
    doc = document(data)
    page = read_html(render_html_text(doc))
    twin = read_html(render_html_text(document(data.mapped(plain_twin()))))
    assert page.tags == twin.tags  # no element and no attribute comes from the data
    chunks = set(page.data)
    for phase in doc.matrix.phases:
        for activity in phase.activities:
            if activity.name:
                assert html_expected(activity.name) in chunks
    for role in doc.matrix.roles:
        if role.name:
            assert html_expected(role.name) in chunks
    if doc.author:
        assert {"name": "author", "content": html_expected(doc.author)} in page.attrs
    style = "".join(page.style)
    assert "<" not in style
    rules = tinycss2.parse_stylesheet(style, skip_comments=True, skip_whitespace=True)
    assert not [r for r in rules if r.type == "error"]


def css_expected(text: str) -> str:
    # css_string escapes what it must; the template's finalize turns C1 controls into U+FFFD, and a
    # CSS parser reads an escaped NUL as U+FFFD.
    return re.sub(r"[\x00\x80-\x9f]", "\ufffd", text)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_css_string_is_one_literal_string(text):
    quoted = str(_finalize(css_string(text)))
    assert "<" not in quoted and ">" not in quoted and "&" not in quoted
    declarations = tinycss2.parse_declaration_list(f"content: {quoted}", skip_whitespace=True)
    assert [d.type for d in declarations] == ["declaration"]
    values = [t for t in declarations[0].value if t.type != "whitespace"]
    assert [v.type for v in values] == ["string"]
    assert values[0].value == css_expected(text)


# --- Workbook -----------------------------------------------------------------------------------------------------


def xlsx_expected(text: str) -> str:
    text = XML_ILLEGAL.sub("\ufffd", text)
    if len(text) > MAX_CELL_TEXT:
        text = text[: MAX_CELL_TEXT - 1] + "…"
    return text.replace("\r\n", "\n").replace("\r", "\n")


@settings(max_examples=20, deadline=None)
@given(matrices())
def test_workbook_cells_are_text_never_formulas(data):
    doc = document(data)
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(doc)))
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]
    # raci-gen writes formulas of its own (counts on a summary sheet); none may depend on the text:
    # they are the same for the twin matrix whose texts are plain letters.
    twin = openpyxl.load_workbook(io.BytesIO(render_xlsx(document(data.mapped(plain_twin())))))
    formulas = {(c.parent.title, c.coordinate): c.value for c in cells if c.data_type == "f"}
    assert formulas == {(sheet.title, c.coordinate): c.value for sheet in twin for row in sheet.iter_rows()
                        for c in row if c.data_type == "f"}
    for cell in cells:
        assert cell.data_type in ("s", "n", "f"), (cell.coordinate, cell.value, cell.data_type)
    by_value: dict[str, list] = {}
    for cell in cells:
        if isinstance(cell.value, str):
            by_value.setdefault(cell.value, []).append(cell)
    wanted = [r.name for r in doc.matrix.roles] + [r.id for r in doc.matrix.roles]
    wanted += [p.name for p in doc.matrix.phases] + [a.name for a in doc.matrix.activities()]
    wanted += [a.id for a in doc.matrix.activities()]
    # A cell whose text, as it reads back, looks like a formula must carry the prefix, whatever put it
    # there. A "\r" reads back as "\n", like a text that was "\n" to begin with (a person, a
    # description) and needs no prefix: then at least one cell holding it must be the quoted one.
    for text in dict.fromkeys(t for t in wanted if t):
        value = xlsx_expected(text)
        found = by_value.get(value)
        assert found, f"{text!r} is in no cell"
        if reads_as_formula(value):
            assert all(c.quotePrefix for c in found), f"{text!r} has no quote prefix"
        elif reads_as_formula(XML_ILLEGAL.sub("\ufffd", text)):  # as written: a control character is U+FFFD
            assert any(c.quotePrefix for c in found), f"{text!r} has no quote prefix in any cell"


def reads_as_formula(text: str) -> bool:
    """OWASP's rule, read generously: after blanks and invisible characters, a formula start in any width."""
    import unicodedata

    lead = text
    while lead and (lead[0].isspace() or unicodedata.category(lead[0]) in ("Cf", "Zs", "Zl", "Zp")):
        if lead[0] in "\t\r":  # formula starts themselves, wherever in the blank lead-in
            return True
        lead = lead[1:]
    if lead[:1] == "\u2212":
        return True
    return bool(lead) and unicodedata.normalize("NFKC", lead[0])[:1] in FORMULA_STARTS


formula_like = st.tuples(st.sampled_from(FORMULA_STARTS + (
    "", "'", " =", "\u00a0=", "\u200b+", "\ufeff@", "\n-", " \t", "\uff1d", "\ufe66", "\uff0b", "\uff0d",
    "\uff20", "\u3000=", "a=")), texts).map("".join)


@settings(max_examples=40, deadline=None)
@given(st.lists(formula_like, min_size=1, max_size=20))
def test_put_text_makes_literal_text_cells(values):
    from openpyxl import Workbook

    from raci_gen.documents.xlsx import _reproducible_zip, put_text

    book = Workbook()
    for row, value in enumerate(values, start=1):
        put_text(book.active.cell(row=row, column=1), value)
    buffer = io.BytesIO()
    book.save(buffer)
    # as render_xlsx does: one canonical XML form, whether openpyxl wrote it with lxml or not
    data = _reproducible_zip(buffer.getvalue(), None)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    for row, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=1)
        if value == "":  # an empty inline string reads back as no value at all
            assert cell.value in (None, "")
            continue
        assert cell.data_type == "s", (value, cell.data_type)
        assert cell.value == xlsx_expected(value)
        assert bool(cell.quotePrefix) == reads_as_formula(value), value


# --- PDF ----------------------------------------------------------------------------------------------------------

SCRIPTS = {
    "latin": "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZàéîõüßçøÆ",
    "greek": "αβγδεζηθικλμνξοπρστυφχψωΑΒΓΔΕΘΛΞΠΣΦΨΩάέήί",
    "cyrillic": "абвгдежзийклмнопрстуфхцчшщъыьэюяАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЭЮЯ",
    "hebrew": "אבגדהוזחטיכלמנסעפצקרשת",
    "arabic": "ابتثجحخدذرزسشصضطظعغفقكلمنهوي",
}
covered_words = st.sampled_from(sorted(SCRIPTS)).flatmap(
    lambda script: st.lists(st.text(SCRIPTS[script], min_size=2, max_size=6), min_size=1, max_size=2).map(" ".join))
"""A name of one or two words of one script that DejaVu Sans covers (one script, so no mixed bidi runs)."""


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def notdef(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name.startswith("weasyprint") and ".notdef glyph" in r.getMessage()]


def render_pdf_logged(doc: Document, caplog) -> bytes:
    from raci_gen.documents.pdf import render_pdf

    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        return render_pdf(doc)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                HealthCheck.too_slow])
@given(data=matrices(text=covered_words, max_roles=2, max_phases=1, max_activities=2))
def test_pdf_shows_names_in_scripts_dejavu_covers(data, caplog):
    doc = document(data)
    data_pdf = render_pdf_logged(doc, caplog)
    assert notdef(caplog) == []
    text = squeeze("".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data_pdf)).pages))
    for name in [a.name for a in doc.matrix.activities()] + [p.name for p in doc.matrix.phases] + \
            [r.name for r in doc.matrix.roles]:
        assert squeeze(name) in text, f"{name!r} is not in the PDF's text"


def fc_covers(char: str) -> bool:
    """Whether fontconfig knows an installed font with ``char`` (what WeasyPrint will draw it with)."""
    if shutil.which("fc-list") is None:
        return False
    listed = subprocess.run(["fc-list", f":charset={ord(char):x}", "family"], capture_output=True, text=True)
    return bool(listed.stdout.strip())


def pdf_chars(data_pdf: bytes) -> str:
    """The characters pdfplumber finds drawn with a real glyph (a .notdef box has no text WeasyPrint maps)."""
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data_pdf)) as pdf:
        return "".join(c["text"] for page in pdf.pages for c in page.chars)


CJK_NAME = "漢字の名前"
EMOJI_NAME = "役割 🚀"


@pytest.mark.parametrize("name", [CJK_NAME, EMOJI_NAME])
def test_pdf_draws_what_the_fonts_cover_and_says_what_they_do_not(name, caplog):
    """Whichever fonts the machine has: a character an installed font covers is drawn; one
    that none covers is a box, and WeasyPrint's warning names it, and the text layer still holds
    the name (read with pdfium: with a .notdef glyph, WeasyPrint switches the font to an embedded
    CMap that pypdf and pdfminer do not read)."""
    import pypdfium2

    data = Data("Title", "", "", [("R1", name, [], "")],
                [("Phase", "", [("A-1", name, "", {"R1": ("A", "R")})])])
    data_pdf = render_pdf_logged(document(data), caplog)
    uncovered = {c for c in name if not c.isspace() and not fc_covers(c)}
    warned = " ".join(notdef(caplog))
    drawn = pdf_chars(data_pdf)
    for char in {c for c in name if not c.isspace()}:
        if char in uncovered:
            assert f"U+{ord(char):04X}" in warned, f"no .notdef warning for {char!r}"
        else:
            assert char in drawn, f"{char!r} is covered by an installed font but not drawn"
    if not uncovered:
        assert warned == ""
        return
    pdf = pypdfium2.PdfDocument(data_pdf)
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert squeeze(name) in squeeze(text)


@pytest.mark.skipif(not fc_covers("漢"), reason="no CJK font installed (.ci/run installs fonts-droid-fallback)")
def test_pdf_draws_a_cjk_role_name_when_a_cjk_font_is_installed(caplog):
    data = Data("Title", "", "", [("R1", CJK_NAME, [], "")], [("Phase", "", [("A-1", "Plan", "", {"R1": ("A",)})])])
    data_pdf = render_pdf_logged(document(data), caplog)
    assert notdef(caplog) == []
    assert CJK_NAME in pdf_chars(data_pdf)


@pytest.mark.skipif(not fc_covers("\U0001f680"), reason="no emoji font installed (.ci/run installs fonts-noto-color-emoji)")
def test_pdf_draws_an_emoji_role_name_when_an_emoji_font_is_installed(caplog):
    data = Data("Title", "", "", [("R1", "Launch 🚀", [], "")], [("Phase", "", [("A-1", "Plan", "", {"R1": ("A",)})])])
    data_pdf = render_pdf_logged(document(data), caplog)
    assert notdef(caplog) == []
    assert "🚀" in pdf_chars(data_pdf)


def test_a_pdf_build_says_which_name_no_font_can_draw(tmp_path):
    """The build warns at the name's FILE:LINE:COL, with the package to install; silent when a font has it."""
    from conftest import write_project

    project = write_project(tmp_path / "p", "roles:\n  - id: R1\n    name: 漢字の名前\n",
                            {"01": "phase: P\nactivities:\n  - {id: A-1, name: Plan, raci: {R1: A/R}}\n"})
    run = subprocess.run([sys.executable, "-m", "raci_gen", "build", str(project), "-f", "pdf", "--out",
                          str(tmp_path / "out")], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    warnings = [line for line in run.stderr.splitlines() if "no installed font" in line]
    if all(fc_covers(c) for c in "漢字の名前"):
        assert warnings == []
    else:
        [warning] = warnings
        assert re.fullmatch(r".*roles/roles\.yaml:2:5: warning: role R1 name has characters no installed font can "
                            r"draw \(U\+[0-9A-F]{4}.*\); the PDF shows them as empty boxes: install fonts-noto-cjk "
                            r"\(Debian/Ubuntu\) or another font that has them", warning), warning


def test_refused_fetch_messages_are_the_only_ones_filtered(caplog):
    """The filter that keeps refused URLs quiet lets every other WeasyPrint record through."""
    from raci_gen.documents.pdf import REFUSAL, QuietRefusals

    quiet = QuietRefusals()
    refused = logging.LogRecord("weasyprint", logging.ERROR, __file__, 1, "Failed to load image at %r: %s",
                                ("file:///etc/passwd", ValueError(f"{REFUSAL}: file:///etc/passwd")), None)
    other = logging.LogRecord("weasyprint", logging.WARNING, __file__, 1,
                              '.notdef glyph rendered for Unicode string unsupported by fonts: "%s" (U+%04X)',
                              ("漢", 0x6F22), None)
    assert quiet.filter(refused) is False
    assert quiet.filter(other) is True

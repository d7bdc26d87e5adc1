"""The PDF renderer, read back with pypdf, pdfplumber and (for the page count) pdfinfo.

The renders are shared: the example and the hostile project once per session
(conftest), the small projects once per module. These tests are never skipped:
WeasyPrint and its system libraries are part of the test environment.
"""

from __future__ import annotations

import functools
import io
import re
import shutil
import struct
import subprocess
import zlib

import pdfplumber
import pypdf
import pypdfium2
import pytest

from raci_gen import __version__
from raci_gen.documents.pdf import render_pdf

A4_LANDSCAPE = (841.89, 595.28)
LETTER_LANDSCAPE = (792.0, 612.0)
EDGE = 10.0
"""Printed text must keep this far (in points) from every edge of the page."""
FOOTER_BAND = 16 / 25.4 * 72
"""The bottom page margin (16 mm), where the footer lives."""


def reader(data: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(data))


def page_chars(data: bytes) -> list[tuple[float, float, list[dict]]]:
    """(width, height, chars) of every page, read by pdfplumber (pdfminer)."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [(float(p.width), float(p.height), list(p.chars)) for p in pdf.pages]


def page_chars_pdfium(data: bytes) -> list[tuple[float, float, list[dict]]]:
    """The same as :func:`page_chars`, read by PDFium (through pypdfium2, which pdfplumber
    depends on): twenty times faster, so the larger test PDFs are read this way.
    Boxes are the glyphs' ink, in pdfplumber's coordinates (``top`` from the page top)."""
    pages = []
    document = pypdfium2.PdfDocument(data)
    try:
        for page in document:
            width, height = page.get_size()
            textpage = page.get_textpage()
            chars = []
            for i in range(textpage.count_chars()):
                text = textpage.get_text_range(i, 1)
                if not text or text in "\r\n":
                    continue
                left, bottom, right, top = textpage.get_charbox(i)
                chars.append({"text": text, "x0": left, "x1": right, "top": height - top, "bottom": height - bottom})
            pages.append((width, height, chars))
    finally:
        document.close()
    return pages


def stream_text(chars: list[dict]) -> str:
    """The page's characters in drawing order, without whitespace.

    WeasyPrint draws each box's text in one go, so a cell's text stays together here
    even when it wraps, while pdfplumber's line-based text would interleave columns.
    """
    return "".join(c["text"] for c in chars if not c["text"].isspace())


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def footer_text(height: float, chars: list[dict]) -> str:
    return "".join(c["text"] for c in chars if c["top"] > height - FOOTER_BAND)


SIDE_MARGIN = 12 / 25.4 * 72
"""The left and right page margins (12 mm)."""


def footer_boxes(width: float, height: float, chars: list[dict]) -> tuple[str, str, str]:
    """The text of the footer's left, centre and right boxes (38 %, 24 % and 38 % of the width between
    the margins, raci.css), without whitespace."""
    inner = width - 2 * SIDE_MARGIN
    cuts = (SIDE_MARGIN + 0.38 * inner, SIDE_MARGIN + 0.62 * inner)
    boxes = ["", "", ""]
    for c in chars:
        if c["top"] > height - FOOTER_BAND and not c["text"].isspace():
            middle = (c["x0"] + c["x1"]) / 2
            boxes[0 if middle < cuts[0] else 1 if middle < cuts[1] else 2] += c["text"]
    return boxes[0], boxes[1], boxes[2]


def fonts(pdf: pypdf.PdfReader):
    """Every font dictionary used on every page (also inside form XObjects)."""
    seen = set()

    def walk(resources):
        if not resources:
            return
        resources = resources.get_object()
        for font in (resources.get("/Font") or {}).values():
            ref = getattr(font, "idnum", id(font))
            if ref not in seen:
                seen.add(ref)
                yield font.get_object()
        for xobject in (resources.get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Form":
                yield from walk(xobject.get("/Resources"))

    for page in pdf.pages:
        yield from walk(page.get("/Resources"))


def images(pdf: pypdf.PdfReader) -> list:
    """Every image object in the file, wherever it is used (page, pattern, form)."""
    found = []
    for number in range(1, int(pdf.trailer["/Size"])):
        try:
            obj = pdf.get_object(number)
        except Exception:  # noqa: BLE001 - a free entry in the cross-reference table
            continue
        if isinstance(obj, pypdf.generic.StreamObject) and obj.get("/Subtype") == "/Image":
            found.append(obj)
    return found


def small_project(make_project, root, raci_yaml=None):
    return make_project(root, [{"id": "R1", "name": "Owner"}, {"id": "R2", "name": "Doer"}],
                        {"01-only": {"phase": "Only phase", "activities": [
                            {"id": "O-1", "name": "Do the one thing", "raci": {"R1": "A", "R2": "R"}}]}},
                        raci_yaml)


# --- the example ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example_reader(example_pdf) -> pypdf.PdfReader:
    return reader(example_pdf)


@pytest.fixture(scope="module")
def example_pages(example_pdf):
    return page_chars(example_pdf)


def test_is_a_pdf(example_pdf):
    assert example_pdf.startswith(b"%PDF-")
    assert example_pdf.rstrip().endswith(b"%%EOF")


def test_pages_are_a4_landscape(example_reader, example_pages):
    assert len(example_reader.pages) >= 1
    for page in example_reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert width > height
        assert (width, height) == pytest.approx(A4_LANDSCAPE, abs=0.5)
        assert page.get("/Rotate", 0) == 0
    for width, height, _ in example_pages:
        assert (width, height) == pytest.approx(A4_LANDSCAPE, abs=0.5)


def test_page_count_agrees_with_pdfinfo(example_pdf, example_reader, example_pages, tmp_path):
    count = len(example_reader.pages)
    assert count == len(example_pages) >= 1
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo:  # poppler's own reading, when installed; pypdf and pdfplumber agree above either way
        path = tmp_path / "example.pdf"
        path.write_bytes(example_pdf)
        info = subprocess.run([pdfinfo, str(path)], capture_output=True, text=True, check=True).stdout
        assert re.search(r"^Pages:\s+(\d+)$", info, re.M).group(1) == str(count)
        assert re.search(r"^Page size:\s+841\.89 x 595\.27\d? pts \(A4\)", info, re.M), info


def test_every_role_name_and_activity_id_is_in_the_text(example_document, example_pages):
    text = "".join(stream_text(chars) for _, _, chars in example_pages)
    for role in example_document.matrix.roles:
        assert squeeze(role.name) in text, role.name
    for activity in example_document.matrix.activities():
        assert activity.id in text
        assert squeeze(activity.name) in text, activity.name
    for phase in example_document.matrix.phases:
        assert squeeze(phase.name) in text


def test_plain_text_extraction_finds_every_id(example_document, example_reader):
    """pypdf's extraction (what copy and paste and search see) finds ids and role names too."""
    text = "\n".join(page.extract_text() for page in example_reader.pages)
    words = " ".join(text.split())
    for activity in example_document.matrix.activities():
        assert re.search(rf"(^|\s){re.escape(activity.id)}(\s|$)", text), activity.id
    for role in example_document.matrix.roles:
        assert role.name in words, role.name


def test_footer_numbers_every_page(example_document, example_pages):
    total = len(example_pages)
    for number, (_, height, chars) in enumerate(example_pages, start=1):
        footer = footer_text(height, chars)
        assert footer.endswith(f"Page {number} of {total}"), footer
        assert footer.startswith(f"{example_document.title} · {example_document.project} · {example_document.date}")


def test_footer_carries_the_provenance(example_document, example_pages):
    """Title, project and date on the left, the build (raci-gen version, input hash) in the middle, the page number
    on the right: a printout says which input it was made from."""
    assert example_document.digest and example_document.provenance == (f"raci-gen {__version__} · input "
                                                                       f"{example_document.digest}")
    total = len(example_pages)
    for number, (width, height, chars) in enumerate(example_pages, start=1):
        assert footer_boxes(width, height, chars) == (
            squeeze(f"{example_document.title} · {example_document.project} · {example_document.date}"),
            squeeze(example_document.provenance), f"Page{number}of{total}")


def test_metadata_comes_from_raci_yaml(example_project, example_reader):
    settings = example_project.settings
    meta = example_reader.metadata
    assert meta.title == f"{settings.title} · {settings.project}"
    assert meta.author == settings.author
    assert meta.creator == f"raci-gen {__version__}"


def test_dates_are_the_build_time(example_reader):
    meta = example_reader.metadata
    assert meta["/CreationDate"] == "D:20231114221320Z"
    assert meta["/ModDate"] == "D:20231114221320Z"


def test_fonts_are_embedded(example_reader):
    found = list(fonts(example_reader))
    assert found
    for font in found:
        subtype = font["/Subtype"]
        assert subtype != "/Type3", font
        if subtype == "/Type0":
            descendants = font["/DescendantFonts"]
            assert len(descendants) == 1
            descriptor = descendants[0].get_object()["/FontDescriptor"].get_object()
        else:
            descriptor = font["/FontDescriptor"].get_object()
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.keys()), font["/BaseFont"]


def test_text_stays_inside_the_page(example_pages):
    for number, (width, height, chars) in enumerate(example_pages, start=1):
        assert chars
        for c in chars:
            assert EDGE <= c["x0"] and c["x1"] <= width - EDGE, (number, c["text"], c["x0"], c["x1"])
            assert EDGE <= c["top"] and c["bottom"] <= height - EDGE / 2, (number, c["text"], c["top"])


def test_pdf_is_tagged(example_reader):
    root = example_reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) is True
    assert "/StructTreeRoot" in root
    assert root.get("/Lang") == "en"


def test_matrix_starts_on_page_one_and_roles_follow(example_document, example_pages):
    first = stream_text(example_pages[0][2])
    matrix = example_document.matrix
    assert squeeze(example_document.title) in first
    assert next(matrix.activities()).id in first
    # The roles section starts on a new page (section.roles { break-before: page }).
    roles_pages = [i for i, (_, _, chars) in enumerate(example_pages)
                   if "IDRolePeopleSimilarrolesDescription" in stream_text(chars)]
    assert roles_pages and roles_pages[0] > 0
    assert stream_text(example_pages[roles_pages[0]][2]).startswith("Roles")


# --- other page sizes, wide matrices, hostile text ----------------------------------------------------------------


@pytest.fixture(scope="module")
def letter_pdf(tmp_path_factory, make_project, document_of):
    root = small_project(make_project, tmp_path_factory.mktemp("letter"), {"title": "Letter test", "page": "Letter"})
    return render_pdf(document_of(root))


def test_letter_pages_are_792_by_612(letter_pdf):
    pdf = reader(letter_pdf)
    for page in pdf.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(LETTER_LANDSCAPE, abs=0.5)
    for width, height, chars in page_chars_pdfium(letter_pdf):
        assert all(c["x1"] <= width - EDGE for c in chars)
        assert footer_text(height, chars).startswith("Letter test")


WIDE_ROLES = 12


@pytest.fixture(scope="module")
def wide_pdf(tmp_path_factory, make_project, document_of):
    """12 roles with long names and 32-character ids, and names without a place to break a line."""
    roles = [{"id": f"R{i:02d}-" + "X" * 28, "name": f"Supercalifragilisticexpialidocious Representative {i}"}
             for i in range(WIDE_ROLES)]
    activities = {"01-wide": {"phase": "Wide " + "W" * 150, "activities": [
        {"id": f"A{i}-" + "Y" * 29, "name": "https://example.com/a/very/long/path/without/any/break/" * 3,
         "raci": {r["id"]: ("A/R" if j == i else "C") for j, r in enumerate(roles)}} for i in range(2)]}}
    root = make_project(tmp_path_factory.mktemp("wide"), roles, activities, {"title": "T" * 200})
    return render_pdf(document_of(root))


@pytest.fixture(scope="module")
def wide_pages(wide_pdf):
    return page_chars_pdfium(wide_pdf)


@pytest.fixture(scope="module")
def hostile_pages(hostile_pdf):
    return page_chars_pdfium(hostile_pdf)


def test_wide_matrix_stays_inside_the_page(wide_pages):
    for number, (width, height, chars) in enumerate(wide_pages, start=1):
        outside = [c["text"] for c in chars if c["x0"] < EDGE or c["x1"] > width - EDGE]
        assert not outside, f"page {number}: {len(outside)} characters outside the page: {''.join(outside)[:80]}"


def test_long_title_wraps_in_the_footer(wide_pages):
    """A 200-character title wraps inside the bottom margin; "Page N of M" stays on one line."""
    for number, (width, height, chars) in enumerate(wide_pages, start=1):
        footer = [c for c in chars if c["top"] > height - FOOTER_BAND]
        left, _, right = footer_boxes(width, height, chars)
        assert (left, right) == ("T" * 200 + "·2023-11-14", f"Page{number}of{len(wide_pages)}")
        assert all(c["bottom"] <= height - EDGE / 2 for c in footer)
        page_no = [c for c in footer if c["x0"] > width - SIDE_MARGIN - 0.38 * (width - 2 * SIDE_MARGIN)]
        assert squeeze("".join(c["text"] for c in page_no)).endswith(f"Page{number}of{len(wide_pages)}")
        assert max(c["top"] for c in page_no) < min(c["bottom"] for c in page_no)  # one line


def overlapping(chars: list[dict], slack: float = 0.3) -> list[tuple[str, str]]:
    """Pairs of characters whose boxes overlap by more than ``slack`` points both ways."""
    found = []
    chars = sorted(chars, key=lambda c: c["x0"])
    for i, a in enumerate(chars):
        for b in chars[i + 1:]:
            if b["x0"] >= a["x1"] - slack:
                break
            if min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > slack:
                found.append((a["text"], b["text"]))
    return found


def test_wide_matrix_columns_do_not_overlap(wide_pdf, wide_pages):
    """Each role's header stays in its own column: no two header characters overlap, turned or not.

    The 32-character activity ids widen the ID column (an id never breaks), so the twelve roles take two
    tables, each on a page of its own; every page of the matrix is checked."""
    matrix_pages = [chars for _, _, chars in wide_pages if any(c["text"] == "X" for c in chars)]
    header = [c for chars in matrix_pages for c in chars if c["text"] == "X"]  # only the role ids hold an X
    assert len(header) >= 28 * WIDE_ROLES
    for chars in matrix_pages:
        assert not overlapping([c for c in chars if c["text"] == "X"])
    # Twelve roles: the headers are turned, so every character of an id or a name is drawn on its side.
    with pdfplumber.open(io.BytesIO(wide_pdf)) as pdf:
        turned_pages = [[c for c in page.chars if not c["upright"] and not c["text"].isspace()]
                        for page in pdf.pages[:len(matrix_pages)]]
    assert squeeze("".join(c["text"] for turned in turned_pages for c in turned)) == squeeze("".join(
        f"R{i:02d}-" + "X" * 28 + f"Supercalifragilisticexpialidocious Representative {i}" for i in range(WIDE_ROLES)))
    # pdfplumber's boxes are the glyphs' em squares, which touch inside a line: compare whole lines (the text
    # drawn at one x), which must keep apart, within a column as between columns.
    count = 0
    for turned in turned_pages:
        lines: dict[float, list[dict]] = {}
        for c in turned:
            lines.setdefault(round(c["x0"], 1), []).append(c)
        boxes = [{"text": "".join(c["text"] for c in line), "x0": min(c["x0"] for c in line),
                  "x1": max(c["x1"] for c in line), "top": min(c["top"] for c in line),
                  "bottom": max(c["bottom"] for c in line)} for line in lines.values()]
        count += len(boxes)
        assert not overlapping(boxes)
    assert count >= 2 * WIDE_ROLES


def test_hostile_text_comes_back_literally(hostile_document, hostile_pages):
    pages = hostile_pages
    text = "".join(stream_text(chars) for _, _, chars in pages)
    matrix = hostile_document.matrix
    for role in matrix.roles:
        assert squeeze(role.name) in text, role.name
    for activity in matrix.activities():
        assert squeeze(activity.name) in text, activity.name
    assert "<imgsrc=xonerror=alert(1)>" in text


def test_hostile_title_in_footer_and_metadata(hostile_document, hostile_pdf, hostile_pages):
    """The footer is a CSS string: quotes, backslashes and '</style>' in the title come out as written."""
    pages = hostile_pages
    for number, (width, height, chars) in enumerate(pages, start=1):
        left, _, right = footer_boxes(width, height, chars)
        assert left == squeeze(f"{hostile_document.title} · {hostile_document.project} · {hostile_document.date}")
        assert right == f"Page{number}of{len(pages)}"
    meta = reader(hostile_pdf).metadata
    assert meta.title == f"{hostile_document.title} · {hostile_document.project}"
    assert meta.author == hostile_document.author


def _png(path) -> None:
    """A 1x1 red PNG."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    raw = b"\x00\xff\x00\x00"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def test_nothing_is_fetched_while_rendering(tmp_path, make_project, document_of):
    """A template that points at a file (or the network) does not make the build read it."""
    root = small_project(make_project, tmp_path / "p")
    image = tmp_path / "secret.png"
    _png(image)
    (root / "templates").mkdir()
    css = (f'@import url("{image.as_uri()}.css");\n'
           f'body {{ background: url("{image.as_uri()}"); }}\n'
           'h1 { background: url("http://127.0.0.1:9/x.png"); }\n')
    (root / "templates" / "raci.css").write_text(css, encoding="utf-8")
    html = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title><style>{css}</style></head>'
            f'<body><h1>Fetch test</h1><img src="{image.as_uri()}" alt=""></body></html>')
    (root / "templates" / "raci.html.j2").write_text(html, encoding="utf-8")
    data = render_pdf(document_of(root))
    pdf = reader(data)
    assert "Fetch test" in pdf.pages[0].extract_text()
    assert images(pdf) == []


def test_control_characters_and_emoji_do_not_break_the_pdf(odd_document):
    data = render_pdf(odd_document)
    pdf = reader(data)
    assert len(pdf.pages) >= 1
    text = "".join(stream_text(chars) for _, _, chars in page_chars_pdfium(data))
    assert "bell" in text and "O-2" in text and "Tabbed" in text


# --- outline, structure, charter details ----------------------------------------------------------------------------


def outline(pdf: pypdf.PdfReader) -> list[tuple[str, int, list[tuple[str, int]]]]:
    """The bookmarks: (title, 0-based page, [(title, page) of its children]) of each top-level entry."""
    entries: list = []
    for item in pdf.outline:
        if isinstance(item, list):
            entries[-1][2].extend((child.title, pdf.get_destination_page_number(child)) for child in item)
        else:
            entries.append((item.title, pdf.get_destination_page_number(item), []))
    return entries


def struct_elements(pdf: pypdf.PdfReader) -> list:
    """Every element of the structure tree (tagged PDF), in document order."""
    found = []

    def walk(node):
        node = node.get_object()
        if isinstance(node, pypdf.generic.ArrayObject):
            for kid in node:
                walk(kid)
        elif isinstance(node, pypdf.generic.DictionaryObject):
            if "/S" in node:
                found.append(node)
            if "/K" in node:
                walk(node["/K"])

    walk(pdf.trailer["/Root"]["/StructTreeRoot"])
    return found


def test_outline_has_the_phases_and_the_role_views(example_document, example_reader, example_pages):
    """Bookmarks: the sections, with one entry per phase under Matrix and one per role view under By role."""
    matrix = example_document.matrix
    top = outline(example_reader)
    assert [title for title, _, _ in top] == ["Matrix", "Roles", "Notes on the activities", "By role", "Workload",
                                              "Approval"]  # the example has signers since its version 3.0
    children = {title: kids for title, _, kids in top}
    assert [title for title, _ in children["Matrix"]] == [phase.name for phase in matrix.phases]
    assert [title for title, _ in children["By role"]] == [f"{role.id} {role.name}" for role in matrix.roles]
    assert not any(kids for title, _, kids in top if title not in ("Matrix", "By role"))
    # Each entry leads to the page that shows it.
    for (title, page), phase in zip(children["Matrix"], matrix.phases):
        assert squeeze(phase.name) in stream_text(example_pages[page][2])
    for (title, page), role in zip(children["By role"], matrix.roles):
        assert squeeze(f"{role.id} {role.name}") in stream_text(example_pages[page][2])
    by_role = next(page for title, page, _ in top if title == "By role")
    assert min(page for _, page in children["By role"]) >= by_role > 0


def test_structure_tree_has_table_headers_and_a_described_chart(example_document, example_reader):
    matrix = example_document.matrix
    elements = struct_elements(example_reader)
    kinds: dict[str, int] = {}
    for element in elements:
        kinds[element["/S"]] = kinds.get(element["/S"], 0) + 1
    # Column headers (ID, Activity, a role each) and a row header per activity, at least.
    assert kinds.get("/TH", 0) >= 2 + len(matrix.roles) + len(list(matrix.activities()))
    assert kinds.get("/Table", 0) >= 4 and kinds.get("/TD", 0) >= len(list(matrix.activities())) * len(matrix.roles)
    assert kinds.get("/H1") == 1 and kinds.get("/H3", 0) >= len(matrix.roles)
    # Data cells point at their headers.
    cells = [e for e in elements if e["/S"] == "/TD"]
    assert sum(1 for e in cells if e.get("/A") and e["/A"].get("/Headers")) >= len(cells) * 0.9
    # The chart is a figure whose alternative text is the SVG's title.
    assert [str(e.get("/Alt")) for e in elements if e["/S"] == "/Figure"] == ["Activities per role"]
    # The role headers link to the role views.
    assert kinds.get("/Link", 0) >= len(matrix.roles)
    root = example_reader.trailer["/Root"]
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"]) is True
    assert "/OutputIntents" not in root and "/Metadata" not in root  # plain tagged PDF: no archival claim


def test_same_document_same_bytes(example_document, example_pdf):
    assert render_pdf(example_document) == example_pdf


def test_weasyprint_floor_is_a_version_raci_gen_builds_with(repo_root):
    """The oldest WeasyPrint pyproject.toml lets pip keep is 70: with 66 or 67 every PDF was an internal error
    (exit 3, ``module 'weasyprint.urls' has no attribute 'URLFetcher'``, which the refusing fetcher extends; 66
    also has no ``Font.missing``, which the subsetting copied from WeasyPrint 70 reads); 68 and 69 build the
    example but write other bytes each time the same document is rendered, in one process
    (``test_same_document_same_bytes`` fails). Checked by installing each beside raci-gen in a virtual
    environment and running ``build -f pdf`` and this file's tests."""
    pyproject = (repo_root / "pyproject.toml").read_text(encoding="utf-8")
    floor = re.search(r'"weasyprint>=(\d+)', pyproject)
    assert floor and int(floor.group(1)) >= 70


def test_fonts_subset_faster_to_the_same_bytes(example_document, example_pdf, odd_document, monkeypatch):
    """raci-gen's subsetting (GSUB/GPOS removed before fontTools reads them) writes what WeasyPrint's writes:
    for the example, and for a document with glyphs no font has (WeasyPrint's notdef outline)."""
    from raci_gen.documents import weasyprint_private

    odd_fast = render_pdf(odd_document)
    monkeypatch.setattr(weasyprint_private, "SPARE_LAYOUT_TABLES", False)
    assert render_pdf(example_document) == example_pdf
    assert render_pdf(odd_document) == odd_fast


LAB_GLYPHS = (".notdef", "space", "A", "V", "f", "i", "f_i")
LAB_FEATURES = """
languagesystem DFLT dflt;
feature liga { sub f i by f_i; } liga;
feature kern { pos A V -80; } kern;
table GDEF { GlyphClassDef [A V f i], [f_i], , ; } GDEF;
"""


def lab_font(family: str, *, cff=False, layout=True, kern=True, variable=False, colour=False):
    """A font of six triangles made with fontTools (so that the test needs no installed font): TrueType or CFF
    outlines, DejaVu's kinds of tables (GSUB, GPOS, GDEF, a legacy ``kern``) or fewer, a ``wdth`` axis, colour
    glyphs (COLR and SVG)."""
    from fontTools.feaLib.builder import addOpenTypeFeaturesFromString
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.t2CharStringPen import T2CharStringPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable
    from fontTools.ttLib.tables._k_e_r_n import KernTable_format_0
    from fontTools.ttLib.tables.TupleVariation import TupleVariation

    widths = {name: 0 if name == "space" else 600 for name in LAB_GLYPHS}

    def draw(pen, width):
        if width:
            pen.moveTo((50, 0)), pen.lineTo((width - 50, 0)), pen.lineTo((width // 2, 700)), pen.closePath()

    builder = FontBuilder(1000, isTTF=not cff)
    builder.setupGlyphOrder(list(LAB_GLYPHS))
    builder.setupCharacterMap({0x20: "space", 0x41: "A", 0x56: "V", 0x66: "f", 0x69: "i"})
    pens = {name: T2CharStringPen(widths[name], None) if cff else TTGlyphPen(None) for name in LAB_GLYPHS}
    for name, pen in pens.items():
        draw(pen, widths[name])
    if cff:
        builder.setupCFF(family.replace(" ", ""), {"FullName": family},
                         {name: pen.getCharString() for name, pen in pens.items()}, {})
    else:
        builder.setupGlyf({name: pen.glyph() for name, pen in pens.items()})
    builder.setupHorizontalMetrics({name: (widths[name], 50) for name in LAB_GLYPHS})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": family, "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=800, usWinAscent=800, usWinDescent=200)
    builder.setupPost()
    if variable:
        builder.setupFvar([("wdth", 100, 100, 150, "Width")], [])
        builder.setupGvar({name: [TupleVariation({"wdth": (0, 1, 1)}, [(20, 0)] * 3 + [(0, 0)] * 4)]
                           for name in LAB_GLYPHS if widths[name]})
    if layout:
        addOpenTypeFeaturesFromString(builder.font, LAB_FEATURES)
    if kern:
        subtable = KernTable_format_0()
        subtable.coverage, subtable.format, subtable.version = 1, 0, 0
        subtable.kernTable = {("A", "V"): -80}
        builder.font["kern"] = newTable("kern")
        builder.font["kern"].version, builder.font["kern"].kernTables = 0, [subtable]
    if colour:
        from fontTools.colorLib.builder import buildCOLR, buildCPAL

        builder.font["COLR"] = buildCOLR({"A": [("A", 0), ("V", 1)]}, version=0)
        builder.font["CPAL"] = buildCPAL([[(1, 0, 0, 1), (0, 0, 1, 1)]])
        builder.font["SVG "] = newTable("SVG ")
        builder.font["SVG "].docList = [
            ('<svg xmlns="http://www.w3.org/2000/svg"><path id="glyph2" d="M0 0h600v700z"/></svg>', 2, 2)]
    return builder.font


@functools.cache
def lab_fonts() -> dict[str, tuple[bytes, int]]:
    """The kinds of font a project's ``raci.css`` may name, unlike DejaVu: name -> (file, index of the font)."""
    from fontTools.ttLib import TTCollection

    def saved(font) -> bytes:
        data = io.BytesIO()
        font.save(data)
        return data.getvalue()

    collection = TTCollection()
    collection.fonts = [lab_font("Lab TTC A", kern=False), lab_font("Lab TTC B")]
    return {
        "TrueType, GSUB, GPOS, kern": (saved(lab_font("Lab Full")), 0),
        "TrueType, kern and no GPOS": (saved(lab_font("Lab Kern", layout=False)), 0),
        "TrueType, no layout table": (saved(lab_font("Lab Plain", layout=False, kern=False)), 0),
        "CFF, GSUB, GPOS, kern": (saved(lab_font("Lab CFF", cff=True)), 0),
        "variable": (saved(lab_font("Lab Var", variable=True)), 0),
        "colour glyphs": (saved(lab_font("Lab Colour", colour=True)), 0),
        "second font of a collection": (saved(collection), 1),
    }


@pytest.mark.parametrize("kind", list(lab_fonts()))
@pytest.mark.parametrize("missing", [{}, {0x263A: 7}], ids=["all glyphs", "a glyph missing"])
@pytest.mark.parametrize("hinting", [False, True], ids=["unhinted", "hinted"])
def test_fonts_of_every_kind_subset_to_weasyprints_bytes(kind, missing, hinting, monkeypatch):
    """The subsetting raci-gen copied from WeasyPrint writes what the installed WeasyPrint's own method writes,
    for fonts unlike DejaVu (which the test above covers): so that a WeasyPrint whose method changes for CFF, a
    collection, a variable or colour font, or a ``kern`` without GPOS, fails here rather than in users' PDFs.
    The two are called on the same stand-in for WeasyPrint's font (its real one needs a Pango font)."""
    from types import SimpleNamespace

    from weasyprint.pdf import fonts

    from raci_gen.documents import weasyprint_private

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")  # fontTools stamps the time into the font otherwise
    data, index = lab_fonts()[kind]
    to_unicode = {0: "", 2: "A", 3: "V", 6: "fi"}
    weasyprints, raci_gens = (SimpleNamespace(file_content=data, index=index, missing=missing, family=kind)
                              for _ in range(2))
    fonts.Font._fonttools_subset(weasyprints, to_unicode, hinting)
    weasyprint_private.subset_without_layout_tables(raci_gens, to_unicode, hinting)
    assert weasyprints.file_content != data  # subset, not left as it was after a warning
    assert raci_gens.file_content == weasyprints.file_content


@pytest.fixture(scope="module")
def charter(tmp_path_factory, make_project, document_of):
    """A project with people, findings, signers and German as its language: (document, PDF)."""
    from dataclasses import replace

    from raci_gen.checks.analysis import active, lint
    from raci_gen.input.loader import load_project

    roles = [{"id": "R1", "name": "Owner", "people": [{"name": "Ada Lovelace", "team": "Data",
                                                       "email": "ada@example.com"}, "Alan Turing"]},
             {"id": "R2", "name": "Doer"}, {"id": "R3", "name": "Idle role"}]
    activities = {"01-plan": {"phase": "Plan", "activities": [
        {"id": "P-1", "name": "Set the goal", "raci": {"R1": "A", "R2": "R"}},
        {"id": "P-2", "name": "Write the plan", "raci": {"R1": "A/R", "R2": "I"}}]}}
    config = {"title": "Charter", "project": "Pilot", "language": "de", "author": "Ada Lovelace",
              "approval": [{"name": "Grace Hopper", "role": "Sponsor", "date": "2025-11-26"}, {"name": "Alan Turing"}]}
    root = make_project(tmp_path_factory.mktemp("charter"), roles, activities, config)
    project = load_project(str(root))
    document = replace(document_of(root), findings=tuple(active(lint(project.matrix, project.settings))))
    return document, render_pdf(document)


def test_charter_details_in_the_pdf(charter):
    document, data = charter
    pdf = reader(data)
    root = pdf.trailer["/Root"]
    assert root["/Lang"] == "de"
    assert pdf.metadata.title == "Charter · Pilot" and pdf.metadata.author == "Ada Lovelace"
    pages = page_chars_pdfium(data)
    texts = [stream_text(chars) for _, _, chars in pages]
    # People: under the role name in the matrix header, and in the roles table with team and email.
    assert "R1OwnerAdaLovelace(Data),AlanTuring" in texts[0]
    assert any("AdaLovelace·Data·ada@example.comAlanTuring" in t for t in texts)
    # The open findings (the idle role) in the workload section.
    assert document.findings
    finding = document.findings[0]  # worded by its role, not its file position
    assert any("Openfindings" in t and squeeze(f"{document.finding_subject(finding)}: "
                                               f"{document.finding_text(finding)}") in t for t in texts)
    # The approval block closes the document: every signer, and a line to sign on.
    assert [title for title, _, _ in outline(pdf)][-1] == "Approval"
    assert "ApprovalNameRoleDateSignatureGraceHopperSponsor2025-11-26AlanTuring" in texts[-1]


def test_signature_lines_are_drawn(charter):
    """The approval block leaves an empty, ruled cell per signer (a 0.8pt line under "Signature")."""
    _, data = charter
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[-1]
        words = page.extract_words()
        heading = next(w for w in words if w["text"] == "Signature")
        rules = [r for r in page.rects + page.lines
                 if r["x0"] <= heading["x0"] + 1 and r["x1"] > heading["x0"] + 50 and r["top"] > heading["bottom"]
                 and abs(r["bottom"] - r["top"]) < 1.5]
    signers = {round(r["top"]) for r in rules}
    assert len(signers) >= 2, rules


# --- PDF/A-3b and PDF/UA-1 ----------------------------------------------------------------------------------------


def xmp(pdf: pypdf.PdfReader) -> str:
    return pdf.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")


def check_fonts_embedded(pdf: pypdf.PdfReader) -> None:
    found = list(fonts(pdf))
    assert found
    for font in found:
        descriptor = (font["/DescendantFonts"][0].get_object() if font["/Subtype"] == "/Type0" else font)
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor["/FontDescriptor"].get_object().keys())


@pytest.fixture(scope="module")
def variant_renders(tmp_path_factory, make_project, document_of):
    """{variant: (document, PDF)}, each set in raci.yaml as ``pdf: {variant: ...}``."""
    result = {}
    for variant in ("pdf/a-3b", "pdf/ua-1"):
        root = small_project(make_project, tmp_path_factory.mktemp("variant"),
                             {"title": "Archive", "author": "Ada", "pdf": {"variant": variant}})
        document = document_of(root)
        assert document.pdf_variant == variant
        result[variant] = (document, render_pdf(document))
    return result


def test_pdf_a_3b(variant_renders):
    document, data = variant_renders["pdf/a-3b"]
    assert render_pdf(document) == data  # still reproducible
    pdf = reader(data)
    assert pdf.pdf_header == "%PDF-1.7" and "/ID" in pdf.trailer
    meta = xmp(pdf)
    assert 'pdfaid:part="3"' in meta and 'pdfaid:conformance="B"' in meta
    # The XMP dates are the build time (SOURCE_DATE_EPOCH), as in the info dictionary.
    assert "<xmp:CreateDate>2023-11-14T22:13:20Z</xmp:CreateDate>" in meta
    assert "<xmp:ModifyDate>2023-11-14T22:13:20Z</xmp:ModifyDate>" in meta
    assert pdf.metadata["/CreationDate"] == "D:20231114221320Z"
    assert '<rdf:li xml:lang="x-default">Archive</rdf:li>' in meta and pdf.metadata.title == "Archive"
    [intent] = pdf.trailer["/Root"]["/OutputIntents"]
    assert intent["/S"] == "/GTS_PDFA1" and "/DestOutputProfile" in intent
    root = pdf.trailer["/Root"]
    assert "/StructTreeRoot" in root and bool(root["/MarkInfo"]["/Marked"]) and root["/Lang"] == "en"
    check_fonts_embedded(pdf)


def test_pdf_ua_1(variant_renders):
    document, data = variant_renders["pdf/ua-1"]
    assert render_pdf(document) == data
    pdf = reader(data)
    meta = xmp(pdf)
    assert 'pdfuaid:part="1"' in meta and "pdfaid" not in meta
    root = pdf.trailer["/Root"]
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"]) and root["/Lang"] == "en"
    assert pdf.metadata.title == "Archive"
    assert any(e["/S"] == "/TH" for e in struct_elements(pdf))
    check_fonts_embedded(pdf)


def test_unknown_variant_is_refused(variant_renders):
    from dataclasses import replace

    from raci_gen.model.errors import RenderError

    document, _ = variant_renders["pdf/ua-1"]
    with pytest.raises(RenderError, match="unknown PDF variant 'pdf/x-4'"):
        render_pdf(replace(document, pdf_variant="pdf/x-4"))


# --- thirty roles, 120 activities on A4 landscape -----------------------------------------------------------------

THIRTY_NAMES = ["Chief Information Security Officer", "Business Stakeholder", "Solution Architect", "Data Scientist",
                "Data Engineer", "Software Engineer", "DevOps Engineer", "ML Engineer / MLOps Engineer",
                "Product Owner", "Legal and Compliance Counsel", "Quality Assurance Lead", "Site Reliability Engineer",
                "Data Protection Officer", "Head of Customer Support", "Finance Controller", "Procurement Manager",
                "UX Researcher", "Platform Team Lead", "Internal Audit", "Enterprise Architect",
                "Labelling Vendor Manager", "Domain Expert (Credit Risk)", "Model Risk Management",
                "Security Operations Centre", "Release Manager", "Technical Writer", "Programme Sponsor",
                "Works Council Representative", "Infrastructure Operations", "Analytics Translator"]
WORDS = ["review", "the", "deployment", "pipeline", "and", "approve", "budget", "for", "model", "monitoring", "data",
         "contract", "retraining", "incident", "postmortem"]


@pytest.fixture(scope="module")
def thirty(tmp_path_factory, make_project, document_of):
    """30 roles (some with people) and 120 activities in 10 phases, names of 3 to 17 words: (document, PDF)."""
    roles = [{"id": f"R{i + 1}", "name": name} for i, name in enumerate(THIRTY_NAMES)]
    for i in range(0, 30, 4):
        roles[i]["people"] = [{"name": f"Person {i} Lastname", "team": "Team X"}]
    activities, n = {}, 0
    for p in range(10):
        items = []
        for _ in range(12):
            n += 1
            name = f"Activity {n}: " + " ".join(WORDS[(n * 7 + k * 3) % len(WORDS)] for k in range(3 + (n * 5) % 15))
            raci = {f"R{n % 30 + 1}": "A", f"R{(n + 5) % 30 + 1}": "R", f"R{(n + 11) % 30 + 1}": "C",
                    f"R{(n + 17) % 30 + 1}": "I", f"R{(n + 23) % 30 + 1}": "C/I"[n % 2 * 2]}
            items.append({"id": f"T{n:03d}", "name": name, "raci": raci})
        activities[f"{p:02d}"] = {"phase": f"Stage {p + 1} of the programme", "description": "What happens here.",
                                  "activities": items}
    root = make_project(tmp_path_factory.mktemp("thirty"), roles, activities, {"title": "Thirty roles"})
    document = document_of(root)
    return document, render_pdf(document)


@pytest.fixture(scope="module")
def thirty_pages(thirty):
    return page_chars_pdfium(thirty[1])


@pytest.fixture(scope="module")
def thirty_first_page(thirty) -> list[dict]:
    """The characters of the first page, read by pdfplumber (which tells turned text from upright)."""
    with pdfplumber.open(io.BytesIO(thirty[1]), pages=[1]) as pdf:
        return list(pdf.pages[0].chars)


@pytest.fixture(scope="module")
def thirty_matrix_pages(thirty) -> range:
    """The pages of the matrix: up to the roles section."""
    roles = next(page for title, page, _ in outline(reader(thirty[1])) if title == "Roles")
    return range(roles)


def test_thirty_roles_fit_in_three_tables(thirty_pages, thirty_first_page, thirty_matrix_pages):
    texts = [stream_text(thirty_pages[i][2]) for i in thirty_matrix_pages]
    starts = [next(i for i, t in enumerate(texts) if f"RolesR{a}–R{b}({k}of3)" in t)
              for k, (a, b) in enumerate([(1, 10), (11, 20), (21, 30)], start=1)]
    assert starts[0] == 0 and starts == sorted(starts) and len(set(starts)) == 3
    # Every page of the matrix repeats the header: ID, Activity and the roles of its table.
    for i, text in enumerate(texts):
        k = sum(1 for s in starts if s <= i)
        first = (k - 1) * 10 + 1
        assert "IDActivity" in text and all(f"R{r}" in text for r in range(first, first + 10)), i
    # Legible: 120 activities three times over take at most 30 pages, nothing smaller than 6pt.
    assert len(texts) <= 30
    chars = thirty_first_page
    assert min(c["size"] for c in chars if c["upright"]) >= 5.9
    assert min(c["x1"] - c["x0"] for c in chars if not c["upright"]) >= 5.9  # a turned glyph's size lies across


def test_thirty_roles_every_name_extractable(thirty, thirty_pages, thirty_first_page):
    document, _ = thirty
    text = "".join(stream_text(chars) for _, _, chars in thirty_pages)
    for role in document.matrix.roles:
        assert squeeze(role.name) in text, role.name
        assert squeeze(f"{role.id}{role.name}") in text, role.id  # the header label, and the view's heading
    # The headers are turned: drawn on their side, and still whole words for copy and search.
    turned = "".join(c["text"] for c in thirty_first_page if not c["upright"])
    labels = [f"{r.id}{r.name}{document.people(r)}" for r in document.matrix.roles[:10]]
    assert squeeze("".join(labels)) == squeeze(turned)
    assert "Person0Lastname(TeamX)" in squeeze(labels[0])


def test_thirty_roles_nothing_outside_the_page(thirty_pages):
    for number, (width, height, chars) in enumerate(thirty_pages, start=1):
        assert chars
        outside = [c["text"] for c in chars if not (EDGE <= c["x0"] and c["x1"] <= width - EDGE
                                                   and EDGE <= c["top"] and c["bottom"] <= height - EDGE / 2)]
        assert not outside, f"page {number}: {''.join(outside)[:80]}"


def left_column(data: bytes, pages: range) -> list[list[tuple[float, str]]]:
    """Per page, the runs of text that start in the ID column (ids and phase headings), top to bottom."""
    x_max = SIDE_MARGIN + 14 / 25.4 * 72 - 2
    result = []
    document = pypdfium2.PdfDocument(data)
    try:
        for number in pages:
            page = document[number]
            height = page.get_size()[1]
            textpage = page.get_textpage()
            runs = []
            for i in range(textpage.count_rects()):
                left, bottom, right, top = textpage.get_rect(i)
                if left < x_max and bottom > FOOTER_BAND:
                    runs.append((height - top, textpage.get_text_bounded(left, bottom, right, top).strip()))
            result.append(sorted(runs))
    finally:
        document.close()
    return result


def test_no_page_ends_on_a_phase_heading(thirty, thirty_matrix_pages):
    """A phase's heading row always has its first activity below it, on the same page."""
    for number, runs in zip(thirty_matrix_pages, left_column(thirty[1], thirty_matrix_pages)):
        rows = [(top, "phase" if text.startswith("Stage") else "activity") for top, text in runs
                if text.startswith("Stage") or re.fullmatch(r"T\d{3}", text)]
        assert rows, number
        assert rows[-1][1] == "activity", f"page {number + 1} ends on a phase heading"
    phases = sum(text.startswith("Stage") for runs in left_column(thirty[1], thirty_matrix_pages) for _, text in runs)
    assert phases == 10 * 3


def test_no_row_is_cut_by_a_page_break(thirty, thirty_pages, thirty_matrix_pages):
    """Each activity's row (id and whole name) is on one page, once in each of the three tables."""
    document, _ = thirty
    texts = [stream_text(thirty_pages[i][2]) for i in thirty_matrix_pages]
    for activity in document.matrix.activities():
        whole = squeeze(activity.id + activity.name)
        assert sum(t.count(whole) for t in texts) == 3, activity.id


# --- the ID column ---------------------------------------------------------------------------------------------------

LONG_IDS = ["BIZ-ALIGN", "OPS-RUNBOOK-REVIEW", "A-32-CHARACTER-ID-ALLOWED-HERE-X"]


@pytest.fixture(scope="module")
def long_id_pdf(tmp_path_factory, make_project, document_of):
    roles = [{"id": f"R{i}", "name": f"Role {i}"} for i in range(1, 8)]
    activities = {"01": {"phase": "Align", "activities": [
        {"id": aid, "name": f"Activity number {n} with a name long enough to wrap onto a second line in its column",
         "raci": {"R1": "A", "R2": "R", "R3": "C"}} for n, aid in enumerate(LONG_IDS, start=1)]}}
    return render_pdf(document_of(make_project(tmp_path_factory.mktemp("long-ids"), roles, activities)))


def test_an_id_never_breaks_and_stays_in_its_column(long_id_pdf):
    with pdfplumber.open(io.BytesIO(long_id_pdf)) as pdf:
        words = pdf.pages[0].extract_words()
    texts = [w["text"] for w in words]
    for n, aid in enumerate(LONG_IDS, start=1):
        assert aid in texts, (aid, [t for t in texts if t[:3] == aid[:3]])  # one word: one line, not BIZ- / ALIGN
        [word] = [w for w in words if w["text"] == aid]
        [name] = [w for w in words if w["text"] == "Activity" and abs(w["top"] - word["top"]) < 2]
        assert word["x1"] < name["x0"]  # the id ends before its activity's name begins


def test_the_id_column_is_as_wide_as_the_longest_id(document_of, make_project, tmp_path):
    from raci_gen.documents.html import ID_MM, matrix_layout

    def width(ids):
        activities = {"01": {"phase": "P", "activities": [{"id": i, "name": "x", "raci": {"R1": "A/R"}}
                                                          for i in ids]}}
        root = make_project(tmp_path / str(len(ids[0])), [{"id": "R1", "name": "One"}], activities)
        return matrix_layout(document_of(root)).id_mm

    assert width(["GD-1"]) == ID_MM
    assert ID_MM < width(["BIZ-ALIGN"]) < width(["OPS-RUNBOOK-REVIEW"]) < width([LONG_IDS[2]])

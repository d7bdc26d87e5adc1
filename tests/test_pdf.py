"""The PDF renderer, read back with pypdf, pdfplumber and (for the page count) pdfinfo.

The renders are shared: the example and the hostile project once per session
(conftest), the small projects once per module. These tests are never skipped:
WeasyPrint and its system libraries are part of the test environment.
"""

from __future__ import annotations

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
from raci_gen.renderers.pdf import render_pdf

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
    found = []
    for page in pdf.pages:
        xobjects = (page.get("/Resources") or {}).get("/XObject") or {}
        for xobject in xobjects.values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Image":
                found.append(xobject)
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
    assert root["/MarkInfo"]["/Marked"] is True or root["/MarkInfo"]["/Marked"] == pypdf.generic.BooleanObject(True)
    assert "/StructTreeRoot" in root
    assert root.get("/Lang") == "en"


def test_matrix_starts_on_page_one_and_roles_follow(example_document, example_pages):
    first = stream_text(example_pages[0][2])
    matrix = example_document.matrix
    assert squeeze(example_document.title) in first
    assert next(matrix.activities()).id in first
    # The roles section starts on a new page (section.roles { break-before: page }).
    roles_pages = [i for i, (_, _, chars) in enumerate(example_pages) if "RoleSimilarroles" in stream_text(chars)]
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
        assert squeeze("".join(c["text"] for c in footer)) == "T" * 200 + f"·2023-11-14Page{number}of{len(wide_pages)}"
        assert all(c["bottom"] <= height - EDGE / 2 for c in footer)
        page_no = [c for c in footer if c["x0"] > width / 2 and c["text"] != "T"]
        assert squeeze("".join(c["text"] for c in page_no)).endswith(f"Page{number}of{len(wide_pages)}")
        assert max(c["top"] for c in page_no) < min(c["bottom"] for c in page_no)  # one line


def test_wide_matrix_columns_do_not_overlap(wide_pages):
    """Each role's header stays in its own column: no two header characters overlap."""
    _, _, chars = wide_pages[0]
    header = [c for c in chars if c["text"] == "X"]  # only the role ids hold an X
    assert len(header) >= 28 * WIDE_ROLES
    header.sort(key=lambda c: (round(c["top"]), c["x0"]))
    for a, b in zip(header, header[1:]):
        if round(a["top"]) == round(b["top"]):
            assert a["x1"] <= b["x0"] + 0.5, (a["x0"], a["x1"], b["x0"])


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
    for number, (_, height, chars) in enumerate(pages, start=1):
        footer = squeeze(footer_text(height, chars))
        assert footer == squeeze(f"{hostile_document.title} · {hostile_document.project} · {hostile_document.date}"
                                 f"Page {number} of {len(pages)}")
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

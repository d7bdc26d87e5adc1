"""The PDF's tagged structure against the Matterhorn protocol (PDF/UA-1's machine-checkable failure conditions).

veraPDF cannot be installed here, so the conditions that apply to raci-gen's documents are checked over the
structure tree with pikepdf: one test per condition, named after it, on the example's PDF in each variant
(the default, ``pdf/ua-1``, ``pdf/a-3b``) and laid out in parts and joined (documents/pdf_parts.py, with
its part sizes lowered as in test_pdf_parts.py). The mending is documents/pdf_tags.py's.
"""

from __future__ import annotations

import dataclasses
import io
import re

import pikepdf
import pytest

from raci_gen.documents import pdf_parts
from raci_gen.documents.pdf import render_pdf

VARIANTS = ("default", "pdf/ua-1", "pdf/a-3b", "parts")


@pytest.fixture(scope="module", params=VARIANTS)
def pdf(request, example_document, example_pdf):
    variant = request.param
    if variant == "default":
        data = example_pdf
    elif variant == "parts":
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(pdf_parts, "PARTS_FROM", 10)
            patch.setattr(pdf_parts, "PART_CELLS", 100)
            patch.setattr(pdf_parts, "PART_NOTES", 12)
            assert pdf_parts.wanted(example_document)
            data = render_pdf(example_document)
    else:
        data = render_pdf(dataclasses.replace(example_document, pdf_variant=variant))
    with pikepdf.open(io.BytesIO(data)) as opened:
        yield opened


def elements(pdf: pikepdf.Pdf):
    """(element, parent) for every structure element, in document order."""
    kids = pdf.Root.StructTreeRoot.K
    stack = [(kid, None) for kid in reversed(list(kids) if isinstance(kids, pikepdf.Array) else [kids])]
    while stack:
        element, parent = stack.pop()
        yield element, parent
        kids = element.get("/K")
        kids = list(kids) if isinstance(kids, pikepdf.Array) else [] if kids is None else [kids]
        for kid in reversed(kids):
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                stack.append((kid, element))


def link_annotations(pdf: pikepdf.Pdf):
    for page in pdf.pages:
        for annotation in page.obj.get("/Annots", []):
            if annotation.get("/Subtype") == "/Link":
                yield page, annotation


def parent_tree(pdf: pikepdf.Pdf) -> dict:
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    return {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}


def reachable(pdf: pikepdf.Pdf) -> set:
    return {element.objgen for element, _ in elements(pdf)}


def test_matterhorn_01_004_content_is_tagged_or_artifact(pdf):
    """01-004: all text is drawn inside marked content, and marked content with an MCID belongs to a
    structure element that is in the structure tree (the page footers, which WeasyPrint keeps out of the
    tree, are artifacts: pagination)."""
    tree, inside = parent_tree(pdf), reachable(pdf)
    tagged = 0
    for page in pdf.pages:
        marked = tree.get(int(page.obj.get("/StructParents", -1)))
        depth, kinds = 0, []
        for operands, operator in pikepdf.parse_content_stream(page):
            name = str(operator)
            if name in ("BDC", "BMC"):
                kinds.append(str(operands[0]))
                if name == "BDC" and isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]:
                    element = marked[int(operands[1].MCID)]
                    assert element.objgen in inside, f"MCID {operands[1].MCID} is tagged out of the tree"
                    tagged += 1
            elif name == "EMC":
                kinds.pop()
            elif name in ("Tj", "TJ", "'", '"'):
                assert kinds, "text drawn outside marked content"
    assert tagged > 500


def test_matterhorn_07_001_display_doc_title(pdf):
    """07-001/07-002: the viewer shows the document's title, not its file name."""
    assert pdf.Root.ViewerPreferences.DisplayDocTitle is True


def test_matterhorn_11_001_natural_language(pdf):
    """11-001 (and 11-006): the catalog says the language of the text."""
    assert re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]+)*", str(pdf.Root.get("/Lang", "")))


def test_matterhorn_06_001_metadata_identifies_pdf_ua(pdf, request):
    """06-001, 06-002, 06-003: a PDF/UA document has XMP metadata with pdfuaid:part 1 and a dc:title. The
    variant chooses the claim: pdf/ua-1 makes it; the others make none they could be held to."""
    with pdf.open_metadata() as metadata:
        if request.node.callspec.params["pdf"] == "pdf/ua-1":
            assert metadata.get("pdfuaid:part") == "1"
            assert metadata.get("dc:title") == "RACI matrix · MLOps lifecycle"
        else:
            assert metadata.get("pdfuaid:part") is None


def test_matterhorn_09_004_table_structure(pdf):
    """09-004: table elements nest as ISO 32000-1 Table 337 says."""
    allowed = {"/TR": {"/Table", "/THead", "/TBody", "/TFoot"}, "/TH": {"/TR"}, "/TD": {"/TR"},
               "/THead": {"/Table"}, "/TBody": {"/Table"}, "/TFoot": {"/Table"}}
    seen = 0
    for element, parent in elements(pdf):
        if str(element.S) in allowed:
            seen += 1
            assert str(parent.S) in allowed[str(element.S)]
    assert seen > 500


def test_matterhorn_13_004_figures_have_alternative_text(pdf):
    figures = [element for element, _ in elements(pdf) if element.S == "/Figure"]
    assert figures
    assert all(str(figure.get("/Alt", "")).strip() for figure in figures)


def test_matterhorn_14_003_heading_levels_not_skipped(pdf):
    """14-003: numbered headings do not skip a level going down (H1, then H2, never H1 then H3)."""
    levels = [int(str(element.S)[2:]) for element, _ in elements(pdf) if re.fullmatch(r"/H[1-6]", str(element.S))]
    assert levels[0] == 1
    assert all(after <= before + 1 for before, after in zip(levels, levels[1:]))


def test_matterhorn_15_003_table_headers_have_scope(pdf):
    """15-003: every header cell says whether it heads a column or a row (WeasyPrint 70 writes no /Scope):
    the matrix's heading row, Column; an activity's id at the start of its row, Row."""
    scopes = [str(element.get("/A", {}).get("/Scope", "")) for element, _ in elements(pdf) if element.S == "/TH"]
    assert len(scopes) > 100
    assert set(scopes) == {"/Column", "/Row"}
    matrix = next(element for element, _ in elements(pdf)  # the first table with a head: the matrix
                  if element.S == "/Table" and any(kid.get("/S") == "/THead" for kid in element.K))
    head = next(kid for kid in matrix.K if kid.get("/S") == "/THead")
    assert {str(th.A.Scope) for th in head.K[0].K} == {"/Column"}
    body = next(kid for kid in matrix.K if kid.get("/S") == "/TBody")
    rows = [row for row in body.K if len(row.K) > 1]
    assert rows and all(row.K[0].A.Scope == "/Row" for row in rows)


def test_matterhorn_15_003_headers_name_header_cells(pdf):
    """Where a data cell names its headers (/Headers), it names at least one, and each is the unique /ID of
    a header cell: no empty /Headers, and IDs that stay unique when parts are joined into one document."""
    ids: dict[bytes, int] = {}
    for element, _ in elements(pdf):
        if "/ID" in element:
            assert element.S == "/TH"
            ids[bytes(element.ID)] = ids.get(bytes(element.ID), 0) + 1
    assert ids and max(ids.values()) == 1
    # and found by the structure tree's /IDTree (PDF 1.7, 14.7.2), each at its element
    entries = pdf.Root.StructTreeRoot.IDTree.Names
    tree = {bytes(entries[n]): entries[n + 1] for n in range(0, len(entries), 2)}
    assert set(tree) == set(ids)
    assert all(bytes(element.ID) == key for key, element in tree.items())
    named = 0
    for element, _ in elements(pdf):
        headers = element.get("/A", {}).get("/Headers")
        if headers is not None:
            assert len(headers) > 0
            assert all(bytes(header) in ids for header in headers)
            named += 1
    assert named > 500


def test_matterhorn_28_008_pages_with_annotations_have_tab_order(pdf):
    """28-008/28-009: a page with annotations orders them by the structure (/Tabs /S)."""
    pages = {page.objgen: page for page, _ in link_annotations(pdf)}
    assert pages
    assert all(page.get("/Tabs") == "/S" for page in pages.values())


def test_matterhorn_28_011_link_annotations_nested_in_link(pdf):
    """28-011: every link annotation's structure parent is a Link element, which holds its /OBJR (both
    ways: in the element's kids, and through the parent tree's entry for the annotation's /StructParent)."""
    tree = parent_tree(pdf)
    holders = {}
    for element, _ in elements(pdf):
        kids = element.get("/K")
        for kid in list(kids) if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
                holders[kid.Obj.objgen] = element
    annotations = list(link_annotations(pdf))
    assert len(annotations) > 20
    for _, annotation in annotations:
        assert holders[annotation.objgen].S == "/Link"
        assert tree[int(annotation.StructParent)].objgen == holders[annotation.objgen].objgen


def test_matterhorn_28_012_link_annotations_described_in_words(pdf):
    """28-012: a link annotation's /Contents describes it, in words: "Role R1, Business Stakeholder" for
    the role's column heading, not the anchor it points at (``role-r1``)."""
    described = {}
    for _, annotation in link_annotations(pdf):
        contents = str(annotation.get("/Contents", ""))
        assert contents.strip() and contents != str(annotation.get("/Dest", ""))
        described[str(annotation.Dest)] = contents
    assert described["role-r1"] == "Role R1, Business Stakeholder"


def test_matterhorn_28_012_hostile_names_are_described_as_they_are(hostile_document, hostile_pdf):
    """A role's name with parentheses, backslashes, quotes or right-to-left letters is its link's
    description exactly (written as a PDF string, never as PDF syntax)."""
    with pikepdf.open(io.BytesIO(hostile_pdf)) as pdf:
        described = {hostile_document.anchor(role): f"Role {role.id}, {role.name}"
                     for role in hostile_document.matrix.roles}
        seen = 0
        for _, annotation in link_annotations(pdf):
            assert str(annotation.Contents) == described[str(annotation.Dest)]
            seen += 1
        assert seen >= len(described) == len(hostile_document.matrix.roles)

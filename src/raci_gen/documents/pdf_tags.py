"""What WeasyPrint 70's tagged structure lacks for PDF/UA-1, added before the PDF is written.

WeasyPrint tags the document (``pdf_tags=True``) but, read with a PDF/UA checker's eyes
(the Matterhorn protocol's machine-checkable failure conditions):

* no table header cell (``TH``) says whether it heads a column or a row (``/Scope``; 15-003), and
  a data cell whose row and column have no header gets an empty ``/Headers`` array;
* a link drawn in several boxes (a role's column heading: its id and its name in two spans) gets
  one annotation per box, and those of the inner boxes hang, as ``/OBJR``, under the ``Span``
  inside the ``Link``, where PDF/UA wants the ``Link`` itself as their parent (7.18.5; 28-011);
* each link's ``/Contents``, its description for assistive technology, is the anchor it points
  at (``role-r1``), not words (28-012);
* the structure elements' IDs (those of header cells, which ``/Headers`` name) have no ``/IDTree``,
  which PDF 1.7 asks for (14.7.2);
* the page margins' text (the footers, "Page 3 of 14") is marked as content of structure elements
  that are in no structure tree (WeasyPrint keeps them out of it, and PDF 1.7 has no place for them):
  content that is neither an artifact nor reachable as real content (01-004). It is marked as an
  artifact instead, pagination, as a PDF laid out in parts draws its footers.

:func:`finisher` returns a WeasyPrint finisher that mends these in WeasyPrint's own objects
(pydyf's), after WeasyPrint built the structure tree and before it writes the file, so nothing is
parsed again and the bytes stay WeasyPrint's (the same every run). A PDF laid out in parts gets it
on every part (``documents/pdf_parts.py``), whose join keeps what it set.
"""

from __future__ import annotations

import re
from typing import Callable

from raci_gen.documents import weasyprint_private

SCOPES = {"col": "/Column", "colgroup": "/Column", "row": "/Row", "rowgroup": "/Row"}
"""A ``<th scope>`` as PDF says it. PDF 1.7 has no group scopes; a ``rowgroup`` heading (a phase's name
across the matrix) heads the row it stands in, as a ``Row``."""


def _number(reference) -> int:
    """The object number of a pydyf reference (``b'12 0 R'``)."""
    return int(bytes(reference).split()[0])


def _scope(html_element, element: dict, objects: list) -> str:
    """The ``/Scope`` of the header cell ``element`` (the structure element of ``html_element``): its ``scope``
    attribute, else a column header in a table head or when it does not start its row, else a row header."""
    given = SCOPES.get((html_element.get("scope") or "").strip().lower())
    if given:
        return given
    row = objects[_number(element["P"])]
    group = objects[_number(row["P"])]
    if group.get("S") == "/THead":
        return "/Column"
    kids = row.get("K", [])
    first = kids[0] if len(kids) else None
    return "/Row" if first is not None and objects[_number(first)] is element else "/Column"


def link_words(document):
    """What a link of the built-in templates points at, in words: "Role R1, Business Stakeholder" for a role's
    column heading (an anchor, or in a part of a long PDF a ``raci-anchor:`` URI); None for any other target."""
    from raci_gen.documents.pdf_parts import ANCHOR_SCHEME

    roles = {document.anchor(role): f"Role {role.id}, {role.name}" for role in document.matrix.roles}

    def words(target: str) -> str | None:
        return roles.get(target.removeprefix(ANCHOR_SCHEME).removeprefix("#"))

    return words


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def finisher(link_words: Callable[[str], str | None], id_prefix: str = "",
             then: Callable | None = None) -> Callable:
    """A WeasyPrint finisher that mends the structure tree (see the module docstring), then calls ``then``.

    ``link_words(target)`` says a link to ``target`` (an anchor, or a URI) in words, or None: the link's
    own text (else its title) is used then. ``id_prefix`` goes before every structure element's ``/ID``
    (and the ``/Headers`` naming them), so that the IDs of parts joined into one document stay unique.
    """

    def finish(document, pdf) -> None:
        if "StructTreeRoot" in pdf.catalog:
            _mend(document, pdf, link_words, id_prefix)
        if then is not None:
            then(document, pdf)

    return finish


def _mend(document, pdf, link_words, id_prefix: str) -> None:
    import pydyf

    objects = pdf.objects
    # From the boxes WeasyPrint tagged: each header cell's scope, as its HTML says it, and each link's text
    # (for the annotations of all the boxes it is drawn in).
    link_texts: dict[int, str] = {}
    for page in document.pages:
        for tag, html_element, found in weasyprint_private.tagged_boxes(page):
            if tag == "th" and "A" in found:
                found["A"]["Scope"] = _scope(html_element, found, objects)
            elif tag == "a":
                text = _words("".join(html_element.itertext())) or _words(html_element.get("title") or "")
                if text:
                    for number in found:
                        link_texts[number] = text

    tree = objects[_number(pdf.catalog["StructTreeRoot"])]
    nums = objects[_number(tree["ParentTree"])]["Nums"]
    slot = {nums[i]: i + 1 for i in range(0, len(nums), 2)}  # parent tree key -> index of its value
    elements = [obj for obj in objects if isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/StructElem"]
    identified = {}
    for element in elements:
        attributes = element.get("A")
        if attributes is not None and "Headers" in attributes:
            if not len(attributes["Headers"]):
                del attributes["Headers"]  # no header reaches the cell this way: its table's scopes say it
            elif id_prefix:
                attributes["Headers"] = pydyf.Array(
                    pydyf.String(id_prefix + header.string) for header in attributes["Headers"])
        if id_prefix and "ID" in element:
            element["ID"] = pydyf.String(id_prefix + element["ID"].string)
        if "ID" in element:
            identified[element["ID"].string] = element.reference
        if element.get("S") == "/Link":
            _gather_annotations(element, objects, slot, nums)

    if identified:  # PDF 1.7, 14.7.2: the IDs' name tree, which WeasyPrint does not write
        tree["IDTree"] = pydyf.Dictionary({"Names": pydyf.Array(
            item for key in sorted(identified) for item in (pydyf.String(key), identified[key]))})
    _margins_as_artifacts(pdf, tree, nums)

    for obj in objects:
        if isinstance(obj, pydyf.Dictionary) and obj.get("Subtype") == "/Link" and "Contents" in obj:
            target = obj["Dest"].string if "Dest" in obj else obj.get("A", {}).get("URI", pydyf.String()).string
            words = link_words(target) or link_texts.get(obj.number) or target
            obj["Contents"] = pydyf.String(words)


def _gather_annotations(link: dict, objects: list, slot: dict, nums: list) -> None:
    """Moves the annotation references (``/OBJR``) found under ``link``'s descendants into ``link`` itself,
    and points their parent tree entries at it."""
    found = []
    stack = [kid for kid in reversed(link["K"]) if not isinstance(kid, int)]
    while stack:  # in document order
        element = objects[_number(stack.pop())]
        if element.get("Type") == "/OBJR" or element.get("S") == "/Link":
            continue  # the link's own annotations; a nested link keeps its own
        kids = element.get("K", [])
        keep, inner = [], []
        for kid in kids:
            if isinstance(kid, int):
                keep.append(kid)
                continue
            child = objects[_number(kid)]
            if child.get("Type") == "/OBJR":
                found.append(kid)
            else:
                keep.append(kid)
                inner.append(kid)
        stack += reversed(inner)
        if len(keep) != len(kids):
            element["K"] = type(kids)(keep)
    for reference in found:
        link["K"].append(reference)
        annotation = objects[_number(objects[_number(reference)]["Obj"])]
        key = annotation.get("StructParent")
        if key in slot:
            nums[slot[key]] = link.reference


def _margins_as_artifacts(pdf, tree: dict, nums: list) -> None:
    """Marks as artifacts the page content whose structure element is out of the structure tree (the page
    margins' text), and empties its parent tree slots; the drawing is the same."""
    import pydyf

    objects = pdf.objects
    reachable: set[int] = set()
    stack = [kid for kid in tree["K"]]
    while stack:
        number = _number(stack.pop())
        if number in reachable:
            continue
        reachable.add(number)
        stack += [kid for kid in objects[number].get("K", []) if not isinstance(kid, int)
                  and objects[_number(kid)].get("Type") == "/StructElem"]
    pages = {nums[i]: nums[i + 1] for i in range(0, len(nums), 2) if isinstance(nums[i + 1], pydyf.Array)}
    for page in pdf.page_references:  # WeasyPrint's list of its pages' references
        marked = pages.get(objects[_number(page)].get("StructParents"))
        if not marked:
            continue
        outside = {mcid for mcid, element in enumerate(marked) if _number(element) not in reachable}
        if not outside:
            continue
        for mcid in outside:
            marked[mcid] = b"null"
        content = objects[_number(objects[_number(page)]["Contents"])]
        operations, kept = content.stream, []
        for operation in operations:
            if operation == b"BDC" and len(kept) >= 2 and isinstance(kept[-1], pydyf.Dictionary) \
                    and kept[-1].get("MCID") in outside:
                kept[-2:] = ["/Artifact", pydyf.Dictionary({"Type": "/Pagination"})]
            kept.append(operation)
        content.stream = kept

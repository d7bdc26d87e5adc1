"""Every use raci-gen makes of WeasyPrint 70's private parts (and of pydyf's, as WeasyPrint hands them over).

WeasyPrint documents ``HTML``, ``Document`` (``render``, ``copy``, ``write_pdf`` and its ``finisher``), ``Page``
(``bookmarks``, ``height``), the ``URLFetcher`` and its loggers; raci-gen's PDF needs more than that, and what
is below is WeasyPrint's internals, which any release may change without a word. Each is used here and nowhere
else (:mod:`raci_gen.documents.pdf`, ``pdf_parts`` and ``pdf_tags`` call the functions below), and
``tests/test_private_apis.py`` checks each by what raci-gen relies on, failing with a message that names it
and the installed version; ``.github/workflows/newest-dependencies.yml`` runs the tests against the newest
releases, so that a change is seen before a user meets it. pyproject.toml holds WeasyPrint below 71 until then.

1. ``weasyprint.pdf.fonts.harfbuzz_subset``, the module's handle on libharfbuzz-subset, set to None while
   rendering (:func:`fonttools_subsetting`): WeasyPrint then subsets fonts with fontTools, the one road every
   installation has. HarfBuzz writes other bytes than fontTools, and other bytes in each of its versions, so
   without this the same project gives another PDF on another machine. Buys the reproducible PDF; kept.
2. ``weasyprint.pdf.fonts.Font._fonttools_subset(self, to_unicode, hinting)``, replaced while rendering by
   :func:`subset_without_layout_tables`, a copy of it that removes the GSUB, GPOS, SVG and (beside GPOS) kern
   tables before fontTools reads them, rather than have fontTools decompile and then drop them: the same bytes
   (``tests/test_pdf.py`` compares the two on DejaVu and on fonts of every kind). Measured with fontTools
   4.69: a DejaVu Sans face subset to the example's glyphs takes 0.03-0.06 s of processor time instead of
   0.08-0.10 s, and a document or part subsets three or four faces; ``render_pdf`` with and without it
   (medians of 3, alternated in one process, on a shared 2-core machine, children counted): the example
   2.01-2.12 s against 2.07-2.39 s; a 320 x 6 PDF laid out in five parts and a footer
   document 6.95 s against 8.34 s (17 %).
   Buys more the more parts a PDF has; kept (:data:`SPARE_LAYOUT_TABLES` off uses WeasyPrint's own method).
3. The warning WeasyPrint logs when it subsets with fontTools, found by its words (:data:`FONTTOOLS_WARNING`)
   and dropped, since raci-gen chose that road (:class:`QuietFallback`). Were the words to change, the warning
   would reach the ``weasyprint`` logger, which the command line does not show: nothing breaks.
4. ``Page._page_box`` and its boxes: ``descendants()``, ``element_tag``, ``element`` (the HTML element),
   ``mark`` (the structure element WeasyPrint's tagging gave the box) and ``link_annotation`` (its pydyf
   annotation, with its object ``number``). :func:`row_index` reads which table rows a page holds, where a
   long PDF's part is cut (``pdf_parts``); :func:`tagged_boxes` the header cells' and links' boxes, whose
   structure ``pdf_tags`` mends for PDF/UA. Nothing public says what a page holds; kept.
5. ``Document.make_bookmark_tree(self, scale, transform_pages)`` called with a stand-in for the document whose
   pages have only ``bookmarks`` and ``height`` (:func:`bookmark_tree`): the bookmarks of a PDF laid out in
   parts, from every part's pages at once, as one document has them (the parts' pages are gone by then, laid
   out in other processes). The alternative is a copy of its 40 lines of nesting rules; kept.
6. The page announcements on the ``weasyprint.progress`` logger, ``Step 5 - Creating layout - Page %d``
   (:data:`PAGE_ANNOUNCEMENT`): the page limit of a PDF drawn by a project's own template counts pages by them
   (``pdf._PageCounter``), and ``pdf._progress`` shows them, and the other steps' announcements
   (:data:`STEP_ANNOUNCEMENTS`, :func:`announced_step`), through ``runtime/progress.py`` on a terminal. Were the words to change, the
   page limit would be gone (the time limit would still hold): the test says so.

pydyf, which the finishers get from WeasyPrint (documented as "a pydyf.PDF object", its objects not):

7. ``pydyf.Object.compressible``, overridden to False by :class:`PlainDictionary`, so that the information
   dictionary, with the provenance stamp, is written as a plain object and not packed into a compressed object
   stream, where ``writing/provenance`` could not find it by its bytes.
8. ``pydyf.Stream.stream``, the list of a page's operators: WeasyPrint's ``begin_marked_content`` appends the
   tag, the property list and ``b"BDC"`` as three items, which ``pdf_tags._margins_as_artifacts`` rewrites.
9. WeasyPrint's tagged structure as pydyf objects (``StructTreeRoot``, ``ParentTree``'s ``Nums``, ``StructElem``
   with ``A``/``Headers``/``ID``, ``OBJR``): ``pdf_tags`` reads and mends it; ``tests/test_pdf_ua.py`` checks the
   result against the PDF/UA conditions.

The join of a PDF laid out in parts reads the part files with pikepdf's public API only.
"""

from __future__ import annotations

import contextlib
import io
import logging
from types import SimpleNamespace

FONTTOOLS_WARNING = "instead of HarfBuzz-Subset"
"""Words of the warning WeasyPrint 70 logs each time it subsets a font with fontTools."""
PROGRESS_LOGGER = "weasyprint.progress"
PAGE_ANNOUNCEMENT = "Step 5 - Creating layout - Page"
"""How WeasyPrint 70's progress logger announces a page it is about to lay out (its number is the first
argument of the record)."""


def subset_without_layout_tables(font, to_unicode, hinting) -> None:
    """WeasyPrint 70's ``Font._fonttools_subset``, with the tables it drops removed before fontTools starts.

    WeasyPrint asks fontTools to drop GSUB, GPOS and SVG (a PDF viewer shapes nothing), but fontTools
    4.68 decompiles GSUB and GPOS before it drops them (``beyond64k._compact_layout_tables``): with
    DejaVu's kerning, a third of a second per document (and per part of a long one) spent reading
    tables that are thrown away. Removed first, they are never read. fontTools also drops ``kern``
    when the font has GPOS (its ``legacy_kern`` option is off); that is done here too, so the subset
    font, and the PDF, are byte for byte what WeasyPrint's own method writes
    (``tests/test_pdf.py`` compares them).
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont, TTLibError

    options = subset.Options(
        retain_gids=True, passthrough_tables=True, ignore_missing_glyphs=True,
        hinting=hinting, desubroutinize=True, notdef_outline=bool(font.missing))
    options.drop_tables += ["GSUB", "GPOS", "SVG"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(gids=to_unicode)
    try:
        ttfont = TTFont(io.BytesIO(font.file_content), fontNumber=font.index)
        if "GPOS" in ttfont and "kern" in ttfont:
            del ttfont["kern"]
        for tag in ("GSUB", "GPOS", "SVG "):
            if tag in ttfont:
                del ttfont[tag]
        subsetter.subset(ttfont)
    except TTLibError as exception:  # as WeasyPrint says it, to its own logger
        logger = logging.getLogger("weasyprint")
        logger.warning('Unable to subset "%s" with fontTools', font.family)
        logger.debug("Original exception:", exc_info=exception)
    else:
        subset_font = io.BytesIO()
        ttfont.save(subset_font)
        font.file_content = subset_font.getvalue()


SPARE_LAYOUT_TABLES = True
"""Whether fontTools is spared the layout tables WeasyPrint drops (:func:`subset_without_layout_tables`);
off, WeasyPrint's own method subsets, to the same bytes, more slowly (the tests compare the two)."""


@contextlib.contextmanager
def fonttools_subsetting():
    """Subset fonts with fontTools, the one road every installation has (items 1 and 2 of the module docstring).

    WeasyPrint subsets with HarfBuzz when libharfbuzz-subset is installed and with fontTools
    otherwise, and the two write different bytes (and HarfBuzz's change with its version), so
    the same input would give another PDF on another machine. fontTools comes with WeasyPrint,
    whose version pyproject.toml holds to 70. WeasyPrint warns when it falls back; that warning is
    expected here. fontTools is spared the tables WeasyPrint drops anyway
    (:data:`SPARE_LAYOUT_TABLES`); the bytes are the same.
    """
    from weasyprint.pdf import fonts

    had = hasattr(fonts, "harfbuzz_subset")
    previous = getattr(fonts, "harfbuzz_subset", None)
    # The copy replaces WeasyPrint 70's method of that name; a WeasyPrint without it keeps its own way.
    method = getattr(fonts.Font, "_fonttools_subset", None)
    fonts.harfbuzz_subset = None
    if SPARE_LAYOUT_TABLES and method is not None:
        fonts.Font._fonttools_subset = subset_without_layout_tables
    try:
        yield
    finally:
        if method is not None:
            fonts.Font._fonttools_subset = method
        if had:
            fonts.harfbuzz_subset = previous


class QuietFallback(logging.Filter):
    """Drops WeasyPrint's warning that it subsets with fontTools, which raci-gen chose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return FONTTOOLS_WARNING not in record.getMessage()


STEP_ANNOUNCEMENTS = {
    "Step 1": "reading the HTML",
    "Step 2": "reading the stylesheets",
    "Step 3": "applying the stylesheet",
    "Step 4": "building the boxes",
    "Step 6": "writing the file",
    "Step 7": "adding the metadata",
}
"""How WeasyPrint 70's progress logger begins the records of its other steps, and what each step is in our words."""


def announced_step(record: logging.LogRecord) -> str | None:
    """What a record of WeasyPrint's progress logger says WeasyPrint now does, in our words; None for a record
    that is not a step (``page N`` for a page it lays out)."""
    page = announced_page(record)
    if page is not None:
        return f"laying out page {page}"
    return STEP_ANNOUNCEMENTS.get(str(record.msg)[:6])


def announced_page(record: logging.LogRecord) -> int | None:
    """The number of the page a record of WeasyPrint's progress logger announces; None for its other records."""
    if str(record.msg).startswith(PAGE_ANNOUNCEMENT) and record.args and isinstance(record.args[0], int):
        return record.args[0]
    return None


def row_index(page, last: bool) -> int | None:
    """The index (``data-i``) of the first (or last) table row laid out on a WeasyPrint page."""
    found = None
    for box in page._page_box.descendants():
        element = getattr(box, "element", None)
        if element is not None and getattr(box, "element_tag", None) == "tr":
            index = element.get("data-i")
            if index is not None:
                found = int(index)
                if not last:
                    return found
    return found


def tagged_boxes(page):
    """The boxes of a WeasyPrint page that ``pdf_tags`` mends, in document order: ``("th", html_element,
    structure_element)`` for a tagged header cell, ``("a", html_element, annotation_numbers)`` for a link (the
    object numbers of the annotations of its boxes and of theirs)."""
    for box in page._page_box.descendants():
        tag = getattr(box, "element_tag", None)
        element = getattr(box, "mark", None)
        if element is not None and tag == "th":
            yield "th", box.element, element
        if tag == "a" and box.element is not None:
            numbers = []
            for inner in box.descendants():
                annotation = getattr(inner, "link_annotation", None)
                if annotation is not None:
                    numbers.append(annotation.number)
            yield "a", box.element, numbers


def bookmark_tree(weasyprint, pages: list) -> list:
    """WeasyPrint's bookmark tree of pages given as ``(bookmarks, height)`` (each a ``Page``'s own), in PDF
    coordinates, as ``Document.make_bookmark_tree(scale=0.75, transform_pages=True)`` makes it for one document."""
    stubs = [SimpleNamespace(bookmarks=bookmarks, height=height) for bookmarks, height in pages]
    return weasyprint.Document.make_bookmark_tree(SimpleNamespace(pages=stubs), scale=0.75, transform_pages=True)


def plain_dictionary(values):
    """A pydyf dictionary that pydyf writes as a plain object, outside the compressed object streams."""
    import pydyf

    class PlainDictionary(pydyf.Dictionary):
        compressible = False  # pydyf's property, read by PDF.write to choose what goes into object streams

    return PlainDictionary(values)

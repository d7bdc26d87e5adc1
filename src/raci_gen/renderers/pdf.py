"""PDF through WeasyPrint, from the same HTML as the HTML format.

WeasyPrint is imported here only, on first use, because importing it costs most
of a second. Nothing is fetched while rendering: the HTML is self-contained and
the URL fetcher refuses every URL, so a template or a name that points at the
network or the file system cannot make the build read it.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import io
import logging
import os

from raci_gen import provenance
from raci_gen.errors import RenderError
from raci_gen.renderers.document import Document
from raci_gen.renderers.html import render_html_text

PANGO_HINT = ("PDF output needs WeasyPrint's system libraries (Pango): install them, e.g. "
              "'apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0' on Debian/Ubuntu or "
              "'brew install pango' on macOS; Markdown, HTML and Excel builds work without them")


def _weasyprint():
    # WeasyPrint prints a banner to stdout when Pango is missing, then raises OSError.
    banner = io.StringIO()
    try:
        with contextlib.redirect_stdout(banner):
            import weasyprint
    except OSError as exc:
        raise RenderError(f"{PANGO_HINT} ({exc})") from None
    return weasyprint


REFUSAL = "raci-gen does not fetch resources while rendering"
"""What the fetcher says for every URL; WeasyPrint logs it as it skips the image, stylesheet or attachment."""


def _fetcher_class(weasyprint):
    class RefusingFetcher(weasyprint.urls.URLFetcher):
        """Refuses every URL: raci-gen documents carry everything they need inline."""

        def fetch(self, url, headers=None):
            raise ValueError(f"{REFUSAL}: {url[:80]}")

    return RefusingFetcher


class QuietRefusals(logging.Filter):
    """Drops WeasyPrint's reports of the URLs the fetcher refused, which are expected, and nothing else.

    Everything else WeasyPrint logs stays visible to ``logging`` (the ``weasyprint`` logger):
    above all the warning ``.notdef glyph rendered for Unicode string unsupported by fonts``,
    which says a character shows as a blank box because no installed font has it (CJK and
    emoji, with only DejaVu installed). The command line shows none of it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return REFUSAL not in record.getMessage()


PDF_VARIANTS = ("pdf/a-3b", "pdf/ua-1")
"""The archival and accessible flavours raci-gen offers (``pdf: {variant: ...}`` in raci.yaml).

WeasyPrint writes their XMP metadata (the ``pdfaid``/``pdfuaid`` part) with the dates of the HTML's
``dcterms.created`` and ``dcterms.modified``, which come from the document's build time, so they stay
reproducible; PDF/A also gets the sRGB output intent. The document is tagged either way."""


def _variant_options(document: Document) -> dict[str, str]:
    if not document.pdf_variant:
        return {}
    if document.pdf_variant not in PDF_VARIANTS:
        raise RenderError(f"unknown PDF variant {document.pdf_variant!r}; raci-gen writes {', '.join(PDF_VARIANTS)}")
    return {"pdf_variant": document.pdf_variant}


def _stamp_finisher(document: Document):
    """A WeasyPrint finisher that records the document's provenance in the information dictionary,
    kept out of the compressed object streams so that :mod:`raci_gen.provenance` finds it by its bytes."""
    import pydyf

    class PlainDictionary(pydyf.Dictionary):
        compressible = False  # written as a plain object, not inside a compressed object stream

    def finish(_document, pdf) -> None:
        if document.record is not None:
            info = PlainDictionary(pdf.info)
            info[provenance.PDF_KEY] = pydyf.String(document.record.stamp_text("pdf"))
            pdf.info = info

    return finish


def _subset_without_layout_tables(font, to_unicode, hinting) -> None:
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
"""Whether fontTools is spared the layout tables WeasyPrint drops (:func:`_subset_without_layout_tables`);
off, WeasyPrint's own method subsets, to the same bytes, more slowly (the tests compare the two)."""


@contextlib.contextmanager
def _fonttools_subsetting():
    """Subset fonts with fontTools, the one road every installation has.

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
        fonts.Font._fonttools_subset = _subset_without_layout_tables
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
        return "instead of HarfBuzz-Subset" not in record.getMessage()


def render_pdf(document: Document) -> bytes:
    weasyprint = _weasyprint()
    from raci_gen.renderers import pdf_parts

    in_parts = pdf_parts.wanted(document)
    html = "" if in_parts else render_html_text(document)
    # fontTools stamps the current time into subset fonts unless SOURCE_DATE_EPOCH is set: the
    # document's time, or the epoch itself for a document without one.
    epoch = str(int(document.created.timestamp())) if document.created else "0"
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = epoch
    logger = logging.getLogger("weasyprint")
    filters = [QuietRefusals(), QuietFallback()]
    for quiet in filters:
        logger.addFilter(quiet)
    # WeasyPrint builds millions of small objects (boxes, styles, text fragments) that all live until
    # the PDF is written: the cyclic collector's passes over them find next to nothing and cost about
    # a third of the render. It is switched off while WeasyPrint works, and back on after.
    collecting = gc.isenabled()
    gc.disable()
    try:
        fetcher = _fetcher_class(weasyprint)()
        with _fonttools_subsetting():
            if in_parts:
                # Laid out in worker processes (forked now, so they share this one's settings) and joined.
                return pdf_parts.render_parts(weasyprint, document, fetcher, _variant_options(document),
                                              document.record.stamp_text("pdf") if document.record else None)
            pdf = weasyprint.HTML(string=html, base_url="about:blank", url_fetcher=fetcher).write_pdf(
                pdf_identifier=hashlib.md5(html.encode("utf-8"), usedforsecurity=False).hexdigest().encode("ascii"),
                pdf_tags=True,
                finisher=_stamp_finisher(document),
                **_variant_options(document),
            )
    finally:
        if collecting:
            gc.enable()
        for quiet in filters:
            logger.removeFilter(quiet)
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous
    return pdf

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
import multiprocessing
import os
import signal
import threading
import time

from raci_gen.documents import stamp
from raci_gen.model.errors import Problem, RenderError, TemplateFailure
from raci_gen.model.matrix import Location
from raci_gen.documents.document import Document
from raci_gen.documents import pdf_tags, weasyprint_private
from raci_gen.documents.html import render_html_text
from raci_gen.runtime import progress

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
    kept out of the compressed object streams so that :mod:`raci_gen.writing.provenance` finds it by its bytes."""
    import pydyf

    def finish(_document, pdf) -> None:
        if document.record is not None:
            info = weasyprint_private.plain_dictionary(pdf.info)
            info[stamp.PDF_KEY] = pydyf.String(document.record.stamp_text("pdf"))
            pdf.info = info

    return finish


LAYOUT_TIME_BASE = 10.0
"""Seconds of processor time WeasyPrint may take to lay out and write a PDF drawn by the project's own
``raci.html.j2`` or ``raci.css``, plus :data:`LAYOUT_TIME_PER_CELL`..."""
LAYOUT_TIME_PER_CELL = 0.004
"""... for each cell of the matrix (activities x roles). The built-in templates copied into a project take
about half of that: 1,000 x 30 (the largest such PDF, pdf_parts.ONE_PIECE_CELLS) 53 s, against 130 s allowed."""
LAYOUT_PAGES_BASE = 100
"""Pages such a PDF may have, plus :data:`LAYOUT_PAGES_PER_ITEM` per activity and per role and one per
:data:`LAYOUT_CELLS_PER_PAGE` cells: a page for every activity and every role, twice over, and the matrix.
The built-in templates' 1,000 x 30 PDF has 239 pages, against 3,660 allowed."""
LAYOUT_PAGES_PER_ITEM = 2
LAYOUT_CELLS_PER_PAGE = 20
TICK = 0.05
"""Seconds of processor time between two looks at the clock while WeasyPrint lays out."""


def layout_time_limit(cells: int) -> float:
    """Seconds of processor time for the layout of a project template's PDF of ``cells`` cells."""
    return LAYOUT_TIME_BASE + LAYOUT_TIME_PER_CELL * cells


def layout_page_limit(activities: int, roles: int) -> int:
    """Most pages of a project template's PDF of a matrix of this size."""
    return (LAYOUT_PAGES_BASE + LAYOUT_PAGES_PER_ITEM * (activities + roles)
            + activities * roles // LAYOUT_CELLS_PER_PAGE)


class LayoutLimit(BaseException):
    """WeasyPrint went past a bound while laying out a project template's PDF; the message says which.
    A ``BaseException``, so that no ``except Exception`` inside WeasyPrint swallows it."""


class _PageCounter(logging.Filter):
    """Stops the layout at page ``limit + 1``, as WeasyPrint announces each page it lays out (its progress
    logger, ``Step 5 - Creating layout - Page N``), before the page is made; drops every record."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def filter(self, record: logging.LogRecord) -> bool:
        page = weasyprint_private.announced_page(record)
        if page is not None and page > self.limit:
            raise LayoutLimit(f"lays out more than {self.limit:,} pages (the limit for project templates on a "
                              f"matrix of this size: {LAYOUT_PAGES_BASE} + {LAYOUT_PAGES_PER_ITEM} per activity "
                              f"and per role + 1 per {LAYOUT_CELLS_PER_PAGE} cells)")
        return False


@contextlib.contextmanager
def _layout_bounds(document: Document, own: list[str]):
    """WeasyPrint's work on a PDF drawn by the project's own templates (``own``), within bounds.

    The sandbox bounds the render of a template, not what the engine does with its HTML and CSS next:
    one rule ``*::after { content: "x x x ..." }`` lays out hundreds of pages, and 20,000 nested
    ``<div>`` run WeasyPrint's recursion out. So the layout is stopped after :func:`layout_time_limit`
    seconds of processor time (a timer, in the main thread, as the sandbox's) or past
    :func:`layout_page_limit` pages (counted as WeasyPrint announces them), and a RecursionError is
    the project's too; each ends in one line naming the project's stylesheet (else its HTML template)
    and the limit, exit 2. Processor time, not the wall clock, so that a busy machine does not fail an
    honest template.
    """
    activities = sum(len(p.activities) for p in document.matrix.phases)
    roles = len(document.matrix.roles)
    seconds = layout_time_limit(activities * roles)
    deadline = time.process_time() + seconds
    progress = logging.getLogger(weasyprint_private.PROGRESS_LOGGER)
    counter = _PageCounter(layout_page_limit(activities, roles))
    level = progress.level
    progress.setLevel(logging.INFO)  # WeasyPrint's page announcements reach the counter, and stop there
    progress.addFilter(counter)
    active = [True]

    def on_tick(signum, frame) -> None:
        if active[0] and time.process_time() > deadline:
            raise LayoutLimit(f"takes more than {seconds:,.1f} s of processor time to lay out (the limit for "
                              f"project templates on a matrix of this size: {LAYOUT_TIME_BASE:.0f} s + "
                              f"{LAYOUT_TIME_PER_CELL * 1000:g} ms per cell)")

    timer = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    previous = signal.signal(signal.SIGPROF, on_tick) if timer else None
    if timer:
        signal.setitimer(signal.ITIMER_PROF, TICK, TICK)
    names = " and ".join(os.path.basename(path) for path in own)
    where = Location(os.path.normpath(next((p for p in own if p.endswith(".css")), own[0])))
    try:
        yield
    except LayoutLimit as exc:
        raise TemplateFailure([Problem(where, f"with the project's own {names} the PDF {exc}")]) from None
    except RecursionError:
        raise TemplateFailure([Problem(where, f"with the project's own {names} the PDF nests its elements "
                                              "too deeply for the PDF engine (WeasyPrint ran out of recursion)")]) \
            from None
    finally:
        active[0] = False
        if timer:
            signal.setitimer(signal.ITIMER_PROF, 0, 0)
            signal.signal(signal.SIGPROF, previous if previous is not None else signal.SIG_DFL)
        progress.removeFilter(counter)
        progress.setLevel(level)


def _announced(record: logging.LogRecord) -> str | None:
    """A step WeasyPrint announces, as the progress line shows it; a part's worker says it lays out a part."""
    what = weasyprint_private.announced_step(record)
    if what is None:
        return None
    in_part = what.startswith("laying out page") and multiprocessing.parent_process() is not None
    return f"pdf: {what}{' of a part' if in_part else ''}"


def render_pdf(document: Document) -> bytes:
    weasyprint = _weasyprint()
    from raci_gen.documents import pdf_parts

    in_parts = pdf_parts.wanted(document)
    own = [] if in_parts else pdf_parts.own_templates(document)
    html = "" if in_parts else render_html_text(document)
    # fontTools stamps the current time into subset fonts unless SOURCE_DATE_EPOCH is set: the
    # document's time, or the epoch itself for a document without one.
    epoch = str(int(document.created.timestamp())) if document.created else "0"
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = epoch
    logger = logging.getLogger("weasyprint")
    filters = [QuietRefusals(), weasyprint_private.QuietFallback()]
    for quiet in filters:
        logger.addFilter(quiet)
    # WeasyPrint builds millions of small objects (boxes, styles, text fragments) that all live until
    # the PDF is written: the cyclic collector's passes over them find next to nothing and cost about
    # a third of the render. It is switched off while WeasyPrint works, and back on after.
    collecting = gc.isenabled()
    gc.disable()
    try:
        fetcher = _fetcher_class(weasyprint)()
        with weasyprint_private.fonttools_subsetting(), \
                progress.follow(weasyprint_private.PROGRESS_LOGGER, _announced):
            if in_parts:
                # Laid out in worker processes (forked now, so they share this one's settings) and joined.
                return pdf_parts.render_parts(weasyprint, document, fetcher, _variant_options(document),
                                              document.record.stamp_text("pdf") if document.record else None)
            with _layout_bounds(document, own) if own else contextlib.nullcontext():
                pdf = weasyprint.HTML(string=html, base_url="about:blank", url_fetcher=fetcher).write_pdf(
                    pdf_identifier=hashlib.md5(html.encode("utf-8"), usedforsecurity=False).hexdigest().encode(
                        "ascii"),
                    pdf_tags=True,
                    finisher=pdf_tags.finisher(pdf_tags.link_words(document), then=_stamp_finisher(document)),
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

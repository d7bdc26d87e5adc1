"""PDF through WeasyPrint, from the same HTML as the HTML format.

WeasyPrint is imported here only, on first use, because importing it costs most
of a second. Nothing is fetched while rendering: the HTML is self-contained and
the URL fetcher refuses every URL, so a template or a name that points at the
network or the file system cannot make the build read it.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os

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


def _fetcher_class(weasyprint):
    class RefusingFetcher(weasyprint.urls.URLFetcher):
        """Refuses every URL: raci-gen documents carry everything they need inline."""

        def fetch(self, url, headers=None):
            raise ValueError(f"raci-gen does not fetch resources while rendering: {url[:80]}")

    return RefusingFetcher


def render_pdf(document: Document) -> bytes:
    weasyprint = _weasyprint()
    html = render_html_text(document)
    # fontTools stamps the current time into subset fonts unless SOURCE_DATE_EPOCH is set.
    epoch = str(int(document.created.timestamp()))
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = epoch
    logger = logging.getLogger("weasyprint")
    level = logger.level
    logger.setLevel(logging.ERROR)  # WeasyPrint's warnings about refused URLs are expected
    try:
        fetcher = _fetcher_class(weasyprint)()
        pdf = weasyprint.HTML(string=html, base_url="about:blank", url_fetcher=fetcher).write_pdf(
            pdf_identifier=hashlib.md5(html.encode("utf-8"), usedforsecurity=False).hexdigest().encode("ascii"),
            pdf_tags=True,
        )
    finally:
        logger.setLevel(level)
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous
    return pdf

"""One self-contained HTML page; also the source of the PDF."""

from __future__ import annotations

from raci_gen.renderers.document import Document
from raci_gen.renderers.templating import render_template

TEMPLATE = "raci.html.j2"


def render_html_text(document: Document) -> str:
    return render_template(document, TEMPLATE, autoescape=True)


def render_html(document: Document) -> bytes:
    return render_html_text(document).encode("utf-8")

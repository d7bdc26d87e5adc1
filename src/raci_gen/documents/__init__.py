"""The output formats, registered in one place.

Each format is a module with one function ``render_<name>(document) -> bytes``.
Modules are imported only when their format is built, so a Markdown-only build
never pays for WeasyPrint or openpyxl. The CLI's ``--format`` choices come from
:data:`FORMATS`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable

from raci_gen.documents.document import Document


@dataclass(frozen=True)
class Format:
    name: str
    suffix: str
    module: str
    function: str
    description: str

    def renderer(self) -> Callable[[Document], bytes]:
        return getattr(importlib.import_module(self.module), self.function)

    def render(self, document: Document) -> bytes:
        return self.renderer()(document)


FORMATS: dict[str, Format] = {
    "md": Format("md", ".md", "raci_gen.documents.markdown", "render_markdown",
                 "GitHub-flavoured Markdown for wikis"),
    "html": Format("html", ".html", "raci_gen.documents.html", "render_html",
                   "one self-contained HTML page"),
    "pdf": Format("pdf", ".pdf", "raci_gen.documents.pdf", "render_pdf",
                  "PDF, landscape, for charters (WeasyPrint)"),
    "xlsx": Format("xlsx", ".xlsx", "raci_gen.documents.xlsx", "render_xlsx",
                   "Excel workbook (openpyxl)"),
    "csv": Format("csv", ".csv", "raci_gen.documents.csv", "render_csv",
                  "CSV, one row per activity and one column per role, for scripts and BI tools"),
    "json": Format("json", ".json", "raci_gen.documents.json", "render_json",
                   "the whole project as JSON (schemas/matrix.schema.json)"),
    "codeowners": Format("codeowners", "", "raci_gen.documents.codeowners", "render_codeowners",
                         "the owners of the activities' paths, between markers in the CODEOWNERS file that "
                         "output.codeowners names"),
}

PORTFOLIO_FORMATS: dict[str, Format] = {
    "md": Format("md", ".md", "raci_gen.documents.portfolio", "render_portfolio_markdown",
                 "the portfolio index as Markdown"),
    "html": Format("html", ".html", "raci_gen.documents.portfolio", "render_portfolio_html",
                   "the portfolio index as one HTML page"),
    "xlsx": Format("xlsx", ".xlsx", "raci_gen.documents.portfolio", "render_portfolio_xlsx",
                   "the portfolio index as a workbook (Projects and People sheets)"),
}
"""Formats of ``raci-gen portfolio``; each renderer takes a :class:`raci_gen.checks.portfolio.Portfolio`."""

"""The user documentation the tests hold to the code: README.md (the front page) and the pages in docs/.

A test that checks what the documentation says reads all of it, so that a section can move between pages
without the check going quiet; a figure must then be stated once, wherever it lives."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]
"""Every page, the README first."""


def text() -> str:
    """All the pages, one after the other."""
    return "\n".join(page.read_text(encoding="utf-8") for page in PAGES)


def flat_text() -> str:
    """All the pages with every run of white space one space, for phrases wrapped across lines."""
    return " ".join(text().split())


def table_rows() -> dict[str, str]:
    """The first two cells of every table row of every page, as {first: second} (the limits tables)."""
    return {line.split("|")[1].strip(): line.split("|")[2].strip() for line in text().splitlines()
            if line.strip().startswith("|") and line.count("|") >= 3}

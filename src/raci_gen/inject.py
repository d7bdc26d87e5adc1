"""Put a generated section into an existing page, between two marker lines.

The page keeps every byte outside the markers, line endings included::

    Some text the team wrote.
    <!-- BEGIN RACI -->
    (raci-gen replaces what is here)
    <!-- END RACI -->
    More text.

A page without the markers, with a BEGIN and no END, or with two pairs is an
error: raci-gen never appends to a page it does not understand.
"""

from __future__ import annotations

from raci_gen.errors import RaciError
from raci_gen.model import Location

BEGIN = "<!-- BEGIN RACI -->"
END = "<!-- END RACI -->"
HOW = f"add a line {BEGIN} and, below it, a line {END} where the matrix should go"


def _location(path: str, text: str, index: int) -> Location:
    line = text.count("\n", 0, index) + 1
    return Location(path, line, index - (text.rfind("\n", 0, index) + 1) + 1)


def inject_text(page: str, content: str, path: str = "<page>") -> str:
    """``page`` with the text between the markers replaced by ``content``."""
    begins = _find_all(page, BEGIN)
    ends = _find_all(page, END)
    if not begins and not ends:
        raise RaciError(f"{path}:1:1: error: no {BEGIN} marker in the page; {HOW}")
    if len(begins) > 1:
        raise RaciError(f"{_location(path, page, begins[1])}: error: a second {BEGIN} marker; "
                        "keep exactly one pair of markers per page")
    if len(ends) > 1:
        raise RaciError(f"{_location(path, page, ends[1])}: error: a second {END} marker; "
                        "keep exactly one pair of markers per page")
    if not ends:
        raise RaciError(f"{_location(path, page, begins[0])}: error: {BEGIN} has no {END} after it; {HOW}")
    if not begins:
        raise RaciError(f"{_location(path, page, ends[0])}: error: {END} has no {BEGIN} before it; {HOW}")
    begin, end = begins[0], ends[0]
    if end < begin:
        raise RaciError(f"{_location(path, page, end)}: error: {END} comes before {BEGIN}; {HOW}")
    newline = "\r\n" if "\r\n" in page else "\n"
    body = content.replace("\r\n", "\n").rstrip("\n").replace("\n", newline)
    return page[: begin + len(BEGIN)] + newline + body + newline + page[end:]


def _find_all(text: str, marker: str) -> list[int]:
    found, start = [], 0
    while (index := text.find(marker, start)) != -1:
        found.append(index)
        start = index + len(marker)
    return found


def inject_file(path: str, content: str) -> bytes:
    """The new bytes of the page at ``path`` (nothing is written here)."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        raise RaciError(f"{path}: error: page not found; create it with the lines {BEGIN} and {END}") from None
    except OSError as exc:
        raise RaciError(f"{path}: error: cannot read page: {exc.strerror}") from None
    try:
        page = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RaciError(f"{path}: error: page is not UTF-8 text") from None
    return inject_text(page, content, path).encode("utf-8")

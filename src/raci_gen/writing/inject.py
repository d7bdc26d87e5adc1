"""Put a generated section into an existing page, between two marker lines.

The page keeps every byte outside the markers, line endings included::

    Some text the team wrote.
    <!-- BEGIN RACI -->
    (raci-gen replaces what is here)
    <!-- END RACI -->
    More text.

A page without the markers, with a BEGIN and no END, with an END before its
BEGIN, or with two pairs is an error: raci-gen never appends to a page it does
not understand. Markers inside a fenced code block (``` or ~~~, at the top level or
in a block quote) are examples in the page's text, not markers, and are left alone.
"""

from __future__ import annotations

import bisect
import os
import re

from raci_gen.runtime.confined import read_regular
from raci_gen.model.errors import RaciError
from raci_gen.model.matrix import Injection, Location

BEGIN = "<!-- BEGIN RACI -->"
END = "<!-- END RACI -->"
HOW = f"add a line {BEGIN} and, below it, a line {END} where the matrix should go"
ONE_PAIR = "keep exactly one pair of markers per page"
MAX_PAGE_BYTES = 5 * 1024 * 1024
"""The largest page --inject reads: far above any wiki page, far below what would hurt."""


LINE_BREAK = re.compile(r"\r\n|\r|\n")
"""Markdown's line endings: LF, CRLF and a lone CR (old Mac pages)."""
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")
_QUOTE = re.compile(r" {0,3}>[ \t]?")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})(.*)")


def _location(path: str, text: str, index: int) -> Location:
    line, start = 1, 0
    for found in LINE_BREAK.finditer(text, 0, index):
        line, start = line + 1, found.end()
    column = index - start + 1
    if start == 0 and text.startswith("\ufeff"):
        column -= 1  # a byte order mark is not a column anyone's editor shows
    return Location(path, line, column)


def _newline(page: str, begin: int) -> str:
    """The line ending the page uses where the markers are: that of the BEGIN line, else the page's first."""
    for start in (begin, 0):
        found = LINE_BREAK.search(page, start)
        if found:
            return found.group()
    return "\n"


def _unquote(line: str, most: int | None = None) -> tuple[int, str]:
    """How many block-quote markers (``>``) start ``line`` (at most ``most``), and the rest of it."""
    depth, position = 0, 0
    while most is None or depth < most:
        found = _QUOTE.match(line, position)
        if not found:
            break
        depth, position = depth + 1, found.end()
    return depth, line[position:]  # cut once: a line of 1.6 million '>' cut at each took 72 s


def fenced_code(page: str) -> list[tuple[int, int]]:
    """The spans (start, end) of the page's fenced code blocks, fences included, as CommonMark reads them.

    A fence is three or more backticks or tildes, indented at most three spaces, at the top
    level or inside block quotes; it closes at a line of the same character, at least as
    long, with nothing but spaces after it, or where its block quote ends, or at the end of
    the page. A backtick fence whose info string holds a backtick is not a fence. Fences in
    list items are not looked for.
    """
    spans: list[tuple[int, int]] = []
    opened: tuple[str, int, int, int] | None = None  # fence character, length, quote depth, start
    position = 0
    while position < len(page):
        found = _LINE.match(page, position)
        start, position = position, found.end()
        line = found.group().rstrip("\r\n")
        if opened is not None:
            char, length, depth, began = opened
            got, rest = _unquote(line, depth)
            if got < depth:  # the block quote ended, and the fence with it
                spans.append((began, start))
                opened = None
            else:
                fence = _FENCE.fullmatch(rest)
                if fence and fence.group(1)[0] == char and len(fence.group(1)) >= length \
                        and not fence.group(2).strip(" \t"):
                    spans.append((began, position))
                    opened = None
                continue
        depth, rest = _unquote(line)
        fence = _FENCE.fullmatch(rest)
        if fence and not (fence.group(1)[0] == "`" and "`" in fence.group(2)):
            opened = (fence.group(1)[0], len(fence.group(1)), depth, start)
    if opened is not None:
        spans.append((opened[3], len(page)))
    return spans


def _neutralise(content: str) -> str:
    """``content`` without the marker text, so that the page keeps exactly one pair.

    Generated Markdown holds a marker only inside user text (a role named
    ``<!-- END RACI -->``), where ``<`` is already escaped; its ``>`` becomes the
    entity ``&gt;``, which Markdown shows as the same character.
    """
    for marker in (BEGIN, END):
        content = content.replace(marker, marker[:-1] + "&gt;")
    return content


def inject_text(page: str, content: str, path: str = "<page>") -> str:
    """``page`` with the text between the markers replaced by ``content``."""
    found = sorted([(i, BEGIN) for i in _find_all(page, BEGIN)] + [(i, END) for i in _find_all(page, END)])
    code = fenced_code(page) if found else []
    # the spans are in order and apart: each marker is looked up by bisection, not against every span (the page
    # of 8,000 markers each before a code block took 3 s; 5 MiB of them, hours)
    starts = [start for start, _ in code]
    markers = [(i, kind) for i, kind in found
               if not ((n := bisect.bisect_right(starts, i) - 1) >= 0 and i < code[n][1])]
    if not markers and found:
        raise RaciError(f"{_location(path, page, found[0][0])}: error: the markers of this page are all inside "
                        f"fenced code blocks (``` or ~~~), where they are examples; {HOW}, outside a code block")
    if not markers:
        raise RaciError(f"{path}:1:1: error: no {BEGIN} marker in the page; {HOW}")
    (begin, first), rest = markers[0], markers[1:]
    if first == END:
        if any(kind == BEGIN for _, kind in rest):
            raise RaciError(f"{_location(path, page, begin)}: error: {END} comes before {BEGIN}; {HOW}")
        raise RaciError(f"{_location(path, page, begin)}: error: {END} has no {BEGIN} before it; {HOW}")
    if not rest:
        raise RaciError(f"{_location(path, page, begin)}: error: {BEGIN} has no {END} after it; {HOW}")
    end, second = rest[0]
    if second == BEGIN:
        raise RaciError(f"{_location(path, page, end)}: error: a second {BEGIN} marker before {END}; {ONE_PAIR}")
    if len(rest) > 1:
        index, kind = rest[1]
        raise RaciError(f"{_location(path, page, index)}: error: a second {kind} marker; {ONE_PAIR}")
    newline = _newline(page, begin)
    body = _neutralise(content).replace("\r\n", "\n").rstrip("\n").replace("\n", newline)
    return page[: begin + len(BEGIN)] + newline + body + newline + page[end:]


def _find_all(text: str, marker: str) -> list[int]:
    found, start = [], 0
    while (index := text.find(marker, start)) != -1:
        found.append(index)
        start = index + len(marker)
    return found


def inject_file(path: str, content: str, root: str | None = None) -> bytes:
    """The new bytes of the page at ``path`` (nothing is written here).

    The page is read beneath ``root`` (default: its own folder) the way it will be
    written: a link leading out is refused, and so is anything but a regular file of at
    most MAX_PAGE_BYTES.
    """
    try:
        raw = read_regular(path, root if root is not None else os.path.dirname(path) or ".", MAX_PAGE_BYTES, "page")
    except FileNotFoundError:
        raise RaciError(f"{path}: error: page not found; create it with the lines {BEGIN} and {END}") from None
    except OSError as exc:
        raise RaciError(f"{path}: error: cannot read page: {exc.strerror}") from None
    try:
        page = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RaciError(f"{path}: error: page is not UTF-8 text") from None
    return inject_text(page, content, path).encode("utf-8")


def distinct_pages(injections: list[Injection]) -> list[Injection]:
    """Each page once: a page named twice (in raci.yaml and with --inject, or twice in raci.yaml, by any
    spelling of its path) with the same section is injected once; with two sections it is an error that
    names both places, since a page holds one pair of markers and so one section."""
    seen: dict[str, Injection] = {}
    for injection in injections:
        first = seen.setdefault(os.path.realpath(injection.file), injection)
        if first is injection or first.section == injection.section:
            continue
        here, there = (first, injection) if first.location is not None else (injection, first)
        elsewhere = str(there.location) if there.location is not None else \
            f"the command line (--inject {there.file} --section {there.section})"
        raise RaciError(f"{here.location or '--inject'}: error: page {here.file} gets section {here.section!r} "
                        f"here and {there.section!r} from {elsewhere}; a page holds one pair of markers, so one "
                        "section: name the page once")
    return list(seen.values())

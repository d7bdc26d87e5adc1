"""HTML tables (Confluence and SharePoint exports, saved wiki pages), read with the standard library's parser.

No script runs and nothing is fetched: the parser only collects the text of
``<table>`` cells, whether a cell is bold (``<b>``, ``<strong>``, ``<th>`` in a body
row), its first link, and the heading before each table. ``colspan`` repeats no
text (a phase row spanning the table stays one cell with the rest empty).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from raci_gen.importers.table import (
    MAX_CELL_TEXT, MAX_RAW_CELL, CellBudget, ReadOptions, SourceCell, SourceError, SourceTable, check_cell_text,
    decode_text, grid_size, text_stamp,
)

SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
MAX_COLSPAN = 100
OWN_BLOCKS = {"rname", "pdesc", "people", "signoff"}
"""Spans that raci-gen's own HTML shows on a line of their own (a role's name, a phase's description), or that
are read so (a sign-off's mark, which core.SIGN_OFF_MARK reads as the sign-off)."""
STAMP = re.compile(r'<meta name="generator" content="(raci-gen [^"]+)"')
MAX_OPEN_TABLES = 256
"""Tables open at once (tables inside tables, or never closed); each open table is held."""
MAX_TAG_ATTRIBUTES = 1_000
"""Attributes in one tag. The standard parser's pattern for a start tag holds about 500 bytes per attribute
while it matches (a 10 MB tag of 5 million attributes: over 3 GB), so a longer tag is refused before it runs."""
MAX_RAW_TEXT = MAX_RAW_CELL
"""Characters collected for one cell (whose text, its spaces made one, may then be at most MAX_CELL_TEXT)
or one heading (cut there)."""
TAG_PIECE = r"""[^>"'=]+|=\s*"[^"]*"|=\s*'[^']*'|[="']"""
"""A piece of a start tag as the standard parser's tolerant pattern reads it (a quoted value may hold ``>``)."""
try:  # Python 3.11: *+ repeats without backtracking, so a tag of any length is matched in a bounded memory
    START_TAG: re.Pattern | None = re.compile(r"""<[a-zA-Z](?:[^>"'=]++|=\s*+"[^"]*+"|=\s*+'[^']*+'|[="'])*+""")
except re.error:  # Python 3.10: a start, then one piece at a time
    START_TAG = None
TAG_START = re.compile(r"<[a-zA-Z]")
PIECE = re.compile(TAG_PIECE)
QUOTED_VALUE = re.compile(r"""=\s*(?:"[^"]*"|'[^']*')""")
ATTRIBUTE_GAP = re.compile(r"""[\s/'"]+""")
"""What separates two attributes in the tolerant pattern: an attribute starts after a space, ``/`` or quote."""
COMMENT_CLOSE = re.compile(r"--\s*>")
MARKED_SECTION = re.compile(r"<!\[([a-zA-Z][-_.a-zA-Z0-9]*)?")
CDATA_CLOSE = re.compile(r"]\s*]\s*>")
MS_CLOSE = re.compile(r"]\s*>")


def read_html(data: bytes, shown: str, options: ReadOptions) -> list[SourceTable]:
    text = decode_text(data, shown)
    parser = _TableParser(CellBudget(shown), shown)
    try:
        parser.feed(parseable(text, shown))
        parser.close()
    except AssertionError as exc:  # how the standard parser refuses some markup (<![foo[, a bad <!DOCTYPE ...>)
        line, column = parser.getpos()
        raise SourceError(f"{shown}: line {line}, column {column + 1}: error: not readable as HTML: {exc}") from None
    found = STAMP.search(text[:20000])
    stamp = text_stamp(text) or (found.group(1) if found else None)
    return [SourceTable(t.number, t.where, t.rows, t.heading, parser.title, stamp)
            for t in parser.tables]


class _TableParser(HTMLParser):
    def __init__(self, budget: CellBudget, shown: str):
        super().__init__(convert_charrefs=True)
        self.budget, self.shown = budget, shown
        self.tables: list[SourceTable] = []
        self.stack: list[dict] = []  # open tables (nested tables are tables of their own)
        self.heading: str | None = None
        self.title: str | None = None
        self.in_heading: str | None = None
        self.heading_text: list[str] = []
        self.heading_length = 0
        self.skip = 0  # inside <script>/<style>

    # --- cells ---
    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6") and not self.stack:
            self.in_heading, self.heading_text, self.heading_length = tag, [], 0
        elif tag == "table":
            if len(self.stack) >= MAX_OPEN_TABLES:
                line, column = self.getpos()
                raise SourceError(f"{self.shown}: line {line}, column {column + 1}: error: more than "
                                  f"{MAX_OPEN_TABLES} tables open at once (inside each other, or never closed); "
                                  f"the limit is {MAX_OPEN_TABLES}")
            self.stack.append({"rows": [], "row": None, "cell": None, "line": self.getpos()[0],
                               "heading": self.heading, "width": 0, "held": 0})
        elif not self.stack:
            return
        table = self.stack[-1] if self.stack else None
        if table is None:
            return
        if tag == "tr":
            table["row"] = []
            table["row_line"] = self.getpos()[0]
        elif tag in ("td", "th"):
            if table["row"] is None:
                table["row"] = []
                table["row_line"] = self.getpos()[0]
            try:
                span = max(1, min(MAX_COLSPAN, int(attrs.get("colspan") or 1)))
            except ValueError:
                span = 1
            table["cell"] = {"parts": [], "length": 0, "bold": 0, "plain": False, "link": None, "span": span,
                             "sup": False, "th": tag == "th", "after_span": False}
        elif table["cell"] is not None:
            cell = table["cell"]
            if tag in ("b", "strong"):
                cell["bold"] += 1
            elif tag == "a" and cell["link"] is None and attrs.get("href"):
                cell["link"] = attrs["href"]
            elif tag == "br":
                self._add(cell, "\n")
            elif tag in ("p", "div", "li") and cell["parts"]:
                self._add(cell, "\n")
            elif tag == "span" and (cell["after_span"] or attrs.get("class") in OWN_BLOCKS):
                self._add(cell, "\n")  # <span>R1</span><span>Lead</span>: two lines, as styles show them
            elif tag == "sup":
                cell["sup"] = True

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
            return
        if self.in_heading == tag:
            self.heading = " ".join("".join(self.heading_text).split()) or None
            if self.title is None and tag == "h1":
                self.title = self.heading
            self.in_heading = None
            return
        if not self.stack:
            return
        table = self.stack[-1]
        cell = table["cell"]
        if tag in ("td", "th") and cell is not None:
            self._close_cell(table)
        elif tag == "tr" and table["row"] is not None:
            if table["cell"] is not None:
                self._close_cell(table)
            table["rows"].append(table["row"])
            table["row"] = None
            self._count(table)
        elif tag == "table":
            if table["row"]:
                table["rows"].append(table["row"])
            self.stack.pop()
            rows = table["rows"]
            if rows:
                width = max(len(r) for r in rows)
                rows = [r + [SourceCell("", f"table {len(self.tables) + 1}, row {i + 1}, column {j + 1}")
                             for j in range(len(r), width)] for i, r in enumerate(rows)]
                self.tables.append(SourceTable(len(self.tables) + 1, f"line {table['line']}",
                                               tuple(tuple(r) for r in rows), heading=table["heading"]))
        elif cell is not None:
            cell["after_span"] = tag == "span"
            if tag in ("b", "strong"):
                cell["bold"] = max(0, cell["bold"] - 1)
            elif tag == "sup":
                cell["sup"] = False

    def handle_data(self, data):
        if self.skip:
            return
        if self.in_heading and self.heading_length < MAX_RAW_TEXT:  # a heading never closed collects no more
            self.heading_text.append(data[:MAX_RAW_TEXT - self.heading_length])
            self.heading_length += len(data)
        if not self.stack or self.stack[-1]["cell"] is None:
            return
        cell = self.stack[-1]["cell"]
        if data.strip():
            cell["after_span"] = False
        if data.strip() and not cell["bold"]:
            cell["plain"] = True
        self._add(cell, data.translate(SUPERSCRIPT) if cell["sup"] else data)

    def _add(self, cell, text: str) -> None:
        cell["length"] += len(text)
        if cell["length"] > MAX_RAW_TEXT:
            where = (f"table {len(self.tables) + 1}, row {len(self.stack[-1]['rows']) + 1}, "
                     f"column {len(self.stack[-1]['row'] or []) + 1}")
            raise SourceError(f"{self.shown}: {where}: error: cell of more than {MAX_RAW_TEXT:,} characters with "
                              f"its spaces and line breaks cannot be read; the limit is {MAX_CELL_TEXT:,} "
                              f"characters of text ({MAX_RAW_TEXT:,} with spaces)")
        cell["parts"].append(text)

    def _close_cell(self, table):
        cell = table["cell"]
        table["cell"] = None
        row = table["row"]
        text = "".join(cell["parts"])
        text = "\n".join(" ".join(line.split()) for line in text.split("\n") if line.strip())
        where = f"table {len(self.tables) + 1}, row {len(table['rows']) + 1}, column {len(row) + 1}"
        table["width"] = max(table["width"], len(row) + cell["span"])
        self._count(table, current_row=1)
        # A <th> in a body row (a phase row in many exports) reads like bold.
        bold = bool(text) and (not cell["plain"] or (cell["th"] and len(table["rows"]) > 0))
        row.append(SourceCell(check_cell_text(text, self.shown, where), where, bold, cell["link"]))
        for k in range(1, cell["span"]):
            row.append(SourceCell("", f"table {len(self.tables) + 1}, row {len(table['rows']) + 1}, "
                                      f"column {len(row) + 1}"))

    def _count(self, table, current_row: int = 0) -> None:
        """Counts the table as it will be held, padded: its rows (an empty one holds a cell's place) by its
        widest row, before the cells are made."""
        held, how = grid_size(len(table["rows"]) + current_row, max(1, table["width"]))
        self.budget.grow(table["held"], held, f"table {len(self.tables) + 1}, row {len(table['rows']) + current_row}",
                         how)
        table["held"] = held


def parseable(text: str, shown: str) -> str:
    """``text`` as the standard parser reads it in time linear in its length, with a bounded memory.

    The parser looks for the end of a construct (``>`` of a tag, ``-->`` of a comment, ``]]>`` of a
    marked section) each time it meets its start, and when there is no end it moves on a few
    characters and looks again: ``<a `` repeated 12,000 times (36 KB) took 10 s, four times longer
    for each doubling. So:

    * the text after its last ``>`` is left out: nothing there can close a cell, a row, a table or a
      heading, so nothing there is read;
    * a ``<!--`` or ``<![`` that is never closed is written ``&lt;!--``, ``&lt;![`` (text, as it reads
      in the browser up to the next ``>``); so is a marked section of a kind the parser does not know
      (``<![foo[``, on which it stops with an error);
    * a start tag of more than MAX_TAG_ATTRIBUTES attributes is refused, in one line with its place.
    """
    text = text[:text.rfind(">") + 1]
    for start, end in _start_tags(text):
        if end - start > 4 * MAX_TAG_ATTRIBUTES:  # shorter ones cannot hold that many
            attributes = len(ATTRIBUTE_GAP.findall(QUOTED_VALUE.sub("=", text[start:end])))
            if attributes > MAX_TAG_ATTRIBUTES:
                line = text.count("\n", 0, start) + 1
                column = start - text.rfind("\n", 0, start)
                raise SourceError(f"{shown}: line {line}, column {column}: error: a tag of {attributes:,} "
                                  f"attributes; the limit is {MAX_TAG_ATTRIBUTES:,}")
    last_comment_close = max((m.start() for m in COMMENT_CLOSE.finditer(text)), default=-1)
    last_cdata_close = max((m.start() for m in CDATA_CLOSE.finditer(text)), default=-1)
    last_ms_close = max((m.start() for m in MS_CLOSE.finditer(text)), default=-1)
    unclosed = []
    start = text.find("<!--", max(0, last_comment_close - 3))
    while start >= 0:  # no "-->" after it
        unclosed.append(start)
        start = text.find("<!--", start + 4)
    for section in MARKED_SECTION.finditer(text):
        name = (section.group(1) or "").lower()
        closes_at = last_cdata_close if name in ("temp", "cdata", "ignore", "include", "rcdata") \
            else last_ms_close if name in ("if", "else", "endif") else -1
        if section.start() + 3 > closes_at:
            unclosed.append(section.start())
    if not unclosed:
        return text
    parts, done = [], 0
    for start in sorted(unclosed):
        parts += [text[done:start], "&lt;"]
        done = start + 1
    return "".join(parts) + text[done:]


def _start_tags(text: str):
    """(start, end) of each start tag of ``text``, as the standard parser's tolerant pattern reads it."""
    if START_TAG is not None:
        for tag in START_TAG.finditer(text):
            yield tag.start(), tag.end()
        return
    found = TAG_START.search(text)
    while found:
        end = found.end()
        while piece := PIECE.match(text, end):
            end = piece.end()
        yield found.start(), end
        found = TAG_START.search(text, end)

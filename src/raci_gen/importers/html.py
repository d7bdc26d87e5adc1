"""HTML tables (Confluence and SharePoint exports, saved wiki pages), read with the standard library's parser.

No script runs and nothing is fetched: the parser only collects the text of
``<table>`` cells, whether a cell is bold (``<b>``, ``<strong>``, ``<th>`` in a body
row), its first link, and the heading before each table. ``colspan`` repeats no
text (a phase row spanning the table stays one cell with the rest empty).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from raci_gen.importers.table import CellBudget, ReadOptions, SourceCell, SourceTable, check_cell_text, decode_text, text_stamp

SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
MAX_COLSPAN = 100
OWN_BLOCKS = {"rname", "pdesc", "people"}
"""Spans that raci-gen's own HTML shows on a line of their own (a role's name, a phase's description)."""
STAMP = re.compile(r'<meta name="generator" content="(raci-gen [^"]+)"')


def read_html(data: bytes, shown: str, options: ReadOptions) -> list[SourceTable]:
    text = decode_text(data, shown)
    parser = _TableParser(CellBudget(shown), shown)
    parser.feed(text)
    parser.close()
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
        self.skip = 0  # inside <script>/<style>

    # --- cells ---
    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6") and not self.stack:
            self.in_heading, self.heading_text = tag, []
        elif tag == "table":
            self.stack.append({"rows": [], "row": None, "cell": None, "line": self.getpos()[0],
                               "heading": self.heading})
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
            table["cell"] = {"parts": [], "bold": 0, "plain": False, "link": None, "span": span, "sup": False,
                             "th": tag == "th", "after_span": False}
        elif table["cell"] is not None:
            cell = table["cell"]
            if tag in ("b", "strong"):
                cell["bold"] += 1
            elif tag == "a" and cell["link"] is None and attrs.get("href"):
                cell["link"] = attrs["href"]
            elif tag == "br":
                cell["parts"].append("\n")
            elif tag in ("p", "div", "li") and cell["parts"]:
                cell["parts"].append("\n")
            elif tag == "span" and (cell["after_span"] or attrs.get("class") in OWN_BLOCKS):
                cell["parts"].append("\n")  # <span>R1</span><span>Lead</span>: two lines, as styles show them
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
        if self.in_heading:
            self.heading_text.append(data)
        if not self.stack or self.stack[-1]["cell"] is None:
            return
        cell = self.stack[-1]["cell"]
        if data.strip():
            cell["after_span"] = False
        if data.strip() and not cell["bold"]:
            cell["plain"] = True
        cell["parts"].append(data.translate(SUPERSCRIPT) if cell["sup"] else data)

    def _close_cell(self, table):
        cell = table["cell"]
        table["cell"] = None
        row = table["row"]
        text = "".join(cell["parts"])
        text = "\n".join(" ".join(line.split()) for line in text.split("\n") if line.strip())
        where = f"table {len(self.tables) + 1}, row {len(table['rows']) + 1}, column {len(row) + 1}"
        self.budget.take(cell["span"])
        # A <th> in a body row (a phase row in many exports) reads like bold.
        bold = bool(text) and (not cell["plain"] or (cell["th"] and len(table["rows"]) > 0))
        row.append(SourceCell(check_cell_text(text, self.shown, where), where, bold, cell["link"]))
        for k in range(1, cell["span"]):
            row.append(SourceCell("", f"table {len(self.tables) + 1}, row {len(table['rows']) + 1}, "
                                      f"column {len(row) + 1}"))

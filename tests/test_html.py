"""The HTML renderer, read back with the standard library's HTML parser."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

from raci_gen import __version__
from raci_gen.renderers.html import render_html, render_html_text

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    parent: "Element | None" = None
    children: list["Element | str"] = field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self, tag: str | None = None):
        for child in self.children:
            if isinstance(child, Element):
                if tag is None or child.tag == tag:
                    yield child
                yield from child.iter(tag)

    def find_all(self, tag: str, cls: str | None = None) -> list["Element"]:
        return [e for e in self.iter(tag) if cls is None or cls in (e.attrs.get("class") or "").split()]

    def find(self, tag: str, cls: str | None = None) -> "Element":
        found = self.find_all(tag, cls)
        assert found, f"no <{tag} class={cls}>"
        return found[0]

    def kids(self, tag: str) -> list["Element"]:
        return [c for c in self.children if isinstance(c, Element) and c.tag == tag]


class TreeBuilder(HTMLParser):
    """A strict little tree builder: the templates close every element they open."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root
        self.start_tags: list[str] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.start_tags.append(tag)
        element = Element(tag, dict(attrs), self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.start_tags.append(tag)
        self.current.children.append(Element(tag, dict(attrs), self.current))

    def handle_endtag(self, tag):
        assert self.current.tag == tag, f"</{tag}> closes <{self.current.tag}>"
        self.current = self.current.parent

    def handle_data(self, data):
        self.current.children.append(data)

    def handle_comment(self, data):
        self.comments.append(data)


def parse(text: str) -> TreeBuilder:
    builder = TreeBuilder()
    builder.feed(text)
    builder.close()
    assert builder.current is builder.root, "unclosed elements"
    return builder


def cell_text(element: Element) -> str:
    return " ".join(element.text().split())


@pytest.fixture(scope="module")
def example_html(example_document) -> str:
    return render_html_text(example_document)


@pytest.fixture(scope="module")
def example_tree(example_html) -> TreeBuilder:
    return parse(example_html)


def test_bytes_are_utf8(example_document, example_html):
    assert render_html(example_document) == example_html.encode("utf-8")
    assert example_html.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in example_html


def test_head(example_document, example_tree):
    head = example_tree.root.find("head")
    assert cell_text(head.find("title")) == f"{example_document.title} · {example_document.project}"
    metas = {m.attrs.get("name"): m.attrs.get("content") for m in head.find_all("meta") if "name" in m.attrs}
    assert metas["author"] == example_document.author
    assert metas["generator"] == f"raci-gen {__version__}"
    assert metas["dcterms.created"] == "2023-11-14T22:13:20Z"


def test_matrix_has_one_thead_and_one_tbody_per_phase(example_document, example_tree):
    matrix = example_document.matrix
    table = example_tree.root.find("table", "matrix")
    assert len(table.kids("thead")) == 1
    bodies = table.kids("tbody")
    assert len(bodies) == len(matrix.phases)
    for body, phase in zip(bodies, matrix.phases):
        rows = body.kids("tr")
        assert len(rows) == 1 + len(phase.activities)
        phase_cell = rows[0].find("th", "phase")
        assert phase_cell.attrs["colspan"] == str(2 + len(matrix.roles))
        assert cell_text(phase_cell).startswith(phase.name)
        for row, activity in zip(rows[1:], phase.activities):
            cells = [c for c in row.children if isinstance(c, Element)]
            assert [c.tag for c in cells] == ["th"] + ["td"] * (1 + len(matrix.roles))
            assert cells[0].attrs.get("scope") == "row"
            values = [cell_text(c) for c in cells]
            assert values == [activity.id, activity.name] + ["/".join(activity.letters(r.id)) for r in matrix.roles]


def test_matrix_header_names_every_role(example_document, example_tree):
    matrix = example_document.matrix
    head_row = example_tree.root.find("table", "matrix").kids("thead")[0].kids("tr")[0]
    cells = head_row.kids("th")
    assert [cell_text(c) for c in cells[:2]] == ["ID", "Activity"]
    assert len(cells) == 2 + len(matrix.roles)
    for cell, role in zip(cells[2:], matrix.roles):
        assert cell_text(cell.find("span", "rid")) == role.id
        assert cell_text(cell.find("span", "rname")) == role.name
        assert cell.attrs.get("scope") == "col"


def test_cells_carry_the_class_of_their_first_letter(example_document, example_tree):
    matrix = example_document.matrix
    cells = example_tree.root.find("table", "matrix").find_all("td", "cell")
    expected = [a.letters(r.id) for a in matrix.activities() for r in matrix.roles]
    assert len(cells) == len(expected)
    for cell, letters in zip(cells, expected):
        classes = set(cell.attrs["class"].split()) - {"cell"}
        assert classes == ({f"l-{letters[0]}"} if letters else set())


def test_every_letter_has_its_colour_in_the_style(example_document, example_tree):
    style = example_tree.root.find("style").text()
    for letter in example_document.letters:
        assert f".l-{letter.code} {{ background: {letter.fill}; color: {letter.text}; }}" in style


def test_roles_table(example_document, example_tree):
    table = example_tree.root.find("table", "roles")
    rows = table.kids("tbody")[0].kids("tr")
    got = [[cell_text(c) for c in row.children if isinstance(c, Element)] for row in rows]
    assert got == [[r.id, r.name, ", ".join(r.similar), " ".join((r.description or "").split())]
                   for r in example_document.matrix.roles]


def test_self_contained(example_tree):
    """Nothing is fetched: no scripts, stylesheets, images or other URLs."""
    tags = set(example_tree.start_tags)
    assert not tags & {"script", "link", "img", "iframe", "object", "embed"}
    for element in example_tree.root.iter():
        for name in ("src", "href"):
            assert name not in element.attrs


# --- hostile text -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_html(hostile_document) -> str:
    return render_html_text(hostile_document)


@pytest.fixture(scope="module")
def hostile_tree(hostile_html) -> TreeBuilder:
    return parse(hostile_html)


def test_img_role_name_is_escaped(hostile_document, hostile_html, hostile_tree):
    name = "<img src=x onerror=alert(1)>"
    assert name in [r.name for r in hostile_document.matrix.roles]
    assert "&lt;img src=x onerror=alert(1)&gt;" in hostile_html
    assert "<img" not in hostile_html
    assert "img" not in hostile_tree.start_tags
    shown = [cell_text(s) for s in hostile_tree.root.find_all("span", "rname")]
    assert name in shown


def test_hostile_text_makes_no_elements(hostile_tree):
    """Only the template's own elements exist: the data adds none."""
    allowed = {"html", "head", "meta", "title", "style", "body", "header", "div", "h1", "h2", "p", "table", "tr",
               "th", "td", "section", "span", "b", "colgroup", "col", "thead", "tbody", "wbr"}
    assert set(hostile_tree.start_tags) <= allowed
    assert hostile_tree.start_tags.count("script") == 0
    assert hostile_tree.start_tags.count("style") == 1
    assert hostile_tree.comments == []


def test_hostile_title_does_not_leave_the_style(hostile_document, hostile_tree):
    """The title goes into the CSS (page footer) too; '</style>' there must not end the style element."""
    assert "</style>" in hostile_document.title
    style = hostile_tree.root.find("style").text()
    assert "<" not in style and "</style" not in style.lower()
    assert cell_text(hostile_tree.root.find("h1")) == hostile_document.title
    assert cell_text(hostile_tree.root.find("title")) == f"{hostile_document.title} · {hostile_document.project}"


def test_hostile_attributes_stay_in_their_attribute(hostile_document, hostile_tree):
    metas = {m.attrs.get("name"): m.attrs.get("content") for m in hostile_tree.root.find_all("meta")}
    assert metas["author"] == hostile_document.author


def test_hostile_matrix_comes_back_literally(hostile_document, hostile_tree):
    matrix = hostile_document.matrix
    table = hostile_tree.root.find("table", "matrix")
    for body, phase in zip(table.kids("tbody"), matrix.phases):
        rows = body.kids("tr")
        phase_cell = rows[0].find("th", "phase")
        assert phase_cell.children[0] == phase.name
        assert phase_cell.find("span", "pdesc").text() == phase.description
        for row, activity in zip(rows[1:], phase.activities):
            cells = [c for c in row.children if isinstance(c, Element)]
            assert cells[0].text() == activity.id
            assert cells[1].text() == activity.name


def test_hostile_roles_come_back_literally(hostile_document, hostile_tree):
    rows = hostile_tree.root.find("table", "roles").kids("tbody")[0].kids("tr")
    got = [[c.text() for c in row.children if isinstance(c, Element)] for row in rows]
    assert got == [[r.id, r.name, ", ".join(r.similar), r.description or ""] for r in hostile_document.matrix.roles]


def test_control_characters_become_replacement_characters(odd_document):
    text = render_html_text(odd_document)
    assert not [c for c in text if (ord(c) < 0x20 and c not in "\t\n\r") or 0x7F <= ord(c) <= 0x9F]
    names = [cell_text(s) for s in parse(text).root.find_all("span", "rname")]
    assert names[0] == "bell \ufffd nul \ufffd esc \ufffd del \ufffd csi \ufffd"


def test_long_words_get_break_opportunities(odd_document):
    """A word longer than 32 characters gets a <wbr> every 32 characters (WeasyPrint breaks
    long words in time that grows with the square of their length); the text is unchanged."""
    tree = parse(render_html_text(odd_document))
    header = tree.root.find("table", "matrix").kids("thead")[0].find_all("span", "rname")[2]
    assert header.text() == "x" * 200
    pieces = [c for c in header.children]
    assert [len(p) if isinstance(p, str) else p.tag for p in pieces] == [32, "wbr"] * 6 + [8]


def test_ordinary_words_get_no_wbr(example_tree):
    """Only the list of source paths (e.g. 'activities/03-model-engineering.yaml') holds words that long."""
    generated = example_tree.root.find("p", "generated")
    assert "wbr" not in {e.tag for e in example_tree.root.iter() if e is not generated and e.parent is not generated}
    assert generated.find_all("wbr")

"""The HTML renderer, read back with the standard library's HTML parser."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

from raci_gen import __version__
from raci_gen.documents.html import cell_kinds, chart_bars, render_html, render_html_text

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
    """The HTML document (the PDF's source, render_html_text, has the same content; test_html_browser.py says
    what differs)."""
    return render_html(example_document).decode("utf-8")


@pytest.fixture(scope="module")
def example_tree(example_html) -> TreeBuilder:
    return parse(example_html)


def test_bytes_are_utf8(example_document, example_html):
    assert render_html_text(example_document, screen=True) == example_html
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
            name = activity.name + " sign-off" * activity.sign_off  # a sign-off's mark follows its name
            assert values == [activity.id, name] + ["/".join(activity.letters(r.id)) for r in matrix.roles]


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
        # a combination (A/R) also has a class of its own, for its split colours
        expected_classes = {f"l-{letters[0]}", "k-" + "-".join(letters)} if len(letters) > 1 else \
            {f"l-{letters[0]}"} if letters else set()
        assert classes == expected_classes


def test_every_letter_has_its_colour_in_the_style(example_document, example_tree):
    style = example_tree.root.find("style").text()
    for letter in example_document.letters:
        assert f".l-{letter.code} {{ background: {letter.fill}; color: {letter.text}; }}" in style


def test_roles_table(example_document, example_tree):
    table = example_tree.root.find("table", "roles")
    head = [cell_text(c) for c in table.kids("thead")[0].find_all("th")]
    assert head == ["ID", "Role", "People", "Similar roles", "Description"]
    rows = table.kids("tbody")[0].kids("tr")
    got = [[cell_text(c) for c in row.children if isinstance(c, Element)] for row in rows]
    assert got == [[r.id, r.name, "", ", ".join(r.similar), " ".join((r.description or "").split())]
                   for r in example_document.matrix.roles]


def test_self_contained(example_tree):
    """Nothing is fetched: no scripts, stylesheets, images or other URLs; links only jump inside the page."""
    tags = set(example_tree.start_tags)
    assert not tags & {"script", "link", "img", "iframe", "object", "embed", "image", "use"}
    ids = [e.attrs["id"] for e in example_tree.root.iter() if "id" in e.attrs]
    assert len(ids) == len(set(ids))
    links = 0
    for element in example_tree.root.iter():
        assert "src" not in element.attrs and "xlink:href" not in element.attrs
        if "href" in element.attrs:
            assert element.tag == "a"
            assert element.attrs["href"].startswith("#") and element.attrs["href"][1:] in ids
            links += 1
    assert links == len(example_tree.root.find("table", "matrix").find_all("th", "role"))


# --- hostile text -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_html(hostile_document) -> str:
    return render_html(hostile_document).decode("utf-8")


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
    allowed = {"html", "head", "meta", "title", "style", "body", "header", "main", "footer", "div", "h1", "h2", "h3",
               "h4", "p", "table", "caption", "tr", "th", "td", "section", "span", "b", "i", "a", "abbr", "colgroup",
               "col", "thead", "tbody", "wbr", "figure", "svg", "desc", "g", "rect", "text", "tspan"}
    assert set(hostile_tree.start_tags) <= allowed
    assert hostile_tree.start_tags.count("script") == 0
    assert hostile_tree.start_tags.count("style") == 1
    # the one comment is raci-gen's provenance stamp (JSON with <, > and & escaped)
    assert len(hostile_tree.comments) == 1 and hostile_tree.comments[0].startswith(" raci-gen-provenance {")
    assert not set("<>&") & set(hostile_tree.comments[0])


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
        assert phase_cell.find("span", "phead").children[0] == phase.name
        assert phase_cell.find("span", "pdesc").text() == phase.description
        for row, activity in zip(rows[1:], phase.activities):
            cells = [c for c in row.children if isinstance(c, Element)]
            assert cells[0].text() == activity.id
            assert cells[1].text() == activity.name


def test_hostile_roles_come_back_literally(hostile_document, hostile_tree):
    rows = hostile_tree.root.find("table", "roles").kids("tbody")[0].kids("tr")
    got = [[c.text() for c in row.children if isinstance(c, Element)] for row in rows]
    assert got == [[r.id, r.name, "", ", ".join(r.similar), r.description or ""] for r in hostile_document.matrix.roles]


def test_control_characters_become_replacement_characters(odd_document):
    text = render_html_text(odd_document)
    assert not [c for c in text if (ord(c) < 0x20 and c not in "\t\n\r") or 0x7F <= ord(c) <= 0x9F]
    names = [cell_text(s) for s in parse(text).root.find_all("span", "rname")]
    assert names[0] == "bell \ufffd nul \ufffd esc \ufffd del \ufffd csi \ufffd"


def test_long_words_get_break_opportunities(odd_document):
    """A word longer than 32 characters gets a <wbr> every 32 characters (WeasyPrint breaks
    long words in time that grows with the square of their length); the text is unchanged."""
    tree = parse(render_html_text(odd_document))
    # the roles table shows the name whole (the matrix header cuts it at html.HEADER_TEXT_CHARS)
    header = tree.root.find("table", "roles").kids("tbody")[0].kids("tr")[2].find("td")
    assert header.text() == "x" * 200
    pieces = [c for c in header.children]
    assert [len(p) if isinstance(p, str) else p.tag for p in pieces] == [32, "wbr"] * 6 + [8]


def test_ordinary_words_get_no_wbr(example_tree):
    """Only the list of source paths (e.g. 'activities/04-experimentation.yaml') holds words that long."""
    generated = example_tree.root.find("p", "generated")
    # Between words, not in them: before a phase's description, and an e-mail address's @ and dots.
    between = {"phead", "email"}
    assert "wbr" not in {e.tag for e in example_tree.root.iter() if e is not generated and e.parent is not generated
                         and not between & set(e.parent.attrs.get("class", "").split())}
    assert generated.find_all("wbr")


def test_legend_follows_the_variant(daci_document, example_document):
    from raci_gen.model.variants import DACI
    chips = [cell_text(c) for c in parse(render_html_text(daci_document)).root.find("section", "legend").find_all("span")]
    assert chips == [f"{letter.code}{letter.name}: {letter.meaning}" for letter in DACI.letters]
    chips = [cell_text(c) for c in parse(render_html_text(example_document)).root.find("section", "legend")
             .find_all("span")]
    # then the chip of the example's sign-offs, its mark a span of its own
    assert chips[-3:-1] == ["A/RAccountable and Responsible: one role holds both parts.",
                            "sign-off A gate (an approval, an acceptance, a go-live): its Accountable signs off work "
                            "that another role, and another person, does."]
    assert chips[-1] == "sign-off"


# --- charter details: people, views by role, workload, approval, provenance -----------------------------------------


def charter_data() -> tuple[list, dict, dict]:
    """(roles, activity files, raci.yaml) of a small project with people, an idle role, findings and signers."""
    ada = {"name": "Ada Lovelace", "team": "Data", "email": "ada@example.com"}
    roles = [{"id": "R1", "name": "Owner", "people": [ada, "Alan Turing"]},
             {"id": "R2", "name": "Doer", "people": [{"name": "Grace Hopper", "email": "grace@example.com"}]},
             {"id": "R3", "name": "Idle role"},
             {"id": "R4", "name": "Adviser"}]
    activities = {
        "01-plan": {"phase": "Plan", "activities": [
            {"id": "P-1", "name": "Set the goal", "raci": {"R1": "A", "R2": "R", "R4": "C"}},
            {"id": "P-2", "name": "Write the plan", "raci": {"R1": "A/R", "R4": "I"}}]},
        "02-run": {"phase": "Run", "activities": [
            {"id": "X-1", "name": "Run it", "raci": {"R1": "A", "R2": "R", "R4": "C"}},
            {"id": "X-2", "name": "Report", "raci": {"R2": "A/R", "R1": "I", "R4": "I"}}]},
    }
    config = {"title": "Charter", "project": "Pilot", "language": "de",
              "approval": [{"name": "Ada Lovelace", "role": "Sponsor", "date": "2025-11-26"}, {"name": "Alan Turing"}]}
    return roles, activities, config


@pytest.fixture(scope="module")
def charter_document(tmp_path_factory, make_project, document_of):
    from dataclasses import replace

    from raci_gen.checks.analysis import active, lint
    from raci_gen.input.loader import load_project

    roles, activities, config = charter_data()
    root = make_project(tmp_path_factory.mktemp("charter"), roles, activities, config)
    project = load_project(str(root))
    document = document_of(root)
    return replace(document, findings=tuple(active(lint(project.matrix, project.settings))))


@pytest.fixture(scope="module")
def charter_tree(charter_document) -> TreeBuilder:
    return parse(render_html(charter_document).decode("utf-8"))


def test_language_comes_from_the_document(charter_tree, example_tree):
    assert charter_tree.root.find("html").attrs["lang"] == "de"
    assert example_tree.root.find("html").attrs["lang"] == "en"


def test_people_under_the_role_names(charter_document, charter_tree):
    cells = charter_tree.root.find("table", "matrix").kids("thead")[0].find_all("th", "role")
    for cell, role in zip(cells, charter_document.matrix.roles, strict=True):
        people = cell.find_all("span", "rpeople")
        assert [cell_text(p) for p in people] == ([charter_document.people(role)] if role.people else [])
    assert cell_text(cells[0].find("span", "rpeople")) == "Ada Lovelace (Data), Alan Turing"


def test_people_column_of_the_roles_table(charter_document, charter_tree):
    rows = charter_tree.root.find("table", "roles").kids("tbody")[0].kids("tr")
    for row, role in zip(rows, charter_document.matrix.roles, strict=True):
        cell = row.find("td", "people")
        got = [(cell_text(p.find("span", "pname")), [cell_text(x) for x in p.find_all("span", "team")],
                [cell_text(x) for x in p.find_all("span", "email")]) for p in cell.find_all("span", "person")]
        assert got == [(p.name, [p.team] if p.team else [], [p.email] if p.email else []) for p in role.people]
    assert len(rows[0].find("td", "people").find_all("span", "person")) == 2


def test_header_links_to_the_role_views(charter_document, charter_tree):
    ids = [e.attrs["id"] for e in charter_tree.root.iter() if "id" in e.attrs]
    links = [a.attrs["href"] for a in charter_tree.root.find("table", "matrix").find_all("a", "rlink")]
    assert links == ["#" + charter_document.anchor(r) for r in charter_document.matrix.roles]
    assert links == ["#role-r1", "#role-r2", "#role-r3", "#role-r4"]
    for link in links:
        assert ids.count(link[1:]) == 1


def view_parts(section: Element) -> list:
    """[(h4 text, [(phase, [(activity id, name)])])] of a role's section, in document order."""
    parts = []
    for child in section.children:
        if not isinstance(child, Element):
            continue
        if child.tag == "h4":
            parts.append((cell_text(child), []))
        elif child.tag == "p" and "vline" in child.attrs.get("class", ""):
            phase = cell_text(child.find("span", "vphase"))
            entries = cell_text(child)[len(phase):].strip().split(" · ")  # the test data has no " · " in names
            ids = [cell_text(v) for v in child.find_all("span", "vid")]
            assert [e.split(" ", 1)[0] for e in entries] == ids
            parts[-1][1].append((phase, [tuple(e.split(" ", 1)) for e in entries]))
    return parts


def test_a_view_per_role(charter_document, charter_tree):
    from raci_gen.checks.analysis import role_view

    matrix = charter_document.matrix
    sections = charter_tree.root.find("section", "by-role").find_all("section", "role-view")
    assert [s.attrs["id"] for s in sections] == [charter_document.anchor(r) for r in matrix.roles]
    for section, role in zip(sections, matrix.roles):
        assert cell_text(section.find("h3")) == f"{role.id} {role.name}"
        expected = [(f"{text} {name}", [(phase, [(a.id, a.name) for a in acts]) for phase, acts in phases])
                    for text, name, phases in role_view(matrix, role).parts]
        assert view_parts(section) == expected
        people = section.find_all("p", "people")
        assert [cell_text(p) for p in people] == ([charter_document.people(role)] if role.people else [])
    # R1: A/R first, then A (two phases), then I; the idle role says so.
    assert [p[0] for p in view_parts(sections[0])] == ["A/R Accountable and Responsible", "A Accountable", "I Informed"]
    assert view_parts(sections[0])[1][1] == [("Plan", [("P-1", "Set the goal")]), ("Run", [("X-1", "Run it")])]
    assert cell_text(sections[2].find("p", "idle")) == "Takes part in no activity."


def test_workload_tables(charter_document, charter_tree):
    section = charter_tree.root.find("section", "workload")
    roles_table, phases_table = section.kids("table")
    codes = [letter.code for letter in charter_document.letters]
    head = [cell_text(c) for c in roles_table.kids("thead")[0].find_all("th")]
    assert head == ["Role", *codes, "On", "Owns"]
    rows = [[cell_text(c) for c in r.children if isinstance(c, Element)]
            for r in roles_table.kids("tbody")[0].kids("tr")]
    assert rows == [[f"{w.role.id} {w.role.name}", *[str(w.counts[c]) for c in codes], str(w.activities), str(w.owns)]
                    for w in charter_document.workload()]
    assert rows[0] == ["R1 Owner", "1", "3", "0", "1", "4", "3"]
    rows = [[cell_text(c) for c in r.children if isinstance(c, Element)]
            for r in phases_table.kids("tbody")[0].kids("tr")]
    assert rows == [[phase, *[str(counts[c]) for c in codes]] for phase, counts in charter_document.phase_workload()]


def test_workload_chart(charter_document, charter_tree):
    svgs = charter_tree.root.find("section", "workload").find_all("svg")
    assert len(svgs) == 1
    svg = svgs[0]
    assert svg.attrs["role"] == "img"
    first = next(c for c in svg.children if isinstance(c, Element))
    assert first.tag == "title" and cell_text(first) == "Activities per role"
    labelled = svg.attrs["aria-labelledby"].split()
    assert [next(e for e in svg.iter() if e.attrs.get("id") == i).tag for i in labelled] == ["title", "desc"]
    # The legend: a swatch per kind of cell (A/R in bands of its letters' colours, then a frame) and its name.
    legend = svg.find("g", "legend")
    kinds = cell_kinds(charter_document)
    fills = [r.attrs["fill"] for r in legend.find_all("rect")]
    assert fills == [f for _, codes, _ in kinds for f in [*(charter_document.matrix.letter(c).fill for c in codes),
                                                          "none"]]
    assert [cell_text(t) for t in legend.find_all("text")] == [f"{text} {name}" for text, _, name in kinds]
    # A bar per role, as long as the activities it takes part in (the table's On), a segment per kind of cell.
    bars = svg.find_all("g", "bar")
    loads = charter_document.workload()
    chart = chart_bars(charter_document)
    assert len(bars) == len(loads)
    unit = set()
    for bar, w in zip(bars, loads):
        expected = chart[w.role.id]
        assert expected.total == w.activities == sum(n for _, n in expected.segments)
        frames = [r for r in bar.find_all("rect") if r.attrs["fill"] == "none"]
        assert len(frames) == len(expected.segments)
        for frame, (_, n) in zip(frames, expected.segments):
            unit.add(round(float(frame.attrs["width"]) / n, 1))
        xs = [float(r.attrs["x"]) for r in frames]
        assert xs == sorted(xs)
        texts = [cell_text(t) for t in bar.find_all("text")]
        assert texts[0] == w.role.id and texts[-1] == str(w.activities)
        assert cell_text(bar.find("title")).startswith(f"{w.role.id} {w.role.name}: on {w.activities}")
    assert len(unit) == 1  # one scale for every bar


def test_open_findings(charter_document, charter_tree):
    assert charter_document.findings  # the idle role, at least
    items = charter_tree.root.find("ul", "findings").find_all("li")
    assert len(items) == len(charter_document.findings)
    for item, finding in zip(items, charter_document.findings):
        text = cell_text(item)
        assert text.startswith(finding.severity) and f"[{finding.rule}]" in text
        # by the activity or role it is about, not by file position
        about = charter_document.finding_subject(finding)
        assert about and f"{about}: {charter_document.finding_text(finding)}" in text
        assert str(finding.location) not in text and ".yaml" not in text


def test_no_analysis_no_workload(charter_document):
    from dataclasses import replace

    tree = parse(render_html_text(replace(charter_document, analysis=False)))
    assert not tree.root.find_all("section", "workload")
    assert "svg" not in tree.start_tags
    assert not tree.root.find_all("ul", "findings")


def test_approval_block(charter_document, charter_tree):
    from dataclasses import replace

    table = charter_tree.root.find("section", "approval").find("table", "approval")
    assert [cell_text(c) for c in table.kids("thead")[0].find_all("th")] == ["Name", "Role", "Date", "Signature"]
    rows = table.kids("tbody")[0].kids("tr")
    assert [[cell_text(c) for c in r.kids("td")] for r in rows] == [["Ada Lovelace", "Sponsor", "2025-11-26", ""],
                                                                    ["Alan Turing", "", "", ""]]
    assert all(r.kids("td")[-1].attrs["class"] == "sign" for r in rows)
    # No signers, no block (the example has signers since its version 3.0, so the charter without them).
    assert not parse(render_html_text(replace(charter_document, approval=()))).root.find_all("section", "approval")


def test_provenance_ends_the_page(charter_document, charter_tree):
    body = charter_tree.root.find("body")
    footer = [c for c in body.children if isinstance(c, Element)][-1]
    assert footer.tag == "footer"  # the page's contentinfo landmark
    [last] = footer.kids("p")
    assert last.attrs["class"] == "generated"
    assert charter_document.digest and charter_document.provenance.endswith(charter_document.digest)
    assert cell_text(last).startswith(f"Generated by {charter_document.provenance} from ")


def test_sections_in_order(charter_tree, charter_document):
    """The title block (the banner landmark), the sections in the main landmark, the footer; the PDF's source
    has the sections without the landmarks."""
    body = charter_tree.root.find("body")
    assert [c.tag for c in body.children if isinstance(c, Element)] == ["header", "main", "footer"]
    order = [s.attrs["class"] for s in body.kids("main")[0].kids("section")]
    assert order == ["legend", "matrix", "roles", "by-role", "workload", "approval"]
    source = parse(render_html_text(charter_document)).root.find("body")
    assert [s.attrs["class"] for s in source.kids("section")] == order
    assert [c.tag for c in source.children if isinstance(c, Element)] == ["header", *["section"] * 6, "p"]


def test_same_document_same_html(charter_document):
    assert render_html_text(charter_document) == render_html_text(charter_document)


# --- wide matrices: the role columns split into tables that fit the page --------------------------------------------


def wide_document(make_project, document_of, root, roles: int, activities: int = 3, page: str = "A4"):
    role_list = [{"id": f"R{i}", "name": f"Role number {i}"} for i in range(1, roles + 1)]
    acts = [{"id": f"A-{n}", "name": f"Activity {n}",
             "raci": {f"R{n % roles + 1}": "A/R", f"R{(n + 3) % roles + 1}": "C"}} for n in range(activities)]
    return document_of(make_project(root, role_list, {"01": {"phase": "Only", "activities": acts}}, {"page": page}))


def test_thirty_roles_make_three_tables_of_ten(tmp_path, make_project, document_of):
    document = wide_document(make_project, document_of, tmp_path, 30)
    tree = parse(render_html_text(document))
    tables = tree.root.find("section", "matrix").kids("table")
    assert len(tables) == 3
    seen = []
    for number, table in enumerate(tables, start=1):
        roles = document.matrix.roles[(number - 1) * 10:number * 10]
        assert cell_text(table.kids("caption")[0]) == f"Roles {roles[0].id}–{roles[-1].id} ({number} of 3)"
        assert "turned" in table.attrs["class"].split()  # ten roles: narrow columns, headers on their side
        head = table.kids("thead")[0].find_all("th")
        assert [cell_text(c) for c in head[:2]] == ["ID", "Activity"]
        assert [cell_text(c.find("span", "rid")) for c in head[2:]] == [r.id for r in roles]
        assert all(c.find_all("div", "turn") for c in head[2:])
        seen += [cell_text(c.find("span", "rid")) for c in head[2:]]
        body = table.kids("tbody")[0]
        phase = body.find("th", "phase")
        assert phase.attrs["colspan"] == str(2 + len(roles))
        assert ("data-bookmark" in phase.attrs) == (number == 1)  # one outline entry per phase
        for row, activity in zip(body.kids("tr")[1:], document.matrix.activities()):
            values = [cell_text(c) for c in row.children if isinstance(c, Element)]
            assert values == [activity.id, activity.name] + ["/".join(activity.letters(r.id)) for r in roles]
    assert seen == [r.id for r in document.matrix.roles]


def test_seven_roles_stay_in_one_table_across(example_tree):
    tables = example_tree.root.find("section", "matrix").kids("table")
    assert len(tables) == 1 and not tables[0].kids("caption")
    assert "turned" not in tables[0].attrs["class"].split()
    assert not tables[0].find_all("div", "turn")


@pytest.mark.parametrize("page, most", [("A4", 14), ("Letter", 13)])
def test_roles_per_table_by_page(tmp_path, make_project, document_of, page, most):
    from raci_gen.documents.html import matrix_layout

    fits = matrix_layout(wide_document(make_project, document_of, tmp_path / "a", most, page=page))
    assert [len(c.roles) for c in fits.chunks] == [most]
    assert fits.chunks[0].turned
    over = matrix_layout(wide_document(make_project, document_of, tmp_path / "b", most + 1, page=page))
    assert [len(c.roles) for c in over.chunks] == [(most + 2) // 2, (most + 1) // 2]


def test_long_role_names_get_fewer_roles_per_table(tmp_path, make_project, document_of):
    """A header too tall to turn in a narrow column (a long id, name and people) widens the columns: fewer roles
    per table. A long name alone is cut in the header (html.HEADER_TEXT_CHARS), and 14 roles still fit."""
    from raci_gen.documents.html import matrix_layout

    activities = {"01": {"phase": "P", "activities": [{"id": "A-1", "name": "a", "raci": {"R0": "A/R"}}]}}
    name = "Representative of the steering committee " * 4
    root = make_project(tmp_path / "a", [{"id": f"R{i}" + "-x" * 14 * (i > 0), "name": name,
                                          "people": ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra"]}
                                         for i in range(14)], activities)
    chunks = matrix_layout(document_of(root)).chunks
    assert len(chunks) > 1 and all(c.turned for c in chunks)
    root = make_project(tmp_path / "b", [{"id": f"R{i}", "name": name} for i in range(14)], activities)
    assert [len(c.roles) for c in matrix_layout(document_of(root)).chunks] == [14]

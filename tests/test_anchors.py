"""Every in-page link of every Markdown document and injectable section lands on one target,
under GitHub's and under GitLab's rules for heading ids.

The two slug functions here are written from the platforms' documentation, independently of
the renderer's: GitHub lowercases, removes punctuation except ``-`` and ``_``, turns spaces into
``-`` and numbers repeats ``-1``, ``-2`` (github-slugger also skips a number a heading already
took); GitLab does the same and collapses runs of ``-`` (its numbering counts per slug only).
Explicit ``<a name>``/``<a id>`` anchors count as targets on both.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from markdown_it import MarkdownIt

from raci_gen.documents.markdown import render_markdown_section, render_markdown_text, sections

PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
LINK = re.compile(r"\]\(#([^)\s]*)\)")
NAMED = re.compile(r"""<a\s+(?:name|id)="([^"]+)"\s*>""")


def github_base(text: str) -> str:
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def gitlab_base(text: str) -> str:
    return re.sub(r"-+", "-", re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-"))


def github_ids(texts: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    result = []
    for text in texts:
        slug = original = github_base(text)
        while slug in seen:
            seen[original] += 1
            slug = f"{original}-{seen[original]}"
        seen[slug] = 0
        result.append(slug)
    return result


def gitlab_ids(texts: list[str]) -> list[str]:
    counts: Counter[str] = Counter()
    result = []
    for text in texts:
        slug = gitlab_base(text)
        result.append(f"{slug}-{counts[slug]}" if counts[slug] else slug)
        counts[slug] += 1
    return result


def targets(markdown: str) -> list[tuple[str, list[str]]]:
    """Per heading: its text as the platforms read it (HTML left out), and the explicit anchors in it.
    Anchors outside headings come as ("", [names])."""
    tokens = PARSER.parse(markdown)
    result = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            inline = tokens[i + 1]
            text = "".join(c.content for c in inline.children if c.type in ("text", "code_inline"))
            names = [n for c in inline.children if c.type == "html_inline" for n in NAMED.findall(c.content)]
            result.append((text, names))
        elif token.type in ("inline", "html_block") and (i == 0 or tokens[i - 1].type != "heading_open"):
            names = NAMED.findall(token.content)
            if names:
                result.append(("", names))
    return result


def assert_links_land(markdown: str, where: str) -> None:
    found = targets(markdown)
    headings = [text for text, _ in found if text]
    for rule, ids in (("github", github_ids(headings)), ("gitlab", gitlab_ids(headings))):
        owners: dict[str, set[int]] = {}
        heading_no = 0
        for n, (text, names) in enumerate(found):
            if text:
                owners.setdefault(ids[heading_no], set()).add(n)
                heading_no += 1
            for name in names:
                owners.setdefault(name, set()).add(n)
        for fragment in LINK.findall(markdown):
            assert fragment in owners, f"{where}: #{fragment} lands nowhere under {rule}'s rule"
            assert len(owners[fragment]) == 1, f"{where}: #{fragment} names {len(owners[fragment])} places under {rule}"


def all_pages(document) -> list[tuple[str, str]]:
    pages = [("document", render_markdown_text(document))]
    pages += [(s, render_markdown_section(document, s)) for s in sections(document) if s != "document"]
    return pages


# --- the slug functions of this test agree with the platforms' documented examples ----------------------------------


def test_slug_rules_as_documented():
    assert github_ids(["This'll be a Helpful Section About the Greek Letter Θ!", "Foo", "Foo", "Foo-1"]) == [
        "thisll-be-a-helpful-section-about-the-greek-letter-θ", "foo", "foo-1", "foo-1-1"]
    assert gitlab_ids(["This -- is a test", "Foo", "Foo"]) == ["this-is-a-test", "foo", "foo-1"]
    assert github_base("This -- is a test") == "this----is-a-test"


# --- the documents ----------------------------------------------------------------------------------------------------


def test_example_links_land(example_document):
    pages = all_pages(example_document)
    assert LINK.findall(pages[0][1]), "the full document links role ids to their sections"
    for where, page in pages:
        assert_links_land(page, where)


def test_example_keeps_its_plain_anchors(example_document):
    text = render_markdown_text(example_document)
    assert "](#role-r1)" in text and "<a name=" not in text


def test_a_section_links_to_nothing_it_does_not_hold(example_document):
    matrix = render_markdown_section(example_document, "matrix")
    assert "](#" not in matrix
    assert "**R1** " in matrix


COLLIDING_ROLES = [
    {"id": "R1", "name": "One"},
    {"id": "R.1", "name": "One with a dot"},
    {"id": "R--3", "name": "Double hyphen"},
    {"id": "R-3", "name": "Single hyphen"},
    {"id": "R_1", "name": "Underscore"},
    {"id": "Matrix", "name": "Named like a heading"},
    {"id": "r-1-1", "name": "Looks like a repeat"},
]
COLLIDING_PHASES = ["Role R1", "Role R-3", "Role R--3", "By role", "Matrix", "Role R1", "role-r_1", "Role r-1-1"]


@pytest.fixture(scope="module")
def colliding_document(tmp_path_factory, make_project, document_of):
    ids = [r["id"] for r in COLLIDING_ROLES]
    activities = {}
    for p, phase in enumerate(COLLIDING_PHASES):
        activities[f"{p:02d}"] = {"phase": phase, "activities": [
            {"id": f"A-{p}", "name": f"Work {p}", "raci": {ids[p % len(ids)]: "A/R", ids[(p + 1) % len(ids)]: "C"}}]}
    root = make_project(tmp_path_factory.mktemp("colliding"), {"roles": COLLIDING_ROLES}, activities,
                        {"title": "Role R1"})
    return document_of(root)


def test_colliding_ids_and_phase_names_links_land(colliding_document):
    pages = all_pages(colliding_document)
    assert len(set(LINK.findall(pages[0][1]))) == len(COLLIDING_ROLES)
    for where, page in pages:
        assert_links_land(page, where)


def test_colliding_anchors_are_unique_and_explicit(colliding_document):
    anchors = [colliding_document.anchor(r) for r in colliding_document.matrix.roles]
    assert len(set(anchors)) == len(anchors)
    text = render_markdown_text(colliding_document)
    for role in colliding_document.matrix.roles:
        if not colliding_document.anchor(role).startswith("role-"):
            assert f'<a name="{colliding_document.anchor(role)}"></a>Role ' in text


def test_html_ids_are_unique_for_colliding_ids(colliding_document):
    from raci_gen.documents.html import render_html

    html = render_html(colliding_document).decode("utf-8")
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    for href in set(re.findall(r'href="#([^"]+)"', html)):
        assert href in ids

"""The Markdown passes markdownlint-cli2 with its default configuration (issue 21, item 3).

A team with markdownlint in pre-commit commits the generated Markdown and wiki pages with
injected sections: the example, a 30-role matrix (the widest tables, people, line breaks in
names and descriptions, an approval block, open findings, role anchors that need an explicit
``<a name>``) and pages with sections injected are built by the installed raci-gen and linted
in a temporary folder, where no configuration of ours (nor the repository's) applies.

markdownlint-cli2 comes from npm (``.ci/run`` installs it); without it these tests are skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import copy_example, write_project
from raci_gen.documents.templating import _finalize, md_wrapped_paragraph
from test_properties import gfm, inline_text, md_expected

MARKDOWNLINT = shutil.which("markdownlint-cli2")
needs_markdownlint = pytest.mark.skipif(MARKDOWNLINT is None, reason="markdownlint-cli2 is not installed (npm; .ci/run)")

BEGIN, END = "<!-- BEGIN RACI -->", "<!-- END RACI -->"


def raci_gen(*args: str, cwd: Path, dated: bool = True) -> None:
    env = {key: value for key, value in os.environ.items() if key != "SOURCE_DATE_EPOCH"}
    done = subprocess.run([os.path.join(os.path.dirname(sys.executable), "raci-gen"), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120,
                          env={**env, "SOURCE_DATE_EPOCH": "1"} if dated else env)
    assert done.returncode in (0, 1), done.stderr  # 1: lint findings the document lists


def markdownlint(folder: Path) -> list[str]:
    """markdownlint-cli2's complaints about the .md files of ``folder``, with its default configuration."""
    assert not [p for p in folder.iterdir() if p.name.startswith((".markdownlint", "package.json"))]
    done = subprocess.run([MARKDOWNLINT, "*.md"], cwd=folder, capture_output=True, text=True, timeout=120)
    problems = [line for line in (done.stdout + done.stderr).splitlines() if " error MD" in line]
    assert done.returncode == (1 if problems else 0), done.stdout + done.stderr
    return problems


def linted(tmp_path: Path, *documents: Path) -> list[str]:
    folder = tmp_path / "lint"
    folder.mkdir()
    for document in documents:
        shutil.copy(document, folder / document.name)
    return markdownlint(folder)


@needs_markdownlint
def test_the_example(tmp_path):
    project = copy_example(tmp_path / "example")
    raci_gen("build", "-f", "md", "--out", str(tmp_path / "out"), cwd=project)
    assert linted(tmp_path, tmp_path / "out" / "raci-matrix.md") == []


@needs_markdownlint
def test_a_matrix_of_one_role_with_no_project_version_author_or_date(tmp_path):
    project = write_project(tmp_path / "small", {"roles": [{"id": "R1", "name": "One"}]},
                            {"01": {"phase": "P", "activities": [{"id": "A-1", "name": "a", "raci": {"R1": "A/R"}}]}})
    raci_gen("build", "-f", "md", "--out", str(tmp_path / "out"), cwd=project, dated=False)
    document = tmp_path / "out" / "raci-matrix.md"
    assert "**Date:**" not in document.read_text(encoding="utf-8")
    assert linted(tmp_path, document) == []


def thirty_roles(tmp_path: Path, analysis: bool = True, inject: list | None = None) -> Path:
    """30 roles (R1 to R29, and R.1, whose heading's slug is R1's, so it needs an <a name>), 4 phases, one
    with a heading too long for a line; names and a description with line breaks, people with e-mail
    addresses, empty cells, an approval block, and roles that are only Informed, which the workload's open
    findings list (without the workload section if ``analysis`` is false); ``inject``: raci.yaml's pages."""
    roles = [{"id": f"R{n}", "name": f"Role number {n} with a rather long name for the key line",
              "people": [{"name": f"Person {n}", "team": "Team", "email": f"p{n}@example.org"}],
              "description": "Does things.\nOn two lines, the second long enough to go past the eighty "
                             "characters of markdownlint's default line length."}
             for n in range(1, 30)]
    roles.append({"id": "R.1", "name": "Dotted\nid", "similar": ["Other", "Names"]})
    ids = [role["id"] for role in roles]
    activities = {}
    for p in range(4):
        rows = []
        for a in range(6):
            raci = {ids[(p * 6 + a) % 30]: "A/R", ids[(p * 6 + a + 1) % 30]: "C", ids[(p * 6 + a + 7) % 30]: "I"}
            rows.append({"id": f"P{p}-{a}", "name": f"Activity {a} of phase {p}" + ("\nsecond line" if a == 1 else ""),
                         "raci": raci})
        activities[f"0{p}-phase"] = {
            "phase": f"Phase {p}: a phase whose name is long" + (", so long that its heading is longer than a "
                                                                   "line can be" if p == 0 else ""),
            "description": "- A description that starts like a list item and goes on for long enough to be "
                           "wrapped over several lines,\n\nwith a blank line, then 1. a number and a # hash.",
            "activities": rows}
    config = {"title": "Thirty roles", "project": "A project with a rather long name, for the meta line",
              "version": "1", "author": "Someone", "roles": "roles", "activities": "activities",
              "output": {"dir": "output", "name": "raci-matrix", "formats": ["md"], "inject": inject or []},
              "analysis": analysis, "findings": True,  # the documents list them only when asked
              "approval": [{"name": "Jane Doe", "role": "Sponsor", "date": None}, {"name": "John Roe"}]}
    return write_project(tmp_path / "thirty", roles, activities, config)


@needs_markdownlint
@pytest.mark.parametrize("analysis", [True, False])
def test_a_thirty_role_matrix(tmp_path, analysis):
    project = thirty_roles(tmp_path, analysis)
    raci_gen("build", "--out", str(tmp_path / "out"), cwd=project)
    document = tmp_path / "out" / "raci-matrix.md"
    assert linted(tmp_path, document) == []
    # What the project was made to hold is in the document, so the lint covered it.
    text = document.read_text(encoding="utf-8")
    for held in ('<a name="role.r.1">', "<br>", "## Approval", "R29", "\\\n", "\\@",
                 "disable-next-line MD013 -->\n### Phase 0"):
        assert held in text, held
    assert ("### Open findings" in text) == analysis


@needs_markdownlint
def test_pages_with_injected_sections(tmp_path):
    sections = ["legend", "matrix", "roles", "by_role", "workload", "approval"]
    project = thirty_roles(tmp_path, inject=[{"file": f"wiki/{section}.md", "section": section}
                                             for section in [*sections, "document"]])
    wiki = project / "wiki"
    wiki.mkdir()
    team = "# Team\n\nOur page.\n\n## Who does what\n\n{BEGIN}\n{END}\n\nWritten by us.\n"
    for section in sections:
        (wiki / f"{section}.md").write_text(team.format(BEGIN=BEGIN, END=END), encoding="utf-8")
    # A page of the whole document has no title of its own (the document's is its one h1).
    (wiki / "document.md").write_text(f"{BEGIN}\n{END}\n", encoding="utf-8")
    raci_gen("build", "-f", "md", "--out", str(tmp_path / "out"), cwd=project)
    for section in [*sections, "document"]:
        assert BEGIN + "\n" + END not in (wiki / f"{section}.md").read_text(encoding="utf-8"), section
    assert markdownlint(wiki) == []


def test_the_stamp_in_lines_of_80_reads_back_as_a_one_line_stamp_does(example_document):
    """Not linted, so run everywhere: the provenance the Markdown carries across lines is what build --check,
    the kept date and import read, and the one-line stamp of an earlier raci-gen still reads."""
    from raci_gen.writing import provenance
    from raci_gen.documents.stamp import _json
    from raci_gen.importers.table import text_stamp as import_stamp
    from raci_gen.documents.markdown import render_markdown

    data = render_markdown(example_document)
    comment = data[:data.index(b"-->") + 3].decode("utf-8")
    assert provenance.MARKER in comment and max(len(line) for line in comment.split("\n")) <= 80
    stamp = example_document.record.stamp("md")
    assert provenance.text_stamp(data) == stamp
    assert sorted(provenance.stamp_lines(comment.split("\n"))) == list(
        range(comment.split("\n").index(next(line for line in comment.split("\n") if provenance.MARKER in line)),
              len(comment.split("\n"))))
    one_line = f"<!-- Generated by raci-gen. {provenance.MARKER} {_json(stamp)} -->\n# RACI\n"
    assert provenance.text_stamp(one_line.encode("utf-8")) == stamp
    assert import_stamp(data.decode("utf-8")) == import_stamp(one_line) == f"raci-gen {stamp['version']} · input " \
        f"{stamp['inputs']}"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "bb", "word", "-", "+", "1.", "2)", "#", "=", ">", "*", "_", "`", "\\", "|",
                                 "<br>", "&", "[x]", "~~~", "---", "é", "🚀", "x" * 90, "\n", "\n\n", "\t"]),
                max_size=80), st.lists(st.sampled_from([" ", "  ", ""]), min_size=80, max_size=80))
def test_a_wrapped_paragraph_reads_back_as_its_text(words, spaces):
    """What md_wrapped_paragraph makes of a description: one paragraph that GFM reads as the text (a line
    break a hard break, a wrap a space), in lines of at most 80 characters but for a word longer alone."""
    text = "".join(word + space for word, space in zip(words, spaces))
    wrapped = _finalize(md_wrapped_paragraph(text))
    tokens = gfm().parse(f"## Phase\n\n{wrapped}\n\nnext\n")
    blocks = [t.type for t in tokens if t.level == 0 and t.nesting >= 0]
    if md_expected(text.strip()):
        assert blocks == ["heading_open", "paragraph_open", "paragraph_open"], (blocks, wrapped)
        assert inline_text(tokens[4]) == md_expected(text.strip())
    assert all(len(line) <= 80 or " " not in line.rstrip("\\") or "  " in line for line in wrapped.split("\n"))


@pytest.mark.parametrize("unit", ["raci-gen-provenance {\n", "raci-gen-provenance {", "raci-gen-provenance {}\n"])
def test_a_page_of_markers_is_read_in_one_pass(unit):
    """A page is anyone's text: 64 KiB of stamp markers without a comment's end took 1.3 to 1.9 s to search."""
    import time

    from raci_gen.writing import provenance

    data = (unit * (64 * 1024 // len(unit))).encode("utf-8") + b" -->"
    started = time.process_time()
    assert provenance.text_stamp(data) is None
    assert time.process_time() - started < 0.2

"""raci_gen.writing.inject: a section goes between <!-- BEGIN RACI --> and <!-- END RACI -->, nothing else changes."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from raci_gen.model.errors import RaciError
from raci_gen.writing.inject import BEGIN, END, inject_file, inject_text

CONTENT = "## Matrix\n\n| ID | Activity | R1 |\n|---|---|:---:|\n| A-1 | Do it | A/R |\n"


def around(page: str) -> tuple[str, str]:
    """The text before the end of BEGIN and from the start of END: what injection must keep."""
    return page[: page.index(BEGIN) + len(BEGIN)], page[page.index(END):]


def between(page: str) -> str:
    return page[page.index(BEGIN) + len(BEGIN): page.index(END)]


def error_of(page: str, path: str = "docs/Team.md") -> str:
    with pytest.raises(RaciError) as info:
        inject_text(page, CONTENT, path)
    return str(info.value)


# --- what changes and what does not -------------------------------------------------------------------------------


def test_only_the_text_between_the_markers_is_replaced():
    page = f"# Team\n\nWe wrote this.\n\n{BEGIN}\nold table\nmore old\n{END}\n\nAnd this, after.\n"
    result = inject_text(page, CONTENT)
    assert around(result) == around(page)
    assert between(result) == "\n" + CONTENT
    assert "old table" not in result
    assert result == (f"# Team\n\nWe wrote this.\n\n{BEGIN}\n## Matrix\n\n| ID | Activity | R1 |\n|---|---|:---:|\n"
                      f"| A-1 | Do it | A/R |\n{END}\n\nAnd this, after.\n")


def test_crlf_page_keeps_crlf_everywhere():
    page = f"# Team\r\n\r\nIntro.\r\n{BEGIN}\r\nold\r\n{END}\r\nOutro.\r\n"
    result = inject_text(page, CONTENT)
    assert around(result) == around(page)
    assert "\n" not in result.replace("\r\n", "")  # no bare LF anywhere
    assert between(result) == "\r\n" + CONTENT.replace("\n", "\r\n")


def test_crlf_content_into_an_lf_page_becomes_lf():
    page = f"a\n{BEGIN}\n{END}\nb\n"
    result = inject_text(page, CONTENT.replace("\n", "\r\n"))
    assert "\r" not in result
    assert between(result) == "\n" + CONTENT


def test_mixed_line_endings_take_the_one_of_the_marker_line():
    """A page that is LF where the markers are, with one CRLF line pasted elsewhere."""
    page = f"pasted\r\nintro\n{BEGIN}\n{END}\n"
    result = inject_text(page, CONTENT)
    assert around(result) == around(page)
    assert between(result) == "\n" + CONTENT


def test_markers_at_the_very_start_and_the_very_end():
    page = f"{BEGIN}\nold\n{END}"
    result = inject_text(page, CONTENT)
    assert result == f"{BEGIN}\n{CONTENT}{END}"
    assert result.startswith(BEGIN) and result.endswith(END)


def test_markers_on_the_same_line():
    page = f"Before {BEGIN}{END} after\n"
    result = inject_text(page, CONTENT)
    assert around(result) == around(page)
    assert result == f"Before {BEGIN}\n{CONTENT}{END} after\n"
    assert inject_text(result, CONTENT) == result


def test_markers_on_the_same_line_of_a_crlf_page():
    page = f"Title\r\n{BEGIN}{END}"
    result = inject_text(page, CONTENT)
    assert result == f"Title\r\n{BEGIN}\r\n{CONTENT.replace(chr(10), chr(13) + chr(10))}{END}"


def test_page_without_a_trailing_newline_keeps_none():
    page = f"intro\n{BEGIN}\nold\n{END}\noutro"
    result = inject_text(page, CONTENT)
    assert result.endswith(f"{END}\noutro")
    assert around(result) == around(page)


def test_page_with_a_trailing_blank_lines_keeps_them():
    page = f"{BEGIN}\n{END}\n\n\n"
    assert inject_text(page, CONTENT).endswith(f"{END}\n\n\n")


def test_unicode_outside_and_inside():
    page = f"# Équipe 团队 🚀\n\nÜber uns — ελληνικά.\n{BEGIN}\nalt\n{END}\nНиже: конец ✓\n"
    content = "| Rolle | Daten­wissenschaftlerin 数据科学家 🚀 |\n"
    result = inject_text(page, content)
    assert around(result) == around(page)
    assert between(result) == "\n" + content


def test_empty_content_leaves_the_markers_on_their_own_lines():
    result = inject_text(f"x\n{BEGIN}\nold\n{END}\n", "")
    assert result == f"x\n{BEGIN}\n\n{END}\n"


@pytest.mark.parametrize("page", [
    f"a\n{BEGIN}\nold\n{END}\nb\n",
    f"a\r\n{BEGIN}\r\nold\r\n{END}\r\nb",
    f"{BEGIN}{END}",
    f"  {BEGIN}\n\n\n  {END}  \n",
])
def test_injecting_twice_is_idempotent(page):
    once = inject_text(page, CONTENT)
    assert inject_text(once, CONTENT) == once
    assert inject_text(inject_text(once, "other\n"), CONTENT) == once


def test_content_that_holds_a_marker_keeps_the_page_injectable():
    """A role named "<!-- END RACI -->" must not end the section early, nor make the next build fail."""
    content = f"| R1 | \\{END} and \\{BEGIN} |\n"
    once = inject_text(f"a\n{BEGIN}\n{END}\nb\n", content)
    assert once.count(BEGIN) == 1 and once.count(END) == 1
    assert inject_text(once, content) == once
    assert "&gt;" in between(once)  # GFM shows the entity as '>': the reader still sees the name


# --- errors -------------------------------------------------------------------------------------------------------


def test_no_markers_says_how_to_add_them():
    message = error_of("# Team\n\nNo markers here.\n")
    assert message.startswith("docs/Team.md:1:1: error: ")
    assert f"add a line {BEGIN}" in message and END in message


def test_begin_without_end():
    message = error_of(f"# Team\n\n  {BEGIN}\nrest\n")
    assert message.startswith("docs/Team.md:3:3: error: ")
    assert "has no" in message and END in message


def test_end_without_begin():
    message = error_of(f"# Team\n{END}\n")
    assert message.startswith("docs/Team.md:2:1: error: ")
    assert f"has no {BEGIN}" in message


def test_end_before_begin():
    message = error_of(f"one\ntwo\nxx{END}\n{BEGIN}\n")
    assert message.startswith("docs/Team.md:3:3: error: ")
    assert "comes before" in message


def test_stray_end_before_a_good_pair_points_at_the_stray_one():
    message = error_of(f"{END}\n{BEGIN}\n{END}\n")
    assert message.startswith("docs/Team.md:1:1: error: ")


def test_two_pairs():
    message = error_of(f"{BEGIN}\n{END}\ntext\n{BEGIN}\n{END}\n")
    assert message.startswith("docs/Team.md:4:1: error: ")
    assert "exactly one pair" in message


def test_two_begins_before_an_end():
    message = error_of(f"{BEGIN}\n{BEGIN}\n{END}\n")
    assert message.startswith("docs/Team.md:2:1: error: ")
    assert "second" in message


def test_a_second_end():
    message = error_of(f"{BEGIN}\n{END}\nx {END}\n")
    assert message.startswith("docs/Team.md:3:3: error: ")
    assert "second" in message


def test_error_position_in_a_crlf_page():
    message = error_of(f"a\r\nb\r\n\t{BEGIN}\r\n")
    assert message.startswith("docs/Team.md:3:2: error: ")


def test_error_column_counts_characters_not_bytes_nor_the_bom():
    assert error_of(f"\ufeffÄÖü {BEGIN}\n").startswith("docs/Team.md:1:5: error: ")
    assert error_of(f"x\n团队 {END}\n").startswith("docs/Team.md:2:4: error: ")


@pytest.mark.parametrize("page", ["plain\n", f"{BEGIN}\n", f"{END}\n{BEGIN}\n", f"{BEGIN}{END}{BEGIN}{END}"])
def test_every_error_is_a_raci_error_with_path_line_col(page):
    message = error_of(page, "wiki/Page.md")
    assert re.match(r"wiki/Page\.md:\d+:\d+: error: \S", message)
    assert "\n" not in message


# --- files --------------------------------------------------------------------------------------------------------


def test_inject_file_keeps_bytes_and_writes_nothing(tmp_path):
    page = tmp_path / "Team.md"
    raw = f"\ufeff# Ünïcode\r\n{BEGIN}\r\n{END}\r\nend".encode("utf-8")
    page.write_bytes(raw)
    new = inject_file(str(page), CONTENT)
    assert page.read_bytes() == raw  # nothing written
    head, tail = raw.split(BEGIN.encode())[0], raw.split(END.encode())[1]
    assert new.startswith(head + BEGIN.encode() + b"\r\n") and new.endswith(END.encode() + tail)
    assert new.startswith(b"\xef\xbb\xbf")


def test_inject_file_errors(tmp_path):
    with pytest.raises(RaciError, match="page not found"):
        inject_file(str(tmp_path / "nope.md"), CONTENT)
    latin = tmp_path / "latin.md"
    latin.write_bytes(f"caf\xe9 {BEGIN}{END}".encode("latin-1"))
    with pytest.raises(RaciError, match="not UTF-8"):
        inject_file(str(latin), CONTENT)
    bare = tmp_path / "bare.md"
    bare.write_text("no markers\n", encoding="utf-8")
    with pytest.raises(RaciError) as info:
        inject_file(str(bare), CONTENT)
    assert str(info.value).startswith(f"{bare}:1:1: error: ")


def test_inject_file_refuses_a_fifo_at_once_and_a_page_over_the_limit(tmp_path):
    import os
    import time

    from raci_gen.writing.inject import MAX_PAGE_BYTES

    fifo = tmp_path / "Team.md"
    os.mkfifo(fifo)  # opened for reading without O_NONBLOCK, it would wait for a writer forever
    started = time.monotonic()
    with pytest.raises(RaciError) as info:
        inject_file(str(fifo), CONTENT)
    assert str(info.value) == f"{fifo}: error: page is not a regular file (a FIFO); it is not read"
    assert time.monotonic() - started < 30  # a generous bound: the failure this guards against is forever
    big = tmp_path / "Big.md"
    big.write_bytes(f"{BEGIN}\n{END}\n".encode() + b"x" * MAX_PAGE_BYTES)
    with pytest.raises(RaciError, match=r"page is larger than 5 MiB"):
        inject_file(str(big), CONTENT)


# --- fenced code blocks -------------------------------------------------------------------------------------------


FENCED_EXAMPLE = f"""# How to use raci-gen

Add these lines to a page:

```markdown
{BEGIN}
{END}
```

~~~~
{BEGIN}
~~~
still code: a shorter fence does not close
~~~~~

> ```
> {END}
> ```

Our matrix:

{BEGIN}
old
{END}
"""


def test_markers_inside_fenced_code_blocks_are_left_alone():
    result = inject_text(FENCED_EXAMPLE, CONTENT)
    real = FENCED_EXAMPLE.rindex(BEGIN)
    assert result[:real] == FENCED_EXAMPLE[:real]  # every example kept, byte for byte
    assert result[real:] == f"{BEGIN}\n{CONTENT}{END}\n"
    assert inject_text(result, CONTENT) == result


def test_a_page_whose_markers_are_all_in_code_blocks_says_so():
    page = f"intro\n\n```\n{BEGIN}\n{END}\n```\n"
    message = error_of(page)
    assert message.startswith("docs/Team.md:4:1: error: the markers of this page are all inside fenced code blocks")


def test_an_unclosed_fence_runs_to_the_end_and_a_block_quote_ends_its_fence():
    assert "all inside fenced code" in error_of(f"```\n{BEGIN}\n{END}\n")
    page = f"> ```\n> code\nafter the quote\n{BEGIN}\n{END}\n"
    assert inject_text(page, "x\n") == f"> ```\n> code\nafter the quote\n{BEGIN}\nx\n{END}\n"
    # A backtick fence's info string may not hold a backtick: this line is text, not a fence.
    page = f"``` a`b\n{BEGIN}\n{END}\n"
    assert inject_text(page, "x\n").endswith(f"{BEGIN}\nx\n{END}\n")


FENCE_LINES = ["```", "````", "~~~", "~~~~", "   ```", "    ```", "``` python", "``` a`b", "~~~ a`b", "> ```",
               "> > ~~~", ">```", "text", "", "> text", "```  ", "- item", "  ~~~~~", "\t```"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FENCE_LINES), max_size=14), st.sampled_from(["\n", "\r\n", "\r"]))
def test_fenced_code_agrees_with_markdown_it(lines, newline):
    """The fence scanner finds the lines markdown-it-py (the CommonMark reference port) calls fenced code."""
    from markdown_it import MarkdownIt

    from raci_gen.writing.inject import LINE_BREAK, fenced_code

    if any(line.startswith("- item") for line in lines):
        lines = [line for line in lines if not line.startswith("- item")]  # list items are out of scope
    page = newline.join(lines) + newline
    starts = [0] + [m.end() for m in LINE_BREAK.finditer(page)]
    ours = set()
    for start, end in fenced_code(page):
        ours.update(i for i, offset in enumerate(starts[:-1]) if start <= offset < end)
    theirs = set()
    for token in MarkdownIt("commonmark").parse(page):
        if token.type == "fence":
            theirs.update(range(*token.map))
    assert ours == theirs, repr(page)


# --- line endings -------------------------------------------------------------------------------------------------


def test_a_cr_only_page_keeps_cr_inside_the_markers():
    page = f"# Team\rIntro.\r{BEGIN}\rold\r{END}\rOutro.\r"
    result = inject_text(page, CONTENT)
    assert around(result) == around(page)
    assert "\n" not in result
    assert between(result) == "\r" + CONTENT.replace("\n", "\r")
    assert inject_text(result, CONTENT) == result


def test_error_position_in_a_cr_only_page():
    assert error_of(f"a\rb\r\r  {BEGIN}\r").startswith("docs/Team.md:4:3: error: ")


# --- a page named twice; the sections in --help ---------------------------------------------------------------------


def _project_with_a_page(tmp_path, section: str):
    import shutil

    from conftest import copy_example

    project = copy_example(tmp_path / "team")
    shutil.rmtree(project / "output", ignore_errors=True)
    (project / "wiki").mkdir()
    (project / "wiki" / "Team.md").write_text(f"Ours.\n{BEGIN}\n{END}\n", encoding="utf-8")
    config = project / "raci.yaml"
    text = config.read_text(encoding="utf-8")
    assert "\noutput:\n" in text and "inject" not in text
    entry = f"    - {{file: wiki/Team.md, section: {section}}}"
    config.write_text(text.replace("\noutput:\n", f"\noutput:\n  inject:\n{entry}\n", 1), encoding="utf-8")
    line = config.read_text(encoding="utf-8").splitlines().index(entry) + 1
    return project, line


def _raci_gen(*args, cwd):
    import os
    import subprocess
    import sys

    return subprocess.run([os.path.join(os.path.dirname(sys.executable), "raci-gen"), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120, env={**os.environ, "SOURCE_DATE_EPOCH": "1"})


def test_a_page_in_raci_yaml_and_on_the_command_line_with_two_sections_is_an_error_naming_both(tmp_path):
    project, line = _project_with_a_page(tmp_path, "matrix")
    done = _raci_gen("build", "-f", "md", "--inject", "./wiki/../wiki/Team.md", "--section", "legend", cwd=project)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"raci.yaml:{line}:7: error: page wiki/Team.md gets section 'matrix' here and 'legend' from the command line "
        "(--inject ./wiki/../wiki/Team.md --section legend); a page holds one pair of markers, so one section: "
        "name the page once"]
    assert not (project / "output").exists()
    assert (project / "wiki" / "Team.md").read_text() == f"Ours.\n{BEGIN}\n{END}\n"


def test_a_page_named_twice_with_one_section_is_injected_once(tmp_path):
    project, _ = _project_with_a_page(tmp_path, "matrix")
    done = _raci_gen("build", "-f", "md", "--inject", "wiki/Team.md", "--section", "matrix", cwd=project)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("wrote wiki/Team.md") == 1
    assert _raci_gen("build", "--check", "-f", "md", cwd=project).returncode == 0


def test_build_help_lists_every_section_of_the_markdown_template():
    from raci_gen.input.loader import load_project
    from raci_gen.writing.output import build_document
    from raci_gen.documents.markdown import built_in_sections, sections

    from conftest import REPO_ROOT

    expected = sections(build_document(load_project(str(REPO_ROOT))))
    assert built_in_sections() == expected and len(expected) == 8
    help_text = " ".join(_raci_gen("build", "--help", cwd=REPO_ROOT).stdout.split())
    assert "What --inject puts in the page: " + ", ".join(expected) + " (a project's own" in help_text

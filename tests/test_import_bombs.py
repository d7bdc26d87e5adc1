"""raci-gen import counts what it will hold before it holds it (docs/security.md, "Limits and threat model").

Each bomb is made here, small on disk, and imported by the installed raci-gen in a process capped at
1.5 GB of address space and a few seconds of processor time: a refusal is one line with its place,
the limit and the figure, exit 2, no traceback, and no folder written. The fuzz tests feed each
reader random sources in a capped child process and accept only its own refusal (SourceError).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

import documentation

pytestmark = pytest.mark.skipif(shutil.which("prlimit") is None, reason="needs prlimit (util-linux)")

MEMORY = 1_500_000_000


def run_import(source: Path, out: Path, cpu: int = 20) -> subprocess.CompletedProcess:
    return subprocess.run(["prlimit", f"--as={MEMORY}", f"--cpu={cpu}", sys.executable, "-m", "raci_gen", "import",
                           str(source), "--out", str(out)], capture_output=True, text=True, timeout=300)


def refused(tmp_path: Path, name: str, content: str | bytes, *expected: str, cpu: int = 20) -> str:
    source = tmp_path / name
    source.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    out = tmp_path / "out"
    result = run_import(source, out, cpu)
    assert result.returncode == 2, f"exit {result.returncode}: {result.stderr[-3000:]}"
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr[-3000:]
    assert lines[0].startswith(f"{source}: "), lines[0]
    for text in expected:
        assert text in lines[0], lines[0]
    assert not out.exists()
    return lines[0]


# --- CSV ----------------------------------------------------------------------------------------------------------


def test_csv_padded_to_its_widest_row_is_counted_before_it_is_padded(tmp_path):
    # 120 KB: one row of 20,000 columns over 20,000 short rows is 400 million cells once padded.
    text = ",".join(["R"] * 20_000) + "\n" + "a,R\n" * 20_000
    refused(tmp_path, "wide.csv", text, ": row 11: error: more than 200,000 cells in the tables: 220,000",
            "11 rows x 20,000 columns")


def test_csv_sniffing_a_long_line_is_bounded(tmp_path):
    # csv.Sniffer's quote pattern is quadratic in a line: 96 KB of ,"a took about 45 s.
    refused(tmp_path, "sniff.csv", ',"a' * 32_000 + "\n", "no table holds responsibility letters", cpu=5)


def test_csv_cell_over_the_limit_names_its_row_and_column(tmp_path):
    refused(tmp_path, "long.csv", "Task,PO\n" + "x" * 25_000 + ",R\n",
            ": row 2, column 1: error: cell of 25,000 characters cannot be read; the limit is 5,000")


# --- HTML ---------------------------------------------------------------------------------------------------------


def test_html_start_tags_never_closed_take_linear_time(tmp_path):
    # The standard parser looked for the '>' of each '<a ' to the end of the text: 72 KB took about 40 s.
    refused(tmp_path, "tags.html", "<a " * 24_000, "no table found", cpu=5)


def test_html_comments_never_closed_take_linear_time(tmp_path):
    refused(tmp_path, "comments.html", "<table><tr><td>x</td></tr></table>" + "<!--x>" * 40_000,
            "no table holds responsibility letters", cpu=5)


def test_html_tag_with_too_many_attributes(tmp_path):
    # The parser's start-tag pattern held about 500 bytes per attribute: 4 MB here, over 1.5 GB.
    refused(tmp_path, "attributes.html", "<table><tr><td><a " + "b " * 2_000_000 + ">R</a></td></tr></table>",
            ": line 1, column 16: error: a tag of 2,000,001 attributes; the limit is 1,000")


def test_html_table_padded_to_its_widest_row_is_counted(tmp_path):
    text = "<table><tr>" + "<td>R</td>" * 20_000 + "</tr>" + "<tr></tr>" * 20_000 + "</table>"
    refused(tmp_path, "wide.html", text, ": table 1, row 11: error: more than 200,000 cells in the tables: 220,000")


def test_html_marked_section_the_parser_does_not_know_is_text(tmp_path):
    source = tmp_path / "page.html"
    source.write_text("<table><tr><th>Task</th><th>PO</th><th>Dev</th></tr><tr><td>Build</td><td>A</td><td>R</td>"
                      "</tr></table><![foo[ x>", encoding="utf-8")
    result = run_import(source, tmp_path / "out")  # the standard parser raised AssertionError: exit 3
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "raci.yaml").is_file()


# --- Markdown -----------------------------------------------------------------------------------------------------


def test_markdown_table_cells_are_counted_before_they_are_tokenised(tmp_path):
    # 2 MB of cells: markdown-it-py made every token first (1.37 GB).
    header = "|" + "|".join(f"r{i}" for i in range(100)) + "|\n|" + "-|" * 100 + "\n"
    text = header + ("|" + "R|" * 100 + "\n") * 9_900
    refused(tmp_path, "cells.md", text, ": line 1: error: more than 200,000 cells in the tables: 990,100",
            "9,901 rows x 100 columns")


def test_markdown_rows_padded_by_the_table_rule_are_counted(tmp_path):
    # A row without pipes is padded to the header's 1,000 columns: 830 KB asks for 13 million cells.
    table = "|" + "a|" * 1_000 + "\n|" + "-|" * 1_000 + "\n" + "a\n" * 66 + "\n"
    refused(tmp_path, "padded.md", table * 200, ": line 139: error: more than 200,000 cells in the tables: 201,000")


def test_markdown_blocks_are_counted(tmp_path):
    # Two bytes a heading, three tokens each: 2 MB made 3 million tokens.
    refused(tmp_path, "headings.md", "#\n" * 1_000_000,
            ": line 66668: error: more than 200,000 Markdown tokens", "the limit is 200,000")


# --- Excel --------------------------------------------------------------------------------------------------------


def workbook_with_sheet(*parts: bytes) -> bytes:
    """A workbook whose first sheet's XML is ``parts``, streamed into the zip (never whole in memory)."""
    wb = Workbook()
    wb.active.append(["Task", "PO"])
    plain = io.BytesIO()
    wb.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                with target.open(info.filename, "w") as stream:
                    for part in parts:
                        stream.write(part)
            else:
                target.writestr(info.filename, source.read(info.filename))
    return out.getvalue()


SHEET = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def test_workbook_of_empty_cells_is_measured_before_openpyxl_loads_it(tmp_path):
    # 5 million empty cells (20 MB unpacked, 24 KB zipped): openpyxl would hold about 2 GB.
    data = workbook_with_sheet(SHEET, b'<sheetData><row r="1">', *[b"<c/>" * 100_000] * 50,
                               b"</row></sheetData></worksheet>")
    assert len(data) < 100_000
    refused(tmp_path, "empty.xlsx", data, ": xl/worksheets/sheet1.xml:1:",
            "error: more than 1,000,000 cells in the workbook: 1,000,001 by here")


def test_workbook_merged_range_is_measured(tmp_path):
    data = workbook_with_sheet(SHEET, b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Task</t></is></c></row>'
                                      b'</sheetData><mergeCells count="1"><mergeCell ref="A2:XFD1048576"/>'
                                      b"</mergeCells></worksheet>")
    refused(tmp_path, "merged.xlsx", data, "more than 1,000,000 cells in the workbook: 17,179,852,801")


def test_workbook_with_a_dtd_is_refused(tmp_path):
    data = workbook_with_sheet(b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY e "<c/><c/><c/><c/>">]>',
                               SHEET[SHEET.index(b"<worksheet"):], b'<sheetData><row r="1">', b"&e;" * 10,
                               b"</row></sheetData></worksheet>")
    refused(tmp_path, "dtd.xlsx", data, "declares a DTD")


# --- the matrix ---------------------------------------------------------------------------------------------------


def test_more_activities_than_a_project_holds(tmp_path):
    # Ids were derived counting from 1 for every row (quadratic), and the project made did not load: exit 3.
    text = "Activity,PO,QA\n" + "".join(f"Task {i},R,A\n" for i in range(6_000))
    refused(tmp_path, "rows.csv", text, ": row 5002, column 1: error: more than 5,000 activities; the limit is 5,000")


def test_more_roles_than_a_project_holds(tmp_path):
    text = "Activity," + ",".join(f"Role {i}" for i in range(250)) + "\nTask," + ",".join(["R"] * 250) + "\n"
    refused(tmp_path, "roles.csv", text, ": row 1, column 202: error: more than 200 roles; the limit is 200")


def test_phase_too_large_for_one_file(tmp_path):
    # 500 activities with 4,900-character descriptions: a 2.5 MB phase file the loader refuses (was exit 3).
    text = "Activity,Description,PO\n" + "".join(f"Task {i},{'d' * 4_900},R\n" for i in range(500))
    refused(tmp_path, "long.csv", text, "error: the project made from it would not load: activities/01-activities.yaml",
            "; the limit is 2,097,152 bytes")


def test_readme_table_of_limits_has_the_importers_figures():
    from raci_gen.importers import html, markdown, table, xlsx
    from raci_gen.input.limits import MAX_ACTIVITIES, MAX_ROLES

    rows = documentation.table_rows()
    mib = 1024 * 1024
    assert rows["a source for `import`"] == (f"{table.MAX_SOURCE_BYTES // mib} MiB, a regular file; a workbook unpacks "
                                             f"to at most {xlsx.MAX_UNPACKED // mib} MiB")
    assert rows["cells in a source's tables, each row counted as wide as its table's widest"] == f"{table.MAX_CELLS:,}"
    assert rows["text in one imported cell"] == (f"{table.MAX_CELL_TEXT:,} characters (HTML: {html.MAX_RAW_TEXT:,} "
                                                 f"with spaces; Markdown: {markdown.MAX_INLINE:,} with markup)")
    assert rows["activities / roles imported"] == f"{MAX_ACTIVITIES:,} / {MAX_ROLES:,}"
    assert any(key.startswith("cells openpyxl would make") and value == f"{xlsx.MAX_WORKBOOK_CELLS:,} (and "
               f"{xlsx.MAX_XML_ELEMENTS:,} XML elements; no DTD)" for key, value in rows.items())
    assert rows["Markdown tokens besides the tables' / markup parsed in cells and headings"] == \
        f"{markdown.MAX_TOKENS:,} / {markdown.MAX_INLINE_TOTAL // mib} Mi characters"
    assert rows["HTML: attributes in one tag / tables open at once"] == \
        f"{html.MAX_TAG_ATTRIBUTES:,} / {html.MAX_OPEN_TABLES}"


# --- fuzzing ------------------------------------------------------------------------------------------------------

FUZZ = textwrap.dedent('''
    import io, sys, zipfile
    from hypothesis import HealthCheck, given, settings, strategies as st
    from raci_gen.importers import READERS
    from raci_gen.importers.table import ReadOptions, SourceError

    ATOMS = {
        ".md": ["|", " | ", "---", "|---|", ":-:", "\\n", "\\n\\n", "R", "A/R", "**b**", "*", "_", "\\\\|", "`",
                "# ", "- ", "> ", "    ", "[l](u)", "[", "<sup>1</sup>", "<br>", "Task", "&amp;", "[r]: u\\n", "~~"],
        ".html": ["<table>", "</table>", "<tr>", "</tr>", "<td>", "</td>", "<th>", "R", "A", "Task", "<b>", "</b>",
                  "<h1>", "</h1>", "<!--", "-->", "<![CDATA[", "]]>", "<![if x]>", "<![endif]>", "<![", "<a href='u'>",
                  "<a ", "<br>", " ", "\\n", "<script>", "</script>", "&amp;", "<td colspan=99999>", "<", ">",
                  "<!DOCTYPE", "<?", "</", "'", '"', "="],
        ".csv": [",", ";", "\\t", "|", '"', "\\n", "\\r\\n", "\\r", "R", "A", "Task", "'=x", " ", '""', ',"a'],
    }
    suffix = sys.argv[1]
    read = READERS[suffix].read

    def check(data):
        try:
            read(data, "fuzz" + suffix, ReadOptions())
        except SourceError:
            pass

    if suffix == ".xlsx":
        from openpyxl import Workbook
        plain = io.BytesIO()
        Workbook().save(plain)
        XML = ["<c/>", "<c r='A1' t='inlineStr'><is><t>R</t></is></c>", "<row r='1'>", "</row>", "<v>1</v>",
               "<c r='XFD1048576'/>", "<mergeCell ref='A1:B2'/>", "<mergeCell ref='A1:XFD1048576'/>", "&amp;", "x"]

        @settings(max_examples=60, deadline=3000, suppress_health_check=list(HealthCheck), database=None)
        @given(st.lists(st.sampled_from(XML), max_size=40), st.binary(max_size=64))
        def fuzz(parts, noise):
            out = io.BytesIO()
            with zipfile.ZipFile(plain) as source, zipfile.ZipFile(out, "w") as target:
                for info in source.infolist():
                    data = source.read(info.filename)
                    if info.filename == "xl/worksheets/sheet1.xml":
                        data = data.replace(b"<sheetData/>", ("<sheetData>" + "".join(parts)).encode() + noise
                                            + b"</sheetData>")
                    target.writestr(info.filename, data)
            check(out.getvalue())
            check(noise)
    else:
        @settings(max_examples=100, deadline=3000, suppress_health_check=list(HealthCheck), database=None)
        @given(st.lists(st.sampled_from(ATOMS[suffix]) | st.text(max_size=3), max_size=60),
               st.integers(1, 2000), st.binary(max_size=32))
        def fuzz(parts, repeat, noise):
            unit = "".join(parts)
            check((unit * max(1, min(repeat, 40_000 // max(1, len(unit))))).encode("utf-8"))
            check(noise + unit.encode("utf-8"))

    fuzz()
''')


@pytest.mark.parametrize("suffix", [".md", ".html", ".csv", ".xlsx"])
def test_fuzz_reader(suffix):
    """Random sources (markup repeated up to 40 KB, random bytes) end in a result or in the reader's own
    refusal, each within 3 s, in a process of at most 1.5 GB and 60 s of processor time."""
    result = subprocess.run(["prlimit", f"--as={MEMORY}", "--cpu=60", sys.executable, "-c", FUZZ, suffix],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]

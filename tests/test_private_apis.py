"""The private parts of WeasyPrint (and of pydyf, Jinja2 and openpyxl) that raci-gen relies on, each checked by
what raci-gen relies on: when a release changes one, its test fails with a message naming it, the installed
version and the module that uses it (documents/weasyprint_private.py lists WeasyPrint's and pydyf's, with what
each buys). .github/workflows/newest-dependencies.yml runs this file, with the rest, on the newest releases."""

from __future__ import annotations

import importlib.metadata
import inspect
import io
import logging
import re
import subprocess
import sys
import textwrap
import zipfile

import pytest

from raci_gen.documents import weasyprint_private

HERE = "see src/raci_gen/documents/weasyprint_private.py"


def changed(api: str, what: str, package: str = "weasyprint", where: str = HERE) -> str:
    return f"{api} changed in {package} {importlib.metadata.version(package)}: {what}; {where}"


PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title><style>
@page { size: A6; @bottom-center { content: "Page " counter(page) " of " counter(pages) } }
h1 { bookmark-level: 1 } h2 { bookmark-level: 2 } td { height: 40px }
</style></head><body>
<h1 id="top">Matrix</h1>
<table><thead><tr><th scope="col">Activity</th><th scope="col"><a href="#r1"><span>R1</span> <span>Owner</span></a></th>
</tr></thead><tbody>%s</tbody></table>
<h2 id="r1">Role R1</h2><p>The owner.</p>
<h2 style="break-before: page">Approval</h2><p>Signed.</p>
</body></html>""" % "".join(f'<tr data-i="{i}"><th scope="row">A{i}</th><td>R</td></tr>' for i in range(30))


@pytest.fixture(scope="module")
def rendered():
    """A small tagged PDF written as raci-gen writes one (fontTools subsetting, a finisher), with what the
    finisher, the progress logger, the weasyprint logger and the subsetting saw."""
    import weasyprint

    seen = {"subset": 0, "records": [], "progress": [], "tagged": [], "annotations": {}, "marked": False}
    real_subset = weasyprint_private.subset_without_layout_tables

    def counting(font, to_unicode, hinting):
        seen["subset"] += 1
        return real_subset(font, to_unicode, hinting)

    class Keep(logging.Handler):
        def __init__(self, into):
            super().__init__(logging.DEBUG)
            self.into = into

        def emit(self, record):
            self.into.append(record)

    def finish(document, pdf):
        import pydyf

        try:
            for page in document.pages:
                seen["tagged"].append(list(weasyprint_private.tagged_boxes(page)))
        except AttributeError as exc:  # said by the test below, naming the API
            seen["tagged_error"] = exc
        seen["annotations"] = {obj.number: obj for obj in pdf.objects
                               if isinstance(obj, pydyf.Dictionary) and obj.get("Subtype") == "/Link"}
        for obj in pdf.objects:
            if isinstance(obj, pydyf.Stream):
                ops = obj.stream
                for i, op in enumerate(ops):
                    if op == b"BDC" and i >= 2 and isinstance(ops[i - 1], pydyf.Dictionary) \
                            and "MCID" in ops[i - 1] and str(ops[i - 2]).startswith("/"):
                        seen["marked"] = True
        plain = weasyprint_private.plain_dictionary(pdf.info)
        plain["RaciProbe"] = pydyf.String("plain")
        pdf.info = plain
        packed = pydyf.Dictionary({"RaciPacked": pydyf.String("packed")})
        pdf.add_object(packed)
        pdf.catalog["RaciPacked"] = packed.reference

    logger, progress = logging.getLogger("weasyprint"), logging.getLogger(weasyprint_private.PROGRESS_LOGGER)
    handlers = Keep(seen["records"]), Keep(seen["progress"])
    level = progress.level
    logger.addHandler(handlers[0])
    progress.addHandler(handlers[1])
    progress.setLevel(logging.INFO)
    weasyprint_private.subset_without_layout_tables = counting
    try:
        with weasyprint_private.fonttools_subsetting():
            document = weasyprint.HTML(string=PAGE, base_url="about:blank").render(pdf_tags=True)
            data = document.write_pdf(pdf_tags=True, finisher=finish)
    finally:
        weasyprint_private.subset_without_layout_tables = real_subset
        logger.removeHandler(handlers[0])
        progress.removeHandler(handlers[1])
        progress.setLevel(level)
    return weasyprint, document, data, seen


def test_harfbuzz_subset_handle():
    """Item 1: WeasyPrint's Font.subset takes HarfBuzz's road when the module global harfbuzz_subset is set."""
    from weasyprint.pdf import fonts

    assert hasattr(fonts, "harfbuzz_subset"), changed(
        "weasyprint.pdf.fonts.harfbuzz_subset", "the module has no such name, and raci-gen's PDF would be "
        "subset by HarfBuzz where it is installed (other bytes on other machines)")
    assert "harfbuzz_subset" in fonts.Font.subset.__code__.co_names, changed(
        "weasyprint.pdf.fonts.harfbuzz_subset", "Font.subset no longer reads it to choose HarfBuzz")


def test_fonttools_subset_is_what_font_subset_calls(rendered):
    """Items 1 and 2: with the handle set to None, WeasyPrint subsets through the method raci-gen replaces."""
    from weasyprint.pdf import fonts

    assert "_fonttools_subset" in fonts.Font.subset.__code__.co_names, changed(
        "weasyprint.pdf.fonts.Font._fonttools_subset", "Font.subset no longer calls it")
    assert rendered[3]["subset"] > 0, changed(
        "weasyprint.pdf.fonts.Font._fonttools_subset", "a PDF written within fonttools_subsetting() did not subset "
        "its fonts through raci-gen's copy (WeasyPrint took another road: HarfBuzz, or a method of another name)")


FONTTOOLS_SUBSET_70 = (
    ["BytesIO", "LOGGER", "Options", "Subsetter", "TTFont", "TTLibError", "bool", "debug", "drop_tables", "family",
     "file_content", "getvalue", "index", "io", "missing", "populate", "save", "subset", "warning"],
    [True, ("retain_gids", "passthrough_tables", "ignore_missing_glyphs", "hinting", "desubroutinize",
            "notdef_outline"), ("GSUB", "GPOS", "SVG"), ("gids",), ("fontNumber",),
     'Unable to subset "%s" with fontTools', "Original exception:", ("exc_info",), None])
"""The names and constants of WeasyPrint 70's ``Font._fonttools_subset``, of which raci-gen's is a copy."""


def test_fonttools_subset_is_the_method_raci_gen_copied():
    """Item 2: the copy writes the bytes WeasyPrint's method writes only while that method is the one copied
    (tests/test_pdf.py compares the bytes on DejaVu and on fonts of every kind)."""
    from weasyprint.pdf import fonts

    method = getattr(fonts.Font, "_fonttools_subset", None)
    assert method is not None, changed("weasyprint.pdf.fonts.Font._fonttools_subset", "there is no such method")
    assert list(inspect.signature(method).parameters) == ["self", "to_unicode", "hinting"], changed(
        "weasyprint.pdf.fonts.Font._fonttools_subset", f"its parameters are now {inspect.signature(method)}")
    code = method.__code__
    consts = [c for c in code.co_consts if not hasattr(c, "co_code")]
    if consts and consts[0] == method.__doc__:
        consts = consts[1:]
    assert (sorted(code.co_names), consts) == FONTTOOLS_SUBSET_70, changed(
        "weasyprint.pdf.fonts.Font._fonttools_subset", "its body is not WeasyPrint 70's, which "
        "weasyprint_private.subset_without_layout_tables copies: copy the new one")


def test_the_fallback_warning_has_the_words_raci_gen_drops(rendered):
    """Item 3."""
    messages = [record.getMessage() for record in rendered[3]["records"] if record.levelno >= logging.WARNING]
    assert any(weasyprint_private.FONTTOOLS_WARNING in message for message in messages), changed(
        "weasyprint.pdf.fonts.Font.subset's fontTools warning", f"it no longer says "
        f"{weasyprint_private.FONTTOOLS_WARNING!r} (it said {messages[:3]})")


def test_pages_say_which_rows_they_hold(rendered):
    """Item 4: Page._page_box and its boxes' descendants(), element_tag and element, read by row_index."""
    document = rendered[1]
    page = document.pages[0]
    assert hasattr(page, "_page_box") and hasattr(page._page_box, "descendants"), changed(
        "weasyprint.document.Page._page_box", "a page has no box tree of that name with descendants()")
    assert len(document.pages) >= 3
    try:
        firsts = [weasyprint_private.row_index(page, last=False) for page in document.pages]
        lasts = [weasyprint_private.row_index(page, last=True) for page in document.pages]
    except AttributeError as exc:
        pytest.fail(changed("weasyprint.document.Page._page_box", f"its boxes are not as row_index reads them "
                                                                  f"({exc})"))
    rows = [(first, last) for first, last in zip(firsts, lasts) if first is not None]
    assert len(rows) >= 2 and rows[0][0] == 0 and rows[-1][1] == 29 and all(
        later[0] == earlier[1] + 1 for earlier, later in zip(rows, rows[1:])), changed(
        "weasyprint.document.Page._page_box", f"the rows read from its boxes' element_tag and element are "
        f"not the rows laid out on each page (first rows {firsts}, last rows {lasts})")


def test_tagged_boxes_carry_their_structure_and_annotations(rendered):
    """Item 4: the boxes' mark (their structure element) and link_annotation (with its object number)."""
    tagged, annotations = rendered[3]["tagged"], rendered[3]["annotations"]
    assert "tagged_error" not in rendered[3], changed(
        "weasyprint.document.Page._page_box", f"its boxes are not as tagged_boxes reads them "
        f"({rendered[3].get('tagged_error')})")
    headers = [found for page in tagged for tag, _, found in page if tag == "th"]
    links = [found for page in tagged for tag, _, found in page if tag == "a"]
    assert headers and all(getattr(h, "get", None) and h.get("S") == "/TH" for h in headers), changed(
        "weasyprint box.mark", "a tagged header cell's box does not carry its /TH structure element as mark")
    assert links and links[0] and all(number in annotations for number in links[0]), changed(
        "weasyprint box.link_annotation", f"a link's boxes do not carry the annotations the PDF has "
        f"(boxes say {links}, the PDF has {sorted(annotations)})")


def test_bookmark_tree_from_stand_in_pages(rendered):
    """Item 5: Document.make_bookmark_tree, called with pages that have only bookmarks and height."""
    weasyprint, document = rendered[0], rendered[1]
    expected = document.make_bookmark_tree(scale=0.75, transform_pages=True)
    assert expected, "the page has headings: WeasyPrint made no bookmarks of them"
    try:
        tree = weasyprint_private.bookmark_tree(weasyprint, [(p.bookmarks, p.height) for p in document.pages])
    except (AttributeError, TypeError) as exc:
        pytest.fail(changed("weasyprint.Document.make_bookmark_tree", f"it needs more of a document than its "
                                                                    f"pages' bookmarks and height ({exc})"))
    assert tree == expected, changed("weasyprint.Document.make_bookmark_tree", "made from stand-in pages, the "
                                                                               "tree is not the document's")


def test_progress_announces_each_page(rendered):
    """Item 6: the page limit of a project template's PDF counts the pages by these announcements."""
    document, records = rendered[1], rendered[3]["progress"]
    pages = [weasyprint_private.announced_page(record) for record in records]
    assert [page for page in pages if page is not None] == list(range(1, len(document.pages) + 1)), changed(
        "the weasyprint.progress logger's page announcements", f"no longer "
        f"{weasyprint_private.PAGE_ANNOUNCEMENT!r} with the page's number, so the page limit of a project "
        f"template's PDF (pdf._PageCounter) counts nothing (it saw {[r.msg for r in records][:8]})")


def test_progress_announces_each_step(rendered):
    """Item 6: the progress line words WeasyPrint's other steps by how their records begin."""
    records = rendered[3]["progress"]
    steps = {weasyprint_private.announced_step(record) for record in records} - {None}
    missing = [words for words in weasyprint_private.STEP_ANNOUNCEMENTS.values() if words not in steps]
    assert not missing, changed("the weasyprint.progress logger's step announcements", f"no record begins as "
                                f"STEP_ANNOUNCEMENTS says for {missing}, so the progress line no longer shows "
                                f"those steps (it saw {sorted({str(r.msg)[:30] for r in records})[:8]})")


def test_plain_dictionary_is_written_outside_object_streams(rendered):
    """Item 7: pydyf's compressible, which keeps the provenance stamp findable by its bytes."""
    data = rendered[2]
    assert b"/RaciPacked" not in data, "pydyf no longer packs small objects: this test cannot tell any more"
    assert b"/RaciProbe (plain)" in data, changed(
        "pydyf.Object.compressible", "a dictionary whose compressible is False is packed into an object stream",
        package="pydyf")


def test_marked_content_is_three_operators(rendered):
    """Item 8: pdf_tags rewrites a page's marked content as pydyf's Stream.stream holds it."""
    import pydyf

    stream = pydyf.Stream()
    properties = pydyf.Dictionary({"MCID": 0})
    stream.begin_marked_content("P", properties)
    assert stream.stream[-3:] == ["/P", properties, b"BDC"], changed(
        "pydyf.Stream.stream", f"begin_marked_content appends {stream.stream!r}", package="pydyf")
    assert rendered[3]["marked"], changed(
        "pydyf.Stream.stream", "WeasyPrint's pages hold no /Tag, <<MCID>>, BDC sequence", package="pydyf")


JINJA = "see src/raci_gen/documents/sandbox.py (_BoundedCodeGenerator)"


def test_jinja2_output_child_to_const():
    """The sandbox's code generator overrides CodeGenerator._output_child_to_const so that no ``{{ ... }}`` is
    evaluated while compiling, out of reach of its time and memory limits."""
    from jinja2.compiler import CodeGenerator

    method = getattr(CodeGenerator, "_output_child_to_const", None)
    assert method is not None and "_output_child_to_const" in CodeGenerator.visit_Output.__code__.co_names, changed(
        "jinja2.compiler.CodeGenerator._output_child_to_const", "visit_Output no longer folds constants through it, "
        "and the sandbox's override may not stop the folding", package="jinja2", where=JINJA)
    assert list(inspect.signature(method).parameters) == ["self", "node", "frame", "finalize"], changed(
        "jinja2.compiler.CodeGenerator._output_child_to_const", f"its parameters are {inspect.signature(method)}",
        package="jinja2", where=JINJA)


def test_jinja2_visit_concat_is_the_one_copied():
    """The sandbox's visit_Concat is Jinja2's but for the call that measures the parts."""
    from jinja2.compiler import CodeGenerator

    from raci_gen.documents import sandbox

    # Without Jinja2's @optimizeconst, which would fold a constant concatenation before it is measured.
    theirs = textwrap.dedent(inspect.getsource(CodeGenerator.visit_Concat)).removeprefix("@optimizeconst\n")
    ours = textwrap.dedent(inspect.getsource(sandbox._BoundedCodeGenerator.visit_Concat))
    ours = ours.replace("environment.checked_parts((", "(").replace('self.write(")))")', 'self.write("))")')
    assert ours == theirs, changed("jinja2.compiler.CodeGenerator.visit_Concat", "it is not the method the sandbox "
                                   "copied: copy the new one", package="jinja2", where=JINJA)


def test_openpyxl_names_sheet_parts_by_their_place():
    """documents/xlsx.py writes the Summary sheet's computed values into the part openpyxl names
    ``xl/worksheets/sheetN.xml``, N the sheet's place in the workbook from 1."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "First"
    for name in ("Second", "Third"):
        workbook.create_sheet(name)["A1"] = f"in {name}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        parts = {name: archive.read(name).decode("utf-8") for name in archive.namelist()
                 if name.startswith("xl/worksheets/sheet")}
    holders = sorted(name for name, text in parts.items() if "<c " in text)
    assert holders == ["xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml"], changed(
        "openpyxl's worksheet part names", f"the sheets holding a cell are {holders}", package="openpyxl",
        where="see src/raci_gen/documents/xlsx.py (render_xlsx's cached Summary values)")


def test_newest_dependencies_workflow(repo_root):
    """The job that runs the tests with the newest releases loads, may fail without failing the run, reports in
    the run's summary, and upgrades every runtime dependency pyproject.toml names (read there, bounds dropped)."""
    import yaml

    tomllib = pytest.importorskip("tomllib")  # Python 3.11, as the job's snippet needs
    workflow = yaml.safe_load((repo_root / ".github" / "workflows" / "newest-dependencies.yml").read_text("utf-8"))
    job = workflow["jobs"]["newest"]
    assert job["continue-on-error"] is True
    runs = "\n".join(step.get("run", "") for step in job["steps"])
    assert "--upgrade --upgrade-strategy eager" in runs and "GITHUB_STEP_SUMMARY" in runs
    install = next(step["run"] for step in job["steps"] if "newest=" in step.get("run", ""))
    names = re.search(r"newest=\"\$\(python -c '(.*?)'\)\"", install, re.S).group(1)
    pyproject = tomllib.loads((repo_root / "pyproject.toml").read_text("utf-8"))
    listed = subprocess.run([sys.executable, "-c", names], cwd=repo_root, capture_output=True, text=True,
                            check=True, timeout=60).stdout.split()
    assert "weasyprint" in listed and len(listed) == len(pyproject["project"]["dependencies"])
    assert not any(set(name) & set("<>=!~;[ ") for name in listed)

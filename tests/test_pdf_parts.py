"""A long PDF laid out in parts by worker processes and joined (renderers/pdf_parts.py) reads as one document.

The example is small, so the part sizes are lowered here to cut it into many parts; the joined
PDF is then compared with the example's usual one-document PDF (the session's ``example_pdf``),
read back with pypdf and pdfplumber: the same pages, the same footers with "Page N of M", the
same bookmarks, links that all land, one tagged structure with nothing lost, the same
metadata and provenance stamp, and the same bytes with two workers, one, or none.
"""

from __future__ import annotations

import collections
import io
import os
import re
import signal

import pdfplumber
import pypdf
import pytest

from conftest import run_in_process
from raci_gen.writing import provenance
from raci_gen.model.errors import EnvironmentFailure, RenderError, TemplateFailure
from raci_gen.documents import pdf_parts
from raci_gen.documents.pdf import render_pdf


@pytest.fixture
def small_parts(monkeypatch):
    """Part sizes that cut the example into many parts."""
    monkeypatch.setattr(pdf_parts, "PARTS_FROM", 10)
    monkeypatch.setattr(pdf_parts, "PART_CELLS", 100)  # 20 rows a part: the matrix in several parts
    monkeypatch.setattr(pdf_parts, "PART_NOTES", 12)
    monkeypatch.setattr(pdf_parts, "PART_VIEW_ENTRIES", 40)  # the by-role section in several parts too
    return monkeypatch


def _render_with(document, workers: int) -> bytes:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf_parts, "worker_count", lambda: workers)
        return render_pdf(document)


@pytest.fixture(scope="module")
def parts_pdf(example_document) -> bytes:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf_parts, "PARTS_FROM", 10)
        patch.setattr(pdf_parts, "PART_CELLS", 100)
        patch.setattr(pdf_parts, "PART_NOTES", 12)
        assert pdf_parts.wanted(example_document)
        return _render_with(example_document, 2)


def reader(data: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(data))


def outline(pdf: pypdf.PdfReader, items=None, depth=0) -> list[tuple[int, str, int]]:
    found = []
    for item in pdf.outline if items is None else items:
        if isinstance(item, list):
            found += outline(pdf, item, depth + 1)
        else:
            found.append((depth, item.title, pdf.get_destination_page_number(item)))
    return found


def page_texts(data: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [re.sub(r"\s+", "", page.extract_text() or "") for page in pdf.pages]


def structure(pdf: pypdf.PdfReader) -> tuple[collections.Counter, int]:
    """Structure elements by type, and how many have a /P that is not their parent."""
    tree = pdf.trailer["/Root"]["/StructTreeRoot"]
    kids = tree["/K"]
    stack = [kids[0] if isinstance(kids, list) else kids]
    counts: collections.Counter = collections.Counter()
    wrong_parent = 0
    while stack:
        element = stack.pop().get_object()
        counts[element["/S"]] += 1
        children = element.get("/K", [])
        for child in children if isinstance(children, list) else [children]:
            node = child.get_object() if hasattr(child, "get_object") else child
            if isinstance(node, dict) and "/S" in node:
                wrong_parent += node["/P"].get_object() is not element
                stack.append(child)
    return counts, wrong_parent


def test_parts_have_the_pages_of_one_document(parts_pdf, example_pdf):
    joined, whole = page_texts(parts_pdf), page_texts(example_pdf)
    assert len(joined) == len(whole)
    assert joined == whole


def test_same_bytes_with_two_workers_one_or_none(small_parts, example_document):
    two = _render_with(example_document, 2)
    assert _render_with(example_document, 1) == two
    assert _render_with(example_document, 0) == two  # in this process, as inside a multi-project build
    assert len(page_texts(two)) >= len(page_texts(render_pdf_whole(example_document)))


def render_pdf_whole(document) -> bytes:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf_parts, "PARTS_FROM", 10**9)
        return render_pdf(document)


def test_every_page_says_page_n_of_m(parts_pdf):
    texts = page_texts(parts_pdf)
    for number, text in enumerate(texts, start=1):
        assert text.endswith(f"Page{number}of{len(texts)}"), text[-40:]


def test_footers_are_artifacts_over_the_page(parts_pdf):
    pdf = reader(parts_pdf)
    for page in pdf.pages:
        drawn = b"".join(c.get_object().get_data() for c in page["/Contents"])
        assert re.search(rb"/Artifact BMC\s*/RaciFooter\d+ Do\s*EMC", drawn)


def test_bookmarks_are_those_of_one_document(parts_pdf, example_pdf):
    assert outline(reader(parts_pdf)) == outline(reader(example_pdf))
    assert ("Matrix" in [title for depth, title, _ in outline(reader(parts_pdf)) if depth == 0])


def test_links_land_on_their_targets(parts_pdf, example_pdf):
    pdf, whole = reader(parts_pdf), reader(example_pdf)
    names = pdf.named_destinations
    assert set(names) == set(whole.named_destinations)

    def landing(reader_, target):
        return reader_.get_destination_page_number(reader_.named_destinations[target])

    links = 0
    for page in pdf.pages:
        for annotation in page.get("/Annots", []):
            annotation = annotation.get_object()
            if annotation.get("/Subtype") != "/Link":
                continue
            action = annotation.get("/A")
            assert action is None or not str(action.get_object().get("/URI", "")).startswith("raci-anchor:")
            target = annotation.get("/Dest")
            if target is not None:
                links += 1
                assert landing(pdf, str(target)) == landing(whole, str(target))
    whole_links = sum(1 for page in whole.pages for a in page.get("/Annots", [])
                      if a.get_object().get("/Dest") is not None)
    assert links == whole_links > 0


def test_one_tagged_structure_with_nothing_lost(parts_pdf, example_pdf):
    pdf = reader(parts_pdf)
    counts, wrong_parent = structure(pdf)
    assert counts == structure(reader(example_pdf))[0]
    assert wrong_parent == 0
    nums = pdf.trailer["/Root"]["/StructTreeRoot"]["/ParentTree"]["/Nums"]
    parent_tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    for page in pdf.pages:
        drawn = b"".join(c.get_object().get_data() for c in page["/Contents"])
        marked = parent_tree[page["/StructParents"]]
        assert len(marked) == len(re.findall(rb"/MCID", drawn))
        for annotation in page.get("/Annots", []):
            annotation = annotation.get_object()
            assert annotation["/StructParent"] in parent_tree


def test_catalog_metadata_and_stamp_are_kept(parts_pdf, example_pdf):
    pdf, whole = reader(parts_pdf), reader(example_pdf)
    for entry in ("/Lang", "/MarkInfo", "/ViewerPreferences"):
        assert pdf.trailer["/Root"][entry] == whole.trailer["/Root"][entry]
    assert dict(pdf.metadata) == dict(whole.metadata)
    assert provenance.PDF_KEY in "".join(pdf.metadata)
    # found by its bytes, as `build --check` reads it
    assert provenance._pdf_stamp(parts_pdf) == provenance._pdf_stamp(example_pdf) is not None


def test_a_variant_in_parts_keeps_its_metadata(small_parts, example_document):
    import dataclasses

    document = dataclasses.replace(example_document, pdf_variant="pdf/a-3b")
    pdf = reader(_render_with(document, 2))
    root = pdf.trailer["/Root"]
    assert "/OutputIntents" in root
    assert b"pdfaid" in root["/Metadata"].get_object().get_data()


def test_build_then_check_passes_on_a_parts_pdf(small_parts, tmp_path, repo_root):
    out = tmp_path / "out"
    result = run_in_process("build", str(repo_root), "-f", "pdf", "-o", str(out))
    assert result.returncode == 0, result.stderr
    first = pypdf.PdfReader(out / "raci-matrix.pdf").pages[0]
    assert "/RaciFooter0" in first["/Resources"]["/XObject"]  # a joined file: its footers laid over
    check = run_in_process("build", str(repo_root), "-f", "pdf", "-o", str(out), "--check")
    assert check.returncode == 0, check.stdout + check.stderr


def _failing_part(exc: BaseException):
    real = pdf_parts._lay_out

    def lay_out(weasyprint, document, fetcher, options, stream, start, per_part, path):
        if start > 0:  # a later part, while others are in flight
            raise exc
        return real(weasyprint, document, fetcher, options, stream, start, per_part, path)

    return lay_out


@pytest.mark.parametrize("workers", [2, 0])
def test_an_error_in_a_worker_is_the_same_error(small_parts, example_document, workers):
    small_parts.setattr(pdf_parts, "_lay_out", _failing_part(RenderError("the font would not load")))
    with pytest.raises(RenderError, match="^the font would not load$"):
        _render_with(example_document, workers)


def test_a_template_failure_in_a_worker_keeps_its_problems(small_parts, example_document):
    from raci_gen.model.errors import Location, Problem

    problem = Problem(Location("templates/x.j2", 3, 1), "template failed: ZeroDivisionError: division by zero")
    small_parts.setattr(pdf_parts, "_lay_out", _failing_part(TemplateFailure([problem])))
    with pytest.raises(TemplateFailure) as caught:
        _render_with(example_document, 2)
    assert caught.value.problems == [problem]


def test_memory_error_in_a_worker_is_a_memory_error(small_parts, example_document):
    small_parts.setattr(pdf_parts, "_lay_out", _failing_part(MemoryError()))
    with pytest.raises(MemoryError):
        _render_with(example_document, 2)


def test_a_killed_worker_is_one_line_and_nothing_is_written(small_parts, tmp_path, repo_root):
    def killed(*args):
        os.kill(os.getpid(), signal.SIGKILL)

    small_parts.setattr(pdf_parts, "_lay_out", killed)
    out = tmp_path / "out"
    result = run_in_process("build", str(repo_root), "-f", "pdf", "-o", str(out))
    assert result.returncode == 4
    assert result.stderr.strip().splitlines() == [
        "error: a process rendering the PDF was stopped (signal SIGKILL; out of memory?); no file was changed"]
    assert not (out / "raci-matrix.pdf").exists()


def test_a_killed_worker_is_an_environment_failure(small_parts, example_document):
    small_parts.setattr(pdf_parts, "_lay_out", lambda *args: os.kill(os.getpid(), signal.SIGKILL))
    with pytest.raises(EnvironmentFailure, match="SIGKILL"):
        _render_with(example_document, 2)


def test_parts_are_cut_by_the_content_not_the_cores(small_parts, example_document):
    streams = pdf_parts._streams(example_document)
    assert [s.per_part for s in streams] == [s.per_part for s in pdf_parts._streams(example_document)]
    assert len(streams) > 3


def test_small_matrices_stay_one_document(example_document):
    assert not pdf_parts.wanted(example_document)


def _wide(make_project, document_of, folder, activities: int, roles: int):
    role_list = [{"id": f"R{r}", "name": f"Role {r}"} for r in range(1, roles + 1)]
    rows = [{"id": f"A-{n}", "name": f"Activity {n}", "raci": {f"R{n % roles + 1}": "A/R"}}
            for n in range(activities)]
    return document_of(make_project(folder, role_list, {"01-work": {"phase": "Work", "activities": rows}}))


def test_wide_matrices_are_laid_out_in_parts(make_project, document_of, tmp_path, monkeypatch):
    """A wide matrix costs memory by its cells: 60 activities are few, but not at 200 roles."""
    monkeypatch.setattr(pdf_parts, "PARTS_FROM_WORK", 10**9)  # the cells alone decide here
    assert pdf_parts.wanted(_wide(make_project, document_of, tmp_path / "wide", 60, 200))
    assert not pdf_parts.wanted(_wide(make_project, document_of, tmp_path / "narrow", 60, 100))


def test_a_matrix_cut_by_its_cells_has_the_pages_of_one_document(monkeypatch, example_document, example_pdf):
    monkeypatch.setattr(pdf_parts, "PARTS_FROM_CELLS", 100)  # the example's 48 x 7 cells are many
    assert pdf_parts.wanted(example_document)
    assert page_texts(_render_with(example_document, 2)) == page_texts(example_pdf)


def test_a_project_template_keeps_one_document(small_parts, tmp_path, example_document):
    import dataclasses

    (tmp_path / "raci.css").write_text("body {}\n")
    assert not pdf_parts.wanted(dataclasses.replace(example_document, template_dir=str(tmp_path)))


def test_no_worker_inside_a_worker():
    import multiprocessing

    context = multiprocessing.get_context("fork")
    with context.Pool(1) as pool:
        assert pool.apply(pdf_parts.worker_count) == 0
    assert pdf_parts.worker_count() >= 1


def _mid_size(make_project, folder, activities: int, roles: int):
    """A matrix as projects have them: four roles on each activity (A/R, and C, I, C further along)."""
    role_list = [{"id": f"R{r}", "name": f"Role number {r}"} for r in range(1, roles + 1)]
    rows = []
    for n in range(activities):
        raci = {f"R{n % roles + 1}": "A/R"}
        for step, letter in ((3, "C"), (7, "I"), (11, "C")):
            raci.setdefault(f"R{(n + step) % roles + 1}", letter)
        rows.append({"id": f"A-{n}", "name": f"Activity number {n} with a name of usual length", "raci": raci})
    half = activities // 2
    return make_project(folder, role_list, {"01-plan": {"phase": "Plan", "activities": rows[:half]},
                                            "02-run": {"phase": "Run", "activities": rows[half:]}})


def _smallest_mid_size(make_project, document_of, folder, roles: int = 30):
    """The fewest activities of ``roles`` roles whose PDF is laid out in parts for the time (PARTS_FROM_WORK)."""
    per_activity = roles + pdf_parts.VIEW_ENTRY_CELLS * 4
    activities = -(-pdf_parts.PARTS_FROM_WORK // per_activity)
    project = _mid_size(make_project, folder, activities, roles)
    return project, document_of(project)


def test_mid_size_matrices_are_laid_out_in_parts(make_project, document_of, tmp_path):
    """Below PARTS_FROM activities and PARTS_FROM_CELLS cells, a matrix with PARTS_FROM_WORK of layout work is laid
    out in parts (both cores work on it); one activity fewer is one piece."""
    project, document = _smallest_mid_size(make_project, document_of, tmp_path / "mid")
    activities = sum(len(p.activities) for p in document.matrix.phases)
    assert activities <= pdf_parts.PARTS_FROM and activities * 30 <= pdf_parts.PARTS_FROM_CELLS
    assert pdf_parts.layout_work(document) >= pdf_parts.PARTS_FROM_WORK and pdf_parts.wanted(document)
    smaller = document_of(_mid_size(make_project, tmp_path / "smaller", activities - 1, 30))
    assert pdf_parts.layout_work(smaller) < pdf_parts.PARTS_FROM_WORK and not pdf_parts.wanted(smaller)


def test_a_mid_size_pdf_is_the_same_bytes_on_one_core_or_two(make_project, document_of, tmp_path):
    """The cut is the content's: raci-gen run on one core of this machine (its affinity set, as taskset does) writes
    the bytes it writes on every core, for the smallest matrix laid out in parts for the time."""
    import subprocess
    import sys

    if not hasattr(os, "sched_setaffinity"):
        pytest.skip("no processor affinity on this system")
    project, document = _smallest_mid_size(make_project, document_of, tmp_path / "mid")
    assert pdf_parts.wanted(document)
    one_core = min(os.sched_getaffinity(0))
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    written = {}
    for name, affinity in (("all", None), ("one", {one_core})):
        out = tmp_path / name
        subprocess.run([sys.executable, "-m", "raci_gen", "build", str(project), "-f", "pdf", "-o", str(out), "-q",
                        "--no-lint"], env=env, check=True, timeout=300,
                       preexec_fn=(lambda: os.sched_setaffinity(0, affinity)) if affinity else None)
        written[name] = next(out.glob("*.pdf")).read_bytes()
    assert written["one"] == written["all"]
    first = pypdf.PdfReader(io.BytesIO(written["all"])).pages[0]
    assert "/RaciFooter0" in first["/Resources"]["/XObject"]  # a joined file: laid out in parts


def test_the_heaviest_parts_start_first(make_project, document_of, tmp_path):
    """Of a mid-size matrix's parts the by-role section's is the longest (about a third of the work at 60 x 30):
    it starts first, so that both cores finish together (in the streams' order it started after the role chunks and
    the roles table). The order is the workers' affair only (test_same_bytes_with_two_workers_one_or_none)."""
    _, document = _smallest_mid_size(make_project, document_of, tmp_path / "mid")
    streams = pdf_parts._streams(document)
    started = []

    def lay_out(number: int, start: int, per_part: int) -> pdf_parts.Laid:
        started.append(number)
        return pdf_parts.Laid(f"part-{number}.pdf", [], None, per_part)

    pdf_parts._run(streams, lay_out, 0)
    views = next(number for number, stream in enumerate(streams) if stream.weight == max(s.weight for s in streams))
    assert started[0] == views and streams[views].make(0, 0, True).views
    assert sorted(started) == list(range(len(streams)))

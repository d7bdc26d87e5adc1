"""Reproducible builds: with SOURCE_DATE_EPOCH set, the same input gives the same bytes,

whatever the working directory, the process, its hash seed or the order of renders.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import hashlib
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from raci_gen.cli import main
from raci_gen.input.loader import load_project
from raci_gen.documents import FORMATS
from raci_gen.documents.document import make_document
from conftest import copy_example

REPO_ROOT = Path(__file__).resolve().parents[1]
EPOCH = "1700000000"
CHEAP = ("md", "html", "xlsx")


def render_all(root: str, formats=CHEAP) -> dict[str, bytes]:
    document = make_document(load_project(root))
    return {f: FORMATS[f].render(document) for f in formats}


def digest(data: dict[str, bytes]) -> dict[str, str]:
    return {f: hashlib.sha256(b).hexdigest() for f, b in data.items()}



@pytest.fixture
def epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def test_rendering_twice_gives_the_same_bytes(epoch):
    first = render_all(str(REPO_ROOT))
    second = render_all(str(REPO_ROOT))
    assert digest(first) == digest(second)


def test_same_bytes_from_another_working_directory(epoch, monkeypatch, tmp_path):
    monkeypatch.chdir(REPO_ROOT)
    here = render_all(".")
    monkeypatch.chdir(tmp_path)
    absolute = render_all(str(REPO_ROOT))
    monkeypatch.chdir(REPO_ROOT.parent)
    relative = render_all(REPO_ROOT.name)
    assert digest(here) == digest(absolute) == digest(relative)


def test_pdf_is_the_same_from_another_working_directory(epoch, monkeypatch, tmp_path, example_pdf):
    """The session's example PDF was rendered from the repository root by absolute path, first;
    this one is rendered later in the same process, from another folder, by a relative path."""
    monkeypatch.chdir(REPO_ROOT.parent)
    again = FORMATS["pdf"].render(make_document(load_project(REPO_ROOT.name)))
    assert hashlib.sha256(again).hexdigest() == hashlib.sha256(example_pdf).hexdigest()


def test_the_epoch_reaches_every_document(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    a = render_all(str(REPO_ROOT))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(EPOCH) + 86_400))
    b = render_all(str(REPO_ROOT))
    assert all(a[f] != b[f] for f in CHEAP)  # the date is in every document, so the epoch does reach them


def test_builds_in_separate_processes_are_identical(tmp_path, monkeypatch):
    """One build in a fresh process (another hash seed, another working folder, absolute paths),
    one in this process (relative paths): every format, byte for byte."""
    one = copy_example(tmp_path / "one")
    two = copy_example(tmp_path / "two")
    # every document format; CODEOWNERS goes into a git repository's file, not the output folder
    # (tests/test_codeowners.py checks that file)
    documents = {name: fmt for name, fmt in FORMATS.items() if name != "codeowners"}
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONHASHSEED": "12345"}
    proc = subprocess.run([sys.executable, "-m", "raci_gen", "build", str(one), "-q", "-f", ",".join(documents)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.chdir(two)
    result = CliRunner().invoke(main, ["build", ".", "-q", "-f", ",".join(documents)])
    assert result.exit_code == 0, result.output
    names = sorted(os.listdir(one / "output"))
    assert names == sorted(f"raci-matrix{fmt.suffix}" for fmt in documents.values())
    for name in names:
        assert (one / "output" / name).read_bytes() == (two / "output" / name).read_bytes(), name


# --- the date: SOURCE_DATE_EPOCH, `date:` in raci.yaml, and neither ------------------------------------------------

BUILD_TIMES = (_dt.datetime(2024, 6, 1, 12, 0, 0, tzinfo=_dt.timezone.utc),
               _dt.datetime(2024, 6, 2, 13, 5, 7, tzinfo=_dt.timezone.utc))
"""Two wall-clock times of two builds without SOURCE_DATE_EPOCH: another day, another second."""


@pytest.fixture
def dated(tmp_path, monkeypatch) -> Path:
    """A copy of the example with `date: 2024-05-01` in raci.yaml, and no SOURCE_DATE_EPOCH."""
    root = copy_example(tmp_path / "dated")
    with open(root / "raci.yaml", "a", encoding="utf-8") as fh:
        fh.write("date: 2024-05-01\n")
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    return root


def render_at(root: Path, monkeypatch, formats, times=BUILD_TIMES) -> list[dict[str, bytes]]:
    """The documents of ``root`` rendered at each of :data:`BUILD_TIMES` (the system clock, faked)."""
    from raci_gen.input import clock

    project = load_project(str(root))
    result = []
    for when in times:
        monkeypatch.setattr(clock, "_dt", SimpleNamespace(datetime=_frozen_datetime(when), timezone=_dt.timezone, date=_dt.date))
        document = make_document(project)
        # `date:` in raci.yaml fixes the stamp (midnight UTC of that date), whatever the clock says
        assert document.created == _dt.datetime(2024, 5, 1, tzinfo=_dt.timezone.utc)
        result.append({f: FORMATS[f].render(document) for f in formats})
    return result


def _frozen_datetime(when: _dt.datetime) -> type:
    class Frozen(_dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return when.astimezone(tz) if tz else when.replace(tzinfo=None)
    return Frozen


def test_date_in_raci_yaml_makes_markdown_reproducible_without_the_epoch(dated, monkeypatch):
    first, second = render_at(dated, monkeypatch, ["md"])
    assert first["md"] == second["md"]
    assert "**Date:** 2024-05-01" in first["md"].decode("utf-8")


def test_date_in_raci_yaml_makes_html_reproducible_without_the_epoch(dated, monkeypatch):
    first, second = render_at(dated, monkeypatch, ["html"])
    assert first["html"] == second["html"]
    assert b'content="2024-05-01T00:00:00Z"' in first["html"]


def test_date_in_raci_yaml_makes_the_workbook_reproducible_without_the_epoch(dated, monkeypatch):
    """The workbook's properties and zip entry times are the document's date, not the build time."""
    first, second = render_at(dated, monkeypatch, ["xlsx"])
    assert first["xlsx"] == second["xlsx"]
    archive = zipfile.ZipFile(io.BytesIO(first["xlsx"]))
    core = archive.read("docProps/core.xml").decode("utf-8")
    assert "2024-05-01T00:00:00Z" in core and "2024-06-0" not in core
    assert archive.infolist()[0].date_time == (2024, 5, 1, 0, 0, 0)


def test_date_in_raci_yaml_stamps_the_pdf(dated, monkeypatch):
    """The PDF's CreationDate and ModDate are the document's date. One render (they are slow)."""
    import pypdf

    (pdf,) = [r["pdf"] for r in render_at(dated, monkeypatch, ["pdf"], BUILD_TIMES[:1])]
    metadata = pypdf.PdfReader(io.BytesIO(pdf)).metadata
    assert metadata["/CreationDate"] == metadata["/ModDate"] == "D:20240501000000Z"


def changed_lines(a: bytes, b: bytes) -> list[str]:
    """The lines of ``a`` and ``b`` that differ (difflib), without the diff's own markers."""
    diff = difflib.unified_diff(a.decode("utf-8").splitlines(), b.decode("utf-8").splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_another_epoch_changes_only_the_date_line_of_the_markdown(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    a = render_all(str(REPO_ROOT), ["md", "html"])
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(EPOCH) + 3 * 86_400))
    b = render_all(str(REPO_ROOT), ["md", "html"])
    # the provenance comment records the date too (its lines: the Markdown's stamp goes across lines);
    # apart from it, only the date line changes
    from raci_gen.writing.provenance import stamp_lines

    def without_stamp(data: bytes) -> bytes:
        lines = data.splitlines(keepends=True)
        held = stamp_lines([line.decode("utf-8") for line in lines])
        return b"".join(line for i, line in enumerate(lines) if i not in held)

    changed = changed_lines(without_stamp(a["md"]), without_stamp(b["md"]))
    assert len(changed) == 2, changed
    old, new = changed
    assert old.startswith("-") and "**Date:** 2023-11-14" in old
    assert new.startswith("+") and "**Date:** 2023-11-17" in new
    assert old.replace("2023-11-14", "2023-11-17")[1:] == new[1:]
    # The HTML: the date shown and the build time in the metadata, nothing else.
    assert all("2023-11-14" in line or "2023-11-17" in line for line in changed_lines(a["html"], b["html"]))
    # ... and in the stamp, its lines of the date, the options (whose digest covers the date) and the time
    assert len(changed_lines(a["md"], b["md"])) == 2 + 2 * 3


def test_another_epoch_changes_the_pdf(monkeypatch, example_pdf):
    import pypdf

    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(EPOCH) + 86_400))
    other = FORMATS["pdf"].render(make_document(load_project(str(REPO_ROOT))))
    assert hashlib.sha256(other).hexdigest() != hashlib.sha256(example_pdf).hexdigest()
    assert pypdf.PdfReader(io.BytesIO(example_pdf)).metadata["/CreationDate"] == "D:20231114221320Z"
    assert pypdf.PdfReader(io.BytesIO(other)).metadata["/CreationDate"] == "D:20231115221320Z"


# --- bytes that do not depend on optional libraries -----------------------------------------------------------------

RENDER_ONE = """
import os, sys
if sys.argv[2] == "block":
    {block}
from raci_gen.input.loader import load_project
from raci_gen.documents import FORMATS
from raci_gen.documents.document import make_document
data = FORMATS[sys.argv[1]].render(make_document(load_project(sys.argv[3])))
sys.stdout.buffer.write(data)
"""


def render_in_subprocess(fmt: str, block: str, mode: str, root: Path) -> bytes:
    code = RENDER_ONE.replace("{block}", block)
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    proc = subprocess.run([sys.executable, "-c", code, fmt, mode, str(root)], capture_output=True, env=env,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    return proc.stdout


BLOCK_LXML = "sys.modules['lxml'] = None  # an import of lxml now fails, as where it is not installed"


def test_openpyxl_takes_lxml_when_it_can():
    """The premise of the next test: with lxml importable, openpyxl writes its XML with lxml."""
    pytest.importorskip("lxml")
    code = "import sys\n{}\nimport openpyxl\nprint(openpyxl.LXML)"
    on = subprocess.run([sys.executable, "-c", code.format("")], capture_output=True, text=True, timeout=60)
    off = subprocess.run([sys.executable, "-c", code.format(BLOCK_LXML)], capture_output=True, text=True,
                         timeout=60)
    assert (on.stdout.strip(), off.stdout.strip()) == ("True", "False")


def test_the_workbook_is_the_same_with_and_without_lxml():
    pytest.importorskip("lxml")
    with_lxml = render_in_subprocess("xlsx", BLOCK_LXML, "as-is", REPO_ROOT)
    without = render_in_subprocess("xlsx", BLOCK_LXML, "block", REPO_ROOT)
    assert with_lxml == without
    assert zipfile.ZipFile(io.BytesIO(with_lxml)).testzip() is None


BLOCK_HB_SUBSET = (
    "import cffi\n"
    "    real = cffi.FFI.dlopen\n"
    "    def dlopen(self, name, *args):\n"
    "        if 'harfbuzz-subset' in str(name):\n"
    "            raise OSError('blocked: ' + str(name))  # as where libharfbuzz-subset0 is not installed\n"
    "        return real(self, name, *args)\n"
    "    cffi.FFI.dlopen = dlopen"
)


def test_the_pdf_is_the_same_with_and_without_harfbuzz_subset(tmp_path, make_project):
    """WeasyPrint subsets fonts with HarfBuzz when libharfbuzz-subset is there, with fontTools otherwise;
    raci-gen always takes fontTools, so the bytes are the same either way."""
    weasyprint_ffi = pytest.importorskip("weasyprint.text.ffi")
    if weasyprint_ffi.harfbuzz_subset is None:
        pytest.skip("libharfbuzz-subset is not installed: only the fontTools road exists here")
    root = make_project(tmp_path, [{"id": "R1", "name": "Owner"}, {"id": "R2", "name": "Doer"}],
                        {"01": {"phase": "P", "activities": [{"id": "A-1", "name": "a", "raci": {"R1": "A", "R2": "R"}}]}})
    check = ("import sys\nif sys.argv[1] == 'block':\n    " + BLOCK_HB_SUBSET + "\n"
             "from weasyprint.text import ffi\nprint(ffi.harfbuzz_subset is None)")
    assert subprocess.run([sys.executable, "-c", check, "block"], capture_output=True, text=True,
                          timeout=60).stdout.strip() == "True"
    with_hb = render_in_subprocess("pdf", BLOCK_HB_SUBSET, "as-is", root)
    without = render_in_subprocess("pdf", BLOCK_HB_SUBSET, "block", root)
    assert with_hb[:5] == b"%PDF-"
    assert with_hb == without

"""Build documents in memory, then write them, or compare them with what is on disk.

A build goes one way: :func:`plan` works out, once, the document (its date, provenance and findings),
where each format goes and the pages that receive a section; :func:`render` renders it in memory;
:func:`write` writes it, or :func:`compare` holds it against what is on disk (``build --check``). ``build``,
``build --check``, ``serve`` and each project of a multi-project build go through it; :func:`generate`,
:func:`check` and :func:`generate_changed` are that way in one call.

Generating is kept apart from writing: every document of a build is rendered
before the first byte is written, so bad input or a failing renderer leaves the
output folder as it was. Writing is :func:`raci_gen.runtime.confined.write_all`: every file
of the build, or none, each beneath the project folder or the folder named with
``--out``, never through a symbolic link that leads out.

The check (:func:`check`) renders the text documents (Markdown, HTML, injected
pages; cheap) and compares them byte for byte; the PDF and the workbook are
decided by the provenance they record (:mod:`raci_gen.writing.provenance`), without
rendering them, unless a byte-for-byte comparison is asked for.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import difflib
import gc
import os
import pickle
import signal
import sys
from dataclasses import dataclass
from typing import Iterable

from raci_gen.input import clock
from raci_gen.runtime import progress, scratch
from raci_gen.writing import provenance
from raci_gen.runtime.children import die_with, portable, restored, stopped
from raci_gen.checks.analysis import Finding
from raci_gen.runtime.confined import Write, confine, read_regular, write_all
from raci_gen.model.errors import RaciError, RenderError, TemplateFailure
from raci_gen.writing.inject import inject_file
from raci_gen.writing.codeowners_file import codeowners_text
from raci_gen.input import codeowners_place
from raci_gen.input.files import inside_project
from raci_gen.model.matrix import Injection, Project
from raci_gen.documents import FORMATS, stamp
from raci_gen.documents.document import Document, make_document, resolve_date


@dataclass(frozen=True)
class Output:
    path: str
    data: bytes
    format: str
    root: str | None = None
    """The folder the file must stay in: the project, or the folder named on the command line."""


def output_paths(project: Project, formats: Iterable[str], out_dir: str | None = None) -> dict[str, str]:
    """Where each format goes: ``OUT_DIR/NAME.SUFFIX``."""
    settings = project.settings.output
    folder = out_dir
    if folder is None:
        folder = os.path.normpath(os.path.join(project.root, settings.dir))
        if not inside_project(project.root, folder):
            raise RaciError(f"{folder}: error: output.dir {settings.dir!r} leads outside the project folder; "
                            "give --out on the command line to write elsewhere")
    paths = {f: os.path.join(folder, settings.name + FORMATS[f].suffix) for f in formats}
    if "codeowners" in paths:  # the file the project names (in the repository), or --out's CODEOWNERS
        paths["codeowners"] = os.path.join(out_dir, os.path.basename(settings.codeowners.file)) \
            if out_dir is not None else codeowners_place.place(project.root, settings.codeowners)[0]
    return paths


@dataclass(frozen=True)
class BuildPlan:
    """A build worked out once, before anything is rendered: the document (its date, provenance and
    findings), where each chosen format goes, the pages that receive a section, and the documents on
    disk it reads back (for the date they keep, then to compare), each read once.

    Every build goes this one way: :func:`plan`, then :func:`render` (in memory), then :func:`write`, or
    :func:`compare` (``build --check``, the portfolio's state of each project's documents), or
    :func:`render_changed` (a build that leaves what is up to date as it is). ``build``, ``build --check``,
    ``serve`` and each project of a multi-project build (the same command, run in a worker) start here.
    """

    project: Project
    document: Document
    paths: dict[str, str]
    """Where each chosen format goes, in the order they are rendered."""
    pages: tuple[Injection, ...]
    """The pages that receive a section."""
    out_dir: str | None
    """The folder named with ``--out``, or None (the project's output.dir)."""
    read_back: "_ReadBack"

    def root(self, path: str, fmt: str) -> str:
        """The folder the file at ``path`` must stay in, written or read back: the project, or the folder
        named on the command line (``--out``; for a page, its own folder)."""
        named = (os.path.dirname(path) or ".") if fmt == "inject" else self.out_dir
        if fmt == "codeowners" and self.out_dir is None:  # where GitHub reads it: maybe above the project
            return codeowners_place.place(self.project.root, self.project.settings.output.codeowners)[1]
        return confine(path, self.project.root, named)

    def on_disk(self, path: str, fmt: str) -> bytes:
        """The bytes of the file a build would replace at ``path`` (see :func:`on_disk`), read once."""
        return self.read_back.read(path, self.root(path, fmt), provenance.DOCUMENT_READ_LIMIT, "the file on disk",
                                   follow_link=fmt == "inject")


class _ReadBack:
    """The files on disk a build reads back, each read once however often it is asked for: the date a
    document keeps is read from the bytes its comparison then uses.

    A file is known by the way it is reached (its path, the folder it must stay in, whether a link at
    it is followed), since another way may refuse it. A file longer than the limit of a later reader
    is read again, so that it is refused as that reader refused it before; nothing that fails is kept.
    """

    def __init__(self) -> None:
        self._files: dict[tuple[str, str, bool], bytes] = {}

    def read(self, path: str, root: str, limit: int, what: str, follow_link: bool) -> bytes:
        key = (path, root, follow_link)
        data = self._files.get(key)
        if data is None or len(data) > limit:
            data = read_regular(path, root, limit, what, follow_link)
            self._files[key] = data
        return data


def plan(project: Project, formats: Iterable[str], out_dir: str | None = None, findings: Iterable[Finding] = (),
         injections: Iterable[Injection] = (), document: Document | None = None,
         as_of: _dt.date | None = None) -> BuildPlan:
    """Work out a build of ``formats`` (into ``out_dir``, or output.dir) and of the pages ``injections``,
    once: where each goes, then the document, dated as :mod:`raci_gen.input.clock` says except that a
    date derived from git or the build day is kept from a document already built from the same inputs
    (:func:`_kept_date`), or the day ``as_of`` when given (``build --as-of``). ``document``, when given, is
    taken as it is (a test's own)."""
    formats = list(formats)
    # serve renders in memory and writes nothing: it has no paths, and an output.dir that leads outside
    # does not stop a preview (nor the kept date, which looks past it)
    paths = output_paths(project, formats, out_dir) if formats else {}
    # Without its document for a moment: the kept date reads through the plan (its paths, its reads once).
    built = BuildPlan(project, document, paths, tuple(injections), out_dir, _ReadBack())  # type: ignore[arg-type]
    if document is None:
        files = stamp.input_digests(project)  # once: the kept date compares them, the document records them
        date = clock.as_of(as_of) if as_of is not None else resolve_date(project)
        if date.derived:
            date = _kept_date(built, files) or date
        built = dataclasses.replace(built, document=make_document(project, findings, date, files))
    return built


def build_document(project: Project, out_dir: str | None = None, findings: Iterable[Finding] = (),
                   injections: Iterable[Injection] = ()) -> Document:
    """The document a build of ``project`` renders (see :func:`plan`).

    The inputs are dated by the build day until they are committed, and the commit may be made days
    later: keeping the recorded date keeps ``build`` from rewriting, and ``--check`` from failing,
    every document just because its inputs were committed, in a fresh clone or on another day.
    """
    return plan(project, (), out_dir, findings, injections).document


KEPT_DATE_MAX_BYTES = 64 * 1024 * 1024
"""A PDF larger than this is not read for the date it keeps (a text document is read only at its top)."""
STAMPED_FORMATS = ("md", "html", "pdf", "xlsx")
"""The formats that record their provenance, in the order :func:`_kept_date` reads them."""


def _kept_date(built: BuildPlan, files: dict[str, str]) -> clock.DocumentDate | None:
    """The date recorded by the first document built from exactly the current input files (``files``),
    looked for in:

    1. the project's own output folder (output.dir), Markdown first: that is the document a repository
       commits (init's .gitignore leaves the others out), so a fresh clone has it, and a PDF built from
       the clone into a temporary --out folder takes its date;
    2. the folder named with --out;
    3. the pages that receive a section, where they carry a stamp (the whole document injected).

    The first in this order wins, even if a later one disagrees (a leftover built before the commit
    was known): what is committed decides, so that every machine and every folder choose alike.
    A file this build compares afterwards is read as the comparison reads it (:meth:`BuildPlan.on_disk`),
    once; where that is refused, the build or the check is refused there too.
    """
    project, out_dir = built.project, built.out_dir
    places: list[tuple[str, str, str]] = []  # (path, format, the folder it must stay in)
    folders = [(None, project.root)] + ([(out_dir, out_dir)] if out_dir is not None else [])
    for folder, root in folders:
        try:
            paths = output_paths(project, STAMPED_FORMATS, folder)
        except RaciError:
            continue
        places += [(path, fmt, root) for fmt, path in paths.items() if fmt in STAMPED_FORMATS]
    try:
        pages = project_injections(project) + list(built.pages)
    except RaciError:  # reported by the build itself
        pages = list(built.pages)
    places += [(page.file, "md", os.path.dirname(page.file) or ".") for page in pages]
    compared = {path: fmt for fmt, path in built.paths.items()} | {page.file: "inject" for page in built.pages}
    seen = set()
    for path, fmt, root in places:
        if path in seen:
            continue
        seen.add(path)
        try:  # output folders come with the repository: no link out of the folder, no FIFO, no /dev/zero
            if path in compared:
                data = built.read_back.read(path, built.root(path, compared[path]), KEPT_DATE_MAX_BYTES, "file",
                                            follow_link=compared[path] == "inject")
            else:
                data = read_regular(path, root, KEPT_DATE_MAX_BYTES)
            recorded = provenance.stamp_in(data, fmt)
        except (OSError, RaciError):
            continue
        if recorded and recorded.get("files") == files:
            kept = clock.kept_date(recorded.get("date"), recorded.get("date-source"))
            if kept is not None:
                return kept
    return None


def render(built: BuildPlan, formats: Iterable[str] | None = None) -> list[Output]:
    """Render the planned formats (or those of them in ``formats``), then the pages that receive a section,
    in memory; nothing is written."""
    document = built.document
    paths = {f: path for f, path in built.paths.items() if formats is None or f in formats}
    if "pdf" in paths:
        _before_pdf(document)
    apart = "pdf" if "pdf" in paths and len(paths) > 1 and _may_fork() else None
    child = _RenderingChild(FORMATS["pdf"].render, document) if apart else None
    rendered: dict[str, bytes] = {}
    failed: tuple[str, BaseException] | None = None
    try:
        for f in paths:
            if f != apart:
                progress.step(f"rendering {f}")
                try:
                    rendered[f] = FORMATS[f].render(document)
                except Exception as exc:  # reported below, in the order a build without the child would meet it
                    failed = (f, exc)
                    break
        for f in paths:
            if failed and f == failed[0]:
                raise failed[1]
            if f == apart:
                progress.step("rendering pdf")  # the child's own steps follow
                rendered[f] = child.result()
    finally:
        if child is not None:
            child.cancel()
    if "codeowners" in rendered:  # the block goes between the file's markers; the team's own lines stay
        rendered["codeowners"] = codeowners_text(paths["codeowners"], rendered["codeowners"],
                                                 lambda: _codeowners_on_disk(built, paths["codeowners"]),
                                                 document.codeowners.block)
    outputs = [Output(path, rendered[f], f, built.root(path, f)) for f, path in paths.items()]
    for injection in built.pages:
        from raci_gen.documents.markdown import render_markdown_section

        try:
            content = render_markdown_section(document, injection.section)
        except TemplateFailure:
            raise  # at the template's own line (FILE:LINE:COL), not at the --section that asked for it
        except RenderError as exc:
            where = injection.location or "--section"
            raise RenderError(f"{where}: error: {exc}") from None
        root = built.root(injection.file, "inject")
        outputs.append(Output(injection.file, inject_file(injection.file, content, root), "inject", root))
    return outputs


def _codeowners_on_disk(built: BuildPlan, path: str) -> bytes:
    """The CODEOWNERS file as it is; FileNotFoundError when neither it nor its folder is there yet (a build
    creates both, as it creates an --out folder)."""
    if not os.path.lexists(path):
        raise FileNotFoundError(path)
    return built.on_disk(path, "codeowners")


def render_one(document: Document, fmt: str) -> bytes:
    """One format of ``document``, rendered in this process as a build renders it: the preview's page and
    downloads, which are served and never written."""
    if fmt == "pdf":
        _before_pdf(document)
    return FORMATS[fmt].render(document)


def _before_pdf(document: Document) -> None:
    """Before a PDF is rendered: refused when too long to lay out in one piece, and the scratch folders of
    PDF builds that were killed removed."""
    from raci_gen.documents.pdf_parts import one_piece_refusal

    refusal = one_piece_refusal(document)
    if refusal:
        raise RenderError(refusal)
    scratch.remove_leftovers()


def generate(project: Project, formats: Iterable[str], out_dir: str | None = None,
             document: Document | None = None, findings: Iterable[Finding] = (),
             injections: Iterable[Injection] = ()) -> list[Output]:
    """Render the chosen formats, and the pages that receive a section, in memory; nothing is written:
    :func:`plan`, then :func:`render`."""
    return render(plan(project, formats, out_dir, findings, injections, document))


def _may_fork() -> bool:
    """Whether the PDF may be rendered in a child process while this one renders the other formats.

    Only where ``fork`` exists, with two cores or more, and not inside a worker of a multi-project
    build (:mod:`raci_gen.runtime.batch`), which already keeps every core busy with one project each.
    """
    if not hasattr(os, "fork"):
        return False
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS
        cores = os.cpu_count() or 1
    if cores < 2:
        return False
    multiprocessing = sys.modules.get("multiprocessing")  # imported by batch.py; never imported here for this
    return multiprocessing is None or multiprocessing.parent_process() is None


class _RenderingChild:
    """One renderer run in a forked child process, its bytes (or its exception) sent back through a pipe.

    The PDF takes most of a full build, WeasyPrint's import alone most of a second: a child started
    at once does that on the second core while this process renders Markdown and the workbook. The
    child writes nothing but the pipe, and leaves with ``os._exit`` (no teardown, no atexit hooks,
    no flushing of buffers it shares with this process). Writing stays here, all or nothing. The
    bytes are the same as in process: the same code renders the same document.
    """

    def __init__(self, render, document: Document):
        # Flushed first, so that the child's copies of the buffers are empty.
        sys.stdout.flush()
        sys.stderr.flush()
        reading, writing = os.pipe()
        parent = os.getpid()
        # The objects both processes start with are frozen for the child, whose collector then never walks
        # them: a walk writes to every object, and each page written is copied (copy on write).
        gc.freeze()
        pid = os.fork()
        if pid != 0:
            gc.unfreeze()
        if pid == 0:  # pragma: no cover - the child (coverage does not follow os._exit)
            status = 0
            try:
                os.close(reading)
                die_with(parent)
                try:
                    message = ("ok", render(document))
                except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
                    message = ("error", portable(exc, "the child process that rendered the PDF"))
                with os.fdopen(writing, "wb") as pipe:
                    pipe.write(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))
            except BaseException:  # noqa: BLE001 - the parent reports an empty pipe
                status = 1
            finally:
                try:
                    sys.stderr.flush()  # what a library logged
                except BaseException:  # noqa: BLE001
                    pass
                os._exit(status)
        os.close(writing)
        self._pid: int | None = pid
        self._reading: int | None = reading

    def result(self) -> bytes:
        reading, self._reading = self._reading, None
        with os.fdopen(reading, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(self._pid, 0)
        self._pid = None
        if not data:
            raise stopped(os.waitstatus_to_exitcode(status))
        kind, value = pickle.loads(data)
        if kind == "ok":
            return value
        raise restored(value)

    def cancel(self) -> None:
        """Stop and reap the child if its result was not taken (this process failed first)."""
        if self._pid is None:
            return
        try:
            os.kill(self._pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self._pid, 0)
        self._pid = None
        if self._reading is not None:
            os.close(self._reading)
            self._reading = None


def project_injections(project: Project) -> list[Injection]:
    """The pages named in raci.yaml's ``output.inject``, as paths from here; they must stay in the project."""
    result = []
    for injection in project.settings.output.inject:
        path = os.path.normpath(os.path.join(project.root, injection.file))
        if not inside_project(project.root, path):
            where = injection.location or path
            raise RaciError(f"{where}: error: inject page {injection.file!r} is outside the project folder")
        result.append(Injection(path, injection.section, injection.location))
    return result


def write(outputs: Iterable[Output]) -> None:
    """Write every output or none (see :mod:`raci_gen.runtime.confined`), each beneath its ``root``.

    An output without a root stays in its own folder. Temporary files that killed builds
    left in a folder are removed before the first write there.
    """
    write_all([Write(o.path, o.data, o.root if o.root is not None else os.path.dirname(o.path) or ".",
                     follow_link=o.format == "inject")  # only a page may live elsewhere; documents are ours
               for o in outputs])


STAMPED = ("pdf", "xlsx")
"""Formats that ``--check`` decides by their recorded provenance: rendering them takes seconds."""
TEXT_CONTEXT = 3
"""Lines of the first difference a stale text document shows."""


@dataclass(frozen=True)
class Stale:
    """A document that a build would write differently: why, and what differs."""

    path: str
    state: str
    """``missing`` or ``out of date``."""
    details: tuple[str, ...] = ()
    """What the user reads first: the first differing lines, or the inputs that changed."""
    diff: tuple[str, ...] = ()
    """For a text document, the unified diff from the file on disk to what a build writes."""

    def __str__(self) -> str:
        return f"{self.path} is {self.state}"


def check(project: Project, formats: Iterable[str], out_dir: str | None = None, findings: Iterable[Finding] = (),
          injections: Iterable[Injection] = (), strict_bytes: bool = False) -> tuple[int, list[Stale]]:
    """How many files a build would write, and which of them differ from what is on disk: :func:`plan`,
    then :func:`compare`."""
    return compare(plan(project, formats, out_dir, findings, injections), strict_bytes)


def compare(built: BuildPlan, strict_bytes: bool = False) -> tuple[int, list[Stale]]:
    """How many files ``built`` writes, and which of them differ from what is on disk.

    Text documents and pages are rendered and compared byte for byte; PDF and workbook by their recorded
    provenance, or byte for byte too with ``strict_bytes``.
    """
    by_stamp = [] if strict_bytes else [f for f in built.paths if f in STAMPED]
    rendered = render(built, [f for f in built.paths if f not in by_stamp])
    documents = {o.format: o for o in rendered if o.format != "inject"}
    problems: list[Stale] = []
    for fmt in built.paths:
        if fmt in by_stamp:
            problems.extend(_stamp_stale(built, fmt))
        else:
            problems.extend(_stale([documents[fmt]], built.document, built.on_disk))
    problems.extend(_stale([o for o in rendered if o.format == "inject"], None, built.on_disk))
    return len(built.paths) + len(built.pages), problems


@dataclass(frozen=True)
class Build:
    """What a build writes, and the documents it leaves as they are."""

    outputs: list[Output]
    """The files to write: missing, or other than what is on disk."""
    current: list[str]
    """The paths of documents and pages already what this build makes: not rendered again (PDF, workbook)
    or not rewritten (their bytes, and their modification time, stay as they are)."""


def generate_changed(project: Project, formats: Iterable[str], out_dir: str | None = None,
                     findings: Iterable[Finding] = (), injections: Iterable[Injection] = ()) -> Build:
    """:func:`generate`, leaving out each document that :func:`check` finds up to date: :func:`plan`, then
    :func:`render_changed`."""
    return render_changed(plan(project, formats, out_dir, findings, injections))


def render_changed(built: BuildPlan) -> Build:
    """:func:`render`, leaving out each document that :func:`compare` finds up to date, by the same
    decision: a PDF or workbook whose recorded provenance is what this build would record (so it is not
    rendered at all), a text document or page whose bytes are those it would write. What cannot be
    read is rendered and written as by a build without this (which then says what is in the way)."""
    stamped_current = set()
    for fmt in [f for f in built.paths if f in STAMPED]:
        try:
            if not _stamp_stale(built, fmt):
                stamped_current.add(fmt)
        except RaciError:  # a folder in the way, say: the build meets it when it writes
            pass
    current = {built.paths[f] for f in stamped_current}
    outputs = []
    for item in render(built, [f for f in built.paths if f not in stamped_current]):
        try:
            same = _bytes_on_disk(item, built.on_disk) == item.data
        except RaciError:
            same = False
        if same:
            current.add(item.path)
        else:
            outputs.append(item)
    every = list(built.paths.values()) + [page.file for page in built.pages]
    return Build(outputs, [path for path in every if path in current])


def _stamp_stale(built: BuildPlan, fmt: str) -> list[Stale]:
    path = built.paths[fmt]
    try:
        recorded = provenance.stamp_in(built.on_disk(path, fmt), fmt)
    except FileNotFoundError:
        return [Stale(path, "missing")]
    except IsADirectoryError:
        raise RaciError(f"{path}: error: cannot read: it is a folder") from None
    except OSError as exc:
        raise RaciError(f"{path}: error: cannot read: {exc.strerror}") from None
    if recorded is None:
        return [Stale(path, "out of date", ("it records no raci-gen provenance (built by an earlier raci-gen, "
                                             "or edited since)",))]
    reasons = provenance.differences(recorded, built.document.record.stamp(fmt))
    return [Stale(path, "out of date", tuple(reasons))] if reasons else []


def on_disk(path: str, root: str | None, fmt: str) -> bytes:
    """The bytes of the file a build would replace at ``path``, read as the build would reach it.

    A check runs on pull requests, and the output folder comes with them: the file is read only
    beneath ``root``, never through a link that leaves it (``output/raci-matrix.md ->
    ../.git/config`` would print the CI token in the log as the "first difference"), nor through
    any link at all for a generated document (a build never writes through one either), and only
    when it is a regular file of at most ``provenance.DOCUMENT_READ_LIMIT`` bytes.
    """
    return read_regular(path, root or os.path.dirname(path) or ".", provenance.DOCUMENT_READ_LIMIT,
                        "the file on disk", follow_link=fmt == "inject")


def _bytes_on_disk(output: Output, reading=None) -> bytes | None:
    """What is on disk where ``output`` goes (see :func:`on_disk`; ``reading(path, format)`` reads it
    instead, as :meth:`BuildPlan.on_disk` does); None when nothing is."""
    try:
        if reading is not None:
            return reading(output.path, output.format)
        return on_disk(output.path, output.root, output.format)
    except FileNotFoundError:
        return None
    except OSError as exc:  # a folder where the file should be, no permission, ...
        raise RaciError(f"{output.path}: error: cannot read: {exc.strerror}") from None


def stale(outputs: Iterable[Output], document: Document | None = None) -> list[Stale]:
    """The outputs that differ from the files on disk, and how."""
    return _stale(outputs, document)


def _stale(outputs: Iterable[Output], document: Document | None, reading=None) -> list[Stale]:
    result = []
    for output in outputs:
        current = _bytes_on_disk(output, reading)
        if current is None:
            result.append(Stale(output.path, "missing"))
            continue
        if current == output.data:
            continue
        if output.format in STAMPED:
            reasons: tuple[str, ...] = ()
            if document is not None and document.record is not None:
                recorded = provenance.stamp_in(current, output.format)
                if recorded is None:
                    reasons = ("it records no raci-gen provenance (built by an earlier raci-gen, or edited since)",)
                else:
                    reasons = tuple(provenance.differences(recorded, document.record.stamp(output.format)))
            if not reasons:
                reasons = ("its bytes differ though it records the same provenance: other versions of the "
                           "libraries that write it (WeasyPrint, fontTools, openpyxl), or an edit",)
            result.append(Stale(output.path, "out of date", reasons))
            continue
        reasons = ()
        if document is not None and document.record is not None and output.format in stamp.FORMAT_TEMPLATES:
            recorded = provenance.text_stamp(current)
            if recorded is not None:
                reasons = tuple(r for r in provenance.differences(recorded, document.record.stamp(output.format))
                                if not r.startswith("its date is"))
        result.append(_text_stale(output.path, current, output.data, reasons))
    return result


def _lines(data: bytes) -> list[str]:
    return data.decode("utf-8", errors="replace").splitlines(keepends=True)


def _text_stale(path: str, current: bytes, expected: bytes, reasons: tuple[str, ...] = ()) -> Stale:
    old, new = _lines(current), _lines(expected)
    diff = tuple(line.rstrip("\r\n") for line in difflib.unified_diff(
        old, new, f"{path} (on disk)", f"{path} (a build now)", lineterm="\n"))
    if old == new:
        return Stale(path, "out of date", reasons + ("its bytes differ where its text does not (encoding)",), diff)
    # The first difference a reader can act on: the provenance comment differs whenever anything does
    # (all its lines: the Markdown's stamp goes across lines).
    stamp_old, stamp_new = provenance.stamp_lines(old), provenance.stamp_lines(new)
    shown_old = [i for i in range(len(old)) if i not in stamp_old]
    shown_new = [j for j in range(len(new)) if j not in stamp_new]
    matcher = difflib.SequenceMatcher(None, [old[i] for i in shown_old], [new[j] for j in shown_new],
                                      autojunk=False)
    block = next((op for op in matcher.get_opcodes() if op[0] != "equal"), None)
    if block is None:  # only the provenance comment differs
        old_at, new_at = sorted(stamp_old), sorted(stamp_new)
    else:
        _, i1, i2, j1, j2 = block
        old_at, new_at = shown_old[i1:i2], shown_new[j1:j2]
    line = (old_at[0] if old_at else (shown_old[block[1]] if block and block[1] < len(shown_old) else len(old))) + 1
    details = list(reasons) + [f"first difference at line {line}:"]
    details += ["- " + _shorten(old[i]) for i in old_at[:TEXT_CONTEXT]]
    details += ["+ " + _shorten(new[j]) for j in new_at[:TEXT_CONTEXT]]
    if len(old_at) > TEXT_CONTEXT or len(new_at) > TEXT_CONTEXT:
        details.append("  (--diff shows the rest)")
    return Stale(path, "out of date", tuple(details), diff)


def _shorten(line: str, width: int = 160) -> str:
    line = line.rstrip("\r\n")
    if not line.strip():
        return "(blank line)"
    return line if len(line) <= width else line[:width - 1] + "…"

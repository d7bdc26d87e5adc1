"""A long PDF laid out in parts, in worker processes on every core, and joined into one document.

WeasyPrint keeps every box, style and text layout of a document until its PDF is written: about
a megabyte per activity of a 30-role matrix, all in one process on one core. Above
:data:`PARTS_FROM` activities, or :data:`PARTS_FROM_CELLS` cells, the document is cut into parts
(:class:`raci_gen.documents.html.Part`), each laid out and written to a PDF file of its own by a process forked for it, so that the
layouts live and die in the workers and every core works; then the files are joined. From
:data:`PARTS_FROM_WORK` of layout work (:func:`layout_work`; a mid-size matrix, 33 activities of 30 roles or
58 of 10) the parts are worth it for the time alone: on two cores the PDF is ready sooner than in one piece.

Where the document is cut is decided by its content alone, never by the number of cores, so the
same input gives the same bytes with one worker or eight (or none: inside a multi-project build,
which has a process per core already, the parts are laid out one after the other in its worker):

* at the page breaks the stylesheet already has: before each role chunk's table after the first,
  before the roles, the by-role and the workload sections. Parts cut there have the pages of the
  one document, and they are independent, so they are laid out side by side;
* inside a long role chunk (or the notes), after about :data:`PART_CELLS` cells: a part of the
  chunk's rows is laid out, its last page (which may be part full) is dropped, and the next part
  starts at the first row that page held. Pages are as full as in one document, at the cost of
  laying out one page twice per part; the parts of one chunk follow each other, the chunks run
  side by side;
* between two role views of the by-role section, every :data:`PART_VIEW_ENTRIES` entries (a new
  page starts there that one document would not have).

The join (:func:`join`) writes the joined file object by object, one part open at a time (pikepdf,
that is qpdf, reads it), so its memory does not grow with the document either:

* "Page N of M" and the other footers are drawn when M is known, by one document of M empty pages
  with the same ``@page`` rules (laid out in a worker too), each page laid over its page of the
  joined PDF as an artifact (a form XObject);
* the bookmarks are WeasyPrint's own tree, built from every part's pages at once, so the phases
  of a later part sit under "Matrix" as in one document;
* links between parts (a role's column heading to its section) are written as ``raci-anchor:``
  URIs and turned back into named destinations, which are joined into one name tree;
* the tagged structure of each part is joined under one Document element, with the keys of
  its parent tree shifted, so screen readers read the parts as one document;
* the information dictionary, with the provenance stamp, is written plain, outside the compressed
  object streams, where :mod:`raci_gen.writing.provenance` finds it by its bytes.

Nothing in the join depends on the time or the machine; the file identifier is a hash of the bytes.
"""

from __future__ import annotations

import collections
import gc
import hashlib
import io
import multiprocessing
import multiprocessing.connection
import os
import re
from dataclasses import dataclass, field
from typing import Callable

from raci_gen.runtime import scratch
from raci_gen.runtime.children import die_with, portable, restored, stopped
from raci_gen.documents.document import Document
from raci_gen.documents import pdf_tags, weasyprint_private
from raci_gen.documents.html import TEMPLATE, Part, described, matrix_layout, phase_rows, render_html_text
from raci_gen.documents.templating import ProjectTemplateLoader, compile_templates, render_template

PARTS_FROM = 300
"""Matrices with more activities than this are laid out in parts; smaller ones in one document (unless wide)."""
PARTS_FROM_CELLS = 9000
"""Matrices with more cells than this (activities times roles, 300 x 30) are laid out in parts too: a wide
matrix costs memory by its cells, not its rows (300 x 100 in one piece peaked at 1 GB)."""
PARTS_FROM_WORK = 1500
"""Matrices with at least this much layout work (:func:`layout_work`) are laid out in parts for the time. The parts
cost a quarter to a third more processor time (a process, the fonts subset and the styles read per part, the
footers, the join), paid back on two cores from about 1,000: measured part by part (benchmarks/bench_parts.py
--model), two idle cores would take 1.14x the one piece's time at 20 x 30 (920), 0.81x at 40 x 10 (1,040) and 30 x 30
(1,380), 0.78x at 60 x 10 (1,560), 0.74x at 40 x 30 (1,840), 0.65x at 150 x 30 (6,900). 1,500: a project the size
of the example (48 x 7, 1,044) stays one piece, the same bytes as before. A machine whose second core is busy
gains nothing (fresh builds on the shared 2-core machine: 1.04-1.06x the wall time of one piece)."""
VIEW_ENTRY_CELLS = 4
"""An activity's entry in a role's view costs about as much layout as this many matrix cells (measured: 3.5-5.5 ms
of processor time against 0.8-1 ms)."""
PART_CELLS = 2500
"""About how many matrix cells one part lays out (rows times the role columns of its chunk)."""
PART_NOTES = 250
"""Rows of the notes table per part (a note can be long)."""
PART_VIEW_ENTRIES = 1000
"""Activity entries of the by-role section per part."""
ANCHOR_SCHEME = "raci-anchor:"
_HREF = re.compile(r'href="#')


def layout_work(document: Document) -> int:
    """About how much layout the PDF of ``document`` is, in matrix cells: the matrix's cells, and each filled cell
    again as an entry of the by-role section, which costs :data:`VIEW_ENTRY_CELLS` cells. Its content alone decides,
    so that the same input is cut the same way on any machine."""
    activities = [activity for phase in document.matrix.phases for activity in phase.activities]
    filled = sum(len(activity.cells) for activity in activities)
    return len(activities) * len(document.matrix.roles) + VIEW_ENTRY_CELLS * filled


def wanted(document: Document) -> bool:
    """Whether ``document`` is laid out in parts: a long, wide or mid-size matrix drawn by the built-in templates
    (a project's own template knows nothing of parts)."""
    activities = sum(len(p.activities) for p in document.matrix.phases)
    if activities <= PARTS_FROM and activities * len(document.matrix.roles) <= PARTS_FROM_CELLS \
            and layout_work(document) < PARTS_FROM_WORK:
        return False
    return not own_templates(document)


def own_templates(document: Document) -> list[str]:
    """The project's own files among those the PDF is drawn from (``raci.html.j2``, ``raci.css``): a file that
    is the built-in template, same bytes, is not (:func:`templatefolder.is_built_in`)."""
    if not document.template_dir:
        return []
    loader = ProjectTemplateLoader(document.template_dir)
    return [os.path.join(document.template_dir, name) for name in ("raci.html.j2", "raci.css") if loader.is_own(name)]


ONE_PIECE_CELLS = 30_000
"""The largest matrix (activities x roles) whose PDF is laid out in one piece because the project has its own
``raci.html.j2`` or ``raci.css`` (which know nothing of parts): 1,000 activities of 30 roles, about 1 GB."""
ONE_PIECE_MIB = (120, 0.031)
"""Peak memory of a PDF laid out in one piece, in MiB: about this much plus this much per cell (activities x
roles). Measured with the built-in templates copied into a project, WeasyPrint 70, 30 roles: 150 activities
258 MiB, 400 activities 494, 800 activities 835; 400 activities of 10 roles 251; 1,000 x 30 1,044."""


def one_piece_refusal(document: Document) -> str | None:
    """Why a PDF of ``document`` is refused before anything is rendered, in one line; None when it is not: only
    a project template's PDF, laid out in one piece, above :data:`ONE_PIECE_CELLS` cells, whose memory would
    grow without bound (about 5 GB at the input limits)."""
    own = own_templates(document)
    if not own:  # the built-in templates: laid out in parts when long (see wanted)
        return None
    activities = sum(len(p.activities) for p in document.matrix.phases)
    roles = len(document.matrix.roles)
    if activities * roles <= ONE_PIECE_CELLS:
        return None

    def mib(cells: int) -> str:
        return f"{round((ONE_PIECE_MIB[0] + ONE_PIECE_MIB[1] * cells) / 10) * 10:,} MiB"

    names = " and ".join(os.path.basename(path) for path in own)
    return (f"{os.path.normpath(own[0])}: error: with the project's own {names} "
            f"the PDF is laid out in one piece, and {activities:,} activities x {roles} roles "
            f"({activities * roles:,} cells) would take about {mib(activities * roles)} of memory; the limit is "
            f"{ONE_PIECE_CELLS:,} cells (about {mib(ONE_PIECE_CELLS)}). Use the built-in templates for the PDF "
            f"(they lay long matrices out in parts), or build the other formats (-f md,html,xlsx)")


def worker_count() -> int:
    """Processes to lay parts out in: one per core this process may use; none (this process) inside a
    worker of a multi-project build, which already has one process per core."""
    if multiprocessing.parent_process() is not None or "fork" not in multiprocessing.get_all_start_methods():
        return 0
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# --- what is laid out --------------------------------------------------------------------------


@dataclass
class Stream:
    """A run of parts that follow each other: a role chunk's rows, the notes' rows, or one fixed part.

    ``make(start, end, first)`` is the part holding rows ``start`` to ``end``; a fixed part has no rows.
    """

    make: Callable[[int, int, bool], Part]
    total: int = 0
    per_part: int = 0
    weight: int = 0
    """About how much layout its first part is, in matrix cells (see :func:`layout_work`): the heaviest start
    first, so that the last part to finish is a light one. The order never changes the bytes."""
    files: list[str] = field(default_factory=list)
    pages: list = field(default_factory=list)

    @property
    def rows(self) -> bool:
        return self.total > 0


@dataclass(frozen=True)
class Laid:
    """What a worker sends back for one part: its file, its pages' bookmarks and heights, where the next
    part of its stream starts (None: the stream is done), and how many rows a part takes from there."""

    path: str
    pages: list
    following: int | None
    per_part: int


def _streams(document: Document) -> list[Stream]:
    layout = matrix_layout(document)
    total = sum(len(p.activities) for p in document.matrix.phases)
    streams = []
    roles = len(document.matrix.roles)
    for chunk in layout.chunks:
        per_part = max(20, PART_CELLS // max(len(chunk.roles), 1))
        streams.append(Stream(lambda start, end, first, chunk=chunk: Part(
            front=first and chunk.number == 1, chunks=(chunk,), captions=first,
            phase_rows=phase_rows(document, start, end), marked=True),
            total=total, per_part=per_part, weight=min(total, per_part) * len(chunk.roles)))
    notes = described(document)
    if notes:
        streams.append(Stream(lambda start, end, first: Part(
            roles=first, notes=notes[start:end], notes_heading=first, marked=True),
            total=len(notes), per_part=PART_NOTES, weight=10 * (roles + min(len(notes), PART_NOTES))))
    else:
        streams.append(Stream(lambda *_: Part(roles=True, marked=True), weight=10 * roles))
    groups = _view_groups(document.role_views())
    tail_alone = bool(document.analysis)
    for number, views in enumerate(groups):
        last = number == len(groups) - 1
        streams.append(Stream(lambda *_, views=views, number=number, last=last: Part(
            views=views, views_heading=number == 0, tail=last and not tail_alone, marked=True),
            weight=VIEW_ENTRY_CELLS * sum(_entries(view) for view in views)))
    if tail_alone:
        streams.append(Stream(lambda *_: Part(workload=True, tail=True, marked=True), weight=20 * roles))
    return streams


def _entries(view) -> int:
    """The activity entries of a role's view, and its heading."""
    return sum(len(activities) for _, _, phases in view.parts for _, activities in phases) + 1


def _view_groups(views: list) -> list[tuple]:
    """The role views in runs of about PART_VIEW_ENTRIES activity entries (at least one view a run)."""
    groups, current, weight = [], [], 0
    for view in views:
        entries = _entries(view)
        if current and weight + entries > PART_VIEW_ENTRIES:
            groups.append(tuple(current))
            current, weight = [], 0
        current.append(view)
        weight += entries
    if current or not groups:
        groups.append(tuple(current))
    return groups


def _lay_out(weasyprint, document: Document, fetcher, options: dict, stream: Stream, start: int,
             per_part: int, path: str) -> Laid:
    """Lay out the part of ``stream`` that starts at row ``start`` and write it to ``path``."""
    while True:
        end = min(stream.total, start + per_part)
        html = _HREF.sub(f'href="{ANCHOR_SCHEME}', render_html_text(document, stream.make(start, end, start == 0)))
        laid_out = weasyprint.HTML(string=html, base_url="about:blank", url_fetcher=fetcher).render(
            pdf_tags=True, **options)
        del html
        pages = laid_out.pages
        following = end if end < stream.total else None
        if following is not None and len(pages) == 1:
            per_part *= 2  # rows that fill no page: lay out more of them instead of leaving a gap
            del laid_out, pages
            continue
        if following is not None:
            cut = weasyprint_private.row_index(pages[-1], last=False)
            # A row taller than a page starts on the page before: cutting there would repeat it.
            if cut is not None and cut > start and weasyprint_private.row_index(pages[-2], last=True) != cut:
                pages, following = pages[:-1], cut
        # Each part's structure mended for PDF/UA (renderers/pdf_tags.py); its IDs prefixed by its file's name,
        # so that they stay unique in the joined document.
        laid_out.copy(pages).write_pdf(path, pdf_tags=True, finisher=pdf_tags.finisher(
            pdf_tags.link_words(document), id_prefix=os.path.basename(path)[:-4] + "-"), **options)
        return Laid(path, [(p.bookmarks, p.height) for p in pages], following, per_part)


# --- the workers -------------------------------------------------------------------------------


def _child(connection, job: Callable[[], Laid], parent: int) -> None:
    die_with(parent)
    try:
        result = ("ok", job())
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent, which decides
        result = ("error", portable(exc, "a process that laid out part of the PDF"))
    connection.send(result)
    connection.close()


class _Workers:
    """Runs jobs in forked processes, at most ``count`` at a time; ``count`` 0 runs them here."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.context = multiprocessing.get_context("fork") if count else None
        self.running: dict = {}

    def start(self, key, job: Callable[[], Laid]) -> None:
        receiving, sending = self.context.Pipe(duplex=False)
        process = self.context.Process(target=_child, args=(sending, job, os.getpid()), daemon=True)
        process.start()
        sending.close()
        self.running[receiving] = (key, process)

    def finished(self):
        """Waits for a running job; returns its key and result, or raises what the job raised."""
        ready = multiprocessing.connection.wait(list(self.running))
        receiving = ready[0]
        key, process = self.running.pop(receiving)
        try:
            message = receiving.recv()
        except EOFError:
            message = None
        receiving.close()
        process.join()
        if message is None:
            raise stopped(process.exitcode or 0)
        kind, value = message
        if kind != "ok":
            raise restored(value)
        return key, value

    def stop(self) -> None:
        for receiving, (_, process) in self.running.items():
            process.kill()
            process.join()
            receiving.close()
        self.running.clear()


def _run(streams: list[Stream], lay_out: Callable[[int, int, int], Laid], workers: int) -> None:
    """Lay out every stream's parts, ``workers`` at a time; the parts of a stream in order, the heaviest
    streams first."""
    order = sorted(range(len(streams)), key=lambda number: -streams[number].weight)
    ready = collections.deque((number, 0, streams[number].per_part) for number in order)

    def record(number: int, laid: Laid) -> None:
        stream = streams[number]
        stream.files.append(laid.path)
        stream.pages += laid.pages
        if laid.following is not None:
            # Next in its stream, ahead of the others: a long chunk is the longest road.
            ready.appendleft((number, laid.following, laid.per_part))

    if not workers:
        while ready:
            number, start, per_part = ready.popleft()
            record(number, lay_out(number, start, per_part))
            # Here, with the collector off while WeasyPrint works, a part's layout is cycles that only a
            # collection frees: without it this process would grow as if the document were one piece.
            gc.collect()
        return
    pool = _Workers(workers)
    try:
        while ready or pool.running:
            while ready and len(pool.running) < workers:
                number, start, per_part = ready.popleft()
                pool.start(number, lambda number=number, start=start, per_part=per_part:
                           lay_out(number, start, per_part))
            number, laid = pool.finished()
            record(number, laid)
    finally:
        pool.stop()


def render_parts(weasyprint, document: Document, fetcher, options: dict, stamp: str | None,
                 workers: int | None = None) -> bytes:
    """The PDF of ``document``, laid out in parts by ``workers`` processes (default: :func:`worker_count`)
    and joined (see the module docstring)."""
    workers = worker_count() if workers is None else workers
    streams = _streams(document)
    if workers:  # done here once, not in every worker
        compile_templates(document, (TEMPLATE, "raci.css"), autoescape=True)
        _warm_up(weasyprint, fetcher)
    with scratch.folder() as folder:  # locked while in use (part workers too), so a later build removes it if killed

        def lay_out(number: int, start: int, per_part: int) -> Laid:
            path = os.path.join(folder, f"part-{number:04d}-{start:06d}.pdf")
            return _lay_out(weasyprint, document, fetcher, options, streams[number], start, per_part, path)

        _run(streams, lay_out, workers)
        pages = [page for stream in streams for page in stream.pages]
        footers = os.path.join(folder, "footers.pdf")
        job = lambda: _footers(weasyprint, document, fetcher, len(pages), footers)  # noqa: E731
        if workers:
            pool = _Workers(1)
            try:
                pool.start("footers", job)
                pool.finished()
            finally:
                pool.stop()
        else:
            job()
        files = [path for stream in streams for path in stream.files]
        joined = os.path.join(folder, "joined.pdf")
        join(files, footers, _bookmarks(weasyprint, pages), joined, stamp)
        with open(joined, "rb") as fh:
            return fh.read()


WARM_UP = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><style>p { font-family: "DejaVu Sans", sans-serif; }'
           ' code { font-family: "DejaVu Sans Mono", monospace; }</style></head><body><p>Aa <b>Bb</b> <i>Ii</i>'
           ' <code>Mm <b>Mb</b></code></p></body></html>')
"""A page in the faces the built-in stylesheet uses (regular, bold, italic, monospaced)."""


def _warm_up(weasyprint, fetcher) -> None:
    """What every worker would do first, done once before they are forked: fontconfig and Pango load their
    fonts, fontTools' subsetter and its table modules are imported (0.1-0.2 s a process, paid by every part)."""
    weasyprint.HTML(string=WARM_UP, base_url="about:blank", url_fetcher=fetcher).write_pdf(io.BytesIO(), pdf_tags=True)


def _footers(weasyprint, document: Document, fetcher, count: int, path: str) -> None:
    """``count`` empty pages with the document's page footers ("Page N of M"), untagged."""
    css = render_template(document, "raci.css", autoescape=True, layout=matrix_layout(document), part=Part())
    body = "<div></div>" + '<div style="break-before: page"></div>' * (count - 1)
    html = (f'<!DOCTYPE html><html lang="{document.language}"><head><meta charset="utf-8"><style>{css}</style>'
            f"</head><body>{body}</body></html>")
    weasyprint.HTML(string=html, base_url="about:blank", url_fetcher=fetcher).write_pdf(path)


def _bookmarks(weasyprint, pages: list) -> list:
    """WeasyPrint's bookmark tree of all the parts' pages, in PDF coordinates."""
    return weasyprint_private.bookmark_tree(weasyprint, pages)


# --- the join ----------------------------------------------------------------------------------

CATALOG_ENTRIES = ("/Lang", "/MarkInfo", "/ViewerPreferences", "/Metadata", "/OutputIntents", "/PageMode")
"""What the catalog of the first part says of the whole: language, marking, viewer preferences, and the
metadata and output intent of a PDF variant."""

_TOKENS = re.compile(rb"\((?:[^\\()]|\\.)*\)|<[0-9A-Fa-f\s]*>|(?<![\w.])(\d+) (\d+) R\b", re.S)
"""In qpdf's text of an object: a string (skipped, it may hold anything), or a reference to renumber."""
_MARK = re.compile(rb"/RaciRef\.(\d+)")
"""A name standing for a reference to an object of the joined file (see :func:`_mark`)."""
PER_OBJECT_STREAM = 100


def _mark(number: int):
    """A pikepdf name that stands, in a part's object, for a reference to object ``number`` of the joined file."""
    import pikepdf

    return pikepdf.Name(f"/RaciRef.{number}")


class _Writer:
    """Writes a PDF object by object to a file, small objects packed into compressed object streams,
    with a cross-reference stream at the end. Holds the objects' positions only (three arrays)."""

    def __init__(self, fh) -> None:
        from array import array

        self.fh = fh
        self.kinds, self.places, self.indexes = array("b"), array("q"), array("l")
        self.packed: list[tuple[int, bytes]] = []
        self.digest = hashlib.md5(usedforsecurity=False)  # the file identifier: a hash of what was written
        self._put(b"%PDF-1.7\n%\xbf\xf7\xa2\xfe\n")

    def reserve(self, count: int = 1) -> int:
        """The first of ``count`` new object numbers."""
        first = len(self.kinds) or 1
        if not self.kinds:
            self._grow(1)  # object 0, the head of the free list
        self._grow(count)
        return first

    def _grow(self, count: int) -> None:
        self.kinds.extend([0] * count)
        self.places.extend([0] * count)
        self.indexes.extend([0] * count)

    def _put(self, data: bytes) -> None:
        self.fh.write(data)
        self.digest.update(data)

    def plain(self, number: int, body: bytes) -> None:
        """Object ``number`` written as it is (not packed), so that its bytes can be found in the file."""
        self.kinds[number], self.places[number] = 1, self.fh.tell()
        self._put(b"%d 0 obj\n%s\nendobj\n" % (number, body))

    def stream(self, number: int, dictionary: bytes, data: bytes) -> None:
        """A stream object: ``dictionary`` is its dictionary's text without /Length, ending in ``>>``."""
        self.kinds[number], self.places[number] = 1, self.fh.tell()
        self._put(b"%d 0 obj\n%s /Length %d >>\nstream\n" % (number, dictionary[:-2].rstrip(), len(data)))
        self._put(data)
        self._put(b"\nendstream\nendobj\n")

    def packed_object(self, number: int, body: bytes) -> None:
        self.packed.append((number, body))
        if len(self.packed) == PER_OBJECT_STREAM:
            self.flush()

    def flush(self) -> None:
        if not self.packed:
            return
        import zlib

        header, bodies, offset = [], [], 0
        for number, body in self.packed:
            header.append(b"%d %d" % (number, offset))
            bodies.append(body)
            offset += len(body) + 1
        first = b" ".join(header) + b"\n"
        data = zlib.compress(first + b"\n".join(bodies) + b"\n")
        container = self.reserve()
        for index, (number, _) in enumerate(self.packed):
            self.kinds[number], self.places[number], self.indexes[number] = 2, container, index
        self.packed = []
        self.stream(container, b"<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode >>"
                    % (len(header), len(first)), data)

    def finish(self, root: int, info: int) -> None:
        """The cross-reference stream and the end of the file."""
        import struct
        import zlib

        self.flush()
        identifier = self.digest.hexdigest().encode("ascii")
        number = self.reserve()
        self.kinds[number], self.places[number] = 1, self.fh.tell()
        rows = bytearray()
        for kind, place, index in zip(self.kinds, self.places, self.indexes):
            rows += struct.pack(">BQH", kind, place, index if kind == 2 else (65535 if kind == 0 and not place
                                                                              and not rows else 0))
        data = zlib.compress(bytes(rows))
        start = self.fh.tell()
        self._put(b"%d 0 obj\n<< /Type /XRef /Size %d /W [ 1 8 2 ] /Root %d 0 R /Info %d 0 R /ID [ <%s> <%s> ] "
                  b"/Filter /FlateDecode /Length %d >>\nstream\n" % (number, len(self.kinds), root, info, identifier,
                                                                     identifier, len(data)))
        self._put(data)
        self._put(b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % start)


def _text(obj, renumber) -> bytes:
    """qpdf's text of ``obj`` (resolved one level), its references renumbered and its marks made references."""
    text = obj.unparse(resolved=True)

    def token(match):
        if match.group(1) is None:
            return match.group(0)
        return b"%d 0 R" % renumber(int(match.group(1)))

    return _MARK.sub(rb"\1 0 R", _TOKENS.sub(token, text))


def join(files: list[str], footers: str, bookmarks: list, out: str, stamp: str | None) -> None:
    """One PDF at ``out`` of the part files ``files``, with the pages of ``footers`` laid over its pages.

    Written object by object, one part open at a time: every object of a part is copied with its
    number moved past the previous parts', except those the joined file has once (catalog, page
    tree, structure tree root, outline, name tree, information), which are written afresh at the
    end from what the parts said. Memory holds one part and the positions of the objects written.
    """
    import zlib

    import pikepdf
    from pikepdf import Array, Dictionary, Name, String

    with open(out, "wb") as fh:
        writer = _Writer(fh)
        pages_root = writer.reserve(3)
        tree_root, document_element = pages_root + 1, pages_root + 2
        save = writer.reserve()
        writer.stream(save, b"<< >>", b"q\n")
        page_numbers: list[int] = []
        kids: list[bytes] = []
        nums: list[tuple[int, bytes]] = []
        names: dict[str, bytes] = {}
        identified: dict[str, bytes] = {}  # the structure elements' IDs (unique: each part's have its prefix)
        catalog: dict[str, bytes] = {}
        info = b"<< >>"
        key = 0
        with pikepdf.open(footers) as footer_pdf:
            footer_pages = []
            base = writer.reserve(int(footer_pdf.trailer.Size))
            footer_renumber = lambda old: base + old  # noqa: E731
            wanted = _reachable(footer_pdf, [page.obj.Resources for page in footer_pdf.pages])
            _copy_objects(writer, footer_pdf, wanted, footer_renumber)
            for page in footer_pdf.pages:
                contents = page.obj.Contents
                streams = list(contents) if isinstance(contents, Array) else [contents]
                drawing = b"".join(c.read_bytes() for c in streams)
                form = writer.reserve()
                resources = _text(page.obj.Resources, footer_renumber)
                box = page.obj.MediaBox.unparse(resolved=True)
                writer.stream(form, b"<< /Type /XObject /Subtype /Form /BBox %s /Resources %s /Filter /FlateDecode >>"
                              % (box, resources), zlib.compress(drawing))
                footer_pages.append(form)
        footer_index = 0
        for number, path in enumerate(files):
            with pikepdf.open(path) as part:
                base = writer.reserve(int(part.trailer.Size))
                root = part.Root
                special = {root.Pages.objgen[0]: pages_root}
                skipped = {root.objgen[0], part.trailer.Info.objgen[0] if "/Info" in part.trailer else 0}
                if "/StructTreeRoot" in root:
                    tree = root.StructTreeRoot
                    element = tree.K[0] if isinstance(tree.K, Array) else tree.K
                    special[tree.objgen[0]] = tree_root
                    special[element.objgen[0]] = document_element
                    skipped.add(tree.ParentTree.objgen[0])
                if "/Outlines" in root:
                    skipped |= _reachable(part, [root.Outlines], within_outline=True)
                if "/Names" in root:
                    skipped |= {root.Names.objgen[0], root.Names.get("/Dests", root.Names).objgen[0]}
                skipped.discard(0)

                def renumber(old: int, base=base, special=special) -> int:
                    return special.get(old, base + old)

                offset = key
                marks = []
                for i, page in enumerate(part.pages):
                    obj = page.obj
                    obj.StructParents = offset + i
                    for annotation in obj.get("/Annots", []):
                        if "/StructParent" in annotation:
                            annotation.StructParent = offset + int(annotation.StructParent)
                        action = annotation.get("/A")
                        if action is not None and str(action.get("/URI", "")).startswith(ANCHOR_SCHEME):
                            target = str(action.URI)[len(ANCHOR_SCHEME):]
                            del annotation["/A"]
                            annotation.Dest = String(target)  # its /Contents, in words, as the part said
                    form = footer_pages[footer_index]
                    footer_index += 1
                    resources = Dictionary({k: v for k, v in obj.Resources.items()})
                    xobjects = Dictionary({k: v for k, v in resources.get("/XObject", Dictionary()).items()})
                    xobjects[Name(f"/RaciFooter{footer_index - 1}")] = _mark(form)
                    resources.XObject = xobjects
                    obj.Resources = resources
                    draw = writer.reserve()
                    writer.stream(draw, b"<< >>", f"Q\n/Artifact BMC\n/RaciFooter{footer_index - 1} Do\nEMC\n"
                                  .encode("ascii"))
                    obj.Contents = Array([_mark(save), obj.Contents, _mark(draw)])
                    page_numbers.append(renumber(obj.objgen[0]))
                    marks.append(obj)
                if "/StructTreeRoot" in root:
                    for kid in element.get("/K", []):
                        kids.append(_text(kid, renumber) if not kid.is_indirect else b"%d 0 R" % renumber(
                            kid.objgen[0]))
                    part_nums = tree.ParentTree.Nums
                    for n in range(0, len(part_nums), 2):
                        value = part_nums[n + 1]
                        text = b"%d 0 R" % renumber(value.objgen[0]) if value.is_indirect else _text(value, renumber)
                        nums.append((offset + int(part_nums[n]), text))
                        key = max(key, offset + int(part_nums[n]) + 1)
                key = max(key, offset + len(part.pages))
                if "/StructTreeRoot" in root and "/IDTree" in tree:
                    entries = tree.IDTree.get("/Names", [])
                    for n in range(0, len(entries), 2):
                        identified[str(entries[n])] = b"%d 0 R" % renumber(entries[n + 1].objgen[0])
                if "/Names" in root and "/Dests" in root.Names:
                    entries = root.Names.Dests.get("/Names", [])
                    for n in range(0, len(entries), 2):
                        value = entries[n + 1]
                        names.setdefault(str(entries[n]), b"%d 0 R" % renumber(value.objgen[0])
                                         if value.is_indirect else _text(value, renumber))
                if number == 0:
                    catalog = {entry: (b"%d 0 R" % renumber(root[entry].objgen[0]) if root[entry].is_indirect
                                       else _text(root[entry], renumber)) for entry in CATALOG_ENTRIES if entry in root}
                    if "/Info" in part.trailer:
                        info = _text(part.trailer.Info, renumber)
                everything = {obj.objgen[0] for obj in part.objects} - skipped - set(special)
                _copy_objects(writer, part, everything, renumber)
                del marks, root
        # What the joined file has once: the page tree, the structure tree, names, outline, catalog, information.
        writer.packed_object(pages_root, b"<< /Type /Pages /Count %d /Kids [ %s ] >>" % (
            len(page_numbers), b" ".join(b"%d 0 R" % n for n in page_numbers)))
        structure = b""
        if kids:
            parent_tree = writer.reserve()
            writer.packed_object(parent_tree, b"<< /Nums [ %s ] >>" % b" ".join(
                b"%d %s" % pair for pair in sorted(nums, key=lambda pair: pair[0])))
            id_tree = b""
            if identified:
                id_tree = b" /IDTree << /Names [ %s ] >>" % b" ".join(
                    String(name).unparse() + b" " + identified[name] for name in sorted(identified))
            writer.packed_object(tree_root, b"<< /Type /StructTreeRoot /K [ %d 0 R ] /ParentTree %d 0 R "
                                            b"/ParentTreeNextKey %d%s >>" % (document_element, parent_tree, key, id_tree))
            writer.packed_object(document_element, b"<< /Type /StructElem /S /Document /P %d 0 R /K [ %s ] >>" % (
                tree_root, b" ".join(kids)))
            structure = b" /StructTreeRoot %d 0 R" % tree_root
        entries = b""
        if names:
            dests = writer.reserve()
            writer.packed_object(dests, b"<< /Names [ %s ] >>" % b" ".join(
                String(name).unparse() + b" " + names[name] for name in sorted(names)))
            entries = b" /Names << /Dests %d 0 R >>" % dests
        outline = _write_outline(writer, bookmarks, page_numbers)
        catalog_number = writer.reserve()
        writer.packed_object(catalog_number, b"<< /Type /Catalog /Pages %d 0 R%s%s%s%s >>" % (
            pages_root, structure, entries, b" /Outlines %d 0 R" % outline if outline else b"",
            b"".join(b" %s %s" % (k.encode("ascii"), v) for k, v in catalog.items())))
        if stamp is not None:
            from raci_gen.documents.stamp import PDF_KEY

            info = info[:-2].rstrip() + b" /%s %s >>" % (PDF_KEY.encode("ascii"), String(stamp).unparse())
        info_number = writer.reserve()
        writer.plain(info_number, info)  # plain: raci_gen.writing.provenance finds the stamp by its bytes
        writer.finish(catalog_number, info_number)


def _reachable(pdf, roots: list, within_outline: bool = False) -> set[int]:
    """The numbers of the objects ``roots`` refer to, directly or not (``roots`` included when indirect).
    ``within_outline``: follow an outline's items only (not the pages their destinations name)."""
    import pikepdf

    found: set[int] = set()
    stack = list(roots)
    while stack:
        obj = stack.pop()
        if obj.is_indirect:
            if obj.objgen[0] in found:
                continue
            found.add(obj.objgen[0])
        if within_outline:
            for name in ("/First", "/Next"):
                if name in obj:
                    stack.append(obj[name])
            continue
        text = (obj.stream_dict if isinstance(obj, pikepdf.Stream) else obj).unparse(resolved=True)
        for match in _TOKENS.finditer(text):
            if match.group(1) is not None and int(match.group(1)) not in found:
                stack.append(pdf.get_object((int(match.group(1)), int(match.group(2)))))
    return found


def _copy_objects(writer: _Writer, pdf, numbers: set[int], renumber) -> None:
    """Write the objects ``numbers`` of ``pdf``, renumbered, in the order of their numbers."""
    import pikepdf

    for old in sorted(numbers):
        obj = pdf.get_object((old, 0))
        if isinstance(obj, pikepdf.Stream):
            if obj.stream_dict.get("/Type") in (pikepdf.Name.XRef, pikepdf.Name.ObjStm):
                continue  # the part's own packing, which qpdf lists among its objects
            dictionary = pikepdf.Dictionary({k: v for k, v in obj.stream_dict.items() if k != "/Length"})
            writer.stream(renumber(old), _text(dictionary, renumber), obj.read_raw_bytes())
        elif obj.is_indirect:
            writer.packed_object(renumber(old), _text(obj, renumber))


def _write_outline(writer: _Writer, bookmarks: list, pages: list[int]) -> int:
    """The outline (bookmarks) of WeasyPrint's tree, its destinations on ``pages``; 0 when there is none."""
    from pikepdf import String

    if not bookmarks:
        return 0

    def visible(items) -> int:
        return len(items) + sum(visible(children) for _, _, children, state in items if state != "closed")

    def write(items, parent: int) -> tuple[int, int]:
        numbers = [writer.reserve() for _ in items]
        for i, (label, (page, x, y), children, state) in enumerate(items):
            first = last = 0
            if children:
                first, last = write(children, numbers[i])
            count = visible(children) if children else 0
            body = b"<< /Title %s /Parent %d 0 R /Dest [ %d 0 R /XYZ %s %s 0 ]" % (
                String(label).unparse(), parent, pages[page], _number(x), _number(y))
            if i:
                body += b" /Prev %d 0 R" % numbers[i - 1]
            if i < len(items) - 1:
                body += b" /Next %d 0 R" % numbers[i + 1]
            if children:
                body += b" /First %d 0 R /Last %d 0 R /Count %d" % (first, last, -count if state == "closed" else count)
            writer.packed_object(numbers[i], body + b" >>")
        return numbers[0], numbers[-1]

    root = writer.reserve()
    first, last = write(bookmarks, root)
    writer.packed_object(root, b"<< /Type /Outlines /First %d 0 R /Last %d 0 R /Count %d >>" % (
        first, last, visible(bookmarks)))
    return root


def _number(value: float) -> bytes:
    return (b"%.6f" % value).rstrip(b"0").rstrip(b".") or b"0"

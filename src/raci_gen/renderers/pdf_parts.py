"""A long PDF laid out in parts, in worker processes on every core, and joined into one document.

WeasyPrint keeps every box, style and text layout of a document until its PDF is written: about
a megabyte per activity of a 30-role matrix, all in one process on one core. Above
:data:`PARTS_FROM` activities the document is cut into parts (:class:`raci_gen.renderers.html.Part`),
each laid out and written to a PDF file of its own by a process forked for it, so that the
layouts live and die in the workers and both cores work; then pikepdf (qpdf) joins the files.

Where the document is cut is decided by its content alone, never by the number of cores, so the
same input gives the same bytes with one worker or eight:

* at the page breaks the stylesheet already has: before each role chunk's table after the first,
  before the roles, the by-role and the workload sections. Parts cut there have the pages of the
  one document, and they are independent, so they are laid out side by side;
* inside a long role chunk (or the notes), after about :data:`PART_CELLS` cells: a part of the
  chunk's rows is laid out, its last page (which may be part full) is dropped, and the next part
  starts at the first row that page held. Pages are as full as in one document, at the cost of
  laying out one page twice per part; the parts of one chunk follow each other, the chunks run
  side by side;
* between two role views of the by-role section, every :data:`PART_VIEW_ENTRIES` entries (a new
  page may start there that one document would not have).

Then, in this process:

* "Page N of M" and the other footers are drawn when M is known, by one document of M empty pages
  with the same ``@page`` rules (laid out in a worker too), each page laid over its page of the
  joined PDF as an artifact (a form XObject);
* the bookmarks are WeasyPrint's own tree, built from every part's pages at once, so the phases
  of a later part sit under "Matrix" as in one document;
* links between parts (a role's column heading to its section) are written as ``raci-anchor:``
  URIs and turned back into named destinations, which are joined into one name tree;
* the tagged structure of each part is joined under one Document element, with the keys of
  its parent tree shifted, so screen readers read the parts as one document;
* the provenance stamp is appended as a small update of the information dictionary, written
  plain (qpdf would compress it into an object stream, where :mod:`raci_gen.provenance`, which
  reads it by its bytes, could not see it).

qpdf writes no date and derives the file identifier from the content. This process keeps only
the part files' objects while joining (their streams are read from the files when the joined
file is written), so its memory grows with the page count, not with the layout.
"""

from __future__ import annotations

import collections
import multiprocessing
import multiprocessing.connection
import os
import pickle
import re
import signal
import tempfile
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Callable

from raci_gen.errors import EnvironmentFailure, InputError, RenderError
from raci_gen.renderers.document import Document
from raci_gen.renderers.html import Part, described, matrix_layout, phase_rows, render_html_text
from raci_gen.renderers.templating import render_template

PARTS_FROM = 300
"""Matrices with more activities than this are laid out in parts; smaller ones in one document."""
PART_CELLS = 2500
"""About how many matrix cells one part lays out (rows times the role columns of its chunk)."""
PART_NOTES = 250
"""Rows of the notes table per part (a note can be long)."""
PART_VIEW_ENTRIES = 1000
"""Activity entries of the by-role section per part."""
ANCHOR_SCHEME = "raci-anchor:"
_HREF = re.compile(r'href="#')


def wanted(document: Document) -> bool:
    """Whether ``document`` is laid out in parts: a long matrix drawn by the built-in templates
    (a project's own template knows nothing of parts)."""
    if sum(len(p.activities) for p in document.matrix.phases) <= PARTS_FROM:
        return False
    if document.template_dir:
        if any(os.path.exists(os.path.join(document.template_dir, n)) for n in ("raci.html.j2", "raci.css")):
            return False
    return True


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
    for chunk in layout.chunks:
        streams.append(Stream(lambda start, end, first, chunk=chunk: Part(
            front=first and chunk.number == 1, chunks=(chunk,), captions=first,
            phase_rows=phase_rows(document, start, end), marked=True),
            total=total, per_part=max(20, PART_CELLS // max(len(chunk.roles), 1))))
    notes = described(document)
    if notes:
        streams.append(Stream(lambda start, end, first: Part(
            roles=first, notes=notes[start:end], notes_heading=first, marked=True),
            total=len(notes), per_part=PART_NOTES))
    else:
        streams.append(Stream(lambda *_: Part(roles=True, marked=True)))
    groups = _view_groups(document.role_views())
    tail_alone = bool(document.analysis)
    for number, views in enumerate(groups):
        last = number == len(groups) - 1
        streams.append(Stream(lambda *_, views=views, number=number, last=last: Part(
            views=views, views_heading=number == 0, tail=last and not tail_alone, marked=True)))
    if tail_alone:
        streams.append(Stream(lambda *_: Part(workload=True, tail=True, marked=True)))
    return streams


def _view_groups(views: list) -> list[tuple]:
    """The role views in runs of about PART_VIEW_ENTRIES activity entries (at least one view a run)."""
    groups, current, weight = [], [], 0
    for view in views:
        entries = sum(len(activities) for _, _, phases in view.parts for _, activities in phases) + 1
        if current and weight + entries > PART_VIEW_ENTRIES:
            groups.append(tuple(current))
            current, weight = [], 0
        current.append(view)
        weight += entries
    if current or not groups:
        groups.append(tuple(current))
    return groups


def _row_index(page, last: bool) -> int | None:
    """The index (``data-i``) of the first (or last) row laid out on a WeasyPrint page."""
    found = None
    for box in page._page_box.descendants():
        element = getattr(box, "element", None)
        if element is not None and getattr(box, "element_tag", None) == "tr":
            index = element.get("data-i")
            if index is not None:
                found = int(index)
                if not last:
                    return found
    return found


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
            cut = _row_index(pages[-1], last=False)
            # A row taller than a page starts on the page before: cutting there would repeat it.
            if cut is not None and cut > start and _row_index(pages[-2], last=True) != cut:
                pages, following = pages[:-1], cut
        laid_out.copy(pages).write_pdf(path, pdf_tags=True, **options)
        return Laid(path, [(p.bookmarks, p.height) for p in pages], following, per_part)


# --- the workers -------------------------------------------------------------------------------


def _portable(exc: BaseException) -> BaseException:
    """``exc`` in a form that survives the trip back from a worker with its type and message."""
    if isinstance(exc, InputError):
        return exc  # rebuilt from its problems by _rebuilt
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001 - an exception that cannot be pickled is said in words
        return RenderError(f"{type(exc).__name__}: {exc}")


def _child(connection, job: Callable[[], Laid]) -> None:
    try:
        result = ("ok", job())
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent, which decides
        if isinstance(exc, InputError):
            result = ("input", (type(exc), exc.problems))
        else:
            result = ("error", _portable(exc))
    connection.send(result)
    connection.close()


def _received(message):
    kind, value = message
    if kind == "ok":
        return value
    if kind == "input":
        cls, problems = value
        raise cls(problems)
    raise value


class _Workers:
    """Runs jobs in forked processes, at most ``count`` at a time; ``count`` 0 runs them here."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.context = multiprocessing.get_context("fork") if count else None
        self.running: dict = {}

    def start(self, key, job: Callable[[], Laid]) -> None:
        receiving, sending = self.context.Pipe(duplex=False)
        process = self.context.Process(target=_child, args=(sending, job), daemon=True)
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
            code = process.exitcode or 0
            how = f"signal {signal.Signals(-code).name}" if code < 0 else f"exit status {code}"
            raise EnvironmentFailure(f"error: a process laying out the PDF was stopped ({how}; out of memory?); "
                                     "no file was changed")
        return key, _received(message)

    def stop(self) -> None:
        for receiving, (_, process) in self.running.items():
            process.kill()
            process.join()
            receiving.close()
        self.running.clear()


def _run(streams: list[Stream], lay_out: Callable[[int, int, int], Laid], extra: list, workers: int) -> None:
    """Lay out every stream's parts, ``workers`` at a time; the parts of a stream in order."""
    ready = collections.deque((number, 0, stream.per_part) for number, stream in enumerate(streams))

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
        for job in extra:
            job()
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
    with tempfile.TemporaryDirectory(prefix="raci-gen-pdf-") as folder:

        def lay_out(number: int, start: int, per_part: int) -> Laid:
            path = os.path.join(folder, f"part-{number:04d}-{start:06d}.pdf")
            return _lay_out(weasyprint, document, fetcher, options, streams[number], start, per_part, path)

        _run(streams, lay_out, [], workers)
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
        join(files, footers, _bookmarks(weasyprint, pages), joined)
        if stamp is not None:
            _append_stamp(joined, stamp)
        with open(joined, "rb") as fh:
            return fh.read()


def _footers(weasyprint, document: Document, fetcher, count: int, path: str) -> None:
    """``count`` empty pages with the document's page footers ("Page N of M"), untagged."""
    css = render_template(document, "raci.css", autoescape=True, layout=matrix_layout(document), part=Part())
    body = "<div></div>" + '<div style="break-before: page"></div>' * (count - 1)
    html = (f'<!DOCTYPE html><html lang="{document.language}"><head><meta charset="utf-8"><style>{css}</style>'
            f"</head><body>{body}</body></html>")
    weasyprint.HTML(string=html, base_url="about:blank", url_fetcher=fetcher).write_pdf(path)


def _bookmarks(weasyprint, pages: list) -> list:
    """WeasyPrint's bookmark tree of all the parts' pages, in PDF coordinates."""
    stubs = [SimpleNamespace(bookmarks=bookmarks, height=height) for bookmarks, height in pages]
    return weasyprint.Document.make_bookmark_tree(SimpleNamespace(pages=stubs), scale=0.75, transform_pages=True)


# --- the join ----------------------------------------------------------------------------------

CATALOG_ENTRIES = ("/Lang", "/MarkInfo", "/ViewerPreferences", "/Metadata", "/OutputIntents", "/PageMode")
"""What the catalog of the first part says of the whole: language, marking, viewer preferences, and the
metadata and output intent of a PDF variant."""


def join(files: list[str], footers: str, bookmarks: list, out: str) -> None:
    """One PDF at ``out`` of the part files ``files``, with the pages of ``footers`` laid over its pages.

    pikepdf (qpdf) copies objects between files keeping their references, in a tenth of pypdf's time
    and memory. Each part is closed as soon as it is copied, so only the joined file is held.
    """
    import pikepdf
    from pikepdf import Array, Dictionary, Name, Pdf, String

    joined = Pdf.new()
    opened = []
    kids: list = []
    nums: list = []
    key = 0
    names: dict[str, object] = {}
    catalog: dict = {}
    info: dict = {}
    version = "1.7"
    copied = 0
    try:
        for number, path in enumerate(files):
            part = Pdf.open(path)
            opened.append(part)
            offset = key
            start = len(joined.pages)
            joined.pages.extend(part.pages)
            added = joined.pages[start:]
            for i, page in enumerate(added):
                page.obj.StructParents = offset + i
                for annotation in page.obj.get("/Annots", []):
                    if "/StructParent" in annotation:
                        annotation.StructParent = offset + int(annotation.StructParent)
                    action = annotation.get("/A")
                    if action is not None and str(action.get("/URI", "")).startswith(ANCHOR_SCHEME):
                        target = str(action.URI)[len(ANCHOR_SCHEME):]
                        del annotation["/A"]
                        annotation.Dest = String(target)
                        if "/Contents" in annotation:
                            annotation.Contents = String(target)
            root = part.Root
            if "/StructTreeRoot" in root:
                tree = root.StructTreeRoot
                element = tree.K[0] if isinstance(tree.K, Array) else tree.K
                for kid in element.get("/K", []):
                    kids.append(_copy(joined, kid))
                part_nums = tree.ParentTree.Nums
                for n in range(0, len(part_nums), 2):
                    nums.append((offset + int(part_nums[n]), _copy(joined, part_nums[n + 1])))
                    key = max(key, offset + int(part_nums[n]) + 1)
            key = max(key, offset + len(added))
            if "/Names" in root and "/Dests" in root.Names:
                entries = root.Names.Dests.get("/Names", [])
                for n in range(0, len(entries), 2):
                    names.setdefault(str(entries[n]), _copy(joined, entries[n + 1]))
            if number == 0:
                version = part.pdf_version
                catalog = {entry: _copy(joined, root[entry]) for entry in CATALOG_ENTRIES if entry in root}
                info = {k: _copy(joined, v) for k, v in part.docinfo.items()}
            # qpdf reads a copied stream's data from its file when saving: copy it now, so the part can
            # be closed (an open part keeps every object it has read, twice the memory of the copies).
            objects = joined.objects
            for obj in objects[copied:]:
                if isinstance(obj, pikepdf.Stream):
                    obj.write(obj.read_raw_bytes(), filter=obj.get("/Filter"), decode_parms=obj.get("/DecodeParms"))
            copied = len(objects)
            del objects, root, added
            part.close()
            opened.pop()
        # The footers, as artifacts drawn over each page (the page's own drawing kept apart by q/Q).
        footer_pdf = Pdf.open(footers)
        opened.append(footer_pdf)
        save = joined.make_stream(b"q\n")
        for i, (page, footer) in enumerate(zip(joined.pages, footer_pdf.pages)):
            contents = footer.obj.Contents
            drawing = (b"".join(c.read_bytes() for c in contents) if isinstance(contents, Array)
                       else contents.read_bytes())
            form = joined.make_stream(drawing)
            form.Type, form.Subtype = Name.XObject, Name.Form
            form.BBox = Array([float(v) for v in footer.obj.MediaBox])
            form.Resources = _copy(joined, footer.obj.Resources)
            name = Name(f"/RaciFooter{i}")
            resources = page.obj.Resources
            if "/XObject" not in resources:
                resources.XObject = Dictionary()
            resources.XObject[name] = form
            draw = joined.make_stream(f"Q\n/Artifact BMC\n{name} Do\nEMC\n".encode("ascii"))
            page.obj.Contents = Array([save, page.obj.Contents, draw])
        # The tagged structure: one Document element over every part's.
        if kids:
            tree_root = joined.make_indirect(Dictionary(Type=Name.StructTreeRoot))
            element = joined.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=tree_root,
                                                      K=Array(kids)))
            for kid in kids:
                kid.P = element
            flat: list = []
            for k, value in sorted(nums, key=lambda pair: pair[0]):
                flat += [k, value]
            tree_root.K = Array([element])
            tree_root.ParentTree = joined.make_indirect(Dictionary(Nums=Array(flat)))
            tree_root.ParentTreeNextKey = key
            joined.Root.StructTreeRoot = tree_root
        for entry, value in catalog.items():
            joined.Root[entry] = value
        if names:
            tree = Array()
            for name in sorted(names):
                tree.append(String(name))
                tree.append(names[name])
            joined.Root.Names = Dictionary(Dests=joined.make_indirect(Dictionary(Names=tree)))
        with joined.open_outline() as outline:
            outline.root.extend(_outline_items(pikepdf, bookmarks))
        for k, value in info.items():
            joined.docinfo[k] = value
        # deterministic_id: the file identifier is a hash of the content, so the same input gives the same bytes.
        joined.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate,
                    compress_streams=True, linearize=False, min_version=version, fix_metadata_version=False)
    finally:
        joined.close()
        for part in opened:
            part.close()


def _append_stamp(path: str, stamp: str) -> None:
    """Write the provenance stamp into the information dictionary of the PDF at ``path``, as an update
    appended to the file (a new version of that one object, written plain, and its cross-reference)."""
    import pikepdf
    from raci_gen import provenance

    with pikepdf.Pdf.open(path) as pdf:
        number = pdf.trailer.Info.objgen[0]
        info = pikepdf.Dictionary({k: v for k, v in pdf.trailer.Info.items()})
        info[f"/{provenance.PDF_KEY}"] = pikepdf.String(stamp)
        body = info.unparse(resolved=False)
        trailer = b"<< /Size %d /Root %d 0 R /Info %d 0 R /ID %s" % (
            int(pdf.trailer.Size), pdf.Root.objgen[0], number, pdf.trailer.ID.unparse(resolved=False))
    with open(path, "rb") as fh:
        data = fh.read()
    previous = int(data[data.rindex(b"startxref") + len(b"startxref"):].split()[0])
    update = bytearray(b"" if data.endswith(b"\n") else b"\n")
    where = len(data) + len(update)
    update += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(data) + len(update)
    update += b"xref\n%d 1\n%010d 00000 n \n" % (number, where)
    update += b"trailer\n" + trailer + b" /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (previous, xref)
    with open(path, "ab") as fh:
        fh.write(update)


def _copy(pdf, obj):
    """``obj`` of another PDF, copied into ``pdf`` with everything it refers to (qpdf keeps one copy of each)."""
    import pikepdf

    if isinstance(obj, pikepdf.Object) and obj.is_indirect:
        return pdf.copy_foreign(obj)
    if isinstance(obj, pikepdf.Array):
        return pikepdf.Array([_copy(pdf, item) for item in obj])
    if isinstance(obj, pikepdf.Dictionary):
        return pikepdf.Dictionary({k: _copy(pdf, v) for k, v in obj.items()})
    return obj


def _outline_items(pikepdf, bookmarks: list) -> list:
    items = []
    for label, (page, x, y), children, state in bookmarks:
        item = pikepdf.OutlineItem(label, page, "XYZ", left=x, top=y, zoom=0)
        item.children.extend(_outline_items(pikepdf, children))
        item.is_closed = state == "closed"
        items.append(item)
    return items

"""What a document was built from, recorded in the document, and read back without rendering.

Every document carries a stamp: raci-gen's version, a digest of each input file, of
the templates its format uses and of the options that shape it (its date, the PDF
variant). ``build --check`` compares Markdown and HTML byte for byte, but decides a
PDF or a workbook by reading its stamp back, which takes a few milliseconds where
rendering takes seconds; and because the stamp names each input file's digest, the
check can say which file changed since the document was built.

Where the stamp lives, in a form light code finds without a PDF or Excel library:

* Markdown and HTML: ``raci-gen-provenance {JSON} -->`` at the end of an HTML comment;
* PDF: the document information entry ``/RaciGenProvenance``, a literal string in an
  information dictionary kept out of the compressed object streams;
* workbook: custom document properties (docProps/custom.xml) ``raci-gen-provenance``
  and ``raci-gen-file-N`` (Excel keeps each property value under 256 characters).

This module reads files and digests them; it depends on the model, and on the walk of the templates
folder (:mod:`raci_gen.input.templatefolder`) only.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import re
import stat
import typing
from dataclasses import dataclass, field

from raci_gen import __version__
from raci_gen.input import templatefolder
from raci_gen.model.matrix import Project

MARKER = "raci-gen-provenance"
PDF_KEY = "RaciGenProvenance"
XLSX_FILE_PREFIX = "raci-gen-file-"
FORMAT_TEMPLATES: dict[str, tuple[str, ...]] = {
    "md": ("raci.md.j2",),
    "html": ("raci.html.j2", "raci.css"),
    "pdf": ("raci.html.j2", "raci.css"),
}
"""The built-in templates each format renders with (a format not listed uses none)."""
DIGEST_CHARS = 16

_JSON_PIECE = re.compile(r'(?:"(?:[^"\\]|\\.)*"|[^",{])*[,{]|.+', re.S)
"""Compact JSON cut after each ``,`` and ``{`` outside its strings: where a line may break."""
MD_STAMP_WIDTH = 80
"""Longest line of the Markdown's stamp (markdownlint's default line length), but a piece longer alone."""
_PDF_STAMP = re.compile(rb"/" + PDF_KEY.encode() + rb"\s*\(((?:[^\\()]|\\.)*)\)", re.S)
_PDF_ESCAPE = re.compile(rb"\\(.)", re.S)
_CUSTOM_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"
_TEXT_HEAD = 64 * 1024
"""Bytes of a Markdown or HTML file searched for the stamp: it is written near the top."""


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:DIGEST_CHARS]


@dataclass(frozen=True)
class Provenance:
    """What one build is made of; :meth:`stamp` is what one of its documents records."""

    inputs: str
    """The project's input digest (the short hash printed in the documents' provenance line)."""
    files: dict[str, str]
    """Digest of each input file, by its path relative to the project folder."""
    templates: dict[str, str] = field(default_factory=dict)
    """Digest of the templates in use, by format."""
    date: str | None = None
    time: str | None = None
    """The metadata time, ISO 8601 UTC, or None."""
    date_source: str = "none"
    pdf_variant: str | None = None
    version: str = __version__

    def options(self, fmt: str) -> dict[str, object]:
        """The options that shape a document of format ``fmt``, besides its inputs and templates."""
        result: dict[str, object] = {"format": fmt, "date": self.date, "time": self.time}
        if fmt == "pdf":
            result["pdf-variant"] = self.pdf_variant
        return result

    def stamp(self, fmt: str) -> dict[str, object]:
        options = self.options(fmt)
        return {
            "generator": "raci-gen", "version": self.version, "format": fmt, "inputs": self.inputs,
            "files": dict(sorted(self.files.items())), "templates": self.templates.get(fmt, ""),
            "options": _digest(_json(options).encode("utf-8")), "date": self.date, "time": self.time,
            "date-source": self.date_source,
        }

    def stamp_text(self, fmt: str) -> str:
        """The stamp as one line of JSON, safe inside an HTML comment, a PDF string and XML (ASCII, no < > &)."""
        return _json(self.stamp(fmt))

    def comment(self, fmt: str) -> str:
        """The stamp as Markdown and HTML carry it, at the end of an HTML comment: HTML's on one line,
        Markdown's in lines of at most :data:`MD_STAMP_WIDTH` characters, broken between JSON tokens."""
        text = f"{MARKER} {self.stamp_text(fmt)}"
        if fmt != "md":
            return text
        lines = [""]
        for piece in _JSON_PIECE.findall(text):
            if lines[-1] and len(lines[-1]) + len(piece) > MD_STAMP_WIDTH:
                lines.append("")
            lines[-1] += piece
        return "\n".join(lines)

    def xlsx_properties(self) -> list[tuple[str, str]]:
        """The stamp as workbook custom properties: the stamp without files, then one property per file."""
        stamp = self.stamp("xlsx")
        files = stamp.pop("files")
        props = [(MARKER, _json(stamp))]
        for i, (path, digest) in enumerate(files.items(), start=1):
            props.append((f"{XLSX_FILE_PREFIX}{i}", f"{digest} {path}"[:255]))
        return props


def _json(data: object) -> str:
    text = json.dumps(data, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def compute(project: Project, date: str | None, time: _dt.datetime | None, date_source: str,
            template_dir: str | None) -> Provenance:
    """The provenance of a build of ``project`` with this date and the templates in ``template_dir``."""
    return Provenance(
        inputs=project.digest, files=input_digests(project), templates=template_digests(template_dir),
        date=date, time=time.strftime("%Y-%m-%dT%H:%M:%SZ") if time else None, date_source=date_source,
        pdf_variant=project.settings.pdf_variant,
    )


def relative_to_root(project: Project, path: str) -> str:
    """A path as the documents show it: relative to the project folder, with ``/``, wherever raci-gen runs."""
    return os.path.relpath(path, project.root).replace(os.sep, "/")


def input_digests(project: Project) -> dict[str, str]:
    result = {}
    for source in project.sources:
        try:
            with open(source, "rb") as fh:
                result[relative_to_root(project, source)] = _digest(fh.read())
        except OSError:
            result[relative_to_root(project, source)] = "unreadable"
    return result


def template_digests(template_dir: str | None) -> dict[str, str]:
    """Per format, a digest of the templates in use: the project's own templates folder (all of it,
    since a template may include any file there), and the built-in templates it does not override."""
    own: dict[str, str] = {}  # digests, not bytes: the folder may hold up to templatefolder.MAX_FOLDER_BYTES
    if template_dir and os.path.isdir(template_dir):
        for entry in templatefolder.walk(template_dir).entries:  # bounded, the loader refused what is beyond
            if entry.is_folder:
                continue
            data = _regular_file(entry.path, templatefolder.MAX_FILE_BYTES)
            if data is not None and not templatefolder.is_built_in(entry.relative, data):  # a copy: built-in below
                own[entry.relative] = _digest(data)
    built_in = templatefolder.built_in_folder()
    result = {}
    for fmt, names in FORMAT_TEMPLATES.items():
        h = hashlib.sha256()
        used = dict(own)
        for name in names:
            if name not in used:
                with open(os.path.join(built_in, name), "rb") as fh:
                    used["built-in/" + name] = _digest(fh.read())
        for name, digest in sorted(used.items()):
            h.update(name.encode("utf-8") + b"\0" + digest.encode("ascii") + b"\0")
        result[fmt] = h.hexdigest()[:DIGEST_CHARS]
    return result


def _regular_file(path: str, limit: int) -> bytes | None:
    """The first ``limit`` + 1 bytes of the regular file at ``path`` (links followed); None for anything
    else or a file that cannot be read. Opened without blocking, so a FIFO never holds the build."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # a folder (a link to one), a FIFO, a device
            return None
        chunks, left = [], limit + 1
        while left > 0 and (chunk := os.read(fd, min(left, 1024 * 1024))):
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


# --- reading a stamp back ---------------------------------------------------------------------------------------


DOCUMENT_READ_LIMIT = 256 * 1024 * 1024
"""Most bytes of a document on disk read back for its stamp (the largest PDF raci-gen writes is about 20 MB)."""


def stamp_in(data: bytes, fmt: str) -> dict | None:
    """The stamp recorded in the bytes of a document of format ``fmt``, or None."""
    if fmt == "xlsx":
        import io

        return _xlsx_stamp(io.BytesIO(data))
    if fmt == "pdf":
        return _pdf_stamp(data)
    return text_stamp(data)


def text_stamp(data: bytes) -> dict | None:
    """The stamp in the text of a Markdown or HTML document, or None.

    The stamp is ``MARKER {JSON} -->``, its JSON on one line (HTML, and the Markdown of earlier
    raci-gen) or across lines (Markdown: JSON allows line breaks between its tokens); its JSON holds
    no ``>``. Read in one pass: the last marker before each comment's end is tried (a pattern that
    looked from every marker to the end took 1.3 s on 64 KiB of markers).
    """
    text = data[:_TEXT_HEAD].decode("utf-8", errors="replace")
    start = text.find(MARKER)
    while start != -1:
        end = text.find("-->", start)
        if end == -1:
            return None
        start = text.rfind(MARKER, start, end)
        found = text[start + len(MARKER):end]
        if found[:1].isspace() and found.strip().startswith("{") and found.strip().endswith("}"):
            return _parse(found.strip())
        start = text.find(MARKER, end)
    return None


def stamp_lines(lines: typing.Sequence[str]) -> set[int]:
    """The indexes of ``lines`` (a Markdown or HTML document's) that hold its stamp: the line with the
    marker and, when the stamp goes on, the lines to its comment's end."""
    held: set[int] = set()
    index = 0
    while index < len(lines):
        if MARKER in lines[index]:
            start = index
            while index < len(lines) - 1 and "-->" not in lines[index]:
                index += 1
            held.update(range(start, index + 1))
        index += 1
    return held


def _parse(text: str) -> dict | None:
    try:
        stamp = json.loads(text)
    except ValueError:
        return None
    return stamp if isinstance(stamp, dict) and stamp.get("generator") == "raci-gen" else None


def _pdf_stamp(data: bytes) -> dict | None:
    matches = _PDF_STAMP.findall(data)
    if not matches:
        return None
    # an incremental update (a PDF edited and saved) appends; the last one written counts
    raw = _PDF_ESCAPE.sub(rb"\1", matches[-1])
    return _parse(raw.decode("latin-1"))


def _xlsx_stamp(source: "typing.BinaryIO") -> dict | None:
    import zipfile  # here: a Markdown build or check reads no workbook
    from xml.etree import ElementTree

    try:
        with zipfile.ZipFile(source) as archive:
            info = archive.getinfo("docProps/custom.xml")
            if info.file_size > 4 * 1024 * 1024:
                return None
            root = ElementTree.fromstring(archive.read(info))
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError, EOFError, ValueError):
        return None
    props = {}
    for prop in root.findall(f"{_CUSTOM_NS}property"):
        props[prop.get("name")] = "".join(prop.itertext())
    stamp = _parse(props.get(MARKER, ""))
    if stamp is None:
        return None
    files = {}
    for i in range(1, len(props) + 1):
        value = props.get(f"{XLSX_FILE_PREFIX}{i}")
        if value is None:
            break
        digest, _, name = value.partition(" ")
        files[name] = digest
    stamp["files"] = files
    return stamp


# --- what differs -----------------------------------------------------------------------------------------------


def differences(recorded: dict, expected: dict) -> list[str]:
    """Why a document that records ``recorded`` is not what a build now would make (``expected``);
    empty when it is."""
    reasons = []
    old_files, new_files = recorded.get("files") or {}, expected["files"]
    if not isinstance(old_files, dict):
        old_files = {}
    for name in sorted(set(old_files) | set(new_files)):
        if name not in old_files:
            reasons.append(f"{name} is new since it was built")
        elif name not in new_files:
            reasons.append(f"{name} was an input when it was built and is not one now")
        elif old_files[name] != new_files[name]:
            reasons.append(f"{name} changed since it was built")
    if recorded.get("templates") != expected["templates"]:
        reasons.append("the templates changed since it was built")
    if recorded.get("version") != expected["version"]:
        reasons.append(f"it was built by raci-gen {recorded.get('version')}; this is raci-gen {expected['version']}")
    if recorded.get("options") != expected["options"]:
        if recorded.get("date") != expected["date"] or recorded.get("time") != expected["time"]:
            reasons.append(f"its date is {_shown(recorded.get('date'))}; a build now dates it "
                           f"{_shown(expected['date'])}")
        else:
            reasons.append("it was built with other options (--pdf-variant or pdf: in raci.yaml)")
    if not reasons and recorded.get("inputs") != expected["inputs"]:
        reasons.append("its inputs changed since it was built")
    return reasons


def _shown(date: object) -> str:
    return "none" if date is None else repr(date)

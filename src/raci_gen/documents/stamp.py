"""What a document records of what it was built from (its stamp), worked out once per build.

Every document carries a stamp: raci-gen's version, a digest of each input file, of
the templates its format uses and of the options that shape it (its date, the PDF
variant). The renderers write it (Markdown and HTML through :meth:`Provenance.comment`, the PDF
through :data:`PDF_KEY`, the workbook through :meth:`Provenance.xlsx_properties`); reading it back
and comparing is :mod:`raci_gen.writing.provenance`, which ``build --check`` and the kept date use.

Where the stamp lives, in a form light code finds without a PDF or Excel library:

* Markdown and HTML: ``raci-gen-provenance {JSON} -->`` at the end of an HTML comment;
* PDF: the document information entry ``/RaciGenProvenance``, a literal string in an
  information dictionary kept out of the compressed object streams;
* workbook: custom document properties (docProps/custom.xml) ``raci-gen-provenance``
  and ``raci-gen-file-N`` (Excel keeps each property value under 256 characters).

This module reads the input files and templates and digests them; it depends on the model, the clock's
date and the walk of the templates folder (:mod:`raci_gen.input.templatefolder`) only.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass, field

from raci_gen import __version__
from raci_gen.input import clock, templatefolder
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


def compute(project: Project, date: clock.DocumentDate, template_dir: str | None,
            files: dict[str, str] | None = None) -> Provenance:
    """The provenance of a build of ``project`` dated ``date``, with the templates in ``template_dir``;
    ``files`` are the input files' digests when the build has them already (:func:`input_digests`)."""
    time = date.stamp
    return Provenance(
        inputs=project.digest, files=input_digests(project) if files is None else files,
        templates=template_digests(template_dir), date=date.shown,
        time=time.strftime("%Y-%m-%dT%H:%M:%SZ") if time else None, date_source=date.source,
        pdf_variant=project.settings.pdf_variant,
    )


def relative_to_root(project: Project, path: str) -> str:
    """A path as the documents show it: relative to the project folder, with ``/``, wherever raci-gen runs."""
    return os.path.relpath(path, project.root).replace(os.sep, "/")


def input_digests(project: Project) -> dict[str, str]:
    """A digest of each input file, by its path as the documents show it (an unreadable one: ``unreadable``)."""
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

"""A document's stamp read back, without rendering, and what differs from the stamp a build now records.

Every document records what it was built from (:mod:`raci_gen.documents.stamp` says what and where).
``build --check`` compares Markdown and HTML byte for byte, but decides a PDF or a workbook by
reading its stamp back, which takes a few milliseconds where rendering takes seconds; and because
the stamp names each input file's digest, the check can say which file changed since the document
was built. The kept date (:mod:`raci_gen.writing.output`) reads the date a stamp records.

This module reads bytes it is given; it depends on :mod:`raci_gen.documents.stamp` only.
"""

from __future__ import annotations

import json
import re
import typing

from raci_gen.documents.stamp import MARKER, PDF_KEY, XLSX_FILE_PREFIX  # where the renderers write the stamp

_PDF_STAMP = re.compile(rb"/" + PDF_KEY.encode() + rb"\s*\(((?:[^\\()]|\\.)*)\)", re.S)
_PDF_ESCAPE = re.compile(rb"\\(.)", re.S)
_CUSTOM_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"
_TEXT_HEAD = 64 * 1024
"""Bytes of a Markdown or HTML file searched for the stamp: it is written near the top."""


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

"""Put the generated CODEOWNERS block into the file the project names, between two marker lines.

The file keeps every line outside the markers, the team's own rules, line endings included::

    * @acme/admins                    (the team's own: raci-gen leaves it)
    # BEGIN RACI
    (raci-gen replaces what is here)
    # END RACI
    /docs/legal/ @acme/legal          (after the block: it wins over the block, the last match)

A file that is not there is created with the markers around the block. A file without markers, with a
BEGIN and no END, an END before its BEGIN or two pairs is refused at the line: raci-gen never adds to a
file it does not understand, since where the lines go decides which match is the last. A marker is a whole
line (blanks around it allowed); the generated lines never are one.

Several projects may share one file, each between markers of its own name (``output.codeowners.block``:
``# BEGIN RACI data-platform`` ... ``# END RACI data-platform``); a project reads only its own pair and leaves
the others' lines as they are.
"""

from __future__ import annotations

import re

from raci_gen.model.errors import RaciError

BEGIN = "# BEGIN RACI"
END = "# END RACI"


def markers(name: str | None = None) -> tuple[str, str]:
    """The BEGIN and END lines of the block named ``name`` (None: the markers carry no name)."""
    return (BEGIN, END) if not name else (f"{BEGIN} {name}", f"{END} {name}")


def _how(begin: str, end: str) -> str:
    return f"add a line {begin} and, below it, a line {end} where the matrix's owners should go"
MAX_FILE_BYTES = 3 * 1024 * 1024
"""GitHub reads no CODEOWNERS file of 3 MB or more; one larger is not read either."""

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")


def fresh(block: str, name: str | None = None) -> str:
    """A new file holding only the block between its markers."""
    begin, end = markers(name)
    return f"{begin}\n{block.rstrip(chr(10))}\n{end}\n"


def splice(current: str, block: str, path: str, name: str | None = None) -> str:
    """``current`` with the lines between its markers (those of the block ``name``) replaced by ``block``."""
    BEGIN, END = markers(name)  # noqa: N806 - the module's markers, named
    HOW = _how(BEGIN, END)  # noqa: N806
    lines = [m.group() for m in _LINE.finditer(current) if m.group()]
    marks = [(i, line.strip()) for i, line in enumerate(lines) if line.strip() in (BEGIN, END)]
    if not marks:
        raise RaciError(f"{path}:1:1: error: no {BEGIN} line in the CODEOWNERS file; {HOW}")
    (begin, first), rest = marks[0], marks[1:]
    if first == END:
        raise RaciError(f"{path}:{begin + 1}:1: error: {END} has no {BEGIN} before it; {HOW}")
    if not rest:
        raise RaciError(f"{path}:{begin + 1}:1: error: {BEGIN} has no {END} after it; {HOW}")
    if rest[0][1] == BEGIN:
        raise RaciError(f"{path}:{rest[0][0] + 1}:1: error: a second {BEGIN} before {END}; keep exactly one pair "
                        "of markers in the file")
    if len(rest) > 1:
        raise RaciError(f"{path}:{rest[1][0] + 1}:1: error: a second {rest[1][1]} line; keep exactly one pair of "
                        "markers in the file")
    end = rest[0][0]
    newline = next((found.group() for found in re.finditer(r"\r\n|\r|\n", lines[begin])), "\n")
    body = "".join(line + newline for line in block.rstrip("\n").split("\n"))
    head = lines[: begin + 1]
    if not head[-1].endswith(("\n", "\r")):
        head[-1] += newline
    return "".join(head) + body + "".join(lines[end:])


def codeowners_text(path: str, block: bytes, read, name: str | None = None) -> bytes:
    """The new bytes of the CODEOWNERS file at ``path``, its block ``name`` replaced: ``read()`` gives its bytes
    as they are (confined, no link followed, FileNotFoundError when there is none)."""
    try:
        raw = read()
    except FileNotFoundError:
        return fresh(block.decode("utf-8"), name).encode("utf-8")
    except IsADirectoryError:
        raise RaciError(f"{path}: error: the CODEOWNERS file is a folder") from None
    except OSError as exc:
        raise RaciError(f"{path}: error: cannot read the CODEOWNERS file: {exc.strerror}") from None
    try:
        current = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RaciError(f"{path}: error: the CODEOWNERS file is not UTF-8 text") from None
    result = splice(current, block.decode("utf-8"), path, name).encode("utf-8")
    if len(result) >= MAX_FILE_BYTES:
        raise RaciError(f"{path}: error: the CODEOWNERS file would be {len(result)} bytes; GitHub reads none of "
                        f"{MAX_FILE_BYTES // (1024 * 1024)} MB or more")
    return result

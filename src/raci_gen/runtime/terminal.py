"""Text for a terminal: what the project holds, shown, never obeyed.

Names and descriptions come from the YAML, which may come from a pull request.
A terminal acts on some characters instead of showing them: ESC starts
sequences that move the cursor, clear the screen or set the clipboard
(``ESC ] 52``), BEL rings, C1 characters (U+0080–U+009F) are the same controls
in one byte, and the Unicode bidi controls reorder what is shown, so that the
text read is not the text there ("Trojan Source", CVE-2021-42574).

:func:`printable` shows each of them as an escape (``\\x1b``, ``\\u202e``);
:func:`echo` is ``click.echo`` through it. Everything the CLI prints goes
through :func:`echo`. Line feeds and tabs are kept: they are the structure of
the reports.

One problem is one line: a CI log, an editor's problem matcher and GitHub's workflow
commands (``::warning file=...``) read the output line by line, so a line feed in a file
name or a message would end the problem and start a line the project chose. What prints
one problem, finding or message passes ``one_line=True``, which shows line feeds as
``\\n`` too (the other line breaks, CR, VT, FF, NEL, U+2028 and U+2029, are always escaped).
Half a UTF-16 surrogate pair (``\\udcff``, which ``os.fsdecode`` makes of a byte of a file name
that is not UTF-8) is shown as an escape as well: it cannot be written as UTF-8.
"""

from __future__ import annotations

import re

import click

BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
"""Arabic letter mark, LRM, RLM, the embeddings and overrides (LRE…RLO, PDF), the isolates (LRI…PDI)."""

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff" + BIDI_CONTROLS + "]")
_UNSAFE_ON_ONE_LINE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff" + BIDI_CONTROLS + "]")


def _escaped(match: re.Match) -> str:
    code = ord(match.group())
    if code == 0x0A:
        return "\\n"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, one_line: bool = False) -> str:
    """``text`` with terminal controls and bidi controls shown as escapes; tabs kept, and line feeds
    too unless ``one_line`` (then shown as ``\\n``: the text is one problem, one line)."""
    return (_UNSAFE_ON_ONE_LINE if one_line else _UNSAFE).sub(_escaped, text)


def has_unsafe(text: str) -> bool:
    return _UNSAFE.search(text) is not None


def echo(message: object = None, err: bool = False, nl: bool = True, one_line: bool = False) -> None:
    """``click.echo`` of ``message`` as :func:`printable` text (``one_line``: a line feed in it shown as ``\\n``)."""
    click.echo(None if message is None else printable(str(message), one_line), err=err, nl=nl)

"""File names that some file system will not hold.

A project is committed once and checked out everywhere: a document named ``con.md`` builds on
Linux, and then the repository cannot be checked out on Windows, where ``CON`` is the console
whatever suffix follows it.
"""

from __future__ import annotations

WINDOWS_RESERVED = frozenset({"con", "prn", "aux", "nul",
                              *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))})
"""Device names Windows reserves in every folder (Microsoft's "Naming Files, Paths, and Namespaces")."""


def windows_reserved(name: str) -> str | None:
    """The reserved device name ``name`` stands for on Windows (``CON``), or None.

    Windows ignores case, trailing dots and spaces, and everything from the first dot on:
    ``con``, ``CON.md``, ``Con.tar.gz`` and ``con .`` all name the console.
    """
    stem = name.split(".", 1)[0].rstrip(" .").casefold()
    return stem.upper() if stem in WINDOWS_RESERVED else None


NOT_UTF8 = ("the file name is not UTF-8 text (a byte that is not UTF-8 is shown as \\xNN); rename it: the documents "
            "show a file's name and git stores it, as UTF-8")
"""The problem with a file name of which :func:`not_utf8` finds bytes that are not UTF-8."""


def not_utf8(name: str) -> str | None:
    """``name`` as it can be shown, its bytes that are not UTF-8 as ``\\xff``, when it has such bytes; else None.

    A file name on Linux is bytes; :func:`os.listdir` turns the bytes that are not UTF-8 into lone surrogates
    (U+DC80–U+DCFF, Python's ``surrogateescape``), which no document, digest or terminal can take as UTF-8.
    A name is shown in the documents and stored in git's trees, so a project's file names must be text.
    """
    if not any("\ud800" <= char <= "\udfff" for char in name):
        return None
    return "".join(f"\\x{ord(char) - 0xDC00:02x}" if "\udc80" <= char <= "\udcff"
                   else f"\\u{ord(char):04x}" if "\ud800" <= char <= "\udfff" else char for char in name)

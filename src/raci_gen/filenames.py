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

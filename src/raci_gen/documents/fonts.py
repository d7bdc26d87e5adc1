"""Which characters of a matrix no installed font can draw, for the PDF's warning.

WeasyPrint draws text with the fonts fontconfig knows; a character none of them
has becomes an empty box (``.notdef``) in the PDF, silently. Before a PDF build
the CLI asks :func:`missing_glyphs`, which reads the coverage of every installed
font once (``fc-list``) and names each text that has such characters, where it
is, and the Debian/Ubuntu package that would draw it.
"""

from __future__ import annotations

import bisect
import functools
import subprocess
import unicodedata
from dataclasses import dataclass
from typing import Iterator

from raci_gen.model.matrix import Location, Matrix, matrix_texts

CJK_PACKAGE = "fonts-noto-cjk"
EMOJI_PACKAGE = "fonts-noto-color-emoji"
OTHER_PACKAGE = "fonts-noto-core"

_CJK = ((0x1100, 0x11FF), (0x2E80, 0x2FDF), (0x3000, 0x33FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF),
        (0xA960, 0xA97F), (0xAC00, 0xD7FF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF),
        (0x20000, 0x3FFFF))
_EMOJI = ((0x2300, 0x23FF), (0x2600, 0x27BF), (0x2B00, 0x2BFF), (0x1F000, 0x1FAFF))


def _in(code: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(lo <= code <= hi for lo, hi in ranges)


def package_for(char: str) -> str:
    """The Debian/Ubuntu font package that draws ``char``."""
    code = ord(char)
    if _in(code, _CJK):
        return CJK_PACKAGE
    if _in(code, _EMOJI):
        return EMOJI_PACKAGE
    return OTHER_PACKAGE


@functools.lru_cache(maxsize=1)
def _coverage() -> tuple[tuple[int, ...], tuple[int, ...]] | None:
    """Sorted, merged (starts, ends) of the code points installed fonts cover; None without fontconfig."""
    try:
        done = subprocess.run(["fc-list", "--format", "%{charset}\\n"], capture_output=True, text=True,
                              timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    ranges = []
    for token in done.stdout.split():
        first, _, last = token.partition("-")
        try:
            ranges.append((int(first, 16), int(last or first, 16)))
        except ValueError:
            continue
    ranges.sort()
    starts: list[int] = []
    ends: list[int] = []
    for lo, hi in ranges:
        if ends and lo <= ends[-1] + 1:
            ends[-1] = max(ends[-1], hi)
        else:
            starts.append(lo)
            ends.append(hi)
    return tuple(starts), tuple(ends)


def covered(char: str) -> bool | None:
    """Whether an installed font has ``char``; None when fontconfig cannot say."""
    coverage = _coverage()
    if coverage is None:
        return None
    starts, ends = coverage
    i = bisect.bisect_right(starts, ord(char)) - 1
    return i >= 0 and ord(char) <= ends[i]


def _needs_glyph(char: str) -> bool:
    # Spaces, controls, format characters and combining marks draw nothing of their own.
    return ord(char) > 0x7E and not char.isspace() and unicodedata.category(char)[0] not in "CMZ"


@dataclass(frozen=True)
class MissingGlyphs:
    location: Location
    what: str
    """e.g. ``role R1 name``."""
    chars: tuple[str, ...]

    def __str__(self) -> str:
        shown = " ".join(f"U+{ord(c):04X}" for c in self.chars[:5]) + (" …" if len(self.chars) > 5 else "")
        packages = " and ".join(dict.fromkeys(package_for(c) for c in self.chars))
        return (f"{self.location}: warning: {self.what} has characters no installed font can draw ({shown}); "
                f"the PDF shows them as empty boxes: install {packages} (Debian/Ubuntu) or another font "
                "that has them")


def missing_glyphs(matrix: Matrix) -> Iterator[MissingGlyphs]:
    """Each text of ``matrix`` with characters no installed font covers (nothing when fontconfig is absent)."""
    for _subject, location, what, field, text, _multiline in matrix_texts(matrix):
        wanted = [c for c in dict.fromkeys(text) if _needs_glyph(c)]
        if not wanted:
            continue
        missing = tuple(c for c in wanted if covered(c) is False)
        if missing:
            yield MissingGlyphs(location, f"{what} {field}", missing)

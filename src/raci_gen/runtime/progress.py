"""What a long build is doing, on the last line of a terminal (issue 22, item 4).

A build of a long PDF takes seconds to minutes; a terminal that shows nothing for that long
looks hung. Once a build has run :data:`AFTER` seconds, each step it reaches (the format it
renders, the page WeasyPrint lays out, the files it writes) replaces the line before on
stderr, ``PROJECT: pdf: laying out page 12``, and the line is cleared before anything
else is printed. Only when stderr is a terminal: a CI log or a pipe gets nothing, and ``-q``
turns it off.

No thread and no timer: a step is shown when it is reached (so the line may appear a little
after :data:`AFTER`, at the next step), by whichever process reaches it. The PDF is rendered
in forked processes (:mod:`raci_gen.writing.output`, :mod:`raci_gen.documents.pdf_parts`), which
inherit the line and the hook on the PDF engine's logger, and a thread that held stderr's lock at a
fork would leave the child's stderr locked. WeasyPrint announces its steps and pages on its
progress logger: :mod:`raci_gen.documents.pdf` hands :func:`follow` that logger and how to word its
records (the words are WeasyPrint's private parts, read in :mod:`raci_gen.documents.weasyprint_private`). Names from the project are shown through
:func:`raci_gen.runtime.terminal.printable`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from typing import Callable, TextIO

from raci_gen.runtime.terminal import printable

AFTER = 2.0
"""Seconds a build runs before its steps are shown."""
INTERVAL = 0.1
"""Fewest seconds between two lines (WeasyPrint announces every page)."""
CLEAR = "\r\x1b[K"
"""Back to the start of the line, and erase it."""

class _Line:
    def __init__(self, stream: TextIO, label: str, since: float) -> None:
        self.stream = stream
        self.label = printable(label)
        self.since = since
        self.last = 0.0

    def show(self, what: str) -> None:
        now = time.perf_counter()
        if now - self.since < AFTER or now - self.last < INTERVAL:
            return
        self.last = now
        try:
            width = os.get_terminal_size(self.stream.fileno()).columns or 80  # 0: a terminal of no size set
        except (OSError, ValueError):
            width = 80
        text = f"{self.label}: {printable(what)}"[:max(width - 1, 10)]  # never wraps: CLEAR erases one line
        try:
            self.stream.write(CLEAR + text)
            self.stream.flush()
        except (OSError, ValueError):  # the terminal went away: the build goes on
            pass

    def clear(self) -> None:
        if time.perf_counter() - self.since >= AFTER:
            try:
                self.stream.write(CLEAR)
                self.stream.flush()
            except (OSError, ValueError):
                pass


class _Announcements(logging.Handler):
    """Shows what a library's logger announces, worded by ``describe`` (None: not a step)."""

    def __init__(self, describe: Callable[[logging.LogRecord], str | None]) -> None:
        super().__init__()
        self.describe = describe

    def emit(self, record: logging.LogRecord) -> None:
        what = self.describe(record)
        if what is not None:
            step(what)


_line: _Line | None = None


def start(stream: TextIO, label: str, since: float) -> None:
    """Show the steps of the build of ``label`` (the project), which started at ``since``
    (``time.perf_counter()``), on ``stream``, if it is a terminal."""
    global _line
    stop()
    try:
        terminal = stream.isatty()
    except (AttributeError, ValueError):
        terminal = False
    if not terminal:
        return
    _line = _Line(stream, label, since)


def step(what: str) -> None:
    """The build now does ``what`` (``rendering xlsx``); shown if the line is on."""
    if _line is not None:
        _line.show(what)


def stop() -> None:
    """Clear the line (before anything else is printed) and stop showing steps."""
    global _line
    if _line is not None:
        _line.clear()
        _line = None


@contextlib.contextmanager
def follow(logger_name: str, describe: Callable[[logging.LogRecord], str | None]):
    """While the block runs, show what the logger ``logger_name`` announces at INFO, each record worded by
    ``describe``; nothing when the line is off. Forked processes started in the block inherit the handler."""
    if _line is None:
        yield
        return
    logger = logging.getLogger(logger_name)
    handler, level = _Announcements(describe), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)

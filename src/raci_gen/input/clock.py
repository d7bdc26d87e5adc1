"""The one clock of raci-gen: every date or time that ends up in a document comes from here.

A document describes its inputs, not the working tree or the moment of the build: once built,
and committed, its date stays as long as its inputs do, tomorrow, in another folder, in a fresh
clone and on another machine, before and after the inputs are committed. The wall clock is read only for ``date: today`` and for inputs not
committed as they are, and that build day is then kept. The date is, in this order:

1. ``date:`` in raci.yaml (an ISO date, any other text shown as written, or ``today``);
2. ``SOURCE_DATE_EPOCH`` (https://reproducible-builds.org/specs/source-date-epoch/);
3. a date that documents already built from the same inputs carry (:func:`kept_date`, applied by
   :mod:`raci_gen.writing.output`), so that committing the inputs, a clone or another day changes nothing;
4. in git, the date of the last commit that touched the project's inputs (raci.yaml, roles/,
   activities/, templates/), the way mkdocs' git-revision-date plugin dates pages, when they are
   committed as they are; else (changed since, or never committed) the day of the build, in UTC,
   with nothing added: no document says "uncommitted";
5. no date at all (not in a git work tree, git missing or too slow).

A time of day is stored only when the user gave one (``SOURCE_DATE_EPOCH``): a date
alone is stamped as midnight UTC of that date, and no date stamps nothing.
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from raci_gen.input import gitrepo

UTC = _dt.timezone.utc
GIT_TIMEOUT = 10.0
"""Seconds a git query may take before the project counts as not in git."""
GIT = "git"
"""The date of the last commit that touched the inputs, which are committed as they are."""
BUILD_DAY = "build day"
"""The day of the build (UTC): the inputs differ from their last commit, or were never committed."""
NONE = "none"
"""No date: the project is not in a git work tree (or git is missing, or took too long)."""
AS_OF = "--as-of"
"""The day given with ``build --as-of``: the documents are of that day (the people in post then), whatever
else would date them; a build without it does not keep it (:func:`kept_date`)."""


def as_of(day: _dt.date) -> "DocumentDate":
    """The date of documents built ``--as-of`` ``day``."""
    return DocumentDate(day.isoformat(), _midnight(day), AS_OF)
KEPT_SOURCES = (GIT, BUILD_DAY)
"""The sources of a date that a build from the same inputs keeps (:func:`kept_date`). These names are
recorded in every document's provenance (``date-source``) and must not change."""


@dataclass(frozen=True)
class DocumentDate:
    """The date a document shows and the time its file metadata carries."""

    shown: str | None
    """The text of the document's date line; None: the documents carry no date."""
    stamp: _dt.datetime | None
    """The time written into file metadata (UTC); None: none is written."""
    source: str
    """Where it came from: ``raci.yaml``, ``today``, ``SOURCE_DATE_EPOCH``, ``git``, ``build day`` or ``none``."""

    @property
    def derived(self) -> bool:
        """Whether the date follows from the repository rather than from the user's explicit choice."""
        return self.source in (GIT, BUILD_DAY, NONE)


def now() -> _dt.datetime:
    """The wall clock, in UTC, without microseconds; ``SOURCE_DATE_EPOCH`` wins when set."""
    return source_date_epoch() or _dt.datetime.now(tz=UTC).replace(microsecond=0)


def today() -> _dt.date:
    return now().date()


def source_date_epoch() -> _dt.datetime | None:
    """``SOURCE_DATE_EPOCH`` (seconds since 1970, UTC), or None when unset or unusable."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return None
    try:
        return _dt.datetime.fromtimestamp(int(epoch), tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None  # an unusable value is ignored, as reproducible-builds.org asks


def _midnight(day: _dt.date) -> _dt.datetime:
    return _dt.datetime(day.year, day.month, day.day, tzinfo=UTC)


def document_date(date: str | None, root: str = ".", inputs: tuple[str, ...] = ()) -> DocumentDate:
    """The date of the documents of the project in ``root`` whose input files or folders are ``inputs``
    (paths relative to ``root``), from ``date:`` in raci.yaml when given."""
    if date is not None and date.strip().lower() == "today":
        day = now().date()  # the explicit opt-in for the build date
        return DocumentDate(day.isoformat(), _midnight(day), "today")
    epoch = source_date_epoch()
    if date:
        try:
            day = _dt.date.fromisoformat(date)
        except ValueError:  # text such as "Spring 2025": shown as written, no time in the metadata
            return DocumentDate(date, epoch, "raci.yaml")
        return DocumentDate(date, _midnight(day), "raci.yaml")
    if epoch is not None:
        return DocumentDate(epoch.date().isoformat(), epoch, "SOURCE_DATE_EPOCH")
    found = git_date(root, inputs)
    if found is None:
        return DocumentDate(None, None, NONE)
    day, changed = found
    if day is None or changed:
        # What a commit of these inputs will be dated is not known yet (it may be made days later): the
        # build day, which later builds of the same inputs keep (kept_date), committed or not.
        day = today()
        return DocumentDate(day.isoformat(), _midnight(day), BUILD_DAY)
    return DocumentDate(day.isoformat(), _midnight(day), GIT)


def kept_date(shown: object, source: object) -> DocumentDate | None:
    """The date a document already built from the same inputs records (its provenance's ``date`` and
    ``date-source``), when a build now keeps it: a date derived from git or the build day, an ISO date.

    Anything else is not kept: an explicit date (``date:``, ``SOURCE_DATE_EPOCH``) is given again by
    whatever gave it; a document without a date was built outside git, where this build may not be; and
    a date line of an earlier raci-gen (``2026-11-30, with uncommitted changes``) described a working tree.
    """
    if source not in KEPT_SOURCES or not isinstance(shown, str):
        return None
    try:
        day = _dt.date.fromisoformat(shown)
    except ValueError:
        return None
    if day.isoformat() != shown:  # 20261207 and other spellings fromisoformat takes are not ours
        return None
    return DocumentDate(shown, _midnight(day), source)


def git_date(root: str, paths: tuple[str, ...]) -> tuple[_dt.date | None, bool] | None:
    """The date of the last commit that touched ``paths`` in the git work tree at ``root``
    (None before the first such commit), and whether they have changed since.

    None when ``root`` is not in a git work tree, git is missing or takes too long.
    Local commands only, run as :mod:`raci_gen.input.gitrepo` runs git: the repository is the one a
    ``.git`` above ``root`` names, and nothing in the project folder chooses a command git runs.
    """
    if not paths:
        return None
    import subprocess  # here: only a document dated from git runs it

    from raci_gen.input import gitrepo

    try:
        repository = gitrepo.find_repository(root, timeout=GIT_TIMEOUT)
        pathspecs = [repository.pathspec(root, path) for path in paths]
        status = _git(repository, "status", "--porcelain", "--untracked-files=all", "--", *pathspecs)
        if status is None:  # a path outside the work tree, ...
            return None
        # fails before the first commit
        log = _git(repository, "log", "-1", "--format=%cs", "--no-ext-diff", "--no-textconv", "--", *pathspecs)
    except (gitrepo.NotARepository, OSError, subprocess.SubprocessError):  # not in git, git missing, too slow
        return None
    day = None
    if log and log.strip():
        try:
            day = _dt.date.fromisoformat(log.strip())
        except ValueError:
            return None
    return day, bool(status.strip())


def _git(repository: "gitrepo.GitRepository", *args: str) -> str | None:
    out = repository.run(*args, timeout=GIT_TIMEOUT)
    return None if out is None else out.decode("utf-8", "surrogateescape")

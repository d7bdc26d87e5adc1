"""Many projects at once: an index of the charters, and each person's load across all of them.

A portfolio office keeps many RACI matrices; what no single matrix shows is that
the same person is Accountable on a third of all activities in five projects.
People are found in the ``people:`` of each project's roles and are the same
person across projects when their e-mail (else their name, ignoring case) is.

Letters are counted by the part they play, so projects of different variants add
up: ``A`` is the variant's one-per-activity letter (Accountable, Approver, ...),
``R`` its doers, ``C`` those asked before and ``I`` those told after.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from typing import Callable

from raci_gen.analysis import active, lint
from raci_gen.errors import InputError, RaciError
from raci_gen.loader import load_project
from raci_gen.model import Project, Variant

PARTS = ("A", "R", "C", "I")
"""The parts a person plays, in the order tables show them."""
PART_NAMES = {"A": "answers for it", "R": "does it", "C": "is consulted", "I": "is informed"}

DEFAULT_MAX_SHARE = 0.2
"""A person who answers for or does more than this share of all the portfolio's activities is flagged."""


@dataclass(frozen=True)
class Document:
    """One document a project builds, as the index links it."""

    format: str
    link: str
    """Path from the portfolio's folder, with ``/``."""
    exists: bool


@dataclass(frozen=True)
class ProjectEntry:
    folder: str
    """The project folder, from the portfolio's folder, with ``/``."""
    title: str
    project: str | None = None
    version: str | None = None
    activities: int = 0
    roles: int = 0
    errors: int = 0
    warnings: int = 0
    problem: str | None = None
    """Why the project could not be read (its first error line); None when it loaded."""
    documents: tuple[Document, ...] = ()

    @property
    def lint_status(self) -> str:
        if self.problem:
            return "cannot be read"
        if self.errors:
            return f"{self.errors} error{'s' if self.errors != 1 else ''}"
        if self.warnings:
            return f"{self.warnings} warning{'s' if self.warnings != 1 else ''}"
        return "clean"


@dataclass
class PersonLoad:
    name: str
    email: str | None
    teams: list[str] = field(default_factory=list)
    cells: dict[str, set[tuple[str, str]]] = field(default_factory=lambda: {p: set() for p in PARTS})
    """Per part, the (project folder, activity id) pairs where the person plays it: a person on two
    roles of one activity is counted once."""
    share: float = 0.0
    """Share of all the portfolio's activities that the person answers for or does (A or R)."""
    flagged: bool = False

    def activities(self, part: str) -> int:
        return len(self.cells[part])

    def projects(self, part: str) -> int:
        return len({folder for folder, _ in self.cells[part]})

    @property
    def owned(self) -> int:
        """Activities the person answers for or does, each counted once."""
        return len(self.cells["A"] | self.cells["R"])

    @property
    def project_count(self) -> int:
        return len({folder for cells in self.cells.values() for folder, _ in cells})


@dataclass(frozen=True)
class Portfolio:
    projects: tuple[ProjectEntry, ...]
    people: tuple[PersonLoad, ...]
    activities: int
    """Activities of every project that could be read."""
    max_share: float


def part_of(variant: Variant, code: str) -> str | None:
    """Which of A, R, C, I a variant's letter counts as; None for letters that are no involvement."""
    # Doers first: DACI's Driver is one per decision, but it does the work; the Approver answers for it.
    if code in variant.doers:
        return "R"
    if code in variant.exactly_one:
        return "A"
    if code in variant.consulted:
        return "C"
    if code in variant.informed:
        return "I"
    return None


def _from(out_dir: str, path: str) -> str:
    return os.path.relpath(path, out_dir).replace(os.sep, "/")


def linked(paths: dict[str, str], out_dir: str) -> tuple[Document, ...]:
    """Documents at ``paths`` (format: path) as links from ``out_dir``."""
    return tuple(Document(fmt, os.path.relpath(path, out_dir).replace(os.sep, "/"), os.path.isfile(path))
                 for fmt, path in paths.items())


def collect(folders: list[str], out_dir: str, documents: Callable[[Project], tuple[Document, ...]],
            max_share: float = DEFAULT_MAX_SHARE) -> Portfolio:
    """Read every project (one that cannot be read is listed with its first error) and count the people.

    ``documents`` tells where a project's documents are (the output layer knows; see ``linked``).
    """
    entries: list[ProjectEntry] = []
    people: dict[str, PersonLoad] = {}
    total = 0
    for given in folders:
        # Paths in the index are from the index's own folder, so it reads the same wherever the tree is.
        folder = _from(out_dir, given)
        name = os.path.basename(os.path.abspath(given))
        try:
            project = load_project(given)
            findings = active(lint(project.matrix, project.settings))
        except InputError as exc:
            first = exc.problems[0]
            where = dataclasses.replace(first.location, file=_from(out_dir, first.location.file))
            entries.append(ProjectEntry(folder, name, problem=str(dataclasses.replace(first, location=where))))
            continue
        except RaciError as exc:
            entries.append(ProjectEntry(folder, name, problem=str(exc).splitlines()[0]))
            continue
        matrix = project.matrix
        activities = list(matrix.activities())
        total += len(activities)
        entries.append(ProjectEntry(
            folder=folder, title=project.settings.title, project=project.settings.project,
            version=project.settings.version, activities=len(activities), roles=len(matrix.roles),
            errors=sum(f.severity == "error" for f in findings),
            warnings=sum(f.severity == "warning" for f in findings),
            documents=documents(project)))
        _count_people(people, folder, matrix, activities)
    for person in people.values():
        person.share = person.owned / total if total else 0.0
        person.flagged = person.share > max_share
    ordered = sorted(people.values(), key=lambda p: (-p.owned, p.name.casefold(), p.email or ""))
    return Portfolio(tuple(entries), tuple(ordered), total, max_share)


def _count_people(people: dict[str, PersonLoad], folder: str, matrix, activities) -> None:
    variant = matrix.variant
    for role in matrix.roles:
        for person in role.people:
            key = (person.email or person.name).strip().casefold()
            load = people.setdefault(key, PersonLoad(person.name, person.email))
            if person.team and person.team not in load.teams:
                load.teams.append(person.team)
            for activity in activities:
                parts = {part_of(variant, code) for code in activity.letters(role.id)} - {None}
                for part in parts:
                    load.cells[part].add((folder, activity.id))

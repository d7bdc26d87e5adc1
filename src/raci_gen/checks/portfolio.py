"""Many projects at once: an index of the charters, and each person's load across all of them.

A portfolio office keeps many RACI matrices; what no single matrix shows is that
the same person is Accountable on a third of all activities in five projects.
People are found in the ``people:`` of each project's roles and are the same
person across projects when their e-mail is (case ignored); someone written
without an e-mail is the one person of that name who has one, else the name.
Nothing in the index depends on the order the folders are given in.

Letters are counted by the part they play, so projects of different variants add
up: ``A`` is the variant's one-per-activity letter (Accountable, Approver, ...),
``R`` its doers, ``C`` those asked before and ``I`` those told after.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as _dt
import os
from dataclasses import dataclass, field
from typing import Callable

from raci_gen.checks.analysis import active, lint
from raci_gen.checks.people import identity, plain, shown
from raci_gen.checks.sign_offs import own_work
from raci_gen.input.discovery import distinct
from raci_gen.model.errors import InputError, RaciError
from raci_gen.checks.findings import Finding
from raci_gen.input.loader import load_project
from raci_gen.model.matrix import Project, Variant
from raci_gen.model.matrix import dated, in_post
from raci_gen.input import clock

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
    state: str = "current"
    """``current``; ``out of date`` (a build now would write it otherwise: the YAML, the templates or
    raci-gen changed since); ``missing``; or ``not checked`` (when the project's documents cannot be built)."""

    @property
    def exists(self) -> bool:
        return self.state != "missing"


@dataclass(frozen=True)
class ProjectEntry:
    folder: str
    """The project folder, from the portfolio's folder, with ``/``."""
    title: str
    given: str = ""
    """The folder as given on the command line, for messages on the terminal."""
    project: str | None = None
    version: str | None = None
    activities: int = 0
    roles: int = 0
    errors: int = 0
    warnings: int = 0
    problem: str | None = None
    """Why the project could not be read (its first error line, paths from the portfolio's folder);
    None when it loaded."""
    problem_as_given: str | None = None
    """The same line with paths as given on the command line."""
    build_problem: str | None = None
    """Why a build of the project would fail (a template's error, say; paths from the portfolio's folder),
    though it can be read; None when it would build (lint errors aside)."""
    build_problem_as_given: str | None = None
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
    cells: dict[str, list[frozenset[tuple[str, str]]]] = field(default_factory=lambda: {p: [] for p in PARTS})
    """Per part, the (project folder, activity id) pairs where the person plays it, as the sets of the roles they
    fill (shared by all the role's people, not copied for each: 5,000 people of two roles on 5,000 activities were
    25,000,000 pairs, 4.2 GB); a person on two roles of one activity is counted once."""
    share: float = 0.0
    """Share of all the portfolio's activities that the person answers for or does (A or R)."""
    flagged: bool = False
    counts: dict[str, int] = field(default_factory=dict, repr=False, compare=False)
    """What the methods below say, worked out once (:func:`_count_people`)."""

    def activities(self, part: str) -> int:
        return self.counts[f"activities {part}"]

    def projects(self, part: str) -> int:
        return self.counts[f"projects {part}"]

    @property
    def owned(self) -> int:
        """Activities the person answers for or does, each counted once."""
        return self.counts["owned"]

    @property
    def project_count(self) -> int:
        return self.counts["projects"]


def _counted(cells: dict[str, list[frozenset[tuple[str, str]]]]) -> dict[str, int]:
    """:class:`PersonLoad`'s counts from its ``cells``."""
    def size(sets: list[frozenset[tuple[str, str]]]) -> int:
        return len(sets[0]) if len(sets) == 1 else len(frozenset().union(*sets))

    def folders(sets: list[frozenset[tuple[str, str]]]) -> set[str]:
        return {next(iter(pairs))[0] for pairs in sets}  # each set is of one role of one project

    counts = {}
    for part in PARTS:
        counts[f"activities {part}"] = size(cells[part])
        counts[f"projects {part}"] = len(folders(cells[part]))
    counts["owned"] = size(list({id(s): s for s in cells["A"] + cells["R"]}.values()))
    counts["projects"] = len(folders([s for part in PARTS for s in cells[part]]))
    return counts


@dataclass(frozen=True)
class OwnSignOff:
    """A person who signs off their own work in one charter: on each of ``sign_offs`` they fill both the
    Accountable role and a Responsible role (what lint's separate-sign-off-people reports, lint-ignore or not)."""

    person: str
    """The person as the Accountable role's ``people:`` writes them: ``Ada Lovelace <ada@example.org>``."""
    key: str
    """Who the person is across the charters (as the people table counts them)."""
    folder: str
    title: str
    sign_offs: tuple[tuple[str, str, str, str], ...]
    """(activity id, activity name, the Accountable role, the Responsible role), roles as ``R1 Sponsor``."""


@dataclass(frozen=True, order=True)
class HandOver:
    """Someone who leaves a role (their ``until:``) or takes one up (their ``from:``) within a charter's
    hand-over window (its hand-over-due rule's ``days``, 30 unless its raci.yaml says otherwise)."""

    day: _dt.date
    """The last day in the role (leaving), or the first (taking it up)."""
    folder: str
    role: str
    """The role as ``R1 Sponsor``."""
    person: str
    """The person as the people table names them: ``Ada Lovelace <ada@example.org>``, or the name."""
    leaves: bool
    """True: the person's last day; False: their first."""
    title: str = ""
    note: str = ""


@dataclass(frozen=True)
class Portfolio:
    projects: tuple[ProjectEntry, ...]
    people: tuple[PersonLoad, ...]
    activities: int
    """Activities of every project that could be read."""
    max_share: float
    own_sign_offs: tuple[OwnSignOff, ...] = ()
    """Every person who signs off their own work, per charter: by person (as the people table tells them
    apart, across charters), then by folder."""
    sign_offs: int = 0
    """Sign-offs (``sign-off: true``) of every project that could be read."""
    as_of: _dt.date | None = None
    """The day the people in post are counted for (``--as-of``, else today), when anyone carries a date
    (``from:``/``until:``); None otherwise, and the index says no day, as before."""
    hand_overs: tuple[HandOver, ...] = ()
    """Who leaves or takes up a role within each charter's hand-over window after ``as_of``, by day."""


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


def linked(paths: dict[str, str], out_dir: str, stale: dict[str, str] | None = None) -> tuple[Document, ...]:
    """Documents at ``paths`` (format: path) as links from ``out_dir``; ``stale`` (path: state) says which
    are missing or out of date, None that they could not be checked."""
    def state(path: str) -> str:
        if not os.path.isfile(path):
            return "missing"
        return "not checked" if stale is None else stale.get(path, "current")
    return tuple(Document(fmt, _from(out_dir, path), state(path)) for fmt, path in paths.items())


def _first_problem(exc: RaciError, out_dir: str) -> tuple[str, str]:
    """An error's first line with paths from the portfolio's folder, and as given."""
    if isinstance(exc, InputError) and exc.problems:
        first = exc.problems[0]
        where = dataclasses.replace(first.location, file=_from(out_dir, first.location.file))
        return str(dataclasses.replace(first, location=where)), str(first)
    line = str(exc).splitlines()[0]
    return line, line


def _folder_key(folder: str) -> tuple[str, ...]:
    """Projects are listed by folder, one path segment after another (``a/b`` before ``a-b``)."""
    return tuple(folder.split("/"))


Documents = Callable[[Project, list[Finding]], "tuple[tuple[Document, ...], RaciError | None]"]
"""Where a project's documents are and whether they are current (see ``linked``), and the error a build
of them would end in, if any: the output layer knows (given the project and its lint findings)."""


def collect(folders: list[str], out_dir: str, documents: Documents,
            max_share: float = DEFAULT_MAX_SHARE, as_of: _dt.date | None = None) -> Portfolio:
    """Read every project (one that cannot be read is listed with its first error) and count the people.

    The index does not depend on the order of ``folders`` (a shell's ``*`` sorts by locale), and a
    folder given twice (``a a/ ./a``) is one project.
    """
    entries: list[ProjectEntry] = []
    day = as_of or clock.today()  # the people in post (from/until) are counted on this day
    hand_overs: list[HandOver] = []
    roles_of_people: list[tuple[str, Project]] = []
    for given in distinct(sorted(folders, key=lambda g: _folder_key(_from(out_dir, g)))):
        real = os.path.realpath(given)
        # Paths in the index are from the index's own folder, so it reads the same wherever the tree is.
        folder = _from(out_dir, given)
        name = os.path.basename(real)
        try:
            project = load_project(given)
            found = lint(dataclasses.replace(project.matrix, as_of=day), project.settings)
        except RaciError as exc:
            here, as_given = _first_problem(exc, out_dir)
            entries.append(ProjectEntry(folder, name, given, problem=here, problem_as_given=as_given))
            continue
        findings = active(found)
        docs, failure = documents(project, found)
        build_problem, build_problem_as_given = _first_problem(failure, out_dir) if failure else (None, None)
        matrix = project.matrix
        entries.append(ProjectEntry(
            folder=folder, title=project.settings.title, given=given, project=project.settings.project,
            version=project.settings.version, activities=sum(1 for _ in matrix.activities()),
            roles=len(matrix.roles),
            errors=sum(f.severity == "error" for f in findings),
            warnings=sum(f.severity == "warning" for f in findings),
            documents=docs, build_problem=build_problem, build_problem_as_given=build_problem_as_given))
        hand_overs += _hand_overs(folder, project, day)
        roles_of_people.append((folder, dataclasses.replace(project, matrix=in_post(project.matrix, day))))
    total = sum(entry.activities for entry in entries if not entry.problem)
    people = _count_people(roles_of_people)
    for person in people:
        person.share = person.owned / total if total else 0.0
        person.flagged = person.share > max_share
    ordered = sorted(people, key=lambda p: (-p.owned, p.name.casefold(), p.name, p.email or ""))
    sign_offs = sum(a.sign_off for _, project in roles_of_people for a in project.matrix.activities())
    any_dated = any(dated(project.matrix) for _, project in roles_of_people)
    return Portfolio(tuple(entries), tuple(ordered), total, max_share, _own_sign_offs(roles_of_people), sign_offs,
                     as_of=day if any_dated else None, hand_overs=tuple(sorted(hand_overs)))


def _own_sign_offs(projects: list[tuple[str, Project]]) -> tuple[OwnSignOff, ...]:
    """Who signs off their own work where, per charter. Within a charter a person is who the lint says
    (:func:`raci_gen.checks.people.identity` over its people); the rows are ordered by who the person is
    across all charters, so that one person's charters stand together."""
    across = identity(p for _, project in projects for role in project.matrix.roles for p in role.people)
    found: list[tuple[str, str, OwnSignOff]] = []
    for folder, project in projects:
        matrix = project.matrix
        by_person: dict[str, list] = {}
        for hit in own_work(matrix):
            by_person.setdefault(hit.key, []).append(hit)
        for hits in by_person.values():
            role = matrix.role
            first = hits[0].person
            found.append((across(first), folder, OwnSignOff(
                shown(first), across(first), folder, project.settings.title,
                tuple((h.activity.id, h.activity.name,
                       f"{h.accountable.role_id} {role(h.accountable.role_id).name}",
                       f"{h.responsible.role_id} {role(h.responsible.role_id).name}") for h in hits))))
    # a person's charters together, people by name (the first spelling in folder order)
    found.sort(key=lambda item: (item[0], _folder_key(item[1])))
    first_name = {}
    for key, _, entry in found:
        first_name.setdefault(key, plain(entry.person))
    found.sort(key=lambda item: (first_name[item[0]], item[0], _folder_key(item[1])))
    return tuple(entry for _, _, entry in found)


def _hand_overs(folder: str, project: Project, day: _dt.date) -> list[HandOver]:
    """Who leaves or takes up a role of ``project`` from ``day`` on, within the days of its hand-over-due rule."""
    from raci_gen.checks.analysis import configure

    window = int(configure(project.settings.lint)["hand-over-due"].options["days"])  # type: ignore[call-overload]
    found = []
    for role in project.matrix.roles:
        for person in role.people:
            name = " ".join(person.name.split())
            shown_as = f"{name} <{person.email.strip()}>" if person.email and person.email.strip() else name
            for when, leaves in ((person.until, True), (person.start, False)):
                if when is not None and 0 <= (when - day).days <= window and (leaves or when > day):
                    found.append(HandOver(when, folder, f"{role.id} {role.name}", shown_as, leaves,
                                          project.settings.title, person.note or ""))
    return found


def _most_common(spellings: list[str]) -> str:
    """The spelling most entries use; of equally common ones, the first in sorted order (not the first seen)."""
    counts = collections.Counter(spellings)
    return min(counts, key=lambda s: (-counts[s], s))


def _count_people(projects: list[tuple[str, Project]]) -> list[PersonLoad]:
    """Everyone in the roles' ``people:``, one load per person.

    A person with an e-mail is that e-mail (case ignored). A person written without one is
    the person of the same name who has an e-mail, when exactly one has it, else the name
    (case and spacing ignored): the same Ada written ``Ada Lovelace`` in one charter and
    ``{name: Ada Lovelace, email: ada@…}`` in another is one person, not two.
    """
    key_of = identity(person for _, project in projects for role in project.matrix.roles for person in role.people)
    loads: dict[str, PersonLoad] = {}
    names: dict[str, list[str]] = {}
    emails: dict[str, list[str]] = {}
    teams: dict[str, dict[str, list[str]]] = {}
    for folder, project in projects:
        matrix = project.matrix
        variant = matrix.variant
        activities = list(matrix.activities())
        for role in matrix.roles:
            pairs: dict[str, set[tuple[str, str]]] = {part: set() for part in PARTS}
            for activity in activities:
                for part in {part_of(variant, code) for code in activity.letters(role.id)} - {None}:
                    pairs[part].add((folder, activity.id))
            role_sets = {part: frozenset(found) for part, found in pairs.items() if found}
            for person in role.people:
                key = key_of(person)
                load = loads.setdefault(key, PersonLoad(person.name, None))
                names.setdefault(key, []).append(" ".join(person.name.split()))
                if person.email and person.email.strip():
                    emails.setdefault(key, []).append(person.email.strip())
                if person.team and person.team.strip():
                    teams.setdefault(key, {}).setdefault(plain(person.team), []).append(" ".join(person.team.split()))
                for part, found in role_sets.items():
                    if not any(found is other for other in load.cells[part]):  # a role written twice: once
                        load.cells[part].append(found)
    by_roles: dict[tuple, dict[str, int]] = {}  # people of the same roles have the same counts
    for load in loads.values():
        signature = tuple(tuple(id(found) for found in load.cells[part]) for part in PARTS)
        if signature not in by_roles:
            by_roles[signature] = _counted(load.cells)
        load.counts = by_roles[signature]
    for key, load in loads.items():
        load.name = _most_common(names[key])
        load.email = _most_common(emails[key]) if key in emails else None
        load.teams = [_most_common(spellings) for _, spellings in sorted(teams.get(key, {}).items())]
    return list(loads.values())

"""The RACI matrix as plain, immutable data.

Every item remembers where in the YAML it came from (:class:`Location`), so that
any later check can point the user at the line to fix. Nothing here reads files.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from dataclasses import dataclass, field
from typing import Iterator


@dataclass(frozen=True, order=True)
class Location:
    """A place in an input file: the path as the user gave it, 1-based line and column."""

    file: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    def sort_key(self) -> tuple[str, int, int]:
        return (self.file, self.line, self.column)


@dataclass(frozen=True)
class Letter:
    """One letter of a responsibility variant, e.g. R = Responsible."""

    code: str
    name: str
    meaning: str
    fill: str
    """Background colour of a cell holding this letter, as ``#RRGGBB``."""
    text: str = "#1A1A1A"
    """Text colour on that background."""


@dataclass(frozen=True)
class Variant:
    """A set of letters with meanings, colours and the rules that bind them (RACI, RASCI, DACI, ...).

    The analysis reads the letters by the part they play, not by their name: A is
    the single owner in RACI, but in RAPID that is D, and A means "Agree".
    """

    name: str
    letters: tuple[Letter, ...]
    order: str
    """The order letters are written in when a cell holds several (``A/R``, not ``R/A``)."""
    exactly_one: tuple[str, ...] = ("A",)
    """Letters that every activity needs exactly once (the single owner)."""
    doers: tuple[str, ...] = ("R",)
    """Letters that mean "does the work"; every activity needs one."""
    consulted: tuple[str, ...] = ("C",)
    """Letters that mean "asked before" (two-way communication)."""
    informed: tuple[str, ...] = ("I",)
    """Letters that mean "told after" (one-way communication)."""
    combinations: tuple[tuple[str, ...], ...] = (("A", "R"),)
    """Multi-letter cells that are settled practice, e.g. A/R; any other combination is unresolved."""
    at_most_one: tuple[str, ...] = ()
    """Letters that an activity may hold at most once."""
    needs: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(letter, letters): where the letter appears, one of the letters must appear in the row too."""
    not_involved: tuple[str, ...] = ()
    """Letters that record a deliberate "not involved" (O in CAIRO): they count as no part."""
    helpers: tuple[str, ...] = ()
    """Letters that take a share of the work without owning it (S in RASCI, V in RACI-VS, C in DACI):
    role-without-ownership does not report a role that holds them."""
    description: str = ""

    def codes(self) -> tuple[str, ...]:
        return tuple(letter.code for letter in self.letters)

    def letter(self, code: str) -> Letter:
        for letter in self.letters:
            if letter.code == code:
                return letter
        raise KeyError(code)

    def owners(self) -> tuple[str, ...]:
        """Letters that make a role own an activity: the single owner(s) and the doers."""
        return tuple(dict.fromkeys(self.exactly_one + self.doers))

    def told(self) -> tuple[str, ...]:
        """Letters that are no active part: told after (I) or deliberately out (O)."""
        return tuple(dict.fromkeys(self.informed + self.not_involved))


@dataclass(frozen=True)
class Ignore:
    """A ``lint-ignore`` entry: silence one rule on one role or activity, for a stated reason."""

    rule: str
    reason: str
    location: Location


@dataclass(frozen=True)
class Handle:
    """A code-review handle as written (``@user``, ``@org/team``, ``@group/subgroup``, an e-mail address):
    whom GitHub or GitLab asks to review (CODEOWNERS)."""

    text: str
    location: Location | None = field(default=None, compare=False)


@dataclass(frozen=True)
class GovernedPath:
    """A repository path an activity governs (``paths:``), a pattern as CODEOWNERS reads it."""

    pattern: str
    location: Location | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Person:
    """Somebody who fills a role."""

    name: str
    email: str | None = None
    team: str | None = None
    start: _dt.date | None = None
    """The first day in post (``from:``); None: since before the matrix says."""
    until: _dt.date | None = None
    """The last day in post (``until:``); None: for as long as the matrix says."""
    note: str | None = None
    """Why the dates are what they are, e.g. "parental leave, covered by Alan Turing"."""
    location: Location | None = field(default=None, compare=False)
    """Where the person is written; None for a person made by code."""
    handles: tuple[Handle, ...] = field(default=(), compare=False)
    """Their code-review handles (``@user``, ``@org/team``, an e-mail address), for CODEOWNERS."""

    def in_post(self, day: _dt.date | None) -> bool:
        """Whether the person fills the role on ``day`` (from and until included); on no day (None), yes."""
        if day is None:
            return True
        return (self.start is None or self.start <= day) and (self.until is None or day <= self.until)


@dataclass(frozen=True)
class Role:
    id: str
    name: str
    location: Location
    similar: tuple[str, ...] = ()
    description: str | None = None
    ignores: tuple[Ignore, ...] = ()
    people: tuple[Person, ...] = ()
    handles: tuple[Handle, ...] = ()
    """The role's own code-review handles (a team, say), beside those of its people."""


@dataclass(frozen=True)
class Cell:
    """The letters one role holds on one activity, e.g. ``("A", "R")`` for A/R."""

    role_id: str
    letters: tuple[str, ...]
    location: Location

    @property
    def text(self) -> str:
        return "/".join(self.letters)


@dataclass(frozen=True)
class Activity:
    id: str
    name: str
    location: Location
    cells: tuple[Cell, ...] = ()
    description: str | None = None
    ignores: tuple[Ignore, ...] = ()
    sign_off: bool = False
    """A gate (an approval, an acceptance, a go-live): who answers for it must not be who does the work."""
    paths: tuple[GovernedPath, ...] = ()
    """The repository paths it governs (``paths:``): their owners in CODEOWNERS are its Accountable's handles."""

    def cell(self, role_id: str) -> Cell | None:
        for cell in self.cells:
            if cell.role_id == role_id:
                return cell
        return None

    def letters(self, role_id: str) -> tuple[str, ...]:
        cell = self.cell(role_id)
        return cell.letters if cell else ()

    def roles_with(self, letter: str) -> list[str]:
        return [c.role_id for c in self.cells if letter in c.letters]


@dataclass(frozen=True)
class Phase:
    name: str
    location: Location
    activities: tuple[Activity, ...] = ()
    description: str | None = None


@dataclass(frozen=True)
class Matrix:
    """Roles (columns) and phases of activities (rows), in input order."""

    roles: tuple[Role, ...]
    phases: tuple[Phase, ...]
    variant: Variant
    as_of: _dt.date | None = None
    """The day the people in post are read for (lint's day, or the documents' date); None: no day, every
    person listed counts (see :func:`in_post`)."""

    @property
    def letters(self) -> tuple[Letter, ...]:
        return self.variant.letters

    def activities(self) -> Iterator[Activity]:
        for phase in self.phases:
            yield from phase.activities

    def role(self, role_id: str) -> Role:
        for role in self.roles:
            if role.id == role_id:
                return role
        raise KeyError(role_id)

    def letter(self, code: str) -> Letter:
        return self.variant.letter(code)


@dataclass(frozen=True)
class RuleSetting:
    """What raci.yaml's ``lint:`` section says about one rule."""

    rule: str
    location: Location
    severity: str | None = None
    """error, warning, info, or off; None keeps the rule's default."""
    options: tuple[tuple[str, object, Location], ...] = ()


@dataclass(frozen=True)
class Injection:
    """A page that receives one section of the Markdown between its RACI markers."""

    file: str
    section: str = "document"
    location: Location | None = None


@dataclass(frozen=True)
class CodeOwnersSettings:
    """raci.yaml's ``output.codeowners``: where and how the ``codeowners`` format writes."""

    file: str = ".github/CODEOWNERS"
    """Relative to the project folder; inside the git work tree that holds the project (else the project)."""
    target: str = "github"
    """``github`` or ``gitlab`` (GitLab: the lines go in a section, and its handle forms are allowed)."""
    responsible: bool = False
    """Whether the Responsible roles' handles are owners too, after the Accountable's."""
    section: str | None = None
    """The GitLab section's name; None: the document's title."""
    block: str | None = None
    """The name on this project's markers (``# BEGIN RACI NAME``); None: the markers carry none."""
    location: Location | None = field(default=None, compare=False)


@dataclass(frozen=True)
class OutputSettings:
    dir: str = "output"
    name: str = "raci-matrix"
    formats: tuple[str, ...] = ("md", "xlsx", "pdf")
    inject: tuple[Injection, ...] = ()
    codeowners: CodeOwnersSettings = field(default_factory=CodeOwnersSettings)


@dataclass(frozen=True)
class Signer:
    """A line of the approval block: who signs, in which capacity."""

    name: str
    role: str | None = None
    date: str | None = None


@dataclass(frozen=True)
class Settings:
    """The project settings from ``raci.yaml``, with defaults filled in."""

    title: str = "RACI matrix"
    project: str | None = None
    version: str | None = None
    author: str | None = None
    date: str | None = None
    roles: str = "roles"
    activities: str = "activities"
    templates: str = "templates"
    page: str = "A4"
    output: OutputSettings = field(default_factory=OutputSettings)
    variant: str = "RACI"
    lint: tuple[RuleSetting, ...] = ()
    analysis: bool = True
    """Whether documents carry the analysis section (counts per role and phase, the workload chart)."""
    findings: bool = False
    """Whether the analysis section lists the open lint findings (raci.yaml's ``findings``)."""
    approval: tuple[Signer, ...] = ()
    """Signers of the approval block; none, no block."""
    pdf_variant: str | None = None
    """PDF flavour for archiving, e.g. pdf/a-3b; None for plain tagged PDF."""
    language: str = "en"
    """Language of the document text (BCP 47), for the PDF's and HTML's lang."""


@dataclass(frozen=True)
class Project:
    """Everything loaded from one project folder."""

    root: str
    settings: Settings
    matrix: Matrix
    sources: tuple[str, ...] = ()
    """The input files read, in the order read, as paths the user would recognise."""
    digest: str = ""
    """Short SHA-256 of the input files (names and bytes), so a stale printout can be recognised."""


def dated(matrix: Matrix) -> bool:
    """Whether any person of the matrix carries a ``from:`` or an ``until:``."""
    return any(p.start or p.until for role in matrix.roles for p in role.people)


def in_post(matrix: Matrix, day: _dt.date | None) -> Matrix:
    """The matrix as the documents of ``day`` show it: each role with the people in post on that day only,
    and ``as_of`` the day. The same matrix when no one carries a date, so that documents of projects
    without dates are what they were."""
    if not dated(matrix):
        return dataclasses.replace(matrix, as_of=day) if matrix.as_of != day else matrix
    roles = tuple(dataclasses.replace(role, people=tuple(p for p in role.people if p.in_post(day)))
                  for role in matrix.roles)
    return dataclasses.replace(matrix, roles=roles, as_of=day)


@dataclass(frozen=True)
class PhaseSubject:
    """A phase standing in where a role or activity is expected (a lint hit): phases have no lint-ignore."""

    phase: Phase
    ignores: tuple[Ignore, ...] = ()


def matrix_texts(matrix: Matrix) -> Iterator[tuple[object, Location, str, str, str, bool]]:
    """Every text of the matrix people read: (subject, location, whose, field, text, multiline).

    ``whose`` is ``role R1``, ``activity A-1`` or ``phase 'Build'``; ``field`` is ``name``,
    ``description``...; ``multiline`` is True where line breaks are part of the text.
    The location is the role's, activity's or phase's (the lint-ignore entry's for a reason).
    """
    for role in matrix.roles:
        whose = f"role {role.id}"
        yield role, role.location, whose, "name", role.name, False
        for similar in role.similar:
            yield role, role.location, whose, "similar name", similar, False
        if role.description:
            yield role, role.location, whose, "description", role.description, True
        for person in role.people:
            for label, value in (("person", person.name), ("team", person.team), ("email", person.email),
                                 ("note", person.note)):
                if value:
                    yield role, role.location, whose, label, value, False
        for ignore in role.ignores:
            yield role, ignore.location, whose, "lint-ignore reason", ignore.reason, True
    for number, phase in enumerate(matrix.phases, start=1):
        subject = PhaseSubject(phase)
        whose = f"phase {number}"
        yield subject, phase.location, whose, "name", phase.name, False
        if phase.description:
            yield subject, phase.location, whose, "description", phase.description, True
        for activity in phase.activities:
            whose = f"activity {activity.id}"
            yield activity, activity.location, whose, "name", activity.name, False
            if activity.description:
                yield activity, activity.location, whose, "description", activity.description, True
            for ignore in activity.ignores:
                yield activity, ignore.location, whose, "lint-ignore reason", ignore.reason, True

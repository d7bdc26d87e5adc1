"""The RACI matrix as plain, immutable data.

Every item remembers where in the YAML it came from (:class:`Location`), so that
any later check can point the user at the line to fix. Nothing here reads files.
"""

from __future__ import annotations

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
class Role:
    id: str
    name: str
    location: Location
    similar: tuple[str, ...] = ()
    description: str | None = None


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
    letters: tuple[Letter, ...]

    def activities(self) -> Iterator[Activity]:
        for phase in self.phases:
            yield from phase.activities

    def role(self, role_id: str) -> Role:
        for role in self.roles:
            if role.id == role_id:
                return role
        raise KeyError(role_id)

    def letter(self, code: str) -> Letter:
        for letter in self.letters:
            if letter.code == code:
                return letter
        raise KeyError(code)


@dataclass(frozen=True)
class OutputSettings:
    dir: str = "output"
    name: str = "raci-matrix"
    formats: tuple[str, ...] = ("md", "xlsx", "pdf")


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


@dataclass(frozen=True)
class Project:
    """Everything loaded from one project folder."""

    root: str
    settings: Settings
    matrix: Matrix
    sources: tuple[str, ...] = ()
    """The input files read, in the order read, as paths the user would recognise."""

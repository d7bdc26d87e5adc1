"""What every renderer receives: the matrix plus the resolved document details.

Renderers never read YAML or settings files; they get a :class:`Document`.
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass
from typing import Iterable

from raci_gen import __version__, clock
from raci_gen.analysis import Finding
from raci_gen.model import Letter, Matrix, Project


@dataclass(frozen=True)
class Document:
    title: str
    matrix: Matrix
    date: str
    """The date shown on the document (ISO 8601 unless the user wrote another form)."""
    created: _dt.datetime
    """Build time for file metadata: SOURCE_DATE_EPOCH when set."""
    project: str | None = None
    version: str | None = None
    author: str | None = None
    page: str = "A4"
    sources: tuple[str, ...] = ()
    """Input files, relative to the project folder."""
    template_dir: str | None = None
    """The project's template folder, whose files override the built-in ones."""
    generator: str = f"raci-gen {__version__}"
    findings: tuple[Finding, ...] = ()
    """Lint findings not silenced by lint-ignore, for the analysis section."""
    analysis: bool = True
    """Whether the documents carry the analysis section."""

    @property
    def letters(self) -> tuple[Letter, ...]:
        return self.matrix.letters

    def cell_letter(self, letters: tuple[str, ...]) -> Letter | None:
        """The letter whose colour a cell takes: the first one written (A in A/R)."""
        return self.matrix.letter(letters[0]) if letters else None


def make_document(project: Project, findings: Iterable[Finding] = ()) -> Document:
    settings = project.settings
    created = clock.now()
    template_dir = os.path.join(project.root, settings.templates)
    return Document(
        title=settings.title,
        matrix=project.matrix,
        date=settings.date or created.date().isoformat(),
        created=created,
        project=settings.project,
        version=settings.version,
        author=settings.author,
        page=settings.page,
        sources=tuple(os.path.relpath(s, project.root).replace(os.sep, "/") for s in project.sources),
        template_dir=template_dir if os.path.isdir(template_dir) else None,
        findings=tuple(f for f in findings if f.ignored is None),
        analysis=settings.analysis,
    )

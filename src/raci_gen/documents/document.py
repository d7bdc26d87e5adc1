"""What every renderer receives: the matrix plus the resolved document details.

Renderers never read YAML or settings files; they get a :class:`Document`.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import os
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Iterable

from raci_gen import __version__
from raci_gen.input import clock, templatefolder
from raci_gen.checks.analysis import Finding, RoleView, Workload, phase_workload, role_view, workload
from raci_gen.model.matrix import Activity, Letter, Location, Matrix, Person, PhaseSubject, Project, Role, Signer
from raci_gen.checks.findings import SEVERITIES
from raci_gen.model.matrix import dated, in_post
from raci_gen.model.matrix import CodeOwnersSettings
from raci_gen.documents import stamp
from raci_gen.documents.anchors import role_anchors


_FILE_POSITION = re.compile(r" ?\([^()\s]+\.ya?ml(?::\d+){1,2}\)")
"""A file position in parentheses, ``(activities/03-b2.yaml:12:5)``, which a document's finding leaves out."""


@dataclass(frozen=True)
class Document:
    title: str
    matrix: Matrix
    date: str | None
    """The date shown on the document (ISO 8601 unless the user wrote another form); None: no date
    (see :mod:`raci_gen.input.clock`)."""
    created: _dt.datetime | None
    """The time file metadata carries (UTC); None: file metadata carries no time."""
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
    """Lint findings not silenced by lint-ignore, for the analysis section: none unless raci.yaml's
    ``findings`` asks for them (:func:`make_document`)."""
    analysis: bool = True
    """Whether the documents carry the analysis section."""
    digest: str = ""
    """Short hash of the input files, printed in the provenance line."""
    approval: tuple[Signer, ...] = ()
    """Signers of the approval block."""
    pdf_variant: str | None = None
    language: str = "en"
    role_links: bool = True
    """Whether role ids link to their sections; off for an injected section, which lacks them."""
    record: stamp.Provenance | None = None
    """What the build is made of; each document records ``record.stamp(format)``."""
    date_source: str = "none"
    """Where the date came from (:class:`raci_gen.input.clock.DocumentDate`)."""
    codeowners: CodeOwnersSettings = CodeOwnersSettings()
    """raci.yaml's ``output.codeowners``: how the codeowners format writes."""

    @property
    def provenance(self) -> str:
        """One line that identifies the build: tool version and input hash."""
        return f"{self.generator} · input {self.digest}" if self.digest else self.generator

    def stamp_comment(self, fmt: str) -> str:
        """The provenance a Markdown or HTML document carries at the end of a comment (empty without a record)."""
        return self.record.comment(fmt) if self.record else ""

    def workload(self) -> list[Workload]:
        return workload(self.matrix)

    def phase_workload(self) -> list[tuple[str, dict[str, int]]]:
        return phase_workload(self.matrix)

    def role_views(self) -> list[RoleView]:
        return [role_view(self.matrix, role) for role in self.matrix.roles]

    def anchor(self, role: Role) -> str:
        """The anchor of a role's section: ``role-r1``, the slug GitHub and GitLab both give its
        heading "Role R1", or ``role.<id>`` where another heading could take that (see anchors)."""
        return self._anchors[role.id]

    def name_anchor(self, role: Role) -> str:
        """The explicit ``<a name>`` a role's Markdown heading needs, or "" when its slug is its anchor."""
        anchor = self.anchor(role)
        return "" if anchor.startswith("role-") else f'<a name="{anchor}"></a>'

    @cached_property
    def _anchors(self) -> dict[str, str]:
        # The headings of the built-in Markdown template, in order (conditional ones included).
        headings: list[tuple[str, str | None]] = [(self.title, None), ("Legend", None), ("Matrix", None)]
        headings += [(phase.name, None) for phase in self.matrix.phases]
        headings += [("Roles", None), ("Paths", None), ("By role", None)]
        headings += [(f"Role {role.id}", role.id) for role in self.matrix.roles]
        headings += [("Workload", None), ("Open findings", None), ("Approval", None)]
        return role_anchors(headings)

    def finding_subject(self, finding: Finding) -> str:
        """What a finding is about, as the matrix names it: ``GV-2 Approve the release``, ``R7 ML Engineer``,
        ``phase Deployment``; empty when it is about none of them."""
        subject = finding.subject
        if isinstance(subject, (Activity, Role)):
            return f"{subject.id} {subject.name}"
        if isinstance(subject, PhaseSubject):
            return f"phase {subject.phase.name}"
        return ""

    def finding_text(self, finding: Finding) -> str:
        """A finding's message as a document a sponsor reads words it, after its subject: without the
        ``activity GV-2`` or ``role R7 (ML Engineer)`` it opens with (the subject says it) and without file
        positions (a place it names is an activity it names by id too)."""
        message = " ".join(finding.message.split())
        subject = finding.subject
        if isinstance(subject, Activity):
            for opening in (f"activity {subject.id} {subject.name!r} ", f"activity {subject.id} "):
                if message.startswith(opening):
                    message = message[len(opening):]
                    break
        elif isinstance(subject, Role):
            for opening in (f"role {subject.id} ({subject.name}) ", f"role {subject.id} "):
                if message.startswith(opening):
                    message = message[len(opening):]
                    break
        for place in finding.related:
            message = message.replace(f" ({place})", "")
        return _FILE_POSITION.sub("", message)

    def combinations(self) -> list[tuple[str, str, Letter]]:
        """The variant's accepted multi-letter cells: (``A/R``, "Accountable and Responsible", colour letter)."""
        variant = self.matrix.variant
        result = []
        for combo in variant.combinations:
            ordered = sorted(combo, key=variant.order.index)
            result.append(("/".join(ordered), " and ".join(variant.letter(c).name for c in ordered),
                           variant.letter(ordered[0])))
        return result

    def people(self, role: Role) -> str:
        """The people of a role on one line: ``Ada Lovelace (Data), Alan Turing``."""
        return ", ".join(p.name + (f" ({p.team})" if p.team else "") for p in role.people)

    @staticmethod
    def person_terms(person: Person) -> str:
        """What the Roles table says of a person beyond name, team and e-mail: their days in the role, their
        note and their code-review handles, e.g. ``until 2026-06-30; parental leave; @ada``; empty for a
        person with none of these (so that the tables of projects without them keep their bytes)."""
        terms = [f"from {person.start.isoformat()}"] if person.start else []
        terms += [f"until {person.until.isoformat()}"] if person.until else []
        terms = [", ".join(terms)] if terms else []
        terms += [person.note] if person.note else []
        terms += [" ".join(h.text for h in person.handles)] if person.handles else []
        return "; ".join(terms)

    @property
    def roles_have_terms(self) -> bool:
        """Whether the Roles table says more of anyone than name, team and e-mail (:func:`person_terms`, or a
        role's handles): only then do the stylesheets style it, so that other projects keep their bytes."""
        return any(role.handles or any(self.person_terms(p) for p in role.people) for role in self.matrix.roles)

    @staticmethod
    def role_handles(role: Role) -> str:
        """The role's own code-review handles (a team, say), e.g. ``@org/ml-platform``; empty when none."""
        return " ".join(h.text for h in role.handles)

    @property
    def letters(self) -> tuple[Letter, ...]:
        return self.matrix.letters

    def row_letters(self, activity: Activity) -> tuple[str, ...]:
        """An activity's cells in the order of the matrix's roles, each written as in the matrix (``A/R``,
        ``C``, or empty): a template's row in one call. A loop over the roles that asks
        ``activity.letters(role.id)`` does the same, at a sandboxed call and a join per cell, which is
        most of a long Markdown matrix's time."""
        written: dict[str, str] = {}
        for cell in activity.cells:
            written.setdefault(cell.role_id, "/".join(cell.letters))  # the first, as Activity.cell finds it
        return tuple(written.get(role.id, "") for role in self.matrix.roles)

    def cell_letter(self, letters: tuple[str, ...]) -> Letter | None:
        """The letter whose colour a cell takes: the first one written (A in A/R)."""
        return self.matrix.letter(letters[0]) if letters else None


def input_paths(project: Project) -> tuple[str, ...]:
    """The project's inputs as git sees them, relative to the project folder: the files read (raci.yaml,
    roles, activities), the role and activity folders (a file removed there is a change) and the templates
    folder, unless it is the built-in set (:func:`templatefolder.holds_only_built_in`: the repository's own
    example, whose templates folder is where the built-in templates are kept, or unchanged copies from ``init
    --templates``), which dates no document, committed or not. Paths outside the project folder are left out."""
    settings = project.settings
    paths = [stamp.relative_to_root(project, s) for s in project.sources]
    paths += [settings.roles, settings.activities]
    if not templatefolder.holds_only_built_in(os.path.join(project.root, settings.templates)):
        paths.append(settings.templates)
    paths = [os.path.normpath(p).replace(os.sep, "/") for p in paths]
    return tuple(dict.fromkeys(p for p in paths if p != ".." and not p.startswith("../") and not os.path.isabs(p)))


def document_day(date: clock.DocumentDate) -> _dt.date:
    """The day whose people in post (from/until) the documents name: their date when it is a day
    (YYYY-MM-DD), else (a date written as text, or none) the day of the build."""
    try:
        return _dt.date.fromisoformat(date.shown or "")
    except ValueError:
        return clock.today()


def _findings_on(project: Project, findings: Iterable[Finding], day: _dt.date) -> list[Finding]:
    """``findings``, those of the rules that read the people in post made again for ``day`` (the lint that
    gave them read another day: today, or --as-of)."""
    from raci_gen.checks.analysis import lint
    from raci_gen.checks.rules import RULES

    on_day = set(DATED_RULES)
    kept = [f for f in findings if f.rule not in on_day]
    made = lint(dataclasses.replace(project.matrix, as_of=day), project.settings, ignore=set(RULES) - on_day)
    return sorted(kept + made, key=lambda f: (f.location.sort_key(), SEVERITIES.index(f.severity), f.rule))


DATED_RULES = ("vacant-role", "hand-over-due", "separate-sign-off-people")
"""The rules whose findings depend on the day the matrix is read for."""


def resolve_date(project: Project) -> clock.DocumentDate:
    return clock.document_date(project.settings.date, project.root, input_paths(project))


def _relative_finding(project: Project, finding: Finding) -> Finding:
    """A finding as the documents print it: its file relative to the project folder, not to the
    folder raci-gen runs in, so the same project gives the same documents wherever it is."""
    location = finding.location
    where = Location(stamp.relative_to_root(project, location.file), location.line, location.column)
    return dataclasses.replace(finding, location=where)


def make_document(project: Project, findings: Iterable[Finding] = (), date: clock.DocumentDate | None = None,
                  files: dict[str, str] | None = None) -> Document:
    """The document of ``project``; ``date`` overrides the date the clock gives it, and ``files`` are the
    input files' digests when the build has them already (:func:`raci_gen.documents.stamp.input_digests`).
    A build makes it once, in :func:`raci_gen.writing.output.plan`."""
    settings = project.settings
    date = date or resolve_date(project)
    template_dir = os.path.join(project.root, settings.templates)
    template_dir = template_dir if os.path.isdir(template_dir) else None
    day = document_day(date)
    if dated(project.matrix):  # the findings of the people in post, as of the documents' date
        findings = _findings_on(project, findings, day)
    return Document(
        title=settings.title,
        matrix=in_post(project.matrix, day),
        date=date.shown,
        created=date.stamp,
        project=settings.project,
        version=settings.version,
        author=settings.author,
        page=settings.page,
        sources=tuple(stamp.relative_to_root(project, s) for s in project.sources),
        template_dir=template_dir,
        # A sponsor's document is no lint report: the findings are listed only when the project asks.
        findings=tuple(_relative_finding(project, f) for f in findings if f.ignored is None)
        if settings.findings else (),
        analysis=settings.analysis,
        digest=project.digest,
        approval=settings.approval,
        pdf_variant=settings.pdf_variant,
        language=settings.language,
        record=stamp.compute(project, date, template_dir, files),
        date_source=date.source,
        codeowners=settings.output.codeowners,
    )

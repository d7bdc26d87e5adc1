"""``raci-gen diff``: what changed in responsibilities between two versions of a matrix.

Not a text diff: roles and activities are matched by id, and the report says
which were added, removed or renamed, which activities moved to another phase or
became or ceased to be sign-offs, every cell whose letters changed, and which lint findings appeared or went away.

* :func:`diff_projects` is the pure core: two loaded projects (and their
  findings) in, a :class:`MatrixDiff` out. It reads no files.
* :func:`format_text` and :func:`format_markdown` turn a diff into a report for
  the terminal or for a pull-request comment.
* :func:`compare` loads the two sides, a project folder or a git revision
  (:func:`raci_gen.input.revisions.load_revision`, which never touches the working
  tree or the index), and lints each.

Findings are compared by rule and message only, so that a finding whose line
merely moved is not reported.
"""

from __future__ import annotations

import dataclasses
import os
from collections import Counter
from dataclasses import dataclass
from typing import Iterable

from raci_gen.input.revisions import in_revision, load_revision
from raci_gen.checks.analysis import Finding
from raci_gen.model.errors import InputError
from raci_gen.model.matrix import Activity, Matrix, Person, Project, Role
from raci_gen.runtime.terminal import printable

NO_LETTER = "–"
"""How an empty cell is shown (an en dash)."""
ARROW = "→"



# --- the diff ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoleRef:
    id: str
    name: str


@dataclass(frozen=True)
class ActivityRef:
    id: str
    name: str
    phase: str
    cells: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(role id, letters) of the activity's cells, in the matrix's role order."""
    sign_off: bool = False


@dataclass(frozen=True)
class Renamed:
    """A role or activity that kept its id and changed its name."""

    id: str
    old_name: str
    new_name: str


@dataclass(frozen=True)
class Moved:
    """An activity that kept its id and now sits in another phase."""

    id: str
    name: str
    old_phase: str
    new_phase: str


@dataclass(frozen=True)
class CellChange:
    activity_id: str
    activity_name: str
    role_id: str
    role_name: str
    before: tuple[str, ...]
    after: tuple[str, ...]

    @property
    def before_text(self) -> str:
        return letters_text(self.before)

    @property
    def after_text(self) -> str:
        return letters_text(self.after)


@dataclass(frozen=True)
class MatrixDiff:
    old_label: str = "old"
    new_label: str = "new"
    variant: tuple[str, str] | None = None
    """(old, new) name of the variant when it changed: the same letters may now mean something else."""
    roles_added: tuple[RoleRef, ...] = ()
    roles_removed: tuple[RoleRef, ...] = ()
    roles_renamed: tuple[Renamed, ...] = ()
    activities_added: tuple[ActivityRef, ...] = ()
    activities_removed: tuple[ActivityRef, ...] = ()
    activities_renamed: tuple[Renamed, ...] = ()
    activities_moved: tuple[Moved, ...] = ()
    sign_offs_marked: tuple[ActivityRef, ...] = ()
    """Activities in both versions that became sign-offs (``sign-off: true``)."""
    sign_offs_unmarked: tuple[ActivityRef, ...] = ()
    """Activities in both versions that are no longer sign-offs."""
    cells: tuple[CellChange, ...] = ()
    """Changed cells of the activities in both versions, in the new version's order."""
    people: tuple[str, ...] = ()
    """Who joined or left a role in both versions, or whose name, e-mail, from/until/note changed, as lines such as
    ``LEAD Lead: Alan Turing joined (from 2026-07-01)``; in the new version's order."""
    handles: tuple[str, ...] = ()
    """Changed code-review handles of the roles in both versions and of their people (CODEOWNERS' owners); a
    new order or case is no change."""
    paths: tuple[str, ...] = ()
    """Changed ``paths:`` of the activities in both versions (what CODEOWNERS gives their owners)."""
    findings_appeared: tuple[Finding, ...] = ()
    findings_gone: tuple[Finding, ...] = ()

    @property
    def changed(self) -> bool:
        """Whether there is anything to report (what ``--exit-code`` tests)."""
        return any(getattr(self, f.name) for f in dataclasses.fields(self) if f.name not in ("old_label", "new_label"))


def letters_text(letters: tuple[str, ...]) -> str:
    return "/".join(letters) if letters else NO_LETTER


def diff_projects(old: Project, new: Project, old_findings: Iterable[Finding] = (),
                  new_findings: Iterable[Finding] = (), *, old_label: str = "old",
                  new_label: str = "new") -> MatrixDiff:
    """What changed in responsibilities from ``old`` to ``new``.

    Roles and activities are matched by id (exactly, case included). Findings
    silenced by ``lint-ignore`` are left out; the others are matched by
    (rule, message), as a multiset, so a finding that only moved to another
    line is no change.
    """
    om, nm = old.matrix, new.matrix
    old_roles = {r.id: r for r in om.roles}
    new_roles = {r.id: r for r in nm.roles}
    old_acts = _activities(om)
    new_acts = _activities(nm)

    cells = []
    role_order = _role_order(om, nm)
    names = {**{r.id: r.name for r in om.roles}, **{r.id: r.name for r in nm.roles}}
    for act_id, (new_act, _) in new_acts.items():
        if act_id not in old_acts:
            continue
        old_act = old_acts[act_id][0]
        for role_id in role_order:
            before, after = old_act.letters(role_id), new_act.letters(role_id)
            if before != after:
                cells.append(CellChange(act_id, new_act.name, role_id, names[role_id], before, after))

    people, handles = _governance(om, nm)
    appeared, gone = _compare_findings(old_findings, new_findings)
    return MatrixDiff(
        old_label=old_label, new_label=new_label,
        variant=(om.variant.name, nm.variant.name) if om.variant.name != nm.variant.name else None,
        roles_added=tuple(RoleRef(r.id, r.name) for r in nm.roles if r.id not in old_roles),
        roles_removed=tuple(RoleRef(r.id, r.name) for r in om.roles if r.id not in new_roles),
        roles_renamed=tuple(Renamed(r.id, old_roles[r.id].name, r.name) for r in nm.roles
                            if r.id in old_roles and old_roles[r.id].name != r.name),
        activities_added=tuple(_ref(a, phase, nm) for a_id, (a, phase) in new_acts.items() if a_id not in old_acts),
        activities_removed=tuple(_ref(a, phase, om) for a_id, (a, phase) in old_acts.items() if a_id not in new_acts),
        activities_renamed=tuple(Renamed(a_id, old_acts[a_id][0].name, a.name) for a_id, (a, _) in new_acts.items()
                                 if a_id in old_acts and old_acts[a_id][0].name != a.name),
        activities_moved=tuple(Moved(a_id, a.name, old_acts[a_id][1], phase) for a_id, (a, phase) in new_acts.items()
                               if a_id in old_acts and old_acts[a_id][1] != phase),
        sign_offs_marked=tuple(_ref(a, phase, nm) for a_id, (a, phase) in new_acts.items()
                               if a_id in old_acts and a.sign_off and not old_acts[a_id][0].sign_off),
        sign_offs_unmarked=tuple(_ref(a, phase, nm) for a_id, (a, phase) in new_acts.items()
                                 if a_id in old_acts and old_acts[a_id][0].sign_off and not a.sign_off),
        cells=tuple(cells),
        people=people, handles=handles,
        paths=_paths(old_acts, new_acts),
        findings_appeared=appeared,
        findings_gone=gone,
    )


def _listed(texts: Iterable[str]) -> str:
    return " ".join(texts) or "(none)"


def _paths(old: dict[str, tuple[Activity, str]], new: dict[str, tuple[Activity, str]]) -> tuple[str, ...]:
    """The ``paths:`` of the activities in both versions that changed, as ``B-2 Accept: src/ → src/ docs/``."""
    changed = []
    for act_id, (activity, _) in new.items():
        if act_id not in old:
            continue
        before, after = [p.pattern for p in old[act_id][0].paths], [p.pattern for p in activity.paths]
        if before != after:
            changed.append(f"{act_id} {activity.name}: {_listed(before)} {ARROW} {_listed(after)}")
    return tuple(changed)


def _name_key(person: Person) -> str:
    return " ".join(person.name.lower().split())


def _matched_people(before: Iterable[Person], after: Iterable[Person]) -> tuple[list[tuple[Person | None, Person]],
                                                                                list[Person]]:
    """The people of a role in the new version, each with who they were in the old one (None: joined), and those
    of the old one nobody matches (left). A person is the same across the versions by e-mail when both give one
    (case ignored), as the sign-off rules tell people apart; else by name (case and spacing ignored), so that a
    person whose e-mail is added or removed is the same person, not one who left and one who joined."""
    unmatched = list(before)
    pairs: list[tuple[Person | None, Person]] = []
    for person in after:
        match = None
        if person.email:
            match = next((p for p in unmatched if p.email and p.email.lower() == person.email.lower()), None)
        if match is None:
            match = next((p for p in unmatched if _name_key(p) == _name_key(person)
                          and not (p.email and person.email)), None)
        if match is not None:
            unmatched.remove(match)
        pairs.append((match, person))
    return pairs, unmatched


def _days(person: Person) -> str:
    terms = [f"from {person.start.isoformat()}"] if person.start else []
    terms += [f"until {person.until.isoformat()}"] if person.until else []
    terms += [person.note] if person.note else []
    return "; ".join(terms)


def _same_handles(before: Iterable, after: Iterable) -> bool:
    """Whether two lists of handles name the same owners: CODEOWNERS gives every owner on a line the same say, and
    GitHub's and GitLab's names ignore case, so neither order nor case is a change."""
    return sorted(h.text.lower() for h in before) == sorted(h.text.lower() for h in after)


def _governance(old: Matrix, new: Matrix) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(people, handles) that changed in the roles of both versions: who joined or left, whose name, e-mail,
    from, until or note changed; the roles' and their people's handles."""
    old_roles = {r.id: r for r in old.roles}
    people: list[str] = []
    handles: list[str] = []
    for role in new.roles:
        before: Role | None = old_roles.get(role.id)
        if before is None:
            continue
        where = f"{role.id} {role.name}"
        if not _same_handles(before.handles, role.handles):
            handles.append(f"{where}: {_listed(h.text for h in before.handles)} {ARROW} "
                           f"{_listed(h.text for h in role.handles)}")
        pairs, gone = _matched_people(before.people, role.people)
        for was, person in pairs:
            if was is None:
                people.append(f"{where}: {person.name} joined" + (f" ({_days(person)})" if _days(person) else ""))
                continue
            if _name_key(was) != _name_key(person):
                people.append(f"{where}: {was.name} {ARROW} {person.name}")
            if (was.email or "").lower() != (person.email or "").lower():
                people.append(f"{where}: {person.name}: e-mail {was.email or '(none)'} {ARROW} "
                              f"{person.email or '(none)'}")
            if _days(was) != _days(person):
                people.append(f"{where}: {person.name}: {_days(was) or 'no dates'} {ARROW} "
                              f"{_days(person) or 'no dates'}")
            if not _same_handles(was.handles, person.handles):
                handles.append(f"{where}: {person.name}: {_listed(h.text for h in was.handles)} {ARROW} "
                               f"{_listed(h.text for h in person.handles)}")
        people += [f"{where}: {person.name} left" for person in gone]
    return tuple(people), tuple(handles)


def _role_order(old: Matrix, new: Matrix) -> list[str]:
    """The new columns, with each removed role after the column it followed in the old matrix."""
    order = [r.id for r in new.roles]
    after = -1  # the position in ``order`` of the last old role seen
    for role in old.roles:
        if role.id in order:
            after = order.index(role.id)
        else:
            after += 1
            order.insert(after, role.id)
    return order


def _activities(matrix: Matrix) -> dict[str, tuple[Activity, str]]:
    """Activity id -> (activity, phase name), in input order."""
    return {a.id: (a, phase.name) for phase in matrix.phases for a in phase.activities}


def _ref(activity: Activity, phase: str, matrix: Matrix) -> ActivityRef:
    order = {r.id: i for i, r in enumerate(matrix.roles)}
    cells = sorted(((c.role_id, c.letters) for c in activity.cells), key=lambda c: order.get(c[0], len(order)))
    return ActivityRef(activity.id, activity.name, phase, tuple(cells), activity.sign_off)


def _compare_findings(old: Iterable[Finding], new: Iterable[Finding]) -> tuple[tuple[Finding, ...], ...]:
    old = [f for f in old if f.ignored is None]
    new = [f for f in new if f.ignored is None]

    def only_in(these: list[Finding], those: list[Finding]) -> tuple[Finding, ...]:
        left = Counter((f.rule, f.message) for f in those)
        result = []
        for finding in these:
            key = (finding.rule, finding.message)
            if left[key]:
                left[key] -= 1
            else:
                result.append(finding)
        return tuple(result)

    return only_in(new, old), only_in(old, new)


# --- reports -----------------------------------------------------------------------------------------------------


def _role(role: RoleRef) -> str:
    return f"{role.id} {role.name}"


def _activity(act: ActivityRef) -> str:
    cells = ", ".join(f"{role_id} {letters_text(letters)}" for role_id, letters in act.cells)
    return f"{act.id} {act.name} ({act.phase})" + (", a sign-off" if act.sign_off else "") + \
        (f": {cells}" if cells else "")


def _grouped(cells: tuple[CellChange, ...]) -> list[tuple[str, str, list[CellChange]]]:
    """The cell changes grouped by activity, in order: (id, name, changes)."""
    groups: dict[str, tuple[str, str, list[CellChange]]] = {}
    for change in cells:
        groups.setdefault(change.activity_id, (change.activity_id, change.activity_name, []))[2].append(change)
    return list(groups.values())


def summary(diff: MatrixDiff) -> str:
    """One line: how much changed, e.g. ``3 cells in 2 activities, 1 role added``."""
    parts = []

    def count(n: int, one: str, many: str, what: str) -> None:
        if n:
            parts.append(f"{n} {one if n == 1 else many} {what}")

    if diff.cells:
        acts = len({c.activity_id for c in diff.cells})
        parts.append(f"{len(diff.cells)} cell{'s' if len(diff.cells) != 1 else ''} changed in "
                     f"{acts} activit{'y' if acts == 1 else 'ies'}")
    count(len(diff.roles_added), "role", "roles", "added")
    count(len(diff.roles_removed), "role", "roles", "removed")
    count(len(diff.roles_renamed), "role", "roles", "renamed")
    count(len(diff.activities_added), "activity", "activities", "added")
    count(len(diff.activities_removed), "activity", "activities", "removed")
    count(len(diff.activities_renamed), "activity", "activities", "renamed")
    count(len(diff.activities_moved), "activity", "activities", "moved to another phase")
    count(len(diff.sign_offs_marked), "activity", "activities", "made a sign-off")
    count(len(diff.sign_offs_unmarked), "activity", "activities", "no longer a sign-off")
    count(len(diff.people), "change", "changes", "to people")
    count(len(diff.handles), "change", "changes", "to handles")
    count(len(diff.paths), "change", "changes", "to paths")
    count(len(diff.findings_appeared), "finding", "findings", "appeared")
    count(len(diff.findings_gone), "finding", "findings", "gone")
    if diff.variant:
        parts.append("variant changed")
    return ", ".join(parts)


def _sections(diff: MatrixDiff) -> list[tuple[str, list[str]]]:
    """(title, plain-text items) of each non-empty list section, cells excluded."""
    sections = [
        ("Variant changed", [f"{diff.variant[0]} {ARROW} {diff.variant[1]}"] if diff.variant else []),
        ("Roles added", [_role(r) for r in diff.roles_added]),
        ("Roles removed", [_role(r) for r in diff.roles_removed]),
        ("Roles renamed", [f"{r.id} {r.old_name} {ARROW} {r.new_name}" for r in diff.roles_renamed]),
        ("Activities added", [_activity(a) for a in diff.activities_added]),
        ("Activities removed", [_activity(a) for a in diff.activities_removed]),
        ("Activities renamed", [f"{a.id} {a.old_name} {ARROW} {a.new_name}" for a in diff.activities_renamed]),
        ("Activities moved", [f"{m.id} {m.name}: {m.old_phase} {ARROW} {m.new_phase}" for m in diff.activities_moved]),
        ("Made sign-offs", [f"{a.id} {a.name}" for a in diff.sign_offs_marked]),
        ("No longer sign-offs", [f"{a.id} {a.name}" for a in diff.sign_offs_unmarked]),
        ("People", list(diff.people)),
        ("Handles", list(diff.handles)),
        ("Paths", list(diff.paths)),
    ]
    return [(title, items) for title, items in sections if items]


def _finding_sections(diff: MatrixDiff) -> list[tuple[str, list[str]]]:
    sections = [("Findings appeared", [str(f) for f in diff.findings_appeared]),
                ("Findings gone", [str(f) for f in diff.findings_gone])]
    return [(title, items) for title, items in sections if items]


def format_text(diff: MatrixDiff) -> str:
    """The diff for a terminal; one line when nothing changed. Each item is one line, whatever a name,
    a revision or a file name holds (a line feed in it is shown as ``\\n``, see terminal.printable)."""
    between = f"{diff.old_label} {ARROW} {diff.new_label}"
    if not diff.changed:
        return printable(f"No changes in responsibilities ({between}).", one_line=True) + "\n"
    lines = [f"Changes in responsibilities ({between}): {summary(diff)}"]
    for title, items in _sections(diff):
        lines += ["", f"{title}:"] + [f"  {item}" for item in items]
    if diff.cells:
        lines += ["", "Cells changed:"]
        for act_id, name, changes in _grouped(diff.cells):
            cells = ", ".join(f"{c.role_id} {c.before_text} {ARROW} {c.after_text}" for c in changes)
            lines.append(f"  {act_id} {name}: {cells}")
    for title, items in _finding_sections(diff):
        lines += ["", f"{title}:"] + [f"  {item}" for item in items]
    return "".join(printable(line, one_line=True) + "\n" for line in lines)


def format_markdown(diff: MatrixDiff) -> str:
    """The diff as GitHub-flavoured Markdown, e.g. for a pull-request comment."""
    from raci_gen.documents.templating import md_escape, md_paragraph

    between = f"{md_escape(diff.old_label)} {ARROW} {md_escape(diff.new_label)}"
    if not diff.changed:
        return f"No changes in responsibilities ({between}).\n"
    lines = [f"## Changes in responsibilities ({between})", "", md_paragraph(summary(diff))]
    for title, items in _sections(diff):
        lines += ["", f"### {title}", ""] + [f"- {md_paragraph(item)}" for item in items]
    if diff.cells:
        lines += ["", "### Cells changed", "", "| Activity | Role | Before | After |", "| --- | --- | :-: | :-: |"]
        for c in diff.cells:
            lines.append(f"| {md_escape(f'{c.activity_id} {c.activity_name}')} | "
                         f"{md_escape(f'{c.role_id} {c.role_name}')} | "
                         f"{md_escape(c.before_text)} | {md_escape(c.after_text)} |")
    for title, items in _finding_sections(diff):
        lines += ["", f"### {title}", ""] + [f"- {md_paragraph(item)}" for item in items]
    return "\n".join(lines) + "\n"


# --- reading the two sides ---------------------------------------------------------------------------------------


def findings_of(project: Project) -> list[Finding]:
    from raci_gen.checks.analysis import lint

    return lint(project.matrix, project.settings)


def load_side(arg: str, project_dir: str = ".") -> tuple[Project, list[Finding]]:
    """The project and its findings for one argument of ``raci-gen diff``.

    An existing folder is a project folder; anything else is a git revision of
    the project in ``project_dir``.
    """
    from raci_gen.input.loader import load_project

    if os.path.isdir(arg):
        project = load_project(arg)
        return project, findings_of(project)
    project = load_revision(arg, project_dir)
    try:
        return project, findings_of(project)
    except InputError as exc:  # a wrong lint: section in that revision
        raise in_revision(exc, arg) from None


def compare(old: str, new: str, project_dir: str = ".") -> MatrixDiff:
    """``raci-gen diff OLD NEW``: each argument a project folder or a git revision of ``project_dir``."""
    old_project, old_findings = load_side(old, project_dir)
    new_project, new_findings = load_side(new, project_dir)
    return diff_projects(old_project, new_project, old_findings, new_findings, old_label=old, new_label=new)

"""``raci-gen diff``: what changed in responsibilities between two versions of a matrix.

Not a text diff: roles and activities are matched by id, and the report says
which were added, removed or renamed, which activities moved to another phase or
became or ceased to be sign-offs, every cell whose letters changed, and which lint findings appeared or went away.

* :func:`diff_projects` is the pure core: two loaded projects (and their
  findings) in, a :class:`MatrixDiff` out. It reads no files.
* :func:`format_text` and :func:`format_markdown` turn a diff into a report for
  the terminal or for a pull-request comment.
* :func:`load_revision` reads the project's YAML files as they are in a git
  revision (``git ls-tree`` and ``git cat-file --batch``, one bounded file at a
  time) into a temporary folder; the working tree and the index are never touched.

Paths in a revision's findings and problems read as if the project had been
loaded from ``project_dir`` (``roles/x.yaml`` when it is the current folder):
the project is loaded from the temporary folder, then every
:class:`~raci_gen.model.matrix.Location` that starts with that folder is rewritten, so
the temporary path never reaches the user. Findings are compared by rule and
message only, so that a finding whose line merely moved is not reported.
"""

from __future__ import annotations

import dataclasses
import os
import posixpath
import re
import tempfile
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, TypeVar

from raci_gen.input import gitrepo
from raci_gen.checks.analysis import Finding
from raci_gen.model.errors import InputError, Problem, RaciError
from raci_gen.model.matrix import Activity, Location, Matrix, Project
from raci_gen.runtime.terminal import printable

NO_LETTER = "–"
"""How an empty cell is shown (an en dash)."""
ARROW = "→"

T = TypeVar("T")


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
        findings_appeared=appeared,
        findings_gone=gone,
    )


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
        raise _in_revision(exc, arg) from None


def compare(old: str, new: str, project_dir: str = ".") -> MatrixDiff:
    """``raci-gen diff OLD NEW``: each argument a project folder or a git revision of ``project_dir``."""
    old_project, old_findings = load_side(old, project_dir)
    new_project, new_findings = load_side(new, project_dir)
    return diff_projects(old_project, new_project, old_findings, new_findings, old_label=old, new_label=new)


NO_GIT = "git is not installed; it is needed to read revisions (give two project folders instead)"
MAX_REVISION = 256
"""Longest revision raci-gen hands to git (branch names, tags, ``HEAD~3``, ``main@{yesterday}``...)."""
MAX_REVISION_FILES = 10_000
"""Most YAML files raci-gen reads from one revision."""
MAX_REVISION_BYTES = 64 * 1024 * 1024
"""Most bytes of YAML raci-gen copies out of one revision (twice what the loader accepts of a project's inputs,
so that other YAML files in the project folder fit too). A pull request's revision is made by its author: 10,000
files of 2 MiB that are one blob in git are a few KiB to push and were 20 GB in memory and in the scratch folder."""
YAML_SUFFIXES = (".yaml", ".yml")


def check_revision(rev: str) -> None:
    """Refuse a revision git should not even see: too long, empty, an option, or with control characters."""
    if len(rev) > MAX_REVISION:
        raise RaciError(f"a revision of {len(rev):,} characters is not a git revision raci-gen reads "
                        f"(at most {MAX_REVISION})")
    if not rev or rev.startswith("-") or any(ord(c) < 0x20 or ord(c) == 0x7F for c in rev):
        raise RaciError(f"{rev!r} is neither a project folder nor a git revision")


def load_revision(rev: str, project_dir: str = ".") -> Project:
    """The project in ``project_dir`` as it is in git revision ``rev``.

    Reads only the YAML files of the project's tree in ``rev`` (``git ls-tree``, then
    ``git cat-file --batch``, one file at a time), so a large file elsewhere in the folder
    costs nothing; a YAML file over the loader's size limit is not read but stands in for
    itself as an empty file of its size, so the loader refuses it as it would on disk. A
    symbolic link is kept when it stays inside the project, and refused when it leads
    outside. Locations read as if loaded from ``project_dir``; ``Project.root`` is
    ``REV:PATH`` (git's name for the folder), as the temporary folder is gone when this
    returns.
    """
    check_revision(rev)
    neither = f"{rev!r} is neither a project folder nor a git revision"
    if not os.path.isdir(project_dir):
        raise RaciError(f"{neither} (project folder {project_dir!r} not found)")
    try:
        repository = gitrepo.find_repository(project_dir)
    except gitrepo.NotARepository:
        raise RaciError(f"{neither} ({os.path.normpath(project_dir)!r} is not in a git repository)") from None
    except OSError:
        raise RaciError(NO_GIT) from None
    top = repository.work_tree
    rel = os.path.relpath(os.path.realpath(project_dir), top)
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):  # pragma: no cover - git says it is inside
        raise RaciError(f"{project_dir!r} is not inside the git repository at {top}")
    rel = "" if rel == os.curdir else rel.replace(os.sep, "/")
    tree = _git(repository, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{tree}}")
    if tree is None:
        raise RaciError(neither)
    tree = tree.decode().strip()
    where = f"{rev}:{rel}"
    subtree = _git(repository, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{tree}:{rel}") \
        if rel else tree.encode()
    if subtree is None or _git(repository, "cat-file", "-t", subtree.decode().strip()) != b"tree\n":
        raise RaciError(f"the project folder {rel!r} does not exist in revision {rev!r}")

    from raci_gen.input.loader import load_project

    shown_root = os.path.normpath(project_dir)
    with tempfile.TemporaryDirectory(prefix="raci-gen-diff-") as tmp:
        _extract_yaml(repository, subtree.decode().strip(), tmp, rev, shown_root)
        try:
            project = load_project(tmp)
        except InputError as exc:
            raise _in_revision(_relocated_error(exc, tmp, shown_root), rev) from None
    project = _relocate(project, tmp, shown_root)
    return dataclasses.replace(project, root=where,
                               sources=tuple(_shown(s, tmp, shown_root) for s in project.sources))


def _extract_yaml(repository: gitrepo.GitRepository, tree: str, tmp: str, rev: str, shown_root: str) -> None:
    """Write the YAML files (and links) of git tree ``tree`` under the folder ``tmp``."""
    from raci_gen.input.yamlsource import MAX_FILE_BYTES

    listing = _git(repository, "ls-tree", "-r", "-z", "--long", "--end-of-options", tree)
    if listing is None:  # pragma: no cover - the tree exists, so git can list it
        raise RaciError(f"git ls-tree failed for revision {rev!r}")
    wanted: list[tuple[str, str, str]] = []  # (object id, path, mode) of blobs to read
    copied = 0  # their bytes, counted from the listing before any is read
    links: list[tuple[str, str]] = []
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, _, raw_path = entry.partition(b"\t")
        mode, kind, oid, size = meta.split()
        path = raw_path.decode("utf-8", "surrogateescape")
        if kind != b"blob":
            continue
        target = os.path.join(tmp, *path.split("/"))
        if mode == b"120000":  # any link: it may name a folder of YAML files
            links.append((oid.decode(), path))
        elif not path.lower().endswith(YAML_SUFFIXES):
            continue
        elif int(size) > MAX_FILE_BYTES:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as placeholder:  # sparse: the loader refuses it by its size alone
                placeholder.truncate(int(size))
        else:
            wanted.append((oid.decode(), path, mode.decode()))
            copied += int(size)
            if copied > MAX_REVISION_BYTES:
                raise RaciError(f"revision {rev!r} holds more than {MAX_REVISION_BYTES // (1024 * 1024)} MiB of YAML "
                                f"files in the project folder ({copied:,} bytes by "
                                f"{os.path.normpath(os.path.join(shown_root, path))}); raci-gen reads at most that "
                                "much of a revision")
        if len(wanted) + len(links) > MAX_REVISION_FILES:
            raise RaciError(f"revision {rev!r} has more than {MAX_REVISION_FILES:,} YAML files in the project "
                            "folder; raci-gen reads at most that many")
    blobs = _cat_blobs(repository, [oid for oid, _, _ in wanted] + [oid for oid, _ in links], MAX_FILE_BYTES)
    for oid, path, _mode in wanted:
        target = os.path.join(tmp, *path.split("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as out:
            out.write(blobs.pop(oid, b"") if oid in blobs else b"")
    for oid, path in links:
        link_target = blobs.get(oid, b"").decode("utf-8", "surrogateescape")
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), link_target))
        if posixpath.isabs(link_target) or resolved == ".." or resolved.startswith("../"):
            member = os.path.normpath(os.path.join(shown_root, path))
            raise RaciError(f"revision {rev!r}: {member} is not read: it is a link that leads outside the project "
                            "or an absolute path")
        target = os.path.join(tmp, *path.split("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        os.symlink(link_target, target)


def _cat_blobs(repository: gitrepo.GitRepository, oids: list[str], limit: int) -> dict[str, bytes]:
    """The content of each blob as stored, read one after the other from ``git cat-file --batch`` (each at most
    ``limit``): no filter or textconv runs."""
    if not oids:
        return {}
    try:
        process = repository.start("cat-file", "--batch")
    except OSError:  # pragma: no cover - git ran a moment ago
        raise RaciError(NO_GIT) from None
    found: dict[str, bytes] = {}
    try:
        assert process.stdin is not None and process.stdout is not None
        for oid in dict.fromkeys(oids):
            process.stdin.write(oid.encode("ascii") + b"\n")
            process.stdin.flush()
            header = process.stdout.readline().split()
            if len(header) != 3 or header[1] == b"missing":  # pragma: no cover - ls-tree just listed it
                continue
            size = int(header[2])
            if size > limit:  # pragma: no cover - sizes were checked on the listing
                raise RaciError(f"a file of {size:,} bytes in the revision is over the limit of {limit:,}")
            found[oid] = process.stdout.read(size)
            process.stdout.read(1)  # the newline after each object
    finally:
        if process.stdin:
            process.stdin.close()
        process.wait()
    return found


def _git(repository: gitrepo.GitRepository, *args: str) -> bytes | None:
    """git's standard output, or None when git fails."""
    try:
        return repository.run(*args)
    except OSError:
        raise RaciError(NO_GIT) from None


def _shown(path: str, tmp: str, shown_root: str) -> str:
    """``path`` under the temporary folder ``tmp`` as it would read under ``shown_root``."""
    if path == tmp:
        return shown_root
    if path.startswith(tmp + os.sep):
        return os.path.normpath(os.path.join(shown_root, path[len(tmp) + 1:]))
    return path


def _relocate(obj: T, tmp: str, shown_root: str) -> T:
    """``obj`` (frozen dataclasses and tuples of them) with every Location under ``tmp`` moved to ``shown_root``."""
    if isinstance(obj, Location):
        file = _shown(obj.file, tmp, shown_root)
        return obj if file == obj.file else dataclasses.replace(obj, file=file)
    if isinstance(obj, tuple):
        items = tuple(_relocate(item, tmp, shown_root) for item in obj)
        return obj if all(a is b for a, b in zip(items, obj)) else items  # type: ignore[return-value]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        changes = {}
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            moved = _relocate(value, tmp, shown_root)
            if moved is not value:
                changes[f.name] = moved
        return dataclasses.replace(obj, **changes) if changes else obj
    return obj


def _relocated_error(exc: InputError, tmp: str, shown_root: str) -> InputError:
    """The loader's problems with the temporary folder taken out of locations and messages."""
    pattern = re.compile(re.escape(tmp) + r"(?:" + re.escape(os.sep) + r"[^\s'\":]*)?")
    return InputError([Problem(_relocate(p.location, tmp, shown_root),
                               pattern.sub(lambda m: _shown(m.group(0), tmp, shown_root), p.message))
                       for p in exc.problems])


def _in_revision(exc: InputError, rev: str) -> InputError:
    return InputError([Problem(p.location, f"{p.message} (in revision {rev})") for p in exc.problems])

"""``raci-gen import FILE --into PROJECT``: an edited workbook, Markdown or CSV back into the project's YAML.

The source is read like any other (:mod:`raci_gen.importers.core`), with the
project's variant, then compared with the project by id: changed cells, renamed
activities and roles, new activities and roles. Each YAML file is changed with
ruamel.yaml's round-trip mode (imported only here), which keeps comments, key
order, quoting, flow or block style and blank lines, so a changed cell is a
one-line change. Before a file is edited, ruamel.yaml must write it back
unchanged; a file it would reformat (an indentation it cannot keep) is refused
rather than rewritten.

Removals (an activity or role missing from the source) are applied only when asked
(``delete``); otherwise they are reported and kept. A raci-gen workbook carries the
hash of the inputs it was built from; one built from other inputs is refused unless
``force``, since its unchanged cells may be older than the YAML.

Nothing is lost on the way: a new phase's file is numbered past every file there and
written only where no file is; an edited file is replaced only while it holds the bytes
read; a ``raci`` map shared through an anchor is changed only when the source gives all
who share it the same cells (:meth:`_Editor.check_shared`); and the project as the new
files load must hold exactly what the edits meant (:meth:`_Editor.check_written`), which
is what the summary then reports, file by file.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import tempfile

import yaml

from raci_gen.documents.diff import ARROW, diff_projects, format_text, letters_text
from raci_gen.model.errors import InputError, RaciError
from raci_gen.importers import ImportOptions, ImportResult, read_source
from raci_gen.importers.core import ImportedActivity, Note
from raci_gen.importers.project import slug
from raci_gen.input.loader import load_project
from raci_gen.model.matrix import Location, Project

INPUT_HASH = re.compile(r"input ([0-9a-f]{12})\b")
NUMBERED = re.compile(r"[0-9]{1,9}")
"""The number a file name starts with; its first 9 digits only, so that a name of 40 digits cannot make the new
file's number as long."""


def changes_into(source: str, project_dir: str, options: ImportOptions, delete: bool = False,
                 force: bool = False) -> ImportResult:
    project = load_project(project_dir)
    if options.variant is not None and options.variant != project.matrix.variant.name:
        raise RaciError(f"--variant: error: the project's variant is {project.matrix.variant.name}")
    matrix, notes = read_source(source, options, variant=project.matrix.variant)
    _check_stamp(matrix.stamp, project, source, force)
    editor = _Editor(project)
    notes = list(notes)

    # Roles: by id, else by name; a header that only repeats the id says nothing about the name.
    roles_by_id = {r.id.casefold(): r for r in project.matrix.roles}
    roles_by_name = {r.name.casefold(): r for r in project.matrix.roles}
    role_map: dict[str, str] = {}  # imported id -> project id
    for imported in matrix.roles:
        known = roles_by_id.get(imported.id.casefold()) or roles_by_name.get(imported.name.casefold())
        if known is None:
            editor.add_role(imported.id, imported.name)
            role_map[imported.id] = imported.id
            continue
        role_map[imported.id] = known.id
        if imported.name != imported.id and imported.name != known.name and \
                imported.id.casefold() == known.id.casefold():
            editor.rename_role(known.id, imported.name)
    seen_roles = set(role_map.values())
    for role in project.matrix.roles:
        if role.id not in seen_roles:
            if delete:
                editor.remove_role(role.id)
            else:
                notes.append(Note("", f"role {role.id} is not in the source; kept (--delete removes it)"))

    # Activities: by id, else by name.
    acts = {a.id.casefold(): (a, p) for p in project.matrix.phases for a in p.activities}
    acts_by_name = {a.name.casefold(): (a, p) for p in project.matrix.phases for a in p.activities}
    seen_acts = set()
    for imported in matrix.activities:
        found = acts.get(imported.id.casefold()) or acts_by_name.get(imported.name.casefold())
        cells = {role_map[r]: letters for r, letters in imported.cells.items()}
        if found is None:
            editor.add_activity(imported, cells)
            continue
        activity, phase = found
        seen_acts.add(activity.id)
        if imported.name != activity.name:
            editor.set_name(activity, imported.name)
        if matrix.tells_sign_offs and imported.sign_off != activity.sign_off:
            editor.set_sign_off(activity, imported.sign_off)
        if imported.phase != phase.name and imported.phase != "Activities":
            notes.append(Note(imported.where, f"{activity.id} is under {imported.phase!r} in the source and under "
                                              f"{phase.name!r} in the project; not moved (move it in the YAML)"))
        for role_id in seen_roles:
            before = activity.letters(role_id)
            after = cells.get(role_id, ())
            if before != after:
                editor.set_cell(activity, role_id, after)
    for phase in project.matrix.phases:
        for activity in phase.activities:
            if activity.id not in seen_acts:
                if delete:
                    editor.remove_activity(activity)
                else:
                    notes.append(Note("", f"activity {activity.id} is not in the source; kept "
                                              "(--delete removes it)"))

    editor.check_shared()
    files = editor.files()
    new_project = _load_changed(project, files)
    editor.check_written(new_project)
    change = diff_projects(project, new_project, old_label=project_dir, new_label=source)
    created = frozenset(path for path, _ in editor.new_phases.values())
    summary = format_text(change) + _files_written(project, new_project, change, files, created)
    expected = tuple((path, editor.open[path].read) for path in files if path in editor.open)
    return ImportResult(matrix, tuple(notes), tuple((p, t.encode("utf-8")) for p, t in files.items()),
                        summary=summary, diff=change, created=created, expected=expected)


def _files_written(old: Project, new: Project, change, files: dict[str, str], created: frozenset[str]) -> str:
    """The files the import writes, each with the activities and roles whose change is in it."""
    if not files:
        return ""

    def key(path: str, project: Project = old) -> str:
        return os.path.relpath(os.path.abspath(path), os.path.abspath(project.root))

    def file_of(items, item_id: str, project: Project = old) -> str | None:
        return next((key(i.location.file, project) for i in items if i.id == item_id), None)

    old_acts, old_roles = list(old.matrix.activities()), list(old.matrix.roles)
    new_acts, new_roles = list(new.matrix.activities()), list(new.matrix.roles)
    ids: dict[str, list[str]] = {}
    for where, item_id in (
            *((file_of(old_roles, r.id), r.id) for r in (*change.roles_removed, *change.roles_renamed)),
            *((file_of(new_roles, r.id, new), r.id) for r in change.roles_added),
            *((file_of(old_acts, a.id), a.id) for a in (*change.activities_removed, *change.activities_renamed)),
            *((file_of(old_acts, c.activity_id), c.activity_id) for c in change.cells),
            *((file_of(new_acts, a.id, new), a.id) for a in change.activities_added)):
        if where is not None and item_id not in ids.setdefault(where, []):
            ids[where].append(item_id)
    lines = ["", "Files written:"]
    for path in files:
        what = "new" if path in created else "changed"
        listed = ids.get(key(path), [])
        lines.append(f"  {key(path)} ({what})" + (f": {', '.join(listed)}" if listed else ""))
    return "\n".join(lines) + "\n"


def _check_stamp(stamp: str | None, project: Project, source: str, force: bool) -> None:
    if stamp is None:
        return
    match = INPUT_HASH.search(stamp)
    if match and match.group(1) != project.digest and not force:
        raise RaciError(f"{source}: error: built from other inputs (input {match.group(1)}) than the project's "
                        f"(input {project.digest}); its unchanged cells may be out of date. Rebuild it and edit "
                        "again, or give --force to take every cell as the source has it")


def _load_changed(project: Project, files: dict[str, str]) -> Project:
    """The project as it would load with ``files`` written: from a temporary copy, so nothing is touched."""
    root = os.path.abspath(project.root)
    with tempfile.TemporaryDirectory(prefix="raci-gen-into-") as tmp:
        copy = os.path.join(tmp, "project")
        shutil.copytree(root, copy, symlinks=True, ignore=shutil.ignore_patterns(".git", "output"))
        for path, text in files.items():
            target = os.path.join(copy, os.path.relpath(os.path.abspath(path), root))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "w", encoding="utf-8") as fh:
                fh.write(text)
        try:
            changed = load_project(copy)
        except InputError as exc:
            raise RaciError("the source's changes would not load: " + "; ".join(
                f"{os.path.relpath(p.location.file, copy)}:{p.location.line}: {p.message}"
                for p in exc.problems)) from None
    return changed


# --- editing the YAML ---------------------------------------------------------------------------------------------


def _plain_ok(text: str) -> bool:
    """Whether ``text`` reads back as this text when written without quotes (by PyYAML, which the loader uses)."""
    try:
        return yaml.safe_load(text) == text and "\n" not in text and text.strip() == text
    except yaml.YAMLError:
        return False


def _guess_mapping_indent(text: str) -> int:
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    for line, following in zip(lines, lines[1:]):
        if re.match(r"^\s*[^\s#-][^:]*:\s*$", line) and not following.lstrip().startswith("- "):
            depth = len(following) - len(following.lstrip())
            here = len(line) - len(line.lstrip())
            if depth > here:
                return depth - here
    return 2


def _letter_sets(cells: dict[str, tuple[str, ...]]) -> dict[str, frozenset[str]]:
    """Role id -> letters as a set (``A/R`` and ``R/A`` are one cell), roles without letters left out."""
    return {role: frozenset(letters) for role, letters in cells.items() if letters}


def _cells(cells) -> dict[str, frozenset[str]]:
    """:func:`_letter_sets` of an activity's cells."""
    return _letter_sets({c.role_id: c.letters for c in cells})


def _frozen(cells: dict[str, frozenset[str]]) -> frozenset:
    return frozenset(cells.items())


def _shared_nodes(data) -> dict[int, object]:
    """The mappings and lists that ``data`` reaches more than once (through aliases), by id. They are kept
    here, so that no map made later (a new activity's) can take the id of one removed meanwhile."""
    seen: set[int] = set()
    twice: dict[int, object] = {}
    stack = [data]
    while stack:
        node = stack.pop()
        if not isinstance(node, (dict, list)):
            continue
        if id(node) in seen:
            twice[id(node)] = node
            continue
        seen.add(id(node))
        stack.extend(node.values() if isinstance(node, dict) else node)
    return twice


class _File:
    def __init__(self, path: str):
        from ruamel.yaml import YAML
        from ruamel.yaml.util import load_yaml_guess_indent

        self.path = path
        with open(path, "rb") as fh:
            self.read = fh.read()
        """The bytes read: the file is replaced only if it still holds them (see confined.Write.expected)."""
        self.text = self.read.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")  # as text mode reads
        crlf = self.read.count(b"\r\n")
        self.newline = "\r\n" if crlf and crlf == self.read.count(b"\n") else "\n"
        """How the file ends its lines, kept when it is written (Windows' CRLF: one changed line, not all)."""
        _, sequence, offset = load_yaml_guess_indent(self.text)
        self.yaml = YAML(typ="rt")
        self.yaml.preserve_quotes = True
        self.yaml.width = 4096
        self.yaml.indent(mapping=_guess_mapping_indent(self.text), sequence=sequence or 2, offset=offset or 0)
        self.data = self.yaml.load(self.text)
        if self.dump() != self.text:
            raise RaciError(f"{path}: error: cannot be changed without rewriting lines that did not change "
                            "(ruamel.yaml would reformat it); make the change by hand")
        self.changed = False
        self.shared = _shared_nodes(self.data)
        """The mappings and lists written once with an anchor and reached again through an alias, by id."""

    def place(self, entry, key: str, anchor: str | None) -> Location:
        """Where the value of ``key`` in ``entry`` is written: its ``*anchor`` or ``&anchor`` if on that line."""
        line, column = entry.lc.key(key)
        lines = self.text.splitlines()
        if anchor and line < len(lines):
            mark = re.compile(r"[*&]" + re.escape(anchor) + r"(?![^\s,\]}])")
            found = mark.search(lines[line], column)
            if found:
                column = found.start()
        return Location(self.path, line + 1, column + 1)

    def dump(self) -> str:
        out = io.StringIO()
        self.yaml.dump(self.data, out)
        return out.getvalue()


class _Editor:
    def __init__(self, project: Project):
        self.project = project
        self.open: dict[str, _File] = {}
        self.new_phases: dict[str, tuple[str, list[str]]] = {}  # phase -> (path, lines) of a new file
        self.role_order = [r.id for r in project.matrix.roles]
        self.wanted: dict[str, dict[str, tuple[str, ...]]] = {}
        """Activity id -> the cells the edits give it (role -> letters), for each activity whose cells change."""
        self.names: dict[str, str] = {}
        """Activity id -> the name the edits give it."""
        self.removed: list = []
        """The activities removed (--delete)."""
        self.added: dict[str, tuple[str, dict[str, frozenset[str]]]] = {}
        """Activity id -> name and cells of each activity added."""
        self.touched_shared: dict[int, tuple[_File, object]] = {}
        """The raci maps changed in place that other activities reach too (an anchor and its aliases)."""

    def file(self, path: str) -> _File:
        if path not in self.open:
            self.open[path] = _File(path)
        return self.open[path]

    def files(self) -> dict[str, str]:
        result = {path: f.dump() for path, f in self.open.items() if f.changed}
        result = {path: text.replace("\n", self.open[path].newline) for path, text in result.items()
                  if text != self.open[path].text}
        result.update({path: "\n".join(lines) + "\n" for path, lines in self.new_phases.values()})
        return result

    @staticmethod
    def _scalar(text: str, like=None):
        from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

        if isinstance(like, (SingleQuotedScalarString, DoubleQuotedScalarString)):
            return type(like)(text)
        return text if _plain_ok(text) else SingleQuotedScalarString(text)

    def _entry(self, activity) -> tuple[_File, dict]:
        f = self.file(activity.location.file)
        for entry in f.data["activities"]:
            if str(entry.get("id")) == activity.id:
                return f, entry
        raise RaciError(f"{activity.location}: error: activity {activity.id} not found again")

    def set_cell(self, activity, role_id: str, letters: tuple[str, ...]) -> None:
        from ruamel.yaml.comments import CommentedMap

        f, entry = self._entry(activity)
        wanted = self.wanted.setdefault(activity.id, {c.role_id: c.letters for c in activity.cells})
        if letters:
            wanted[role_id] = letters
        else:
            wanted.pop(role_id, None)
        raci = entry.get("raci")
        if raci is None:
            raci = entry["raci"] = CommentedMap()
        if id(raci) in f.shared:
            self.touched_shared[id(raci)] = (f, raci)  # checked in check_shared once every edit is made
        key = next((k for k in raci if str(k) == role_id), None)
        text = "/".join(letters)
        if key is not None:
            if letters:
                raci[key] = self._scalar(text, raci[key])
            else:
                self._delete_key(raci, key)
        elif letters:
            position = self._position(raci, role_id)
            last = list(raci)[-1] if raci else None
            raci.insert(position, self._scalar(role_id), self._scalar(text))
            if last is not None and position == len(raci) - 1 and last in raci.ca.items:
                raci.ca.items[role_id] = raci.ca.items.pop(last)  # the blank line after the map moves down
        f.changed = True

    def check_written(self, changed: Project) -> None:
        """The project as the files load must hold what the edits meant, and nothing else: every activity
        not removed with the cells and name it had, or those the source gives it. A difference is a bug
        here (an edit that reached a place it did not mean), never something to write."""
        removed = {a.id for a in self.removed}
        meant = {a.id: (self.names.get(a.id, a.name), _letter_sets(self.wanted[a.id]) if a.id in self.wanted
                        else _cells(a.cells)) for a in self.project.matrix.activities() if a.id not in removed}
        meant.update(self.added)
        written = {a.id: (a.name, _cells(a.cells)) for a in changed.matrix.activities()}
        if written != meant:
            odd = next(i for i in sorted(set(written) | set(meant)) if written.get(i) != meant.get(i))
            raise RuntimeError(f"import --into would write {odd} as {written.get(odd)} where the source means "
                               f"{meant.get(odd)}; nothing was written")

    def check_shared(self) -> None:
        """Refuse a change to a raci map that several activities share (``raci: &usual`` and ``raci: *usual``)
        unless the source gives every one of them the same cells.

        Whoever wrote the anchor meant the activities to share their cells; the source, a grid, has a cell
        of its own for each. When they differ there, raci-gen cannot tell an exception meant for one
        activity from an edit made on one row and forgotten on the others, and editing the shared map would
        change every activity that reaches it. The same change on every row is made in place, sharing kept.
        """
        activities = {a.id: a for a in self.project.matrix.activities()}
        for f, raci in self.touched_shared.values():
            sharers = [str(e.get("id")) for e in f.data["activities"] if e.get("raci") is raci]
            before = _cells(activities[sharers[0]].cells)
            after = {i: _letter_sets(self.wanted[i]) if i in self.wanted else before for i in sharers}
            if len(set(map(_frozen, after.values()))) == 1:
                continue
            odd = next(i for i in sharers if after[i] != before)
            entry = next(e for e in f.data["activities"] if str(e.get("id")) == odd)
            anchor = raci.anchor.value if raci.anchor is not None else None
            others = [i for i in sharers if i != odd]
            rank = {code: i for i, code in enumerate(self.project.matrix.variant.order)}

            def letters(cell) -> str:
                return letters_text(tuple(sorted(cell or (), key=lambda code: (rank.get(code, len(rank)), code))))

            change = ", ".join(f"{r} {letters(before.get(r))} {ARROW} {letters(after[odd].get(r))}"
                               for r in self.role_order if before.get(r) != after[odd].get(r))
            through = f"the anchor &{anchor} and its aliases" if anchor else "an anchor and its aliases"
            raise RaciError(
                f"{f.place(entry, 'raci', anchor)}: error: the raci of {odd} is one map with that of "
                f"{', '.join(others)} ({through}), and the source gives {odd} other cells than "
                f"{'them' if len(others) > 1 else others[0]} ({odd}: {change}); editing the shared map would "
                f"change {'them all' if len(others) > 1 else 'both'}, so nothing is written. Give {odd} a raci "
                "map of its own in the YAML (an exception for it), or give them all the same cells in the "
                "source (a change for all)")

    def _position(self, raci, role_id: str) -> int:
        order = {r: i for i, r in enumerate(self.role_order)}
        mine = order.get(role_id, len(order))
        keys = [str(k) for k in raci]
        # After the last key of a role that comes before, so an ordered map stays ordered.
        position = 0
        for i, key in enumerate(keys):
            if order.get(key, len(order)) < mine:
                position = i + 1
        return position if keys == sorted(keys, key=lambda k: order.get(k, len(order))) else len(keys)

    @staticmethod
    def _delete_key(mapping, key) -> None:
        keys = list(mapping)
        comment = mapping.ca.items.pop(key, None)
        del mapping[key]
        if comment is not None and keys[-1] == key and len(keys) > 1:
            mapping.ca.items.setdefault(keys[-2], comment)  # keep the blank line that followed the map

    def set_name(self, activity, name: str) -> None:
        f, entry = self._entry(activity)
        self.names[activity.id] = name
        entry["name"] = self._scalar(name, entry.get("name"))
        f.changed = True

    def set_sign_off(self, activity, sign_off: bool) -> None:
        """``sign-off: true`` after the name (or wherever it is), or the key taken out."""
        f, entry = self._entry(activity)
        if sign_off:
            entry.insert(list(entry).index("name") + 1 if "name" in entry else len(entry), "sign-off", True)
        else:
            self._delete_key(entry, "sign-off")
        f.changed = True

    def rename_role(self, role_id: str, name: str) -> None:
        role = self.project.matrix.role(role_id)
        f = self.file(role.location.file)
        for entry in f.data["roles"]:
            if str(entry.get("id")) == role_id:
                entry["name"] = self._scalar(name, entry.get("name"))
                f.changed = True

    def add_role(self, role_id: str, name: str) -> None:
        from ruamel.yaml.comments import CommentedMap

        last = self.project.matrix.roles[-1]
        f = self.file(last.location.file)
        entry = CommentedMap()
        entry["id"] = self._scalar(role_id)
        entry["name"] = self._scalar(name)
        self._append(f, f.data["roles"], entry)
        self.role_order.append(role_id)

    def remove_role(self, role_id: str) -> None:
        role = self.project.matrix.role(role_id)
        f = self.file(role.location.file)
        roles = f.data["roles"]
        for i, entry in enumerate(roles):
            if str(entry.get("id")) == role_id:
                del roles[i]
                f.changed = True
                break
        for activity in self.project.matrix.activities():
            if activity.letters(role_id):
                self.set_cell(activity, role_id, ())

    @staticmethod
    def _append(f: _File, items, entry) -> None:
        """Append ``entry`` to the list ``items``, after a blank line when the file keeps its items apart so."""
        from ruamel.yaml.comments import CommentedMap
        from ruamel.yaml.error import CommentMark
        from ruamel.yaml.tokens import CommentToken

        before_new = False  # the blank line goes before the new item instead
        if items and re.search(r"\n[ \t]*\n[ \t]*- ", f.text):
            # The blank line after an item is a comment on the last key of its innermost last mapping.
            inner = items[-1]
            while isinstance(inner, CommentedMap) and inner:
                last = list(inner)[-1]
                if id(inner[last]) in f.shared:  # an alias: a line on its map would go where the anchor is
                    before_new = True
                    break
                if isinstance(inner[last], CommentedMap) and inner[last]:
                    inner = inner[last]
                    continue
                if last not in inner.ca.items:
                    inner.ca.items[last] = [None, None, CommentToken("\n\n", CommentMark(0), None), None]
                break
        items.append(entry)
        if before_new:  # after append, which drops the list's comments on an index past its end
            items.ca.items[len(items) - 1] = [None, [CommentToken("\n", CommentMark(0), None)], None, None]
        f.changed = True

    def remove_activity(self, activity) -> None:
        self.removed.append(activity)
        f, entry = self._entry(activity)
        items = f.data["activities"]
        for i, item in enumerate(items):
            if item is entry:
                del items[i]
                f.changed = True
                return

    def add_activity(self, imported: ImportedActivity, cells: dict[str, tuple[str, ...]]) -> None:
        from ruamel.yaml.comments import CommentedMap

        entry = CommentedMap()
        entry["id"] = self._scalar(imported.id)
        entry["name"] = self._scalar(imported.name)
        if imported.sign_off:
            entry["sign-off"] = True
        if imported.description:
            entry["description"] = self._scalar(imported.description)
        raci = CommentedMap()
        for role_id in sorted(cells, key=lambda r: self.role_order.index(r) if r in self.role_order else 999):
            raci[self._scalar(role_id)] = self._scalar("/".join(cells[role_id]))
        entry["raci"] = raci
        self.added[imported.id] = (imported.name, _letter_sets(cells))
        phase = next((p for p in self.project.matrix.phases if p.name == imported.phase), None)
        if phase is None and imported.phase == "Activities" and self.project.matrix.phases:
            phase = self.project.matrix.phases[-1]
        if phase is not None:
            if phase.activities:
                f = self.file(phase.activities[0].location.file)
            else:
                f = self.file(phase.location.file)
            self._append(f, f.data["activities"], entry)
            return
        self._new_phase_file(imported, entry)

    def _free_name(self, folder: str, stem: str) -> str:
        """``NN-stem.yaml``, NN past the highest number any name in ``folder`` starts with (so the new phase
        sorts last and no existing file is replaced) and past the files this import makes already; a name
        that equals an existing one ignoring case (one file on macOS and Windows) is skipped as well."""
        taken = [n.casefold() for n in os.listdir(folder)]
        taken += [os.path.basename(path).casefold() for path, _ in self.new_phases.values()]
        number = max((int(m.group()) for m in map(NUMBERED.match, taken) if m), default=0) + 1
        while f"{number:02d}-{stem}.yaml".casefold() in taken:
            number += 1  # only names of more than 9 digits can be in the way (1000000000-x past 999999999-y)
        return f"{number:02d}-{stem}.yaml"

    def _new_phase_file(self, imported: ImportedActivity, entry) -> None:
        from raci_gen.importers.project import scalar

        folder = os.path.join(self.project.root, self.project.settings.activities)
        if not os.path.isdir(folder):
            raise RaciError(f"{folder}: error: activity {imported.id} is in a new phase {imported.phase!r}, and "
                            "activities: is a single file; add the phase by hand")
        if imported.phase not in self.new_phases:
            path = os.path.join(folder, self._free_name(folder, slug(imported.phase)))
            self.new_phases[imported.phase] = (path, [
                "# yaml-language-server: $schema=../schemas/activities.schema.json",
                f"phase: {scalar(imported.phase)}", "activities:"])
        lines = self.new_phases[imported.phase][1]
        if lines[-1] != "activities:":
            lines.append("")
        lines += [f"  - id: {scalar(str(entry['id']))}", f"    name: {scalar(str(entry['name']))}"]
        if entry.get("sign-off"):
            lines.append("    sign-off: true")
        if "description" in entry:
            lines.append(f"    description: {scalar(str(entry['description']))}")
        lines.append("    raci:" if entry["raci"] else "    raci: {}")
        lines += [f"      {scalar(str(k))}: {scalar(str(v))}" for k, v in entry["raci"].items()]

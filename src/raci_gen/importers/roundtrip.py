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
"""

from __future__ import annotations

import io
import os
import re
import shutil
import tempfile

import yaml

from raci_gen.diff import diff_projects, format_text
from raci_gen.errors import InputError, RaciError
from raci_gen.importers import ImportOptions, ImportResult, read_source
from raci_gen.importers.core import ImportedActivity, Note
from raci_gen.importers.project import slug
from raci_gen.loader import load_project
from raci_gen.model import Project

INPUT_HASH = re.compile(r"input ([0-9a-f]{12})\b")


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

    files = editor.files()
    new_project = _load_changed(project, files)
    change = diff_projects(project, new_project, old_label=project_dir, new_label=source)
    summary = format_text(change)
    return ImportResult(matrix, tuple(notes), tuple((p, t.encode("utf-8")) for p, t in files.items()),
                        summary=summary, diff=change)


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


class _File:
    def __init__(self, path: str):
        from ruamel.yaml import YAML
        from ruamel.yaml.util import load_yaml_guess_indent

        self.path = path
        with open(path, encoding="utf-8") as fh:
            self.text = fh.read()
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

    def file(self, path: str) -> _File:
        if path not in self.open:
            self.open[path] = _File(path)
        return self.open[path]

    def files(self) -> dict[str, str]:
        result = {path: f.dump() for path, f in self.open.items() if f.changed}
        result = {path: text for path, text in result.items() if text != self.open[path].text}
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
        raci = entry.get("raci")
        if raci is None:
            raci = entry["raci"] = CommentedMap()
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
        entry["name"] = self._scalar(name, entry.get("name"))
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

        if items and re.search(r"\n[ \t]*\n[ \t]*- ", f.text):
            # The blank line after an item is a comment on the last key of its innermost last mapping.
            inner = items[-1]
            while isinstance(inner, CommentedMap) and inner:
                last = list(inner)[-1]
                if isinstance(inner[last], CommentedMap) and inner[last]:
                    inner = inner[last]
                    continue
                if last not in inner.ca.items:
                    inner.ca.items[last] = [None, None, CommentToken("\n\n", CommentMark(0), None), None]
                break
        items.append(entry)
        f.changed = True

    def remove_activity(self, activity) -> None:
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
        if imported.description:
            entry["description"] = self._scalar(imported.description)
        raci = CommentedMap()
        for role_id in sorted(cells, key=lambda r: self.role_order.index(r) if r in self.role_order else 999):
            raci[self._scalar(role_id)] = self._scalar("/".join(cells[role_id]))
        entry["raci"] = raci
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

    def _new_phase_file(self, imported: ImportedActivity, entry) -> None:
        from raci_gen.importers.project import scalar

        folder = os.path.join(self.project.root, self.project.settings.activities)
        if not os.path.isdir(folder):
            raise RaciError(f"{folder}: error: activity {imported.id} is in a new phase {imported.phase!r}, and "
                            "activities: is a single file; add the phase by hand")
        if imported.phase not in self.new_phases:
            existing = [n for n in os.listdir(folder) if n.endswith((".yaml", ".yml"))]
            number = len(existing) + len(self.new_phases) + 1
            path = os.path.join(folder, f"{number:02d}-{slug(imported.phase)}.yaml")
            self.new_phases[imported.phase] = (path, [
                "# yaml-language-server: $schema=../schemas/activities.schema.json",
                f"phase: {scalar(imported.phase)}", "activities:"])
        lines = self.new_phases[imported.phase][1]
        if lines[-1] != "activities:":
            lines.append("")
        lines += [f"  - id: {scalar(str(entry['id']))}", f"    name: {scalar(str(entry['name']))}"]
        if "description" in entry:
            lines.append(f"    description: {scalar(str(entry['description']))}")
        lines.append("    raci:" if entry["raci"] else "    raci: {}")
        lines += [f"      {scalar(str(k))}: {scalar(str(v))}" for k, v in entry["raci"].items()]

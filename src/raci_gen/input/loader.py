"""Load a project folder into a :class:`~raci_gen.model.matrix.Project`.

All structural checks live here: YAML syntax, keys given twice, unknown or
missing keys, wrong types, duplicate ids, unknown roles and letters. Every
problem found in a run is collected and raised together as one
:class:`~raci_gen.model.errors.InputError`, each with its ``FILE:LINE:COL``.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import hashlib
import os
import re
import types
from typing import TYPE_CHECKING, Any, Union, get_args, get_origin

from raci_gen.input import fastcheck, filenames, templatefolder
from raci_gen.model.errors import InputError, Problem
from raci_gen.model.matrix import (
    Activity, Cell, Ignore, Injection, Letter, Person, Signer, Location, Matrix, OutputSettings, Phase, Project, Role, RuleSetting, Settings,
    Variant,
)
from raci_gen.model.patterns import ID_PATTERN, LETTER_SEPARATORS
from raci_gen.model.variants import RACI, VARIANTS
from raci_gen.input.yamlsource import MAX_FILE_BYTES, Located, SlowParse, parse, read_text

CONFIG_NAME = "raci.yaml"
YAML_SUFFIXES = (".yaml", ".yml")
MAX_ROLES = 200
MAX_ACTIVITIES = 5_000
MAX_PHASES = MAX_ACTIVITIES
"""Phases, that is activity files. A phase may be empty, so the activity limit alone does not bound them,
and every phase is a heading, a bookmark and a row in each document. As many as activities: an imported
spreadsheet (a phase per activity at most) always loads."""
MAX_CELLS = 150_000
"""Cells of the matrix, activities times roles: 5,000 activities of 30 roles, or 750 of 200. Every document
holds each cell, and the PDF's pages grow with them: 5,000 x 200 with long names would be some 90,000 pages
and hours of processor time (README, "Limits and threat model", has what the largest matrix costs)."""
MAX_ROLE_FILES = MAX_ROLES
"""Role files: an empty one holds no role, so the role limit alone does not bound them, and each costs a read
and a parse (10,000 of them padded to 64 KiB took some 400 s). A file may hold many roles, one holds at least one."""
MAX_INPUT_BYTES = 32 * 1024 * 1024
"""The sum of the sizes of raci.yaml, the role files and the activity files, counted before any is read:
the per-file limit (2 MiB) times 5,000 phases would be 10 GB. The largest matrix with every text at its
longest (5,000 activities of 30 cells, 300-character names and 5,000-character descriptions) is about 31 MiB."""

if TYPE_CHECKING:  # pydantic and the models are imported only when a file is not in the cache
    from pydantic import BaseModel

    from raci_gen.input import schema


def load_project(root: str = ".", config: str | None = None) -> Project:
    """Load the project in folder ``root``; ``config`` overrides the path of raci.yaml.

    Every problem that can be found without guessing is found in one run: a file with a
    structural problem still has its readable parts checked (ids, cells against the roles and
    letters), and the cross-file checks still run on what could be read (see _Reading)."""
    problems: list[Problem] = []
    digest = hashlib.sha256()
    slow = SlowParse()  # PyYAML's own parser reads at most 256 KiB of all the files together, 500,000 values in all
    if not os.path.isdir(root):
        raise InputError([Problem(Location(root), "project folder not found")])

    config_path = config if config is not None else os.path.join(root, CONFIG_NAME)
    shown_config = os.path.normpath(config_path)
    if config is not None and not os.path.isfile(config_path):
        raise InputError([Problem(Location(shown_config), "config file not found")])
    if config is None and _leads_outside(root, config_path):
        # Read, a raci.yaml linked to /etc/passwd would show its first line in the error.
        # (A file named with --config is the user's own choice, wherever it is.)
        raise InputError([Problem(Location(shown_config), OUTSIDE_LINK)])
    config_located: Located | None = None
    sources: list[str] = []
    unread_settings: set[str] = set()  # settings of raci.yaml with a problem: left at their default, unused
    if os.path.isfile(config_path):
        sources.append(shown_config)
        try:
            config_located = _parse_file(config_path, shown_config, digest, slow)
        except InputError as exc:
            # Without the settings, where the roles and activities are is unknown: reading the
            # default folders instead would be a guess.
            raise InputError(exc.problems) from None
        reading = _read("ProjectFile", config_located, allow_empty=True)
        problems.extend(reading.problems)
        project_file = reading.value
        if project_file is None:
            if not isinstance(config_located.data, dict) or () in config_located.short_of_keys:
                raise InputError(problems)  # a merge key at the top could have said where the inputs are
            # Each setting without a problem is kept; the others are left at their default and not
            # acted on (their problem is reported).
            readable, unread_settings = _readable_settings(config_located.data, reading)
            try:
                project_file = _checked("ProjectFile", readable, config_located)
            except InputError:  # pragma: no cover - settings without a problem pass together
                raise InputError(problems) from None
    else:
        project_file = _checked("ProjectFile", {})
    settings = _settings(project_file, config_located)
    variant: Variant | None = None
    if "variant" not in unread_settings:
        before = len(problems)
        variant = _variant(project_file.variant, config_located, problems)
        if len(problems) > before:
            variant = None
    # With no variant (a wrong one in raci.yaml), cells are still checked against the roles but
    # their letters are not: judged by a guessed alphabet, every cell could be a false problem.

    role_files = activity_files = []
    if "roles" not in unread_settings:
        role_files = _input_files(root, settings.roles, "roles", config_located, problems)
    if "activities" not in unread_settings:
        activity_files = _input_files(root, settings.activities, "activities", config_located, problems)
    if "templates" not in unread_settings:
        problems.extend(_template_problems(root, settings.templates, config_located))
    if "output" not in unread_settings and "output.name" not in unread_settings:
        problems.extend(_output_name_problems(settings.output.name, config_located))
    if "output" not in unread_settings:
        problems.extend(_output_vcs_problems(root, settings.output, unread_settings, config_located))
    if len(activity_files) > MAX_PHASES:
        # Refused before the files are read: reading 20,000 of them would take longer than any build.
        problems.append(Problem(Location(activity_files[MAX_PHASES][1], 1, 1),
                                f"more than {MAX_PHASES:,} phases (activity files; this is file "
                                f"{MAX_PHASES + 1:,} of {len(activity_files):,}); the limit is {MAX_PHASES:,}"))
        raise InputError(problems)
    if len(role_files) > MAX_ROLE_FILES:
        # Refused before the files are read, as the phases are.
        problems.append(Problem(Location(role_files[MAX_ROLE_FILES][1], 1, 1),
                                f"more than {MAX_ROLE_FILES:,} role files (this is file {MAX_ROLE_FILES + 1:,} "
                                f"of {len(role_files):,}); the limit is {MAX_ROLE_FILES:,}"))
        raise InputError(problems)
    over_budget = _over_input_budget([(config_path, shown_config)] if config_located is not None else [],
                                     role_files + activity_files)
    if over_budget is not None:
        problems.append(over_budget)
        raise InputError(problems)

    roles: list[Role] = []
    role_id_at: list[Location] = []  # where each role's id is, for problems with it
    roles_ok = bool(role_files)  # whether every role's id is known
    for path, shown in role_files:
        if slow.exceeded:
            break  # refused at the file that crossed it
        sources.append(shown)
        try:
            located = _parse_file(path, shown, digest, slow)
        except InputError as exc:
            problems.extend(exc.problems)
            roles_ok = False
            continue
        reading = _read("RolesFile", located)
        problems.extend(reading.problems)
        entries = list(enumerate(reading.value.roles)) if reading.value is not None \
            else reading.readable_entries("roles")
        if entries is None:
            roles_ok = False
            continue
        for i, entry in entries:
            if entry.id is None:
                roles_ok = False  # a role whose id cannot be read
                continue
            role = Role(
                id=entry.id, name=entry.name, similar=tuple(entry.similar),
                description=entry.description, location=located.at(("roles", i)),
                people=tuple(Person(p) if isinstance(p, str) else Person(p.name, p.email, p.team)
                             for p in entry.people),
                ignores=_ignores(entry.lint_ignore, located, ("roles", i, "lint-ignore")),
            )
            roles.append(role)
            role_id_at.append(located.at(("roles", i, "id")))
        if reading.value is None and len(entries) < len(located.data["roles"]):
            roles_ok = False  # an entry that is not a mapping: a role whose id cannot be read
        if len(roles) > MAX_ROLES:
            break  # refused below, at the first role past the limit: the files after it are not read
    if not roles and roles_ok:
        problems.append(Problem(Location(role_files[0][1]),
                                "no roles defined; a role file needs 'roles:' with at least one role"))
        roles_ok = False
    if not _check_ids(roles, role_id_at, "role", problems):
        roles_ok = False  # a role whose id is not allowed is unknown too, like the roles of a broken file
    if len(roles) > MAX_ROLES:
        problems.append(Problem(roles[MAX_ROLES].location, f"more than {MAX_ROLES} roles; the limit is {MAX_ROLES}"))
    # When a role's id could not be read, the roles are unknown: checking the
    # activities against the rest would only add false "unknown role" problems.
    known_roles = roles if roles_ok else None

    phases: list[Phase] = []
    activity_id_at: list[Location] = []
    read_activities = 0
    for path, shown in activity_files:
        if slow.exceeded:
            break
        sources.append(shown)
        try:
            located = _parse_file(path, shown, digest, slow)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        reading = _read("PhaseFile", located)
        problems.extend(reading.problems)
        phase_file = reading.value
        entries = list(enumerate(phase_file.activities)) if phase_file is not None \
            else reading.readable_entries("activities")
        if entries is None:
            continue
        activities = []
        for i, entry in entries:
            cells = _cells(entry.raci, located, ("activities", i, "raci"), known_roles, variant, problems)
            if entry.id is None:
                continue  # its cells are checked, but without an id it takes no part in the checks of ids
            activity = Activity(
                id=entry.id, name=entry.name, description=entry.description,
                cells=tuple(cells), location=located.at(("activities", i)),
                ignores=_ignores(entry.lint_ignore, located, ("activities", i, "lint-ignore")),
            )
            activities.append(activity)
            activity_id_at.append(located.at(("activities", i, "id")))
        phases.append(Phase(name=phase_file.phase if phase_file is not None else "",
                            description=phase_file.description if phase_file is not None else None,
                            activities=tuple(activities), location=located.at(())))
        read_activities += len(activities)
        if read_activities > MAX_ACTIVITIES:
            break  # refused below, at the first activity past the limit: the files after it are not read
    all_activities = [a for p in phases for a in p.activities]
    _check_ids(all_activities, activity_id_at, "activity", problems)
    if len(all_activities) > MAX_ACTIVITIES:
        problems.append(Problem(all_activities[MAX_ACTIVITIES].location,
                                f"more than {MAX_ACTIVITIES} activities; the limit is {MAX_ACTIVITIES}"))
    elif len(roles) <= MAX_ROLES and len(all_activities) * len(roles) > MAX_CELLS:
        # said at the first activity past the limit, as for the count of activities
        crossing = MAX_CELLS // len(roles)
        problems.append(Problem(all_activities[crossing].location,
                                f"more than {MAX_CELLS:,} cells (activities x roles): {len(all_activities):,} "
                                f"activities of {len(roles)} roles are {len(all_activities) * len(roles):,}, "
                                f"and this is activity {crossing + 1:,}; the limit is {MAX_CELLS:,}"))
    if problems or variant is None or not role_files or not activity_files:
        raise InputError(problems)
    matrix = Matrix(roles=tuple(roles), phases=tuple(phases), variant=variant)
    return Project(root=root, settings=settings, matrix=matrix, sources=tuple(sources),
                   digest=digest.hexdigest()[:12])


def _readable_settings(data: dict, reading: "_Reading") -> tuple[dict, set[str]]:
    """The settings of raci.yaml that have no problem, and the names of those that have (``output.name``
    for a key of ``output:`` or ``pdf:``, whose other keys are kept; a custom variant is kept whole or not
    at all, as a variant missing a letter would judge every cell wrongly)."""
    readable: dict = {}
    unread: set[str] = set()
    for key, value in data.items():
        if isinstance(key, str) and reading.sound((key,)):
            readable[key] = value
        elif key in ("output", "pdf") and isinstance(value, dict) and (key,) not in reading.wrong:
            readable[key] = {k: v for k, v in value.items() if isinstance(k, str) and reading.sound((key, k))}
            unread.update(f"{key}.{k}" for k in value if k not in readable[key])
        else:
            unread.add(str(key))
    return readable, unread


class _Reading:
    """One file checked against its model: the checked value, or, when it has problems, which of its
    parts can still be read without guessing.

    A part can be read when no problem lies at it, within it or around it (its mapping or list is
    of the wrong type, say): an activity with an unknown key still has a readable id and cells, and
    of a ``raci:`` map with a ``~`` cell the other cells are still readable."""

    def __init__(self, located: Located, value: Any, problems: list[Problem], wrong: list[tuple]):
        self.located = located
        self.value = value
        self.problems = problems
        self.wrong = set(wrong)  # where the problems are, as paths into the data
        # every path that holds a problem within it: a set, so that a file with thousands of
        # problems is read in time proportional to its size
        self.holds_wrong = {w[:n] for w in self.wrong for n in range(len(w) + 1)}

    def sound(self, path: tuple) -> bool:
        """Whether the part at ``path`` is as its model wants it (nothing wrong at, within or around it)."""
        return path not in self.holds_wrong and not any(path[:n] in self.wrong for n in range(len(path)))

    def readable_entries(self, key: str) -> "list[tuple[int, types.SimpleNamespace]] | None":
        """The entries of the list ``key`` (roles or activities) of a file with problems, as (index, entry),
        each field read where sound (an id that cannot be read is None). None when the list cannot be read."""
        data = self.located.data
        if not isinstance(data, dict) or not isinstance(data.get(key), list) \
                or () in self.wrong or (key,) in self.wrong:
            return None
        entries = []
        for i, item in enumerate(data[key]):
            at = (key, i)
            if not isinstance(item, dict):
                continue
            name = item.get("name")
            similar = item.get("similar")
            raci = item.get("raci")
            entries.append((i, types.SimpleNamespace(
                id=item["id"] if isinstance(item.get("id"), str) and self.sound(at + ("id",)) else None,
                name=name if isinstance(name, str) and self.sound(at + ("name",)) else "",
                similar=similar if isinstance(similar, list) and self.sound(at + ("similar",)) else [],
                description=None, people=[], lint_ignore={},
                # each cell on its own: one cell's problem does not hide the others'
                raci={role: text for role, text in raci.items()
                      if isinstance(role, str) and isinstance(text, str) and self.sound(at + ("raci", role))}
                if isinstance(raci, dict) else {},
            )))
        return entries


def _read(model_name: str, located: Located, allow_empty: bool = False) -> _Reading:
    """The file ``located`` checked against ``schema.<model_name>``, with every problem it has."""
    problems = list(located.problems)  # what the parser refused around readable data
    # Not to be read either: a value whose tag was refused, a key given twice (which value was
    # meant?), a mapping that had a key left out (a merge key: what would it have brought?).
    unsure = [*located.dropped, *located.given_twice, *located.short_of_keys]
    try:
        value = _validate(model_name, located, allow_empty)
    except _Invalid as exc:
        return _Reading(located, None, problems + exc.problems, exc.wrong + unsure)
    except InputError as exc:  # the file is empty
        return _Reading(located, None, problems + exc.problems, [()])
    return _Reading(located, None if problems else value, problems, unsure)


def _parse_file(path: str, shown: str, digest: "hashlib._Hash | None" = None,
                slow: SlowParse | None = None) -> Located:
    """The file parsed; what the parser refused around readable data is in ``Located.problems``."""
    text = read_text(path, shown)
    if digest is not None:
        digest.update(os.path.basename(path).encode("utf-8") + b"\0" + text.encode("utf-8") + b"\0")
    return parse(text, shown, keep_going=True, slow=slow)


def _settings(f: "schema.ProjectFile", located: Located | None) -> Settings:
    date = f.date.isoformat() if isinstance(f.date, _dt.date) else f.date
    here = located.at if located else (lambda path: Location(CONFIG_NAME))
    key_at = located.key_at if located else (lambda path: Location(CONFIG_NAME))
    lint = []
    for rule, value in f.lint.items():
        if isinstance(value, (str, bool)):
            lint.append(RuleSetting(rule, key_at(("lint", rule)), severity=_severity(value)))
            continue
        severity = _severity(value.get("severity"))
        options = tuple((name, option, key_at(("lint", rule, name)))
                        for name, option in value.items() if name != "severity")
        lint.append(RuleSetting(rule, key_at(("lint", rule)),
                                severity=str(severity) if severity is not None else None, options=options))
    return Settings(
        title=f.title, project=f.project, version=f.version, author=f.author, date=date,
        roles=f.roles, activities=f.activities, templates=f.templates, page=f.page,
        output=OutputSettings(
            dir=f.output.dir, name=f.output.name, formats=tuple(dict.fromkeys(f.output.formats)),
            inject=tuple(Injection(t, location=here(("output", "inject", i))) if isinstance(t, str)
                         else Injection(t.file, t.section, here(("output", "inject", i)))
                         for i, t in enumerate(f.output.inject)),
        ),
        variant=f.variant if isinstance(f.variant, str) else f.variant.name,
        lint=tuple(lint), analysis=f.analysis,
        approval=tuple(Signer(a.name, a.role, a.date.isoformat() if isinstance(a.date, _dt.date) else a.date)
                       for a in f.approval),
        pdf_variant=f.pdf.variant, language=f.language,
    )


def _severity(value: object) -> str | None:
    """A severity as written in raci.yaml; YAML reads an unquoted ``off`` as false."""
    if value is False:
        return "off"
    if value is True or value is None:
        return None
    return str(value)


def _ignores(entries: dict[str, str], located: Located, path: tuple) -> tuple[Ignore, ...]:
    return tuple(Ignore(rule, reason, located.key_at(path + (rule,))) for rule, reason in entries.items())


def _variant(declared: "str | schema.CustomVariant", located: Located | None,
             problems: list[Problem]) -> Variant:
    """The built-in variant named in raci.yaml, or the custom one declared there."""
    where = located.at(("variant",)) if located else Location(CONFIG_NAME)
    if isinstance(declared, str):
        if declared in VARIANTS:
            return VARIANTS[declared]
        by_case = {name.casefold(): name for name in VARIANTS}
        close = by_case.get(declared.casefold()) or next(iter(difflib.get_close_matches(declared, list(VARIANTS), 1)), None)
        hint = f"did you mean {close!r}?" if close else f"choose from {', '.join(VARIANTS)}, or declare one"
        problems.append(Problem(where, f"unknown variant {declared!r}; {hint}"))
        return RACI
    codes = [letter.code for letter in declared.letters]
    seen: set[str] = set()
    for i, code in enumerate(codes):
        if code in seen:
            problems.append(Problem(located.at(("variant", "letters", i, "code")) if located else where,
                                    f"letter {code!r} is declared twice"))
        seen.add(code)

    def declared_letters(key: str, values: list[str], path: tuple | None = None) -> tuple[str, ...]:
        """The letters of one declaration, each checked against the variant's letters."""
        for i, code in enumerate(values):
            if code not in seen:
                at_path = path if path is not None else ("variant", key, i)
                at = located.at(at_path) if located else where
                problems.append(Problem(at, f"{key} names {code!r}, which is not one of the variant's letters "
                                            f"({', '.join(codes)})"))
        return tuple(values)

    combinations = []
    for i, text in enumerate(declared.combinations):
        parts = list(LETTER_SEPARATORS.sub("", text))  # "A/R" and "AR" alike
        combinations.append(declared_letters("combinations", parts, ("variant", "combinations", i)))
    needs = []
    for code, needed in declared.needs.items():
        declared_letters("needs", [code], ("variant", "needs", code))
        for j, other in enumerate(needed):
            declared_letters("needs", [other], ("variant", "needs", code, j))
        needs.append((code, tuple(needed)))
    order = "".join(declared_letters("exactly-one", declared.exactly_one)) + "".join(
        c for c in codes if c not in declared.exactly_one)
    return Variant(
        name=declared.name,
        letters=tuple(Letter(l.code, l.name, l.meaning, l.colour.upper()) for l in declared.letters),
        order=order,
        exactly_one=tuple(declared.exactly_one),
        doers=declared_letters("does-the-work", declared.does_the_work),
        consulted=declared_letters("consulted", declared.consulted),
        informed=declared_letters("informed", declared.informed),
        combinations=tuple(combinations),
        at_most_one=declared_letters("at-most-one", declared.at_most_one),
        needs=tuple(needs),
        not_involved=declared_letters("not-involved", declared.not_involved),
        helpers=declared_letters("helps", declared.helps),
        description=declared.description,
    )


def inside_project(root: str, path: str) -> bool:
    """Whether ``path``, symbolic links resolved, is within the folder ``root``.

    Raises ValueError or OSError for a path that cannot be resolved (a NUL byte, say).
    """
    real_root = os.path.realpath(root)
    return os.path.commonpath([real_root, os.path.realpath(path)]) == real_root


def _input_files(root: str, configured: str, what: str, config: Located | None,
                 problems: list[Problem]) -> list[tuple[str, str]]:
    """The YAML files behind a `roles:` or `activities:` setting, as (real path, shown path).

    Problems point at the setting in raci.yaml when it is there, else at the path.
    """
    path = os.path.join(root, configured)
    shown = os.path.normpath(path)
    setting = config.at((what,)) if config is not None and isinstance(config.data, dict) \
        and what in config.data else None
    where = setting or Location(shown)
    try:
        inside = inside_project(root, path)
        is_file = os.path.isfile(path)
        is_dir = os.path.isdir(path)
    except (ValueError, OSError):  # a NUL byte, or an unreadable path
        problems.append(Problem(where, f"the {what} path {configured!r} is not a usable path"))
        return []
    if not inside:
        how = "through a symbolic link" if os.path.islink(path) or not setting else repr(configured)
        problems.append(Problem(where, f"the {what} path leads outside the project folder ({how}); "
                                       "keep inputs inside the project"))
        return []
    vcs = templatefolder.vcs_folder_on_the_way(root, path)
    if vcs is not None:
        problems.append(Problem(where, f"the {what} path leads into {vcs!r}, a version-control folder, which "
                                       "raci-gen never reads; keep inputs in a folder of their own"))
        return []
    if is_file:
        return [(path, shown)]
    if not is_dir:
        if setting:
            problems.append(Problem(where, f"{what} folder {shown!r} not found; create it with *.yaml files "
                                           f"or correct '{what}:'"))
        else:
            problems.append(Problem(where, f"{what} folder not found; create {shown}/ with *.yaml files "
                                           f"or set '{what}:' in {CONFIG_NAME}"))
        return []
    try:
        names = sorted(os.listdir(path))
    except OSError as exc:
        problems.append(Problem(where, f"cannot read the {what} folder {shown!r}: {exc.strerror}"))
        return []
    files = []
    for name in names:
        full = os.path.join(path, name)
        if not name.endswith(YAML_SUFFIXES) or name.startswith("."):
            continue
        undecodable = filenames.not_utf8(name)
        if undecodable is not None:
            problems.append(Problem(Location(os.path.join(shown, undecodable)), filenames.NOT_UTF8))
            continue
        if _leads_outside(root, full):
            problems.append(Problem(Location(os.path.join(shown, name)), OUTSIDE_LINK))
            continue
        vcs = templatefolder.vcs_folder_on_the_way(root, full)
        if vcs is not None:  # a link to .git/config: its token would be parsed, and quoted in errors
            problems.append(Problem(Location(os.path.join(shown, name)),
                                    f"symbolic link leads into {vcs!r}, a version-control folder; it is not read"))
            continue
        if os.path.isfile(full):
            files.append((full, os.path.join(shown, name)))
    if not files:
        problems.append(Problem(where, f"no *.yaml files in the {what} folder {shown!r}"))
    return files


OUTSIDE_LINK = "symbolic link leads outside the project folder; it is not read"


def _output_vcs_problems(root: str, output: OutputSettings, unread_settings: set[str],
                         config: Located | None) -> list[Problem]:
    """raci.yaml's ``output.dir`` and ``output.inject`` pages may not lead into a version-control folder: a
    pull request's ``output: {dir: .git/hooks, name: pre-commit}`` would write a hook git runs. (``--out`` and
    ``--inject`` on the command line are the user's own choice, and not checked here.)"""
    problems = []
    if "output.dir" not in unread_settings:
        vcs = templatefolder.vcs_folder_on_the_way(root, os.path.join(root, output.dir))
        if vcs is not None:
            where = config.at(("output", "dir")) if config is not None else Location(CONFIG_NAME)
            problems.append(Problem(where, f"output.dir {output.dir!r} leads into {vcs!r}, a version-control "
                                           "folder, where raci-gen never writes; choose a folder of its own"))
    if "output.inject" not in unread_settings:
        for injection in output.inject:
            vcs = templatefolder.vcs_folder_on_the_way(root, os.path.join(root, injection.file))
            if vcs is not None:
                problems.append(Problem(injection.location, f"inject page {injection.file!r} leads into {vcs!r}, "
                                                            "a version-control folder, which raci-gen neither reads "
                                                            "nor writes"))
    return problems


def _over_input_budget(read: list[tuple[str, str]], unread: list[tuple[str, str]]) -> Problem | None:
    """The problem at the first input file whose size brings the sum past MAX_INPUT_BYTES (raci.yaml, already
    read, first), found by their sizes before any other is read; None when they are within it."""
    total = 0
    for path, shown in read + unread:
        try:
            size = os.stat(path).st_size
        except OSError:
            continue  # reading it says why
        if size > MAX_FILE_BYTES:
            continue  # refused on its own, by its size, and never read
        total += size
        if total > MAX_INPUT_BYTES:
            return Problem(Location(shown, 1, 1),
                           f"the input files (raci.yaml, roles and activities) hold more than "
                           f"{MAX_INPUT_BYTES // (1024 * 1024)} MiB: {total:,} bytes with this file, of "
                           f"{len(read + unread):,} files; the limit is {MAX_INPUT_BYTES:,} bytes in all")
    return None


def _leads_outside(root: str, path: str) -> bool:
    """Whether ``path`` is (or passes through) a symbolic link to somewhere outside ``root``."""
    try:
        return os.path.islink(path) and not inside_project(root, path)
    except (ValueError, OSError):
        return False


def _template_problems(root: str, configured: str, config: Located | None) -> list[Problem]:
    """The templates folder and everything in it must stay inside the project, like the inputs:
    a template is copied into the documents, so one linked to /etc/passwd would publish it."""
    path = os.path.join(root, configured)
    shown = os.path.normpath(path)
    setting = config.at(("templates",)) if config is not None and isinstance(config.data, dict) \
        and "templates" in config.data else None
    try:
        if not os.path.lexists(path):
            return []
        if not inside_project(root, path):
            how = "through a symbolic link" if os.path.islink(path) or not setting else repr(configured)
            return [Problem(setting or Location(shown), f"the templates path leads outside the project folder "
                                                        f"({how}); keep templates inside the project")]
        refusal = templatefolder.setting_problem(root, path)
        if refusal is not None:  # the project folder itself, or .git: a template could include the CI token
            return [Problem(setting or Location(shown), refusal)]
        return templatefolder.folder_problems(path, OUTSIDE_LINK, root)
    except (ValueError, OSError):
        return [Problem(setting or Location(shown), f"the templates path {configured!r} is not a usable path")]


def _output_name_problems(name: str, config: Located | None) -> list[Problem]:
    """``output.name`` must be a name every file system holds: the documents are committed and checked out
    everywhere, and ``con.md`` would leave the repository unusable on Windows."""
    device = filenames.windows_reserved(name)
    if device is None:
        return []
    where = config.at(("output", "name")) if config is not None else Location(CONFIG_NAME)
    return [Problem(where, f"output.name {name!r} is {device}, a device name Windows reserves whatever suffix "
                           f"follows (CON, PRN, AUX, NUL, COM0-9, LPT0-9); choose another file stem")]


def _validate(model_name: str, located: Located, allow_empty: bool = False) -> Any:
    """The data of one file checked against the model ``schema.<model_name>``: an object whose
    attributes are the model's fields (a plain dict where the model has a dict, a list for a list)."""
    data = located.data
    if data is None:
        if allow_empty:
            return _checked(model_name, {})
        from raci_gen.input import schema

        raise InputError([Problem(located.at(()), f"file is empty; expected {_expected(getattr(schema, model_name))}")])
    return _checked(model_name, data, located)


# pydantic's import and model building cost more than everything else a Markdown build or a lint
# does, so a file is first checked by fastcheck, which walks the models' JSON Schemas and answers
# only when the file surely passes; otherwise pydantic checks it and words every problem, as it
# always did. Both paths give the data the same form (pydantic's result goes through _revived), so
# that what follows runs alike whichever path a file took. Positions always come from the YAML.


def _checked(model_name: str, data: Any, located: Located | None = None) -> Any:
    quick = fastcheck.checked(model_name, data)
    if quick is not None:
        return quick
    from pydantic import ValidationError

    from raci_gen.input import schema

    model = getattr(schema, model_name)
    try:
        validated = model.model_validate(data)
    except ValidationError as exc:
        _raise_problems(model, located, data, exc)
    return _revived(validated)


def _revived(validated: Any) -> Any:
    """A validated model in the form fastcheck gives: attributes for fields, dicts, lists, dates."""
    try:
        return _decoded(_encoded(validated))
    except TypeError:
        return validated


def _encoded(value: Any) -> Any:
    """A validated model as plain data that says what each mapping was: a model's fields
    (``{"m": ...}``), a plain mapping (``{"d": ...}``); dates (``{"t": ...}``) kept as dates."""
    from pydantic import BaseModel

    if isinstance(value, BaseModel):
        return {"m": {name: _encoded(getattr(value, name)) for name in type(value).model_fields}}
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError("a key that is not text")
        return {"d": {k: _encoded(v) for k, v in value.items()}}
    if isinstance(value, (list, tuple)):
        return [_encoded(v) for v in value]
    if isinstance(value, _dt.datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, _dt.date):
        return {"t": value.isoformat()}
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    raise TypeError(f"cannot cache a {type(value).__name__}")


def _decoded(value: Any) -> Any:
    if isinstance(value, list):
        return [_decoded(v) for v in value]
    if isinstance(value, dict):
        (kind, inner), = value.items()
        if kind == "m":
            return types.SimpleNamespace(**{k: _decoded(v) for k, v in inner.items()})
        if kind == "d":
            return {k: _decoded(v) for k, v in inner.items()}
        if kind == "t":
            return _dt.date.fromisoformat(inner)
        if kind == "dt":
            return _dt.datetime.fromisoformat(inner)
        raise ValueError(f"unknown kind {kind!r}")
    return value


def _raise_problems(model: "type[BaseModel]", located: Located | None, data: Any, exc: Any) -> None:
    """Raise the InputError that says, at FILE:LINE:COL, what pydantic found wrong."""
    if located is None:  # pragma: no cover - the defaults always pass
        raise exc
    errors = []
    # A union field (``date | str``, ``name | custom variant``) reports one error per
    # member, with the member's name in the path. Where the input is a mapping, only
    # the mapping member's errors matter; otherwise the others'. Take the name off,
    # and remember which members failed.
    members: dict[tuple, set[str]] = {}
    for error in exc.errors():
        loc = tuple(error["loc"])
        for i in range(1, len(loc)):
            if isinstance(loc[i], str) and _is_union(model, loc[:i]):
                is_mapping_member = loc[i][:1].isupper() or loc[i].startswith("dict")
                if isinstance(_value_at(data, loc[:i]), dict) != is_mapping_member:
                    break
                members.setdefault(loc[:i], set()).add(loc[i])
                error["loc"] = loc[:i] + loc[i + 1:]
                break
        else:
            errors.append(error)
            continue
        if error["loc"] != loc:
            errors.append(error)
    wrong = [tuple(e["loc"]) for e in errors]
    # Not said again: a value read as nothing because the parser refused its tag, and a key
    # "missing" from a mapping that had a key left out (a merge key may have brought it).
    errors = [e for e, loc in zip(errors, wrong)
              if not any(loc[:len(d)] == d for d in located.dropped)
              and not (e["type"] == "missing" and loc[:-1] in located.short_of_keys)]
    problems = [_problem(model, located, e, members) for e in errors]
    raise _Invalid(list(dict.fromkeys(problems)), wrong) from None


class _Invalid(InputError):
    """A file that does not fit its model: its problems, and where they are (paths into the data)."""

    def __init__(self, problems: list[Problem], wrong: list[tuple]):
        super().__init__(problems)
        self.wrong = wrong


def _value_at(data: Any, path: tuple) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _field(model: "type[BaseModel] | None", key: object) -> Any:
    """The field of ``model`` that the YAML key ``key`` names (by alias, e.g. lint-ignore)."""
    if model is None:
        return None
    for name, field in model.model_fields.items():
        if (field.alias or name) == key:
            return field
    return None


def _keys(model: "type[BaseModel]") -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def _is_union(model: "type[BaseModel]", loc: tuple) -> bool:
    """Whether ``loc`` names a field declared as a union of several types (not just ``X | None``),
    or an item of a list of such a union (``inject: list[str | InjectTarget]``)."""
    if not loc:
        return False
    if isinstance(loc[-1], int):
        if len(loc) < 2 or isinstance(loc[-2], int):
            return False
        field = _field(_model_at(model, loc[:-2]), loc[-2])
        if field is None or get_origin(field.annotation) is not list:
            return False
        annotation = get_args(field.annotation)[0]
    else:
        field = _field(_model_at(model, loc[:-1]), loc[-1])
        if field is None:
            return False
        annotation = field.annotation
    if get_origin(annotation) not in (Union, types.UnionType):
        return False
    return len([a for a in get_args(annotation) if a is not type(None)]) > 1


def _expected(model: "type[BaseModel]") -> str:
    required = [f.alias or n for n, f in model.model_fields.items() if f.is_required()]
    keys = ", ".join(f"'{k}:'" for k in required or _keys(model))
    return f"a mapping with {keys}"


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        word = "true" if value else "false"
        return (f"{word}, a boolean (YAML reads unquoted yes, no, on, off, true and false as booleans; "
                f"put the text in quotes)")
    if isinstance(value, (int, float)):
        return f"the number {value!r} (put it in quotes to make it text)"
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, _dt.datetime):
        return f"the date and time {value.isoformat(' ')} (put it in quotes to make it text)"
    if isinstance(value, _dt.date):
        return f"the date {value.isoformat()} (put it in quotes to make it text)"
    return _quoted(value) if isinstance(value, str) else repr(value)


def _quoted(text: str, limit: int = 60) -> str:
    """``repr(text)``, cut short when long: a message stays one readable line, however big the input."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}… ({len(text):,} characters)"


def _model_at(model: "type[BaseModel]", loc: tuple) -> "type[BaseModel] | None":
    """The pydantic model that describes the mapping at ``loc``, if any."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        field = _field(current, part)
        if field is None:
            return None
        current = _inner_model(field.annotation)
    return current


def _inner_model(annotation: Any) -> "type[BaseModel] | None":
    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _problem(model: "type[BaseModel]", located: Located, error: dict,
             members: dict[tuple, set[str]]) -> Problem:
    loc = tuple(error["loc"])
    kind = error["type"]
    value = error.get("input")
    if loc and loc[-1] == "[key]":
        return Problem(located.key_at(loc[:-1]), f"expected text as a key, got {_describe(value)}")
    if kind == "invalid_key":
        return Problem(located.key_at(_key_path(located, loc, value)), f"expected text as a key, got {_describe(value)}")
    if "date" in members.get(loc, ()) and kind in ("string_type", "date_type"):
        return Problem(located.at(loc), f"expected a date (YYYY-MM-DD) or text, got {_describe(value)}")
    if kind == "extra_forbidden":
        parent = _model_at(model, loc[:-1])
        known = _keys(parent) if parent else []
        key = str(loc[-1])
        hint = difflib.get_close_matches(key, known, n=1)
        text = f"unknown key {_quoted(key)}"
        text += f"; did you mean {hint[0]!r}?" if hint else f"; expected one of: {', '.join(known)}"
        return Problem(located.key_at(loc), text)
    if kind == "missing":
        return Problem(located.at(loc[:-1]), f"missing required key {loc[-1]!r}")
    where = located.at(loc)
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        target = _model_at(model, loc)
        want = _expected(target) if target else "a mapping (key: value)"
        return Problem(where, f"expected {want}, got {_describe(value)}")
    if kind == "list_type":
        return Problem(where, f"expected a list, got {_describe(value)}")
    if kind in ("string_type", "date_type"):
        return Problem(where, f"expected text, got {_describe(value)}")
    if kind == "literal_error":
        allowed = error.get("ctx", {}).get("expected", "")
        return Problem(where, f"expected one of {allowed}, got {_describe(value)}")
    if kind == "string_too_long":
        limit = error.get("ctx", {}).get("max_length")
        return Problem(where, f"text of {len(value):,} characters is too long here; the limit is {limit:,}")
    if len(loc) > 1 and loc[-2] == "lint-ignore" and kind in ("string_too_short", "string_type"):
        return Problem(where, "a lint-ignore needs a reason: say why the rule does not apply here")
    if kind == "string_pattern_mismatch" and "#" in str(error.get("ctx", {}).get("pattern", "")):
        return Problem(where, f"{_describe(value)} is not a colour; write it as #RRGGBB")
    if kind == "string_pattern_mismatch" and "[A-Z]" in str(error.get("ctx", {}).get("pattern", "")):
        return Problem(where, f"{_describe(value)} is not a letter; a variant's letters are single capitals A-Z")
    if kind == "string_pattern_mismatch":
        return Problem(where, f"{_describe(value)} is not allowed here; use letters, digits, '.', '_' and '-'")
    return Problem(where, f"{error['msg'].lower()}, got {_describe(value)}")


def _key_path(located: Located, loc: tuple, key: Any) -> tuple:
    """The path of ``key``, a key that is not text; pydantic's ``loc`` names some such keys by their str()."""
    for path in located.keys:
        if path[:-1] == loc[:-1] and type(path[-1]) is type(key) and path[-1] == key:
            return path
    return loc


def _check_ids(items: list[Role] | list[Activity], id_at: list[Location], what: str,
               problems: list[Problem]) -> bool:
    """Ids must be well formed and unique, ignoring case; ``id_at[i]`` is where item i's id is.
    Whether every id is well formed."""
    seen: dict[str, tuple[str, Location]] = {}
    well_formed = True
    for item, where in zip(items, id_at):
        if not ID_PATTERN.match(item.id):
            problems.append(Problem(where, f"{what} id {_quoted(item.id)} is not allowed; ids are 1 to 32 ASCII "
                                           "letters, digits, '.', '_' or '-', starting with a letter or digit"))
            well_formed = False
            continue
        folded = item.id.casefold()
        if folded not in seen:
            seen[folded] = (item.id, where)
            continue
        first_id, first = seen[folded]
        if first_id == item.id:
            problems.append(Problem(where, f"duplicate {what} id {item.id!r}; first defined at {first}"))
        else:
            problems.append(Problem(where, f"duplicate {what} id {item.id!r}: it differs only by case from "
                                           f"{first_id!r} at {first}; ids must differ in more than case"))
    return well_formed


def _cells(raci: dict[str, str], located: Located, path: tuple, roles: list[Role] | None,
           variant: Variant | None, problems: list[Problem]) -> list[Cell]:
    """The cells of one activity; ``roles`` is None when they are not all known, ``variant`` when
    raci.yaml's is wrong (then the letters are not checked, and no cell is made)."""
    role_ids = {r.id for r in roles} if roles is not None else None
    cells = []
    for role_id, text in raci.items():
        key_where = located.key_at(path + (role_id,))
        where = located.at(path + (role_id,))
        if roles is not None and role_id not in role_ids:
            problems.append(Problem(key_where, f"unknown role {_quoted(role_id)}; {_role_hint(role_id, roles)}"))
            continue
        if variant is None:
            continue
        letters = parse_letters(text, variant)
        if isinstance(letters, str):
            problems.append(Problem(where, letters))
            continue
        cells.append(Cell(role_id=role_id, letters=letters, location=key_where))
    return cells


def _role_hint(wrong: str, roles: list[Role]) -> str:
    """'did you mean ...?' naming the closest role id (or the role whose name was given),
    else the list of known ids."""
    folded = wrong.casefold().strip()
    by_name: dict[str, str] = {}
    for role in roles:
        by_name.setdefault(role.id.casefold(), role.id)
    for role in roles:
        for name in (role.name, *role.similar):
            by_name.setdefault(name.casefold().strip(), role.id)
    # difflib takes time in the product of the lengths: compare only what could be a typed name.
    close = difflib.get_close_matches(folded, [n for n in by_name if len(n) <= 100], n=1) \
        if len(folded) <= 100 else []  # an exact match comes first
    if close:
        return f"did you mean {by_name[close[0]]!r}?"
    return f"known roles: {', '.join(r.id for r in roles)}"


def parse_letters(text: str, variant: Variant) -> tuple[str, ...] | str:
    """Letters of a cell in the variant's writing order, or the reason they are not valid."""
    valid = variant.codes()
    expected = f"expected one or more of {', '.join(valid)}{_combinations_hint(variant)}"
    compact = LETTER_SEPARATORS.sub("", text)
    if not compact:
        return f"empty cell; {expected}, or leave the role out"
    if any(char not in valid for char in compact):
        lesson = _teach(text, variant)
        if lesson:
            return lesson
    seen: list[str] = []
    for char in compact:
        if char not in valid:
            shown = repr(char) if char.isprintable() else f"U+{ord(char):04X}"
            if compact != char:
                shown += f" in {_quoted(text)}"
            hint = " (letters are upper case)" if char.upper() in valid else ""
            return f"{shown} is not a {variant.name} letter{hint}; {expected}"
        if char in seen:
            return f"letter {char!r} is given twice in {_quoted(text)}; write each letter once"
        seen.append(char)
    return tuple(sorted(seen, key=variant.order.index))


def _combinations_hint(variant: Variant) -> str:
    """`` (A/R for accountable and doing the work)``: the variant's accepted combinations, in words."""
    said = []
    for combo in variant.combinations:
        ordered = sorted(combo, key=variant.order.index)
        if set(ordered) == {"A", "R"} and "R" in variant.doers:
            said.append("A/R for accountable and doing the work")
        else:
            said.append("/".join(ordered) + " for " + " and ".join(variant.letter(c).name.lower() for c in ordered))
    return f" ({'; '.join(said)})" if said else ""


def _other_variants_word(text: str, variant: Variant) -> str | None:
    """The letter name of another built-in variant that ``text`` is, such as Accountable in a DACI matrix."""
    folded = text.strip().casefold()
    for other in VARIANTS.values():
        for letter in other.letters:
            if letter.name.casefold() == folded:
                return f"{other.name}'s {letter.name}"
    return None


NO_PART = frozenset({"n/a", "na", "-", "--", "\u2013", "\u2014", "x", "none", "nil", "null", "no", "not involved"})
"""What spreadsheets use for "takes no part" (N/A, a dash, an en or em dash, an x); in YAML the role is left out."""
NAME_SEPARATORS = re.compile(r"\s*(?:[/,+&]|\band\b)\s*", re.IGNORECASE)


def _teach(text: str, variant: Variant) -> str | None:
    """The message for a cell written the way spreadsheets do: letter names in words, or a mark for "no part".

    Words are not accepted in place of letters (one spelling per cell keeps diffs and reviews plain); the
    message says which letters to write instead."""
    names = {letter.name.casefold(): letter.code for letter in variant.letters}
    cleaned = text.strip()
    parts = [cleaned] if cleaned.casefold() in names else NAME_SEPARATORS.split(cleaned)
    codes = [names.get(part.strip().casefold()) or (part.strip() if part.strip() in variant.codes() else None)
             for part in parts]
    if parts and all(codes) and any(part.strip().casefold() in names for part in parts):
        cell = "/".join(sorted(dict.fromkeys(codes), key=variant.order.index))
        if len(parts) == 1:
            return f"{_quoted(text)} is the name of a {variant.name} letter; write the letter: {cell}"
        return f"{_quoted(text)} names {variant.name} letters in words; write the letters: {cell}"
    borrowed = _other_variants_word(cleaned, variant)
    if borrowed:
        own = ", ".join(f"{letter.code} ({letter.name})" for letter in variant.letters)
        return f"{_quoted(text)} is {borrowed}, not a {variant.name} letter; write one of {own}"
    if cleaned.casefold() in NO_PART and not all(char.upper() in variant.codes() for char in cleaned if
                                                 char.isalpha()) or cleaned.casefold() in NO_PART - {"x"}:
        absent = variant.not_involved
        out = (f", or write {' or '.join(absent)} to record it" if absent else "")
        return (f"{_quoted(text)} is not a {variant.name} letter; to say the role takes no part in this activity, "
                f"leave the role out of its raci{out}")
    return None

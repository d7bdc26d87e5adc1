"""Load a project folder into a :class:`~raci_gen.model.matrix.Project`: the orchestration of the input package.

raci.yaml first (:mod:`.settings`), then which role and activity files there are and whether they are within the
limits before any is read (:mod:`.files`, :mod:`.limits`), then each file read and checked against its model
(:mod:`.validation`) and its roles and activities made, the cells checked against the roles and the variant
(:mod:`.cells`); here, what spans the files: ids well formed and unique, the counts of roles, activities and cells.
Every problem found in a run is collected and raised together as one :class:`~raci_gen.model.errors.InputError`,
each with its ``FILE:LINE:COL``.
"""

from __future__ import annotations

import hashlib
import os
import re

from raci_gen.input.cells import activity_cells
from raci_gen.input.files import input_files, limit_problem, parse_file
from raci_gen.input.limits import MAX_ACTIVITIES, MAX_CELLS, MAX_ROLES
from raci_gen.input.limits import MAX_GOVERNED_PATHS, MAX_HANDLES
from raci_gen.input.settings import read_config, path_problems
from raci_gen.input.validation import quoted, read
from raci_gen.input.yamlsource import Located, SlowParse
from raci_gen.model.errors import InputError, Problem
from raci_gen.model.matrix import Activity, Ignore, Location, Matrix, Person, Phase, Project, Role, Variant
from raci_gen.model.matrix import GovernedPath, Handle
from raci_gen.model.codeowners import path_problem
from raci_gen.model.patterns import ID_PATTERN


def load_project(root: str = ".", config: str | None = None) -> Project:
    """Load the project in folder ``root``; ``config`` overrides the path of raci.yaml.

    Every problem that can be found without guessing is found in one run: a file with a
    structural problem still has its readable parts checked (ids, cells against the roles and
    letters), and the cross-file checks still run on what could be read (see validation.Reading)."""
    problems: list[Problem] = []
    digest = hashlib.sha256()
    slow = SlowParse()  # PyYAML's own parser reads at most 256 KiB of all the files together, 500,000 values in all
    if not os.path.isdir(root):
        raise InputError([Problem(Location(root), "project folder not found")])
    config_file = read_config(root, config, digest, slow, problems)
    settings, variant, unread_settings = config_file.settings, config_file.variant, config_file.unread
    sources = [config_file.shown] if config_file.located is not None else []

    role_files = activity_files = []
    if "roles" not in unread_settings:
        role_files = input_files(root, settings.roles, "roles", config_file.located, problems)
    if "activities" not in unread_settings:
        activity_files = input_files(root, settings.activities, "activities", config_file.located, problems)
    problems.extend(path_problems(root, config_file))
    over_limit = limit_problem([(config_file.path, config_file.shown)] if config_file.located is not None else [],
                               role_files, activity_files)
    if over_limit is not None:
        problems.append(over_limit)
        raise InputError(problems)

    roles, known_roles = _read_roles(role_files, digest, slow, sources, problems)
    phases = _read_phases(activity_files, known_roles, variant, digest, slow, sources, problems)
    all_activities = [a for p in phases for a in p.activities]
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


def _read_roles(role_files: list[tuple[str, str]], digest: "hashlib._Hash", slow: SlowParse, sources: list[str],
                problems: list[Problem]) -> tuple[list[Role], list[Role] | None]:
    """The roles of the role files, and the same list when every role's id is known and allowed, else None.

    Each file read is added to ``sources``; the files after the one past MAX_ROLES, or past the slow parser's
    budget, are not read."""
    roles: list[Role] = []
    role_id_at: list[Location] = []  # where each role's id is, for problems with it
    roles_ok = bool(role_files)  # whether every role's id is known
    for path, shown in role_files:
        if slow.exceeded:
            break  # refused at the file that crossed it
        sources.append(shown)
        try:
            located = parse_file(path, shown, digest, slow)
        except InputError as exc:
            problems.extend(exc.problems)
            roles_ok = False
            continue
        reading = read("RolesFile", located)
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
                people=tuple(_person(p, located, ("roles", i, "people", k), problems)
                             for k, p in enumerate(entry.people)),
                ignores=_ignores(entry.lint_ignore, located, ("roles", i, "lint-ignore")),
                handles=_handles(entry, located, ("roles", i)),
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
    _past_limit([h for role in roles for h in role.handles + tuple(h for p in role.people for h in p.handles)],
                MAX_HANDLES, "handles (of roles and people together)", problems)
    # When a role's id could not be read, the roles are unknown: checking the
    # activities against the rest would only add false "unknown role" problems.
    return roles, roles if roles_ok else None


def _read_phases(activity_files: list[tuple[str, str]], known_roles: list[Role] | None, variant: Variant | None,
                 digest: "hashlib._Hash", slow: SlowParse, sources: list[str], problems: list[Problem]) -> list[Phase]:
    """The phases of the activity files, their activities' ids checked across them; ``known_roles`` and
    ``variant`` as :func:`~raci_gen.input.cells.activity_cells` takes them.

    Each file read is added to ``sources``; the files after the one past MAX_ACTIVITIES, or past the slow
    parser's budget, are not read."""
    phases: list[Phase] = []
    activity_id_at: list[Location] = []
    read_activities = 0
    for path, shown in activity_files:
        if slow.exceeded:
            break
        sources.append(shown)
        try:
            located = parse_file(path, shown, digest, slow)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        reading = read("PhaseFile", located)
        problems.extend(reading.problems)
        phase_file = reading.value
        entries = list(enumerate(phase_file.activities)) if phase_file is not None \
            else reading.readable_entries("activities")
        if entries is None:
            continue
        activities = []
        for i, entry in entries:
            cells = activity_cells(entry.raci, located, ("activities", i, "raci"), known_roles, variant, problems)
            if entry.id is None:
                continue  # its cells are checked, but without an id it takes no part in the checks of ids
            activity = Activity(
                id=entry.id, name=entry.name, description=entry.description,
                cells=tuple(cells), location=located.at(("activities", i)),
                ignores=_ignores(entry.lint_ignore, located, ("activities", i, "lint-ignore")),
                # a file with problems gives entries without it (validation.readable_entries); it is refused anyway
                sign_off=getattr(entry, "sign_off", False),
                paths=_paths(entry, located, ("activities", i), problems),
            )
            activities.append(activity)
            activity_id_at.append(located.at(("activities", i, "id")))
        phases.append(Phase(name=phase_file.phase if phase_file is not None else "",
                            description=phase_file.description if phase_file is not None else None,
                            activities=tuple(activities), location=located.at(())))
        read_activities += len(activities)
        if read_activities > MAX_ACTIVITIES:
            break  # refused by load_project, at the first activity past the limit: the files after it are not read
    _check_ids([a for p in phases for a in p.activities], activity_id_at, "activity", problems)
    _past_limit([path for p in phases for a in p.activities for path in a.paths], MAX_GOVERNED_PATHS,
                "paths (of all activities together)", problems)
    return phases


def _past_limit(items: list, limit: int, what: str, problems: list[Problem]) -> None:
    """A problem at the first of ``items`` past ``limit`` (a handle, a path: each knows its place)."""
    if len(items) > limit:
        problems.append(Problem(items[limit].location, f"more than {limit:,} {what}; the limit is {limit:,}"))


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
"""A day as ISO 8601 writes it; YAML takes ``2026-1-5`` as a date too, a people's date does not."""


def _person(entry: object, located: Located, path: tuple, problems: list[Problem]) -> Person:
    """A role's person (``people:``'s entry at ``path``): a name, or a mapping with from/until checked: each
    written as YYYY-MM-DD, and until not before from."""
    where = located.at(path)
    if isinstance(entry, str):
        return Person(entry, location=where)
    start, until = getattr(entry, "from_", None), getattr(entry, "until", None)
    for key in ("from", "until"):
        written = located.timestamps.get(path + (key,))
        if written is not None and not _ISO_DAY.fullmatch(written):
            problems.append(Problem(located.at(path + (key,)),
                                    f"expected a date as YYYY-MM-DD (ISO 8601), got {written!r}"))
    if start is not None and until is not None and until < start:
        problems.append(Problem(located.at(path + ("until",)),
                                f"until {until.isoformat()} is before from {start.isoformat()}; the last day in "
                                "the role cannot come before the first (swap them, or correct the one mistyped)"))
    return Person(entry.name, entry.email, entry.team, start=start, until=until,  # type: ignore[attr-defined]
                  note=getattr(entry, "note", None), location=where, handles=_handles(entry, located, path))


def _handles(entry: object, located: Located, path: tuple) -> tuple[Handle, ...]:
    """A role's or person's ``handles:``, each at its place (their form is lint's: codeowners-handle)."""
    return tuple(Handle(text, located.at(path + ("handles", k)))
                 for k, text in enumerate(getattr(entry, "handles", None) or ()))


def _paths(entry: object, located: Located, path: tuple, problems: list[Problem]) -> tuple[GovernedPath, ...]:
    """An activity's ``paths:``, each at its place; a pattern CODEOWNERS would not read as written is refused."""
    result = []
    for k, pattern in enumerate(getattr(entry, "paths", None) or ()):
        where = located.at(path + ("paths", k))
        problem = path_problem(pattern)
        if problem:
            problems.append(Problem(where, f"path {pattern!r}: {problem}"))
        else:
            result.append(GovernedPath(pattern, where))
    return tuple(result)


def _ignores(entries: dict[str, str], located: Located, path: tuple) -> tuple[Ignore, ...]:
    """A role's or an activity's ``lint-ignore:``, each rule at its key."""
    return tuple(Ignore(rule, reason, located.key_at(path + (rule,))) for rule, reason in entries.items())


def _check_ids(items: list[Role] | list[Activity], id_at: list[Location], what: str,
               problems: list[Problem]) -> bool:
    """Ids must be well formed and unique, ignoring case; ``id_at[i]`` is where item i's id is.
    Whether every id is well formed."""
    seen: dict[str, tuple[str, Location]] = {}
    well_formed = True
    for item, where in zip(items, id_at):
        if not ID_PATTERN.match(item.id):
            problems.append(Problem(where, f"{what} id {quoted(item.id)} is not allowed; ids are 1 to 32 ASCII "
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

"""Who owns each governed path: the owners CODEOWNERS names, worked out once for lint and the document.

An activity's ``paths:`` are owned by the roles that hold its single-owner letter (A in RACI; D in RAPID),
then, when ``output.codeowners.responsible`` is true, by those that do the work (R). A role's handles are its
own (``handles:``, a team say) and those of its people in post on the matrix's day, in that order, each once.
CODEOWNERS takes the last line that matches a file, so the lines follow the matrix's order, and of two
activities that claim the same pattern the later one wins.

Each role's handles are gathered and judged once, each activity's once (not once per path): the work is the
project's handles, plus each activity's owners' handles, which its lines then hold (written out, bounded by the
file's size, :data:`raci_gen.documents.codeowners.MAX_BLOCK_BYTES`).
"""

from __future__ import annotations

from dataclasses import dataclass

from raci_gen.model.codeowners import handle_problem
from raci_gen.model.matrix import Activity, CodeOwnersSettings, GovernedPath, Handle, Matrix, Role


@dataclass(frozen=True)
class PathOwners:
    """One governed path of one activity, and its owners."""

    activity: Activity
    path: GovernedPath
    roles: tuple[Role, ...]
    """The owning roles: the Accountable, then (when asked) the Responsible."""
    handles: tuple[Handle, ...]
    """Their handles, each once, well-formed or not."""
    target: str = "github"
    readable: tuple[str, ...] = ()
    """Of ``handles``, those ``target`` reads (the activity's, shared by its paths)."""

    def written(self, target: str) -> tuple[str, ...]:
        """The handles CODEOWNERS gets: those ``target`` reads (a line with one it does not read is skipped
        whole by GitHub, so a malformed handle is left out and reported by lint)."""
        if target == self.target:
            return self.readable
        return tuple(h.text for h in self.handles if handle_problem(h.text, target) is None)


def role_handles(matrix: Matrix, role: Role) -> tuple[Handle, ...]:
    """A role's handles, then those of its people in post on the matrix's day."""
    found = list(role.handles)
    for person in role.people:
        if person.in_post(matrix.as_of):
            found.extend(person.handles)
    return _distinct(found)


def owner_roles(matrix: Matrix, activity: Activity, responsible: bool) -> tuple[Role, ...]:
    """The roles that own ``activity``'s paths: its single owners, then its doers when ``responsible``."""
    variant = matrix.variant
    ids = [c.role_id for c in activity.cells if any(code in c.letters for code in variant.exactly_one)]
    if responsible:
        ids += [c.role_id for c in activity.cells if any(code in c.letters for code in variant.doers)]
    known = {role.id: role for role in matrix.roles}
    return tuple(known[i] for i in dict.fromkeys(ids) if i in known)


def path_owners(matrix: Matrix, settings: CodeOwnersSettings) -> list[PathOwners]:
    """Every governed path of the matrix, in the matrix's order, with its owners."""
    result = []
    by_role: dict[str, tuple[Handle, ...]] = {}
    readable: dict[str, bool] = {}  # a handle's text -> whether the target reads it
    by_owners: dict[tuple[str, ...], tuple[tuple[Handle, ...], tuple[str, ...]]] = {}  # the same owners, once
    for activity in matrix.activities():
        if not activity.paths:
            continue
        roles = owner_roles(matrix, activity, settings.responsible)
        for role in roles:
            if role.id not in by_role:
                by_role[role.id] = role_handles(matrix, role)
                for handle in by_role[role.id]:
                    if handle.text not in readable:
                        readable[handle.text] = handle_problem(handle.text, settings.target) is None
        key = tuple(role.id for role in roles)
        if key not in by_owners:
            handles = _distinct([h for role in roles for h in by_role[role.id]])
            by_owners[key] = (handles, tuple(h.text for h in handles if readable[h.text]))
        handles, written = by_owners[key]
        result.extend(PathOwners(activity, path, roles, handles, settings.target, written) for path in activity.paths)
    return result


def _distinct(handles: list[Handle]) -> tuple[Handle, ...]:
    """Each handle once, by its text as GitHub compares it (handles are not case-sensitive)."""
    seen: dict[str, Handle] = {}
    for handle in handles:
        seen.setdefault(handle.text.casefold(), handle)
    return tuple(seen.values())

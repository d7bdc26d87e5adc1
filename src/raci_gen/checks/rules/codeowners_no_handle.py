"""A path an activity governs has an owner with a code-review handle.

The codeowners format writes each of an activity's ``paths:`` with the handles of its Accountable role
(and of its Responsible roles, with ``output.codeowners.responsible: true``): the role's own ``handles:``
and those of its people in post. Where none of them has one, the path is written as a comment only, and
GitHub and GitLab ask nobody the matrix names to review it.

Passes::

    roles: [{id: R1, name: Data Lead, handles: ["@acme/data-leads"]}]
    activities: [{id: DP-1, name: Curate data, raci: {R1: A}, paths: [/data/]}]

Fails::

    roles: [{id: R1, name: Data Lead}]
    activities: [{id: DP-1, name: Curate data, raci: {R1: A}, paths: [/data/]}]
"""

from __future__ import annotations

from typing import Iterator

from raci_gen.checks.codeowners import path_owners
from raci_gen.checks.findings import Hit
from raci_gen.checks.rules._common import letter_names
from raci_gen.model.codeowners import other_name
from raci_gen.model.matrix import CodeOwnersSettings, Matrix, Settings

ID = "codeowners-no-handle"
SEVERITY = "warning"
OPTIONS: dict[str, object] = {}
SUMMARY = "A path an activity governs (paths:) has an owner with a handle for CODEOWNERS."


def settings_options(settings: Settings | None) -> dict:
    """What the rule reads from raci.yaml beside its options: output.codeowners."""
    return {"codeowners": settings.output.codeowners if settings else CodeOwnersSettings()}


def check(matrix: Matrix, options: dict) -> Iterator[Hit]:
    setting = options.get("codeowners") or CodeOwnersSettings()
    seen = set()
    for owned in path_owners(matrix, setting):
        if owned.activity.id in seen or owned.written(setting.target):
            continue
        seen.add(owned.activity.id)
        activity = owned.activity
        paths = ", ".join(p.pattern for p in activity.paths)
        letters = matrix.variant.exactly_one + (matrix.variant.doers if setting.responsible else ())
        if not owned.roles:
            whose = f"it has no {letter_names(matrix.variant, letters)}"
        else:
            named = ", ".join(f"{r.id} ({r.name})" for r in owned.roles)
            whose = f"its {letter_names(matrix.variant, letters)} {named} and their people in post have no " \
                    f"handle{' ' + other_name(setting.target) + ' reads' if owned.handles else ''}"
        yield Hit(activity, owned.path.location or activity.location,
                  f"activity {activity.id} governs {paths}, but {whose}; CODEOWNERS gets the paths as comments "
                  "only, and nobody the matrix names is asked to review them: give the role or its people "
                  "handles: (@user, @org/team)")

"""A code-review handle is one that GitHub or GitLab (output.codeowners.target) reads.

A role's or person's ``handles:`` name whom CODEOWNERS asks to review: on GitHub ``@user`` (letters,
digits, single hyphens, at most 39), ``@org/team`` or an e-mail address; on GitLab ``@user``, ``@group``,
``@group/subgroup``, ``@@maintainer`` or an e-mail address. GitHub skips a whole CODEOWNERS line that
holds one it cannot read, so the codeowners format leaves such a handle out.

Passes::

    handles: ["@ada-l", "@acme/ml-platform", ada@example.com]

Fails::

    handles: [ada-l, "@acme/ml/platform"]   # no @; a nested group is GitLab's
"""

from __future__ import annotations

from typing import Iterator

from raci_gen.checks.findings import Hit
from raci_gen.model.codeowners import handle_problem
from raci_gen.model.matrix import CodeOwnersSettings, Matrix, Settings

ID = "codeowners-handle"
SEVERITY = "error"
OPTIONS: dict[str, object] = {}
SUMMARY = "A handle (handles:) is well-formed for the CODEOWNERS target (GitHub or GitLab)."


def settings_options(settings: Settings | None) -> dict:
    """What the rule reads from raci.yaml beside its options: output.codeowners."""
    return {"codeowners": settings.output.codeowners if settings else CodeOwnersSettings()}


def check(matrix: Matrix, options: dict) -> Iterator[Hit]:
    setting = options.get("codeowners") or CodeOwnersSettings()
    for role in matrix.roles:
        owners = [(f"role {role.id} ({role.name})", h) for h in role.handles]
        owners += [(f"{person.name} (role {role.id})", h) for person in role.people for h in person.handles]
        for whose, handle in owners:
            problem = handle_problem(handle.text, setting.target)
            if problem:
                yield Hit(role, handle.location or role.location,
                          f"handle {handle.text!r} of {whose} is not one CODEOWNERS reads: {problem}; "
                          "it is left out of CODEOWNERS")

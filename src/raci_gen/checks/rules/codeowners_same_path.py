"""Two activities do not claim the same path with different owners.

CODEOWNERS takes the last line that matches a file: of two activities that govern the same pattern,
the later one's owners are asked to review it and the earlier one's never are. The finding is at the
earlier one (the claim that has no effect) and names the one that wins.

Passes::

    - {id: DP-1, raci: {R1: A}, paths: [/data/]}
    - {id: MD-1, raci: {R2: A}, paths: [/models/]}

Fails::

    - {id: DP-1, raci: {R1: A}, paths: [/data/]}
    - {id: MD-1, raci: {R2: A}, paths: [/data/]}   # R2's handles win /data/
"""

from __future__ import annotations

from typing import Iterator

from raci_gen.checks.codeowners import PathOwners, path_owners
from raci_gen.checks.findings import Hit
from raci_gen.model.matrix import CodeOwnersSettings, Matrix, Settings

ID = "codeowners-same-path"
SEVERITY = "warning"
OPTIONS: dict[str, object] = {}
SUMMARY = "No two activities govern the same path with different owners (CODEOWNERS takes the last match)."


def settings_options(settings: Settings | None) -> dict:
    """What the rule reads from raci.yaml beside its options: output.codeowners."""
    return {"codeowners": settings.output.codeowners if settings else CodeOwnersSettings()}


SHOWN = 5
"""Owners a finding names before "and N more"."""


def _owners(owned: PathOwners, target: str) -> str:
    handles = owned.written(target)
    more = f" and {len(handles) - SHOWN} more" if len(handles) > SHOWN else ""
    return " ".join(handles[:SHOWN]) + more if handles else "no handle"


def check(matrix: Matrix, options: dict) -> Iterator[Hit]:
    setting = options.get("codeowners") or CodeOwnersSettings()
    by_pattern: dict[str, list[PathOwners]] = {}
    for owned in path_owners(matrix, setting):
        by_pattern.setdefault(owned.path.pattern, []).append(owned)
    owners: dict[str, frozenset[str]] = {}  # activity id -> its owners, made once however many paths it has

    def owner_set(owned: PathOwners) -> frozenset[str]:
        if owned.activity.id not in owners:
            owners[owned.activity.id] = frozenset(h.casefold() for h in owned.written(setting.target))
        return owners[owned.activity.id]

    for pattern, claims in by_pattern.items():
        last = claims[-1]
        for owned in claims[:-1]:
            if owned.activity.id == last.activity.id or owner_set(owned) == owner_set(last):
                continue
            where = last.path.location or last.activity.location
            yield Hit(owned.activity, owned.path.location or owned.activity.location,
                      f"activity {owned.activity.id} governs {pattern} (owners {_owners(owned, setting.target)}), "
                      f"and so does {last.activity.id} at {where} (owners {_owners(last, setting.target)}); "
                      f"CODEOWNERS takes the last match, so {last.activity.id}'s owners win and "
                      f"{owned.activity.id}'s are never asked: give the path to one activity, or narrow one "
                      "pattern", related=(where,))

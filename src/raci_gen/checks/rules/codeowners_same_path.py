"""Two activities do not claim the same path with different owners.

CODEOWNERS takes the last line that matches a file: of two activities that govern the same pattern,
the later one's owners are asked to review it and the earlier one's never are. The same holds when the
later pattern covers the earlier one (``/data/`` after ``/data/raw/``, or the catch-all ``*``;
:func:`raci_gen.model.codeowners.covers` says which pairs are sure). The finding is at the earlier one
(the claim that has no effect) and names the one that wins.

Passes::

    - {id: DP-1, raci: {R1: A}, paths: [/data/]}
    - {id: MD-1, raci: {R2: A}, paths: [/models/]}

Fails::

    - {id: DP-1, raci: {R1: A}, paths: [/data/]}
    - {id: MD-1, raci: {R2: A}, paths: [/data/]}   # R2's handles win /data/
    - {id: GV-1, raci: {R3: A}, paths: [/data/raw/]}
    - {id: GV-2, raci: {R1: A}, paths: ["*"]}     # R1's handles win every path above
"""

from __future__ import annotations

from typing import Callable, Iterator

from raci_gen.checks.codeowners import PathOwners, path_owners
from raci_gen.checks.findings import Hit
from raci_gen.model.codeowners import covered_folder, enclosing_folders
from raci_gen.model.matrix import CodeOwnersSettings, Location, Matrix, Settings

ID = "codeowners-same-path"
SEVERITY = "warning"
OPTIONS: dict[str, object] = {}
SUMMARY = ("No two activities govern the same path, or a later one a path that covers an earlier one's, with "
           "different owners (CODEOWNERS takes the last match).")


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
    claims = list(path_owners(matrix, setting))
    by_pattern: dict[str, list[PathOwners]] = {}
    for owned in claims:
        by_pattern.setdefault(owned.path.pattern, []).append(owned)
    owners: dict[str, frozenset[str]] = {}  # activity id -> its owners, made once however many paths it has

    def owner_set(owned: PathOwners) -> frozenset[str]:
        if owned.activity.id not in owners:
            owners[owned.activity.id] = frozenset(h.casefold() for h in owned.written(setting.target))
        return owners[owned.activity.id]

    for pattern, same in by_pattern.items():
        last = same[-1]
        for owned in same[:-1]:
            if owned.activity.id == last.activity.id or owner_set(owned) == owner_set(last):
                continue
            yield _lost(owned, last, setting.target,
                        lambda where: f"and so does {last.activity.id} at {where} (owners "
                                      f"{_owners(last, setting.target)})",
                        "give the path to one activity, or narrow one pattern")
    yield from _covered(claims, owner_set, setting.target)


def _lost(owned: PathOwners, winner: PathOwners, target: str, how: Callable[[Location], str], remedy: str) -> Hit:
    """The finding at ``owned``, a claim whose files CODEOWNERS gives to ``winner``'s owners: ``how`` says why (given
    the winner's place), ``remedy`` what to do."""
    where = winner.path.location or winner.activity.location
    return Hit(owned.activity, owned.path.location or owned.activity.location,
               f"activity {owned.activity.id} governs {owned.path.pattern} (owners {_owners(owned, target)}), "
               f"{how(where)}; CODEOWNERS takes the last match, so {winner.activity.id}'s owners win and "
               f"{owned.activity.id}'s are never asked: {remedy}", related=(where,))


def _covered(claims: list[PathOwners], owner_set, target: str) -> Iterator[Hit]:
    """The claims that a later activity's broader pattern takes over: the finding names the last such line, whose
    owners CODEOWNERS asks. Folders are looked up, not every pair compared, so a project of many paths stays fast.

    A pattern filed under a folder key covers every other pattern that key encloses (:func:`raci_gen.model.codeowners.covers`), so a claim
    needs, for each pattern under each key enclosing it, only the last line of another activity: the lines of a
    pattern are kept one per activity, the last, and looked at from the end. (Comparing each claim with every
    line under its keys was quadratic: 1,000 activities each with ``*`` and a pattern of 990 characters held lint
    for over 5 minutes.)"""
    folders: dict[str, dict[str, list[int]]] = {}  # key -> pattern -> its last line of each activity, in order
    last_of: dict[tuple[str, str], int] = {}
    for number, owned in enumerate(claims):
        if covered_folder(owned.path.pattern) is not None:
            last_of[(owned.path.pattern, owned.activity.id)] = number
    for (pattern, _activity), number in sorted(last_of.items(), key=lambda item: item[1]):
        folders.setdefault(covered_folder(pattern), {}).setdefault(pattern, []).append(number)
    for number, owned in enumerate(claims):
        later = None
        for key in enclosing_folders(owned.path.pattern):
            for pattern, lines in folders.get(key, {}).items():
                if pattern == owned.path.pattern:
                    continue
                for m in reversed(lines):  # one line per activity: at most one is passed over
                    if m <= number or (later is not None and m <= later):
                        break
                    if claims[m].activity.id != owned.activity.id:
                        later = m
                        break
        if later is None or owner_set(owned) == owner_set(claims[later]):
            continue
        other = claims[later]
        yield _lost(owned, other, target,
                    lambda where: f"and {other.activity.id}'s {other.path.pattern} at {where}, a later line, covers it "
                                  f"(owners {_owners(other, target)})",
                    f"narrow {other.path.pattern}, or give the path to one activity")

"""The lint rules, one table per rule: small YAML projects and the findings they must give.

Each case writes a project under ``tmp_path`` (raci.yaml, roles/roles.yaml,
activities/phase.yaml) from the raci mapping of each activity, lints it, and
compares the findings of the rule under test, as ``(FILE:LINE, rule id)``, with
the expected list. The helper records on which line it wrote each activity, cell
and role, so the expectations name them (``"T1"``, ``"T1.R2"``, ``"R3"``) rather
than count lines by hand; :func:`test_helper_lines_are_the_loaders_lines` pins
that bookkeeping to literal positions.
"""

from __future__ import annotations

import dataclasses
import datetime
import importlib
import inspect
import json
import os
import pkgutil
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

import raci_gen.checks.rules
from raci_gen.checks.analysis import SEVERITIES, Finding, active, configure, counts, exit_status, lint
from raci_gen.model.errors import InputError
from raci_gen.input.loader import load_project
from raci_gen.checks.reports import plain_docstring
from raci_gen.checks.rules import RULES
from raci_gen.model.variants import VARIANTS

ROLE_FILE = "roles/roles.yaml"
PHASE_FILE = "activities/phase.yaml"


# --- the helper -----------------------------------------------------------------------------------------------------

@dataclass
class Written:
    """A project written by :func:`write_matrix`, and where each item went."""

    root: Path
    lines: dict[str, int] = field(default_factory=dict)
    """``T1`` (activity), ``T1.R2`` (cell), ``R1`` (role), ``T1!rule`` / ``R1!rule`` (a lint-ignore key) to line."""
    files: dict[str, str] = field(default_factory=dict)

    def at(self, key: str) -> str:
        """``FILE:LINE`` of an activity, a cell, a role or a lint-ignore key."""
        return f"{self.files[key]}:{self.lines[key]}"


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def write_matrix(root: Path, activities: dict[str, dict[str, str]], roles: list[str] | None = None,
                 config: str | dict | None = None, role_ignores: dict[str, dict[str, str]] | None = None,
                 activity_ignores: dict[str, dict[str, str]] | None = None,
                 role_names: dict[str, str] | None = None, activity_names: dict[str, str] | None = None,
                 sign_offs: set[str] | frozenset[str] = frozenset(), people: dict[str, list] | None = None,
                 paths: dict[str, list[str]] | None = None) -> Written:
    """Write a one-phase project: ``activities`` maps an activity id to its raci mapping (role id to letters).

    ``roles`` defaults to the role ids the activities use, in order of first use. ``config``
    is raci.yaml as text (written as is) or data (written as JSON, which YAML reads). ``sign_offs`` are
    the activities marked ``sign-off: true``; ``people`` maps a role id to its ``people:`` (as JSON).
    """
    root = Path(root)
    (root / "roles").mkdir(parents=True, exist_ok=True)
    (root / "activities").mkdir(parents=True, exist_ok=True)
    if roles is None:
        roles = list(dict.fromkeys(rid for raci in activities.values() for rid in raci)) or ["R1"]
    written = Written(root)
    role_ignores = role_ignores or {}
    activity_ignores = activity_ignores or {}
    role_names = role_names or {}

    out = ["roles:"]
    for rid in roles:
        out.append(f"  - id: {rid}")
        written.lines[rid], written.files[rid] = len(out), ROLE_FILE
        out.append(f"    name: {_q(role_names.get(rid, 'Role ' + rid))}")
        if (people or {}).get(rid):
            # from/until as YAML dates, unquoted (a date in quotes is text, which they refuse)
            out.append("    people: " + re.sub(r'"([0-9]{4}-[0-9]{2}-[0-9]{2})"', r"\1",
                                               json.dumps(people[rid], ensure_ascii=False)))
            written.lines[f"{rid}.people"], written.files[f"{rid}.people"] = len(out), ROLE_FILE
        if rid in role_ignores:
            out.append("    lint-ignore:")
            for rule, reason in role_ignores[rid].items():
                out.append(f"      {rule}: {_q(reason) if reason is not None else ''}".rstrip())
                written.lines[f"{rid}!{rule}"], written.files[f"{rid}!{rule}"] = len(out), ROLE_FILE
    (root / ROLE_FILE).write_text("\n".join(out) + "\n", encoding="utf-8")

    out = ["phase: Phase one", "activities:"]
    for aid, raci in activities.items():
        out.append(f"  - id: {aid}")
        written.lines[aid], written.files[aid] = len(out), PHASE_FILE
        out.append(f"    name: {_q((activity_names or {}).get(aid, 'Activity ' + aid))}")
        if aid in sign_offs:
            out.append("    sign-off: true")
        if (paths or {}).get(aid):
            out.append("    paths: " + json.dumps(paths[aid]))
            written.lines[f"{aid}.paths"], written.files[f"{aid}.paths"] = len(out), PHASE_FILE
        if not raci:
            out.append("    raci: {}")
        else:
            out.append("    raci:")
            for rid, letters in raci.items():
                out.append(f"      {rid}: {_q(letters)}")
                written.lines[f"{aid}.{rid}"], written.files[f"{aid}.{rid}"] = len(out), PHASE_FILE
        if aid in activity_ignores:
            out.append("    lint-ignore:")
            for rule, reason in activity_ignores[aid].items():
                out.append(f"      {rule}: {_q(reason) if reason is not None else ''}".rstrip())
                written.lines[f"{aid}!{rule}"], written.files[f"{aid}!{rule}"] = len(out), PHASE_FILE
    (root / PHASE_FILE).write_text("\n".join(out) + "\n", encoding="utf-8")

    if config is not None:
        text = config if isinstance(config, str) else json.dumps(config, indent=2)
        (root / "raci.yaml").write_text(text, encoding="utf-8")
    return written


def rel(finding: Finding | object, root: Path) -> str:
    """``FILE:LINE`` of a finding (or a problem), relative to the project folder."""
    loc = finding.location
    return f"{Path(os.path.relpath(loc.file, root)).as_posix()}:{loc.line}"


def rel_full(finding: Finding | object, root: Path) -> str:
    loc = finding.location
    return f"{Path(os.path.relpath(loc.file, root)).as_posix()}:{loc.line}:{loc.column}"


def lint_dir(root: Path, as_of: str | None = None) -> list[Finding]:
    project = load_project(str(root))
    matrix = project.matrix if as_of is None else dataclasses.replace(project.matrix,
                                                                      as_of=datetime.date.fromisoformat(as_of))
    return lint(matrix, project.settings)


def input_error(root: Path) -> list[str]:
    """The problems of a project that must not load or lint, as ``FILE:LINE:COL: error: MESSAGE`` (relative)."""
    with pytest.raises(InputError) as info:
        lint_dir(root)
    return [f"{rel_full(p, root)}: error: {p.message}" for p in info.value.problems]


# A matrix that every rule passes with the defaults: four roles, each A/R once, each on 3 of 4 activities.
CLEAN = {
    "T1": {"R1": "A/R", "R2": "C", "R3": "I"},
    "T2": {"R2": "A/R", "R3": "C", "R4": "I"},
    "T3": {"R3": "A/R", "R4": "C", "R1": "I"},
    "T4": {"R4": "A/R", "R1": "C", "R2": "I"},
}


# --- the helper itself ----------------------------------------------------------------------------------------------

def test_helper_lines_are_the_loaders_lines(tmp_path):
    """The helper's bookkeeping matches where the loader puts activities, cells and roles."""
    w = write_matrix(tmp_path, {"T1": {"R1": "A"}, "T2": {"R2": "R/C", "R1": "A"}})
    assert (tmp_path / PHASE_FILE).read_text().splitlines()[6:9] == [
        "  - id: T2", '    name: "Activity T2"', "    raci:"]
    assert w.at("T1") == "activities/phase.yaml:3" and w.at("T2") == "activities/phase.yaml:7"
    assert w.at("T2.R2") == "activities/phase.yaml:10" and w.at("R2") == "roles/roles.yaml:4"
    project = load_project(str(tmp_path))
    t1, t2 = project.matrix.activities()
    assert [rel_full(t1, tmp_path), rel_full(t2.cells[0], tmp_path), rel_full(project.matrix.roles[1], tmp_path)] \
        == ["activities/phase.yaml:3:5", "activities/phase.yaml:10:7", "roles/roles.yaml:4:5"]


def test_clean_matrix_has_no_finding(tmp_path):
    write_matrix(tmp_path, CLEAN)
    assert lint_dir(tmp_path) == []


# --- one table per rule ---------------------------------------------------------------------------------------------

@dataclass
class Case:
    name: str
    activities: dict[str, dict[str, str]]
    expected: list[str]
    """Keys of the helper (``T1``, ``T1.R2``, ``R3``) where the rule under test must report, in order."""
    roles: list[str] | None = None
    config: dict | str | None = None
    names: dict[str, str] | None = None
    """Activity names, where the rule reads them (``Activity T1`` otherwise)."""
    role_names: dict[str, str] | None = None
    sign_offs: frozenset[str] = frozenset()
    """Activities marked ``sign-off: true``."""
    people: dict[str, list] | None = None
    """Role id to its ``people:``."""
    as_of: str | None = None
    """The day the lint reads the people in post for (YYYY-MM-DD); None, none (vacant-role and hand-over-due
    say nothing)."""
    paths: dict[str, list[str]] | None = None
    """Activity id to its ``paths:`` (the codeowners rules)."""


_ADA_THEN_ALAN = [{"name": "Ada Lovelace", "until": "2026-06-30"}, {"name": "Alan Turing", "from": "2026-07-01"}]
"""A hand-over: Ada Lovelace's last day is 30 June 2026, Alan Turing's first 1 July."""


def _ten(owner_of_last: str = "R2") -> dict[str, dict[str, str]]:
    """Ten activities: R1 does nine of them, ``owner_of_last`` the tenth; R3 is informed on all ten."""
    rows = {f"T{i}": {"R1": "A/R", "R3": "I"} for i in range(1, 10)}
    rows["T10"] = {owner_of_last: "A/R", "R3": "I"}
    return rows


def _pair() -> dict[str, dict[str, str]]:
    """Two activities with different letters."""
    return {"T1": {"R1": "A/R", "R2": "C"}, "T2": {"R1": "A", "R2": "R"}}


def _split(r_share: int) -> dict[str, dict[str, str]]:
    """Ten activities, R1 Accountable on all; R2 Responsible on the first ``r_share``, R3 on the rest."""
    return {f"T{i}": {"R1": "A", ("R2" if i <= r_share else "R3"): "R", "R4": "C"} for i in range(1, 11)}


def _process_owner(also_does: int, a_elsewhere: int = 0) -> dict[str, dict[str, str]]:
    """Ten activities of one process: R1 Accountable on all (A/R on the first ``also_does``), the work spread
    over R2-R5, R7 informed; with ``a_elsewhere``, R6 is Accountable on the last that many instead of R1."""
    rows = {}
    for i in range(1, 11):
        owner = "R6" if i > 10 - a_elsewhere else "R1"
        if owner == "R1" and i <= also_does:
            rows[f"T{i}"] = {"R1": "A/R", "R7": "I"}
        else:
            rows[f"T{i}"] = {owner: "A", f"R{2 + i % 4}": "R", "R7": "I"}
    return rows


def _consulted_everywhere() -> dict[str, dict[str, str]]:
    """Ten activities shared by R1-R3 in turn; R4 Consulted on all of them."""
    return {f"T{i}": {f"R{1 + i % 3}": "A/R", "R4": "C"} for i in range(1, 11)}


def _filled() -> dict[str, dict[str, str]]:
    """Ten activities, four roles, every cell filled: each role A/R on some, Consulted on the rest."""
    return {f"T{i}": {f"R{r}": ("A/R" if r == 1 + i % 4 else "C") for r in range(1, 5)} for i in range(1, 11)}


TABLE: dict[str, list[Case]] = {
    "one-accountable": [
        Case("one A", {"T1": {"R1": "A", "R2": "R"}}, []),
        Case("A/R counts as the A", {"T1": {"R1": "A/R", "R2": "C"}}, []),
        Case("no A", {"T1": {"R2": "R", "R3": "C"}}, ["T1"]),
        Case("two A: reported at the second", {"T1": {"R1": "A", "R2": "R", "R3": "A"}}, ["T1.R3"]),
        Case("two A/R", {"T1": {"R1": "A/R", "R2": "A/R"}}, ["T1.R2"]),
        Case("one finding per activity", {"T1": {"R1": "R"}, "T2": {"R1": "A/R"}, "T3": {"R2": "C"}},
             ["T1", "T3"]),
        Case("an empty activity is empty-activity's", {"T1": {}}, []),
    ],
    "someone-responsible": [
        Case("A and R", {"T1": {"R1": "A", "R2": "R"}}, []),
        Case("A/R counts", {"T1": {"R1": "A/R", "R2": "C"}}, []),
        Case("A alone", {"T1": {"R1": "A", "R2": "C"}}, ["T1"]),
        Case("C and I only", {"T1": {"R1": "C", "R2": "I"}}, ["T1"]),
        Case("empty activity is not reported twice", {"T1": {}}, []),
        Case("lone A implies R when asked", {"T1": {"R1": "A", "R2": "C"}}, [],
             config={"lint": {"someone-responsible": {"lone-accountable-implies-responsible": True}}}),
        Case("the option needs an A", {"T1": {"R1": "C", "R2": "I"}}, ["T1"],
             config={"lint": {"someone-responsible": {"lone-accountable-implies-responsible": True}}}),
        Case("the option set false", {"T1": {"R1": "A", "R2": "C"}}, ["T1"],
             config={"lint": {"someone-responsible": {"lone-accountable-implies-responsible": False}}}),
    ],
    "empty-activity": [
        Case("one letter is enough", {"T1": {"R1": "I"}}, []),
        Case("no letters", {"T1": {"R1": "A/R"}, "T2": {}}, ["T2"]),
    ],
    "too-many-responsible": [
        Case("two R", {"T1": {"R1": "A", "R2": "R", "R3": "R"}}, []),
        Case("three R: at the third", {"T1": {"R1": "A", "R2": "R", "R3": "R", "R4": "R"}}, ["T1.R4"]),
        Case("A/R counts as an R", {"T1": {"R1": "A/R", "R2": "R", "R3": "R"}}, ["T1.R3"]),
        Case("max 3", {"T1": {"R1": "A", "R2": "R", "R3": "R", "R4": "R"}}, [],
             config={"lint": {"too-many-responsible": {"max": 3}}}),
        Case("max 1", {"T1": {"R1": "A/R", "R2": "R"}}, ["T1.R2"],
             config={"lint": {"too-many-responsible": {"max": 1}}}),
    ],
    "too-many-consulted": [
        Case("three C", {"T1": {"R1": "A/R", "R2": "C", "R3": "C", "R4": "C"}}, []),
        Case("four C: at the fourth", {"T1": {"R1": "A/R", "R2": "C", "R3": "C", "R4": "C", "R5": "C"}},
             ["T1.R5"]),
        Case("max 1, one C", {"T1": {"R1": "A/R", "R2": "C", "R3": "I"}}, [],
             config={"lint": {"too-many-consulted": {"max": 1}}}),
        Case("max 1, two C", {"T1": {"R1": "A/R", "R2": "C", "R3": "C"}}, ["T1.R3"],
             config={"lint": {"too-many-consulted": {"max": 1}}}),
        Case("max 0", {"T1": {"R1": "A/R", "R2": "C"}}, ["T1.R2"],
             config={"lint": {"too-many-consulted": {"max": 0}}}),
    ],
    "too-many-informed": [
        Case("five I", {"T1": {"R1": "A/R", **{f"R{i}": "I" for i in range(2, 7)}}}, []),
        Case("six I: at the sixth", {"T1": {"R1": "A/R", **{f"R{i}": "I" for i in range(2, 8)}}}, ["T1.R7"]),
        Case("max 1", {"T1": {"R1": "A/R", "R2": "I", "R3": "I"}}, ["T1.R3"],
             config={"lint": {"too-many-informed": {"max": 1}}}),
    ],
    "no-communication": [
        Case("an I", {"T1": {"R1": "A/R", "R2": "I"}}, []),
        Case("a C", {"T1": {"R1": "A", "R2": "R", "R3": "C"}}, []),
        Case("nobody told", {"T1": {"R1": "A", "R2": "R"}}, ["T1"]),
        Case("an empty activity is empty-activity's", {"T1": {}}, []),
        Case("made an error", {"T1": {"R1": "A/R"}}, ["T1"], config={"lint": {"no-communication": "error"}}),
        Case("turned off (quoted)", {"T1": {"R1": "A/R"}}, [], config='lint:\n  no-communication: "off"\n'),
    ],
    "unresolved-cell": [
        Case("A/R is settled practice", {"T1": {"R1": "A/R", "R2": "C"}}, []),
        Case("R/A is A/R written backwards", {"T1": {"R1": "R/A", "R2": "C"}}, []),
        Case("R/C", {"T1": {"R1": "A", "R2": "R/C"}}, ["T1.R2"]),
        Case("A/R/C", {"T1": {"R1": "A/R/C", "R2": "I"}}, ["T1.R1"]),
        Case("C,I", {"T1": {"R1": "A/R", "R2": "C,I"}}, ["T1.R2"]),
    ],
    "at-most-one": [
        Case("RACI-VS: one S", {"T1": {"R1": "A", "R2": "R", "R3": "V", "R4": "S"}}, [],
             config={"variant": "RACI-VS"}),
        Case("RACI-VS: two S, at the second", {"T1": {"R1": "A", "R2": "R", "R3": "V", "R4": "S", "R5": "S"}},
             ["T1.R5"], config={"variant": "RACI-VS"}),
        Case("RACI has no such letter", {"T1": {"R1": "A", "R2": "R", "R3": "R"}}, []),
    ],
    "letter-needs": [
        Case("RASCI: S with R", {"T1": {"R1": "A", "R2": "R", "R3": "S"}}, [], config={"variant": "RASCI"}),
        Case("RASCI: A/R counts as the R", {"T1": {"R1": "A/R", "R3": "S"}}, [], config={"variant": "RASCI"}),
        Case("RASCI: S without R is someone-responsible's finding", {"T1": {"R1": "A", "R2": "C", "R3": "S"}}, [],
             config={"variant": "RASCI"}),
        Case("RASCI: S without R when a lone A counts as R, at the S", {"T1": {"R1": "A", "R2": "C", "R3": "S"}},
             ["T1.R3"], config={"variant": "RASCI", "lint": {
                 "someone-responsible": {"lone-accountable-implies-responsible": True}}}),
        Case("RASCI: S without R, someone-responsible off", {"T1": {"R1": "A", "R2": "C", "R3": "S"}},
             ["T1.R3"], config={"variant": "RASCI", "lint": {"someone-responsible": "off"}}),
        Case("RACI-VS: S without V", {"T1": {"R1": "A/R", "R2": "S"}}, ["T1.R2"], config={"variant": "RACI-VS"}),
        Case("RACI-VS: S with V", {"T1": {"R1": "A/R", "R2": "S", "R3": "V"}}, [], config={"variant": "RACI-VS"}),
    ],
    "no-blank-cell": [
        Case("off by default", {"T1": {"R1": "A/R"}}, [], roles=["R1", "R2"]),
        Case("on: a blank cell", {"T1": {"R1": "A/R"}, "T2": {"R1": "A/R", "R2": "I"}}, ["T1"],
             roles=["R1", "R2"], config={"lint": {"no-blank-cell": "warning"}}),
        Case("CAIRO: O fills the cell", {"T1": {"R1": "A/R", "R2": "O"}}, [], roles=["R1", "R2"],
             config={"variant": "CAIRO", "lint": {"no-blank-cell": "error"}}),
        Case("CAIRO: a blank cell", {"T1": {"R1": "A/R"}}, ["T1"], roles=["R1", "R2"],
             config={"variant": "CAIRO", "lint": {"no-blank-cell": "error"}}),
    ],
    "duplicate-activity": [
        Case("different names", _pair(), [], names={"T1": "Train the model", "T2": "Evaluate the model"}),
        Case("the same name, another case and punctuation", _pair(), ["T2"],
             names={"T1": "Define the business goal", "T2": "define business goals."}),
        Case("an abbreviation", _pair(), ["T2"],
             names={"T1": "Design Entity Relationship Diagrams", "T2": "Design ER diagrams"}),
        Case("an abbreviation first", _pair(), ["T2"],
             names={"T1": "Set up CI", "T2": "Set up Continuous Integration"}),
        Case("a typo", _pair(), ["T2"],
             names={"T1": "Deploy the model to staging", "T2": "Deploy the modle to staging"}),
        Case("one letter in a short name is another word", _pair(), [],
             names={"T1": "Monitor data", "T2": "Monitor date"}),
        Case("not is a word", _pair(), [],
             names={"T1": "Tests that pass in staging", "T2": "Tests that do not pass in staging"}),
        Case("min-similarity 0.7", _pair(), ["T2"], names={"T1": "Review the data model", "T2": "Review the data models"
                                                                                                 " and code"},
             config={"lint": {"duplicate-activity": {"min-similarity": 0.7}}}),
        Case("three of one name: the later two", {**_pair(), "T3": {"R1": "A/R", "R2": "C"}}, ["T2", "T3"],
             names={"T1": "Write the runbook", "T2": "Write runbook", "T3": "write the run-book"}),
    ],
    "idle-role": [
        Case("every role takes part", {"T1": {"R1": "A/R", "R2": "I"}}, [], roles=["R1", "R2"]),
        Case("R3 has no letter", {"T1": {"R1": "A/R", "R2": "I"}}, ["R3"], roles=["R1", "R2", "R3"]),
        Case("two idle roles, in role order", {"T1": {"R2": "A/R"}}, ["R1", "R3"], roles=["R1", "R2", "R3"]),
        Case("turned off (quoted)", {"T1": {"R1": "A/R"}}, [], roles=["R1", "R2"],
             config='lint:\n  idle-role: "off"\n'),
        Case("turned off in the long form", {"T1": {"R1": "A/R"}}, [], roles=["R1", "R2"],
             config={"lint": {"idle-role": {"severity": "off"}}}),
    ],
    "role-without-ownership": [
        Case("R2 owns something", {"T1": {"R1": "A/R", "R2": "C"}, "T2": {"R2": "A/R", "R1": "I"}}, []),
        Case("R2 is only C and I", {"T1": {"R1": "A/R", "R2": "C"}, "T2": {"R1": "A/R", "R2": "I"}}, ["R2"]),
        Case("an idle role is idle-role's", {"T1": {"R1": "A/R"}}, [], roles=["R1", "R2"]),
        Case("R alone is ownership", {"T1": {"R1": "A", "R2": "R"}}, []),
        Case("RASCI: Support helps do the work", {"T1": {"R1": "A", "R2": "R", "R3": "S"}}, [],
             config={"variant": "RASCI"}),
        Case("RASCI: only Consulted", {"T1": {"R1": "A", "R2": "R", "R3": "C"}}, ["R3"],
             config={"variant": "RASCI"}),
        Case("CAIRO: only Out of the loop is idle, not this rule's", {"T1": {"R1": "A/R", "R2": "O"}}, [],
             config={"variant": "CAIRO"}),
    ],
    "overloaded-role": [
        Case("below min-activities nothing is judged", {"T1": {"R1": "A/R", "R2": "I"}, "T2": {"R1": "A/R", "R2": "I"}},
             []),
        Case("min-activities 2: R1 owns both", {"T1": {"R1": "A/R", "R2": "I"}, "T2": {"R1": "A/R", "R2": "I"}},
             ["R1"], config={"lint": {"overloaded-role": {"min-activities": 2}}}),
        Case("R1 owns 9 of 10", _ten(), ["R1"]),
        Case("half is not more than half", _split(5), []),
        Case("R counts as much as A: R2 is R on 6 of 10", _split(6), ["R2"]),
        Case("max-share 1", _ten(), [], config={"lint": {"overloaded-role": {"max-share": 1}}}),
        Case("max-share 0.9 of ten: 9 passes", _ten(), [],
             config={"lint": {"overloaded-role": {"max-share": 0.9}}}),
        Case("process owner A on all 10, R on none", _process_owner(0), []),
        Case("process owner A on all 10, R on 5", _process_owner(5), []),
        Case("process owner A on all 10, R on 6 (A/R)", _process_owner(6), ["R1"]),
        Case("A on 9 of 10 is not the process owner", _process_owner(0, a_elsewhere=1), ["R1"]),
    ],
    "separate-sign-off": [
        Case("A and R apart", {"T1": {"R1": "A", "R2": "R"}}, [], sign_offs=frozenset({"T1"})),
        Case("A/R on a sign-off", {"T1": {"R1": "A/R", "R2": "C"}, "T2": {"R1": "A", "R2": "R"}}, ["T1.R1"],
             sign_offs=frozenset({"T1", "T2"})),
        Case("A/R on an activity that is no sign-off", {"T1": {"R1": "A/R", "R2": "C"}}, []),
        Case("DACI: the Approver that also contributes is fine, the Approver that drives is not",
             {"T1": {"R1": "A/C", "R2": "D"}, "T2": {"R1": "A/D"}}, ["T2.R1"],
             sign_offs=frozenset({"T1", "T2"}), config={"variant": "DACI", "lint": {"unresolved-cell": "off"}}),
    ],
    "separate-sign-off-people": [
        Case("different people", {"T1": {"R1": "A", "R2": "R"}}, [], sign_offs=frozenset({"T1"}),
             people={"R1": ["Ada Lovelace"], "R2": ["Grace Hopper"]}),
        Case("one person in both roles, at the Responsible's cell", {"T1": {"R1": "A", "R2": "R", "R3": "C"}},
             ["T1.R2"], sign_offs=frozenset({"T1"}),
             people={"R1": ["Ada Lovelace"], "R2": ["Grace Hopper", "ada  LOVELACE"], "R3": ["Ada Lovelace"]}),
        Case("the same e-mail under two spellings of the name", {"T1": {"R1": "A", "R2": "R"}}, ["T1.R2"],
             sign_offs=frozenset({"T1"}),
             people={"R1": [{"name": "Ada Lovelace", "email": "ada@example.org"}],
                     "R2": [{"name": "A. Lovelace", "email": "ADA@example.org"}]}),
        Case("a name without e-mail is the one person of that name who has one", {"T1": {"R1": "A", "R2": "R"}},
             ["T1.R2"], sign_offs=frozenset({"T1"}),
             people={"R1": [{"name": "Ada Lovelace", "email": "ada@example.org"}], "R2": ["Ada Lovelace"]}),
        Case("one name, two e-mails: two people", {"T1": {"R1": "A", "R2": "R"}}, [], sign_offs=frozenset({"T1"}),
             people={"R1": [{"name": "Alan Turing", "email": "alan@a.example"}],
                     "R2": [{"name": "Alan Turing", "email": "alan@b.example"}]}),
        Case("no sign-off, no finding", {"T1": {"R1": "A", "R2": "R"}}, [],
             people={"R1": ["Ada Lovelace"], "R2": ["Ada Lovelace"]}),
        Case("an A/R role's own people are separate-sign-off's", {"T1": {"R1": "A/R", "R2": "C"}}, [],
             sign_offs=frozenset({"T1"}), people={"R1": ["Ada Lovelace"], "R2": ["Ada Lovelace"]}),
    ],
    "vacant-role": [
        Case("someone in post on the day", {"T1": {"R1": "A/R"}}, [], as_of="2026-07-01",
             people={"R1": _ADA_THEN_ALAN}),
        Case("the last day counts", {"T1": {"R1": "A/R"}}, [], as_of="2026-06-30",
             people={"R1": [{"name": "Ada Lovelace", "until": "2026-06-30"}]}),
        Case("all gone", {"T1": {"R1": "A/R", "R2": "C"}}, ["R1"], as_of="2026-07-01",
             people={"R1": [{"name": "Ada Lovelace", "until": "2026-06-30"}], "R2": ["Grace Hopper"]}),
        Case("not there yet", {"T1": {"R1": "A/R"}}, ["R1"], as_of="2026-06-30",
             people={"R1": [{"name": "Alan Turing", "from": "2026-07-01"}]}),
        Case("a role without people is not judged", {"T1": {"R1": "A/R"}}, [], as_of="2026-07-01"),
        Case("no day, no judgement", {"T1": {"R1": "A/R"}}, [],
             people={"R1": [{"name": "Ada Lovelace", "until": "2026-06-30"}]}),
    ],
    "hand-over-due": [
        Case("a leaving 29 days ahead, with who takes over", {"T1": {"R1": "A/R"}}, ["R1.people"], as_of="2026-06-01",
             people={"R1": _ADA_THEN_ALAN}),
        Case("31 days ahead is outside the 30 days", {"T1": {"R1": "A/R"}}, [], as_of="2026-05-30",
             people={"R1": [{"name": "Ada Lovelace", "until": "2026-06-30"}]}),
        Case("days: 60", {"T1": {"R1": "A/R"}}, ["R1.people"], as_of="2026-05-30",
             people={"R1": [{"name": "Ada Lovelace", "until": "2026-06-30"}]},
             config={"lint": {"hand-over-due": {"days": 60}}}),
        Case("someone taking a role up", {"T1": {"R1": "A/R"}}, ["R1.people"], as_of="2026-06-25",
             people={"R1": ["Grace Hopper", {"name": "Alan Turing", "from": "2026-07-01"}]}),
        Case("a leaving in the past", {"T1": {"R1": "A/R"}}, [], as_of="2026-07-01",
             people={"R1": [{"name": "Ada Lovelace", "until": "2026-06-30"}, "Grace Hopper"]}),
    ],
    "codeowners-handle": [
        Case("GitHub forms", {"T1": {"R1": "A/R"}}, [],
             people={"R1": [{"name": "Ada", "handles": ["@ada-l", "@acme/ml_platform", "ada@example.org"]}]}),
        Case("no @, a double hyphen, a nested group", {"T1": {"R1": "A/R"}}, ["R1.people"] * 3,
             people={"R1": [{"name": "Ada", "handles": ["ada", "@ada--l", "@acme/ml/platform"]}]}),
        Case("a nested group and a dotted user are GitLab's", {"T1": {"R1": "A/R"}}, [],
             people={"R1": [{"name": "Ada", "handles": ["@acme/ml/platform", "@ada.l", "@@maintainer"]}]},
             config={"output": {"codeowners": {"target": "gitlab"}}}),
    ],
    "codeowners-no-handle": [
        Case("the Accountable's person has one", {"T1": {"R1": "A", "R2": "R"}}, [], paths={"T1": ["/data/"]},
             people={"R1": [{"name": "Ada", "handles": ["@ada"]}]}),
        Case("only the Responsible has one", {"T1": {"R1": "A", "R2": "R"}}, ["T1.paths"], paths={"T1": ["/data/"]},
             people={"R2": [{"name": "Ada", "handles": ["@ada"]}]}),
        Case("the Responsible counts when asked", {"T1": {"R1": "A", "R2": "R"}}, [], paths={"T1": ["/data/"]},
             people={"R2": [{"name": "Ada", "handles": ["@ada"]}]},
             config={"output": {"codeowners": {"responsible": True}}}),
        Case("a person no longer in post", {"T1": {"R1": "A/R"}}, ["T1.paths"], paths={"T1": ["/data/"]},
             people={"R1": [{"name": "Ada", "until": "2026-06-30", "handles": ["@ada"]}]}, as_of="2026-07-01"),
        Case("no paths, no owners needed", {"T1": {"R1": "A/R"}}, []),
    ],
    "codeowners-same-path": [
        Case("two paths", {"T1": {"R1": "A/R"}, "T2": {"R2": "A/R"}}, [], paths={"T1": ["/a/"], "T2": ["/b/"]},
             people={"R1": [{"name": "Ada", "handles": ["@ada"]}], "R2": [{"name": "Bob", "handles": ["@bob"]}]}),
        Case("one path, two owners: at the first, which loses", {"T1": {"R1": "A/R"}, "T2": {"R2": "A/R"}},
             ["T1.paths"], paths={"T1": ["/a/"], "T2": ["/a/"]},
             people={"R1": [{"name": "Ada", "handles": ["@ada"]}], "R2": [{"name": "Bob", "handles": ["@bob"]}]}),
        Case("one path, the same owner", {"T1": {"R1": "A/R"}, "T2": {"R1": "A/R"}}, [],
             paths={"T1": ["/a/"], "T2": ["/a/"]}, people={"R1": [{"name": "Ada", "handles": ["@ada"]}]}),
        Case("a later folder covers an earlier path: at the earlier", {"T1": {"R1": "A/R"}, "T2": {"R2": "A/R"}},
             ["T1.paths"], paths={"T1": ["/a/b/"], "T2": ["/a/"]},
             people={"R1": [{"name": "Ada", "handles": ["@ada"]}], "R2": [{"name": "Bob", "handles": ["@bob"]}]}),
        Case("an earlier folder, a later path inside it", {"T1": {"R1": "A/R"}, "T2": {"R2": "A/R"}}, [],
             paths={"T1": ["/a/"], "T2": ["/a/b/"]},
             people={"R1": [{"name": "Ada", "handles": ["@ada"]}], "R2": [{"name": "Bob", "handles": ["@bob"]}]}),
        Case("a later catch-all", {"T1": {"R1": "A/R"}, "T2": {"R2": "A/R"}}, ["T1.paths"],
             paths={"T1": ["*.sql"], "T2": ["*"]},
             people={"R1": [{"name": "Ada", "handles": ["@ada"]}], "R2": [{"name": "Bob", "handles": ["@bob"]}]}),
    ],
    "hidden-character": [
        Case("plain names", {"T1": {"R1": "A/R"}}, []),
        Case("Arabic with a right-to-left mark", {"T1": {"R1": "A/R"}}, [],
             role_names={"R1": "مهندس\u200f بيانات"}),
        Case("an emoji sequence with a zero-width joiner", {"T1": {"R1": "A/R"}}, [],
             role_names={"R1": "Dev \U0001f469\u200d\U0001f4bb"}),
        Case("a right-to-left override", {"T1": {"R1": "A/R"}}, ["R1"], role_names={"R1": "Owner \u202eenwo"}),
        Case("an isolate", {"T1": {"R1": "A/R"}}, ["R1"], role_names={"R1": "Owner \u2066x\u2069"}),
        Case("a zero-width space", {"T1": {"R1": "A/R"}}, ["R1"], role_names={"R1": "Pro\u200bduct"}),
        Case("a byte order mark inside", {"T1": {"R1": "A/R"}}, ["R1"], role_names={"R1": "Pro\ufeffduct"}),
        Case("ESC", {"T1": {"R1": "A/R"}}, ["R1"], role_names={"R1": "Owner \x1b[2J"}),
        Case("a left-to-right mark in Latin text", {"T1": {"R1": "A/R"}}, ["R1"], role_names={"R1": "Owner\u200e"}),
        Case("a joiner at the end", {"T1": {"R1": "A/R"}}, ["R1"], role_names={"R1": "Owner\u200d"}),
    ],
    "everywhere-role": [
        Case("9 of 10 is not more than 90%", _ten(), []),
        Case("max-share 0.5: R1, not R3, who is only Informed on all 10", _ten(), ["R1"],
             config={"lint": {"everywhere-role": {"max-share": 0.5}}}),
        Case("max-share 0.8: R1, who does 9", _ten(), ["R1"],
             config={"lint": {"everywhere-role": {"max-share": 0.8}}}),
        Case("one role of four Consulted on all 10", _consulted_everywhere(), ["R4"]),
        Case("below min-activities nothing is judged", {f"T{i}": {"R1": "A/R", "R2": "C"} for i in range(1, 4)}
             | {"T4": {"R3": "A/R"}}, []),
        Case("min-activities 3", {f"T{i}": {"R1": "A/R", "R2": "C"} for i in range(1, 4)} | {"T4": {"R3": "A/R"}},
             [], config={"lint": {"everywhere-role": {"min-activities": 3}}}),
        Case("every role on everything: nothing stands out", _filled(), []),
    ],
}


def _cases():
    for rule, cases in TABLE.items():
        for case in cases:
            yield pytest.param(rule, case, id=f"{rule}: {case.name}")


@pytest.mark.parametrize("rule, case", list(_cases()))
def test_rule_table(tmp_path, rule, case):
    w = write_matrix(tmp_path, case.activities, roles=case.roles, config=case.config, activity_names=case.names,
                     role_names=case.role_names, sign_offs=case.sign_offs, people=case.people, paths=case.paths)
    got = [(rel(f, tmp_path), f.rule) for f in lint_dir(tmp_path, case.as_of) if f.rule == rule]
    assert got == [(w.at(key), rule) for key in case.expected]


def test_every_rule_has_a_table_with_a_pass_and_a_fail():
    assert set(TABLE) == set(RULES)
    for rule, cases in TABLE.items():
        assert any(not c.expected for c in cases), rule
        assert any(c.expected for c in cases), rule


# --- severities and messages ----------------------------------------------------------------------------------------

def test_default_severities(tmp_path):
    """One matrix that breaks most rules: each finding carries its rule's default severity."""
    write_matrix(tmp_path, {
        "T1": {"R1": "A", "R2": "A"},                                          # one-accountable, someone-resp.
        "T2": {},                                                              # empty-activity
        "T3": {"R1": "A/R", "R2": "R/C"},                                      # unresolved-cell, no-comm.
    }, roles=["R1", "R2", "R3"])                                               # idle-role R3
    severities = {(f.rule, f.severity) for f in lint_dir(tmp_path)}
    for rule in ("one-accountable", "someone-responsible", "empty-activity", "unresolved-cell",
                 "no-communication", "idle-role"):
        assert (rule, RULES[rule].SEVERITY) in severities


@pytest.mark.parametrize("severity", ["error", "warning", "info"])
def test_severity_is_configurable(tmp_path, severity):
    write_matrix(tmp_path, {"T1": {"R1": "A/R"}}, config={"lint": {"no-communication": severity}})
    [finding] = [f for f in lint_dir(tmp_path) if f.rule == "no-communication"]
    assert finding.severity == severity


def test_severity_and_option_together(tmp_path):
    write_matrix(tmp_path, {"T1": {"R1": "A/R", "R2": "C", "R3": "C"}},
                 config={"lint": {"too-many-consulted": {"severity": "error", "max": 1}}})
    [finding] = [f for f in lint_dir(tmp_path) if f.rule == "too-many-consulted"]
    assert finding.severity == "error"
    assert "consults 2 roles (R2, R3)" in finding.message and "more than 1" in finding.message


def test_unquoted_off_turns_a_rule_off(tmp_path):
    write_matrix(tmp_path, {"T1": {"R1": "A/R"}}, roles=["R1", "R2"],
                 config="lint:\n  idle-role: off\n  no-communication: {severity: off}\n")
    assert not {"idle-role", "no-communication"} & {f.rule for f in lint_dir(tmp_path)}


def test_messages_name_the_activity_the_roles_and_the_letters(tmp_path):
    write_matrix(tmp_path, {"T1": {"R1": "A", "R2": "A", "R3": "C"}, "T2": {"R1": "A", "R2": "R/C"}},
                 roles=["R1", "R2", "R3", "R4"], role_names={"R4": "Auditor"})
    messages = {f.rule: f.message for f in lint_dir(tmp_path)}
    assert "activity T1 has 2 roles Accountable (A): R1, R2" in messages["one-accountable"]
    assert "activity T1 has no Responsible (R); say who does the work" in messages["someone-responsible"]
    assert "R2 holds R/C on activity T2" in messages["unresolved-cell"]
    assert "accepted combinations: A/R" in messages["unresolved-cell"]
    assert "role R4 (Auditor) takes part in no activity" in messages["idle-role"]


def test_findings_are_in_file_order(tmp_path):
    write_matrix(tmp_path, {"T1": {"R1": "R"}, "T2": {"R1": "A/R", "R2": "R/C"}, "T3": {}},
                 roles=["R1", "R2", "R3"])
    findings = lint_dir(tmp_path)
    keys = [f.location.sort_key() for f in findings]
    assert keys == sorted(keys)
    files = [Path(f.location.file).parent.name for f in findings]
    assert files == sorted(files)  # activities/ before roles/


# --- lint: options are checked ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("lint_yaml, where, says", [
    ("  bogus-rule: error", "raci.yaml:3:3", "unknown rule 'bogus-rule'"),
    ("  too-many-consulted: {maxx: 2}", "raci.yaml:3:24", "has no option 'maxx'; did you mean 'max'?"),
    ("  too-many-consulted: {max: -1}", "raci.yaml:3:24", "cannot be negative"),
    ("  too-many-consulted: {max: 1.5}", "raci.yaml:3:24", "takes a whole number"),
    ("  too-many-consulted: {max: two}", "raci.yaml:3:24", "takes a number"),
    ("  overloaded-role: {max-share: 1.5}", "raci.yaml:3:21", "is a share between 0 and 1"),
    ("  someone-responsible: {lone-accountable-implies-responsible: 1}", "raci.yaml:3:25", "takes true or false"),
    ("  too-many-consulted: {severity: fatal}", "raci.yaml:3:3", "severity 'fatal' of too-many-consulted"),
    ("  no-blank-cell: {max: 1}", "raci.yaml:3:19", "rule no-blank-cell has no option 'max'; its options: none"),
])
def test_bad_lint_settings_are_input_errors(tmp_path, lint_yaml, where, says):
    write_matrix(tmp_path, CLEAN, config=f"title: x\nlint:\n{lint_yaml}\n")
    [problem] = input_error(tmp_path)
    assert problem.startswith(where + ": error: ")
    assert says in problem


def test_unknown_rule_in_lint_suggests_the_closest(tmp_path):
    write_matrix(tmp_path, CLEAN, config="lint:\n  too-many-consultd: error\n  idle-roles: \"off\"\n")
    assert input_error(tmp_path) == [
        "raci.yaml:2:3: error: unknown rule 'too-many-consultd'; did you mean 'too-many-consulted'?",
        "raci.yaml:3:3: error: unknown rule 'idle-roles'; did you mean 'idle-role'?",
    ]


def test_configure_keeps_defaults_of_rules_not_named():
    config = configure(())
    assert set(config) == set(RULES)
    for rid, rule in RULES.items():
        assert config[rid].severity == rule.SEVERITY and config[rid].options == rule.OPTIONS
    assert config["too-many-consulted"].options is not RULES["too-many-consulted"].OPTIONS  # a copy


# --- lint-ignore ----------------------------------------------------------------------------------------------------

def test_lint_ignore_on_an_activity_keeps_the_finding_with_its_reason(tmp_path):
    write_matrix(tmp_path, {**CLEAN, "T5": {"R1": "A", "R2": "R", "R3": "R", "R4": "R"}},
                 activity_ignores={"T5": {"too-many-responsible": "Three authors, three kinds of test."}})
    findings = lint_dir(tmp_path)
    [silenced] = [f for f in findings if f.rule == "too-many-responsible"]
    assert silenced.ignored == "Three authors, three kinds of test."
    assert silenced.severity == "warning"
    assert silenced not in active(findings)
    assert [f.rule for f in active(findings) if f.severity != "info"] == []
    assert counts(findings) == {"error": 0, "warning": 0, "info": 1}  # T5's no-communication
    assert exit_status(findings, strict=True) is False


def test_lint_ignore_on_a_role(tmp_path):
    rows = {"T1": {"R1": "A/R", "R2": "I"}, "T2": {"R1": "A/R", "R2": "C"}, "T3": {"R3": "A/R"}}
    w = write_matrix(tmp_path, rows, role_ignores={"R1": {"overloaded-role": "The only engineer we have."}},
                     config={"lint": {"overloaded-role": {"min-activities": 2},
                                      "everywhere-role": {"min-activities": 2, "max-share": 0.6}}})
    findings = lint_dir(tmp_path)
    on_r1 = {f.rule: f for f in findings if rel(f, tmp_path) == w.at("R1")}
    assert set(on_r1) == {"overloaded-role", "everywhere-role"}
    assert on_r1["overloaded-role"].ignored == "The only engineer we have."
    assert on_r1["everywhere-role"].ignored is None  # the same role's other finding is not silenced


def test_lint_ignore_silences_only_its_rule_and_its_item(tmp_path):
    rows = {"T1": {"R1": "A/R"}, "T2": {"R2": "A/R"}}
    write_matrix(tmp_path, rows, activity_ignores={"T1": {"no-communication": "A solo task."}})
    nc = {f.location.line: f.ignored for f in lint_dir(tmp_path) if f.rule == "no-communication"}
    assert sorted(nc.values(), key=str) == ["A solo task.", None]


def test_a_silenced_error_does_not_fail_the_lint(tmp_path):
    write_matrix(tmp_path, {**CLEAN, "T5": {"R1": "A", "R2": "C"}},
                 activity_ignores={"T5": {"someone-responsible": "R1 does it; we write A alone."}})
    findings = lint_dir(tmp_path)
    assert [f.rule for f in findings if f.severity == "error"] == ["someone-responsible"]
    assert counts(findings)["error"] == 0
    assert exit_status(findings) is False


def test_unknown_rule_in_lint_ignore_on_an_activity(tmp_path):
    w = write_matrix(tmp_path, CLEAN, activity_ignores={"T2": {"too-many-responsibles": "reason"}})
    assert input_error(tmp_path) == [
        f"{w.at('T2!too-many-responsibles')}:7: error: unknown rule 'too-many-responsibles'; "
        "did you mean 'too-many-responsible'?"]


def test_unknown_rule_in_lint_ignore_on_a_role(tmp_path):
    w = write_matrix(tmp_path, CLEAN, role_ignores={"R3": {"nonsense": "reason"}})
    [problem] = input_error(tmp_path)
    assert problem.startswith(f"{w.at('R3!nonsense')}:7: error: unknown rule 'nonsense'")


def test_unknown_rules_are_all_reported_at_once(tmp_path):
    w = write_matrix(tmp_path, CLEAN, role_ignores={"R1": {"x-rule": "r"}},
                     activity_ignores={"T1": {"y-rule": "r"}, "T4": {"z-rule": "r"}})
    assert [p.split(": error")[0] for p in input_error(tmp_path)] == [
        f"{w.at('T1!y-rule')}:7", f"{w.at('T4!z-rule')}:7", f"{w.at('R1!x-rule')}:7"]


@pytest.mark.parametrize("reason", ["", " ", "\n\t"])
def test_an_empty_reason_is_an_error(tmp_path, reason):
    w = write_matrix(tmp_path, CLEAN, activity_ignores={"T1": {"no-communication": reason}})
    [problem] = input_error(tmp_path)
    assert problem.startswith(w.at("T1!no-communication") + ":")
    assert "needs a reason" in problem


def test_a_missing_reason_is_an_error(tmp_path):
    w = write_matrix(tmp_path, CLEAN, role_ignores={"R1": {"idle-role": None}})
    [problem] = input_error(tmp_path)
    assert problem.startswith(w.at("R1!idle-role") + ":")


# --- the rule modules -----------------------------------------------------------------------------------------------

RULE_MODULES = sorted(name for _, name, _ in pkgutil.iter_modules(raci_gen.checks.rules.__path__) if not name.startswith("_"))


def test_every_rule_module_is_registered():
    registered = {module.__name__.rsplit(".", 1)[1] for module in RULES.values()}
    assert registered == set(RULE_MODULES)
    assert len(RULES) == len(RULE_MODULES)


@pytest.mark.parametrize("name", RULE_MODULES)
def test_rule_module_interface(name):
    module = importlib.import_module(f"raci_gen.checks.rules.{name}")
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", module.ID), module.ID
    assert module.ID == name.replace("_", "-")
    assert RULES[module.ID] is module
    assert module.SEVERITY in SEVERITIES + ("off",)
    assert isinstance(module.OPTIONS, dict)
    for option, default in module.OPTIONS.items():
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", option)
        assert isinstance(default, (bool, int, float))
    assert isinstance(module.SUMMARY, str) and module.SUMMARY.strip() and "\n" not in module.SUMMARY
    assert callable(module.check)
    assert list(inspect.signature(module.check).parameters) == ["matrix", "options"]
    doc = module.__doc__ or ""
    assert "Passes" in doc and "Fails" in doc
    assert doc.index("Passes") < doc.index("Fails")


def _doc_examples(doc: str) -> list[tuple[str, str | None, dict[str, str], dict]]:
    """``(kind, variant, raci, more)`` for every ``raci: {...}`` line of a rule's docstring; ``more`` holds
    ``sign_offs`` and ``people`` from the ``sign-off: true`` and ``people: {...}`` lines above it."""
    examples, kind, variant, more = [], None, None, {}
    for line in doc.splitlines():
        head = re.match(r"\s*(Passes|Fails)\b(.*)", line)
        if head:
            kind = head.group(1)
            named = re.search(r"\(([A-Za-z-]+)", head.group(2))
            variant = named.group(1) if named and named.group(1) in VARIANTS else None
            continue
        if re.match(r"\s*sign-off:\s*true\s*$", line):
            more["sign_offs"] = {"T1"}
        if people := re.match(r"\s*people:\s*(\{.*\})", line):
            more["people"] = yaml.safe_load(people.group(1))
        body = re.match(r"\s*raci:\s*(\{.*?\})", line)
        if body and kind:
            pairs = re.findall(r"(\w+):\s*([A-Z/]+)", body.group(1))
            examples.append((kind, variant, dict(pairs), more))
            more = {}
    return examples


EXAMPLED = [rid for rid, rule in RULES.items() if _doc_examples(rule.__doc__)]


def test_activity_rules_have_docstring_examples():
    # Role rules, and those whose examples are names (their tables test them), have no raci: example.
    assert set(RULES) - set(EXAMPLED) <= {"idle-role", "overloaded-role", "everywhere-role", "duplicate-activity",
                                          "hidden-character", "vacant-role", "hand-over-due",
                                          "codeowners-handle", "codeowners-no-handle", "codeowners-same-path"}


@pytest.mark.parametrize("rule", EXAMPLED)
def test_docstring_examples_do_what_they_say(tmp_path, rule):
    """Each ``raci:`` example under "Passes" gives no finding of the rule; each under "Fails" gives one."""
    examples = _doc_examples(RULES[rule].__doc__)
    roles = sorted({rid for _, _, raci, _ in examples for rid in raci}, key=lambda r: int(r[1:]))
    for i, (kind, variant, raci, more) in enumerate(examples):
        config = {"lint": {rule: "warning"}}
        if variant:
            config["variant"] = variant
        root = tmp_path / str(i)
        write_matrix(root, {"T1": raci}, roles=roles, config=config, **more)
        hits = [f for f in lint_dir(root) if f.rule == rule]
        assert bool(hits) == (kind == "Fails"), (kind, variant, raci, hits)


# --- raci-gen rules --explain ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("rule", list(RULES))
def test_explain_prints_the_reasoning_and_both_examples(rule):
    from click.testing import CliRunner

    from raci_gen.cli import main

    result = CliRunner().invoke(main, ["rules", "--explain", rule])
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.startswith(f"{rule} (default: {RULES[rule].SEVERITY}")
    assert "Passes" in text and "Fails" in text and text.index("Passes") < text.index("Fails")
    assert plain_docstring(inspect.cleandoc(RULES[rule].__doc__)) in text
    # what reaches the terminal is plain text, not the docstring's reStructuredText
    assert "``" not in text and "::\n" not in text


def test_plain_docstring_drops_the_rst_marks():
    assert plain_docstring("Use ``raci:`` here.\n\nPasses::\n\n    raci: {R1: A}") == (
        "Use `raci:` here.\n\nPasses:\n\n    raci: {R1: A}")


def test_explain_an_unknown_rule_is_a_usage_error():
    from click.testing import CliRunner

    from raci_gen.cli import main

    result = CliRunner().invoke(main, ["rules", "--explain", "overloaded"])
    assert result.exit_code == 2
    assert "no rule 'overloaded'; did you mean 'overloaded-role'?" in result.output


def test_hidden_character_names_the_code_point_and_the_place(tmp_path):
    write_matrix(tmp_path, {"T1": {"R1": "A/R"}}, role_names={"R1": "Data \u202eScientist"})
    [finding] = [f for f in lint_dir(tmp_path) if f.rule == "hidden-character"]
    assert finding.severity == "error"
    assert rel_full(finding, tmp_path) == "roles/roles.yaml:2:5"
    assert finding.message == ("role R1 name: character 6 is U+202E RIGHT-TO-LEFT OVERRIDE, a bidi control that "
                               "shows the text after it in another order than it is; remove it")
    assert "\u202e" not in finding.message

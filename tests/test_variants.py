"""The built-in variants and custom ones: which letters are valid, and which rules bind them.

For each built-in variant, a valid matrix lints with no error and an invalid one
gives the expected rule ids; a letter of one variant is a load error in another;
a custom variant declared in raci.yaml loads and lints, and its bad declarations
are input errors that say where.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from raci_gen.checks.analysis import lint
from raci_gen.model.errors import InputError
from raci_gen.input.cells import parse_letters
from raci_gen.input.loader import load_project
from raci_gen.model.variants import VARIANTS

PHASE_FILE = "activities/phase.yaml"


# --- helpers (the same shape of project as tests/test_rules.py) -----------------------------------------------------

def write_matrix(root: Path, activities: dict[str, dict[str, str]], roles: list[str] | None = None,
                 config: str | dict | None = None) -> dict[str, int]:
    """Write a one-phase project; return the line of each activity (``T1``) and cell (``T1.R2``)."""
    root = Path(root)
    (root / "roles").mkdir(parents=True, exist_ok=True)
    (root / "activities").mkdir(parents=True, exist_ok=True)
    if roles is None:
        roles = list(dict.fromkeys(rid for raci in activities.values() for rid in raci)) or ["R1"]
    lines: dict[str, int] = {}
    out = ["roles:"]
    for rid in roles:
        out += [f"  - id: {rid}", f"    name: Role {rid}"]
        lines[rid] = len(out) - 1
    (root / "roles" / "roles.yaml").write_text("\n".join(out) + "\n", encoding="utf-8")
    out = ["phase: Phase one", "activities:"]
    for aid, raci in activities.items():
        out.append(f"  - id: {aid}")
        lines[aid] = len(out)
        out.append(f"    name: Activity {aid}")
        out.append("    raci:" if raci else "    raci: {}")
        for rid, letters in raci.items():
            out.append(f"      {rid}: {json.dumps(letters)}")
            lines[f"{aid}.{rid}"] = len(out)
    (root / PHASE_FILE).write_text("\n".join(out) + "\n", encoding="utf-8")
    if config is not None:
        text = config if isinstance(config, str) else json.dumps(config, indent=2)
        (root / "raci.yaml").write_text(text, encoding="utf-8")
    return lines


def lint_dir(root: Path):
    project = load_project(str(root))
    return lint(project.matrix, project.settings)


def problems_of(root: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        lint_dir(root)
    return [f"{Path(os.path.relpath(p.location.file, root)).as_posix()}:{p.location.line}:{p.location.column}: "
            f"{p.message}" for p in info.value.problems]


def rotation(template: list[str], n_roles: int | None = None) -> dict[str, dict[str, str]]:
    """``n_roles`` activities over ``n_roles`` roles (default one more than the template): activity k gives
    ``template[j]`` to role ``(j + k) % n``, so every role holds every letter once and sits out the rest."""
    n = n_roles or len(template) + 1
    return {f"T{k + 1}": {f"R{(j + k) % n + 1}": letters for j, letters in enumerate(template)} for k in range(n)}


# --- the built-in variants ------------------------------------------------------------------------------------------

def test_the_built_in_variants():
    assert list(VARIANTS) == ["RACI", "RASCI", "RACI-VS", "CAIRO", "DACI", "RAPID", "PARIS", "PACSI"]


@pytest.mark.parametrize("name", list(VARIANTS))
def test_variant_is_consistent(name):
    v = VARIANTS[name]
    codes = v.codes()
    assert v.name == name
    assert len(set(codes)) == len(codes), "a letter twice"
    assert all(re.fullmatch(r"[A-Z]", c) for c in codes)
    assert sorted(v.order) == sorted(codes), "order must list every letter once"
    named = (*v.exactly_one, *v.doers, *v.consulted, *v.informed, *v.at_most_one, *v.not_involved,
             *(c for combo in v.combinations for c in combo),
             *(c for letter, needed in v.needs for c in (letter, *needed)))
    assert set(named) <= set(codes)
    assert v.doers, "every variant says who does the work"
    for letter in v.letters:
        assert re.fullmatch(r"#[0-9A-F]{6}", letter.fill) and re.fullmatch(r"#[0-9A-F]{6}", letter.text)
        assert letter.name and letter.meaning
    assert not set(v.not_involved) & set(v.owners() + v.consulted + v.informed)
    for combo in v.combinations:
        assert parse_letters("/".join(combo), v) == tuple(sorted(combo, key=v.order.index))


def test_letter_clashes_are_parts_not_names():
    """A means Agree in RAPID (not the single owner); R means Review in PARIS (not the doer)."""
    assert VARIANTS["RAPID"].exactly_one == ("D",) and "A" not in VARIANTS["RAPID"].owners()
    assert VARIANTS["PARIS"].doers == ("P",) and "R" not in VARIANTS["PARIS"].owners()
    assert VARIANTS["PACSI"].doers == ("P",)
    assert set(VARIANTS["DACI"].exactly_one) == {"A", "D"}


# (variant, template for a clean rotation, roles for it or None)
VALID = {
    "RACI": (["A", "R", "C", "I"], None),
    "RASCI": (["A", "R", "S", "C", "I"], None),
    "RACI-VS": (["A", "R", "V", "S", "C", "I"], None),
    "CAIRO": (["A", "R", "C", "I", "O"], 5),        # every cell filled, so no-blank-cell passes too
    "DACI": (["D", "A", "C", "I"], None),
    "RAPID": (["D", "R", "A", "A", "P", "I"], None),  # several Agree
    "PARIS": (["A/P", "P", "R", "I", "S"], None),     # A/P is settled practice
    "PACSI": (["A/P", "P", "C", "S", "I"], None),
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_valid_matrix_lints_clean(tmp_path, variant):
    template, n = VALID[variant]
    config = {"variant": variant}
    if variant == "CAIRO":
        config["lint"] = {"no-blank-cell": "error"}
    write_matrix(tmp_path, rotation(template, n), config=config)
    project = load_project(str(tmp_path))
    assert project.matrix.variant is VARIANTS[variant]
    assert [str(f) for f in lint(project.matrix, project.settings)] == []


# (variant, one activity's raci, roles or None, rule ids expected on the activity, in file order)
INVALID = [
    ("RACI", {"R1": "A", "R2": "A", "R3": "C"}, ["someone-responsible", "one-accountable"]),
    ("RACI", {"R1": "A/R", "R2": "R/C"}, ["unresolved-cell"]),
    ("RASCI", {"R1": "A", "R2": "S", "R3": "C"}, ["someone-responsible"]),  # one finding for the missing R
    ("RASCI", {"R1": "A", "R2": "R/S", "R3": "C"}, ["unresolved-cell"]),
    ("RACI-VS", {"R1": "A/R", "R2": "S", "R3": "S", "R4": "C"}, ["letter-needs", "at-most-one"]),
    ("RACI-VS", {"R1": "A/R", "R2": "V", "R3": "S", "R4": "S", "R5": "I"}, ["at-most-one"]),
    ("CAIRO", {"R1": "O", "R2": "O"}, ["empty-activity"]),
    ("CAIRO", {"R1": "A", "R2": "O", "R3": "C"}, ["someone-responsible"]),
    ("CAIRO", {"R1": "A/R", "R2": "R/O", "R3": "I"}, ["unresolved-cell"]),
    ("DACI", {"R1": "D", "R2": "D", "R3": "A", "R4": "C"}, ["one-accountable"]),
    ("DACI", {"R1": "D", "R2": "A", "R3": "A", "R4": "I"}, ["one-accountable"]),
    ("DACI", {"R1": "A", "R2": "C"}, ["one-accountable"]),  # the missing Driver, once
    ("DACI", {"R1": "A/D", "R2": "C"}, ["unresolved-cell"]),
    ("RAPID", {"R1": "D", "R2": "D", "R3": "P", "R4": "I"}, ["one-accountable"]),
    ("RAPID", {"R1": "D", "R2": "R", "R3": "A", "R4": "I"}, ["someone-responsible"]),
    ("RAPID", {"R2": "R", "R3": "P", "R4": "I"}, ["one-accountable"]),
    ("PARIS", {"R1": "A", "R2": "R", "R3": "I"}, ["someone-responsible"]),
    ("PARIS", {"R1": "A/R", "R2": "I"}, ["someone-responsible", "unresolved-cell"]),
    ("PARIS", {"R1": "A", "R2": "A", "R3": "P", "R4": "I"}, ["one-accountable"]),
    ("PACSI", {"R1": "A", "R2": "C", "R3": "S"}, ["someone-responsible"]),
    ("PACSI", {"R1": "A/P", "R2": "C/S"}, ["unresolved-cell"]),
]


@pytest.mark.parametrize("variant, raci, expected", INVALID,
                         ids=[f"{v}: {'/'.join(r.values())}" for v, r, _ in INVALID])
def test_invalid_matrix(tmp_path, variant, raci, expected):
    write_matrix(tmp_path, {"T1": raci}, config={"variant": variant})
    on_activity = [f.rule for f in lint_dir(tmp_path) if f.location.file.endswith(PHASE_FILE)
                   and f.severity in ("error", "warning")]
    assert on_activity == expected


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_every_variant_has_valid_and_invalid_cases(variant):
    assert variant in VALID
    assert any(v == variant for v, _, _ in INVALID)


def test_daci_exactly_one_driver_and_one_approver(tmp_path):
    lines = write_matrix(tmp_path, {"T1": {"R1": "D", "R2": "D", "R3": "C"}, "T2": {"R1": "A", "R2": "A", "R3": "D"}},
                         config={"variant": "DACI"})
    got = [(f.location.line, f.message) for f in lint_dir(tmp_path) if f.rule == "one-accountable"]
    assert got == [
        (lines["T1"], "activity T1 has no Approver (A); give exactly one role A"),
        (lines["T1.R2"], "activity T1 has 2 roles Driver (D): R1, R2; keep exactly one"),
        (lines["T2.R2"], "activity T2 has 2 roles Approver (A): R1, R2; keep exactly one"),
    ]


def test_rapid_needs_a_perform_and_allows_several_agree(tmp_path):
    write_matrix(tmp_path, {"T1": {"R1": "D", "R2": "R", "R3": "A", "R4": "A", "R5": "A"}}, config={"variant": "RAPID"})
    findings = {f.rule: f.message for f in lint_dir(tmp_path)}
    assert "one-accountable" not in findings and "at-most-one" not in findings
    assert findings["someone-responsible"] == "activity T1 has no Perform (P); say who does the work"


def test_rapid_lone_decide_implies_perform_when_asked(tmp_path):
    write_matrix(tmp_path, {"T1": {"R1": "D", "R2": "I"}},
                 config={"variant": "RAPID",
                         "lint": {"someone-responsible": {"lone-accountable-implies-responsible": True}}})
    assert "someone-responsible" not in {f.rule for f in lint_dir(tmp_path)}


def test_cairo_o_counts_as_not_involved(tmp_path):
    lines = write_matrix(tmp_path, {"T1": {"R1": "A/R", "R2": "I", "R3": "O"}, "T2": {"R1": "O", "R2": "O", "R3": "O"},
                                    "T3": {"R2": "A/R", "R1": "C", "R3": "O"}},
                         config={"variant": "CAIRO"})
    got = [(f.location.line, f.rule) for f in lint_dir(tmp_path) if f.severity in ("error", "warning")]
    assert (lines["T2"], "empty-activity") in got
    assert (lines["R3"], "idle-role") in got                      # R3 is only ever O
    # an empty activity is only empty-activity's: no missing A, R or talk on it
    assert [rule for line, rule in got if line == lines["T2"]] == ["empty-activity"]
    # O is not a letter on the role: R3 is not "everywhere" though it has a cell on every activity
    assert (lines["R3"], "everywhere-role") not in got


def test_cairo_no_blank_cell_when_enabled(tmp_path):
    rows = {"T1": {"R1": "A/R", "R2": "O", "R3": "I"}, "T2": {"R2": "A/R", "R3": "C"}}
    lines = write_matrix(tmp_path, rows, config={"variant": "CAIRO"})
    assert "no-blank-cell" not in {f.rule for f in lint_dir(tmp_path)}
    write_matrix(tmp_path, rows, config={"variant": "CAIRO", "lint": {"no-blank-cell": "warning"}})
    [finding] = [f for f in lint_dir(tmp_path) if f.rule == "no-blank-cell"]
    assert finding.location.line == lines["T2"] and finding.severity == "warning"
    assert "no letter for R1" in finding.message and "write O" in finding.message


def test_no_blank_cell_outside_cairo_does_not_ask_for_o(tmp_path):
    write_matrix(tmp_path, {"T1": {"R1": "A/R"}}, roles=["R1", "R2"], config={"lint": {"no-blank-cell": "warning"}})
    [finding] = [f for f in lint_dir(tmp_path) if f.rule == "no-blank-cell"]
    assert "no letter for R2" in finding.message
    assert " O " not in finding.message  # O is no RACI letter


@pytest.mark.parametrize("variant", ["PARIS", "PACSI"])
def test_p_plays_r_and_a_p_is_accepted(tmp_path, variant):
    write_matrix(tmp_path, {"T1": {"R1": "A/P", "R2": "I"}, "T2": {"R2": "A", "R1": "P", "R3": "I"}},
                 config={"variant": variant})
    rules = {f.rule for f in lint_dir(tmp_path)}
    assert not rules & {"someone-responsible", "unresolved-cell", "one-accountable"}


# --- letters are checked at load time -------------------------------------------------------------------------------

ALL_LETTERS = sorted({c for v in VARIANTS.values() for c in v.codes()})


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("letter", ALL_LETTERS)
def test_letter_is_valid_only_in_its_variants(variant, letter):
    result = parse_letters(letter, VARIANTS[variant])
    if letter in VARIANTS[variant].codes():
        assert result == (letter,)
    else:
        assert isinstance(result, str) and f"is not a {variant} letter" in result


@pytest.mark.parametrize("variant, letter", [
    ("RACI", "S"), ("RACI", "O"), ("RACI", "D"), ("RASCI", "V"), ("RASCI", "O"), ("DACI", "R"),
    ("RAPID", "C"), ("PARIS", "C"), ("PACSI", "R"), ("CAIRO", "S"),
])
def test_a_letter_of_another_variant_is_an_input_error(tmp_path, variant, letter):
    lines = write_matrix(tmp_path, {"T1": {"R1": "A", "R22": letter}}, config={"variant": variant})
    assert problems_of(tmp_path) == [
        f"{PHASE_FILE}:{lines['T1.R22']}:12: '{letter}' is not a {variant} letter; expected one or more of "
        f"{', '.join(VARIANTS[variant].codes())}{COMBINATIONS_SAID[variant]}"]


COMBINATIONS_SAID = {
    "RACI": " (A/R for accountable and doing the work)", "RASCI": " (A/R for accountable and doing the work)",
    "RACI-VS": " (A/R for accountable and doing the work)", "CAIRO": " (A/R for accountable and doing the work)",
    "DACI": "", "RAPID": "", "PARIS": " (A/P for accountable and participant)",
    "PACSI": " (A/P for accountable and perform)",
}
"""How the error for a wrong letter names each variant's accepted combinations."""


def test_o_is_valid_under_cairo_only(tmp_path):
    for variant in VARIANTS:
        root = tmp_path / variant
        write_matrix(root, {"T1": {"R1": "A", "R2": "O"}}, config={"variant": variant})
        if variant == "CAIRO":
            load_project(str(root))
        else:
            assert problems_of(root) == [f"{PHASE_FILE}:7:11: 'O' is not a {variant} letter; expected one or more "
                                         f"of {', '.join(VARIANTS[variant].codes())}{COMBINATIONS_SAID[variant]}"]


def test_the_default_variant_is_raci(tmp_path):
    write_matrix(tmp_path, {"T1": {"R1": "A/R"}})
    assert load_project(str(tmp_path)).matrix.variant is VARIANTS["RACI"]


@pytest.mark.parametrize("name, hint", [
    ("RASIC", "did you mean 'RASCI'?"),
    ("raci", "did you mean 'RACI'?"),
    ("Cairo", "did you mean 'CAIRO'?"),
    ("RACIVS", "did you mean 'RACI-VS'?"),
    ("DACY", "did you mean 'DACI'?"),
    ("XYZZY", "choose from RACI, RASCI, RACI-VS, CAIRO, DACI, RAPID, PARIS, PACSI, or declare one"),
])
def test_unknown_variant_suggests_the_closest(tmp_path, name, hint):
    write_matrix(tmp_path, {"T1": {"R1": "A/R"}}, config=f"title: x\nvariant: {name}\n")
    assert problems_of(tmp_path) == [f"raci.yaml:2:10: unknown variant '{name}'; {hint}"]


# --- custom variants ------------------------------------------------------------------------------------------------

RAEW = """\
variant:
  name: RAEW
  description: Responsibility, Authority, Expertise, Work.
  letters:
    - {code: R, name: Responsible, meaning: Does the work., colour: "#c9e7c0"}
    - {code: A, name: Authority, meaning: Decides; exactly one., colour: "#F5B69B"}
    - {code: E, name: Expertise, meaning: Brings expert knowledge., colour: "#BBD5EF"}
    - {code: W, name: Work, meaning: Helps with the work., colour: "#F7E3A1"}
    - {code: N, name: Notified, meaning: Told after., colour: "#E4E4E4"}
  exactly-one: [A]
  does-the-work: [R]
  consulted: [E]
  informed: [N]
  combinations: [A/R]
  at-most-one: [W]
  needs: {W: [R]}
"""


def test_custom_variant_loads(tmp_path):
    write_matrix(tmp_path, {"T1": {"R1": "R/A", "R2": "E"}}, config=RAEW)
    variant = load_project(str(tmp_path)).matrix.variant
    assert variant.name == "RAEW" and variant.codes() == ("R", "A", "E", "W", "N")
    assert variant.letter("R").fill == "#C9E7C0" and variant.letter("A").name == "Authority"
    assert variant.exactly_one == ("A",) and variant.doers == ("R",)
    assert variant.consulted == ("E",) and variant.informed == ("N",)
    assert variant.combinations == (("A", "R"),) and variant.at_most_one == ("W",)
    assert variant.needs == (("W", ("R",)),)
    assert variant.description == "Responsibility, Authority, Expertise, Work."
    assert load_project(str(tmp_path)).matrix.activities().__next__().cells[0].letters == ("A", "R")


def test_custom_variant_lints_by_its_declarations(tmp_path):
    template = ["A/R", "E", "N", "W"]
    write_matrix(tmp_path, rotation(template), config=RAEW)
    assert [str(f) for f in lint_dir(tmp_path)] == []

    lines = write_matrix(tmp_path / "bad", {
        "T1": {"R1": "A", "R2": "W", "R3": "E"},               # nobody does the work (and W needs R): once
        "T2": {"R1": "A/R", "R2": "A", "R3": "N"},             # two A
        "T3": {"R1": "A/R", "R2": "W", "R3": "W", "R4": "E"},  # W at most once
        "T4": {"R1": "A/E", "R2": "R", "R3": "N"},             # A/E is no accepted combination
    }, config=RAEW)
    got = [(f.location.line, f.rule) for f in lint_dir(tmp_path / "bad") if f.location.file.endswith(PHASE_FILE)]
    assert got == [
        (lines["T1"], "someone-responsible"),
        (lines["T2.R2"], "one-accountable"),
        (lines["T3.R3"], "at-most-one"),
        (lines["T4.R1"], "unresolved-cell"),
    ]


def test_custom_variant_letters_are_checked_at_load_time(tmp_path):
    lines = write_matrix(tmp_path, {"T1": {"R1": "A/R", "R2": "C"}}, config=RAEW)
    assert problems_of(tmp_path) == [
        f"{PHASE_FILE}:{lines['T1.R2']}:11: 'C' is not a RAEW letter; expected one or more of R, A, E, W, N "
        "(A/R for accountable and doing the work)"]


def test_custom_variant_without_doers_or_owners(tmp_path):
    """A variant that names no doer and no single owner: the rules about them have nothing to check."""
    config = """\
variant:
  name: Tags
  letters:
    - {code: X, name: Involved}
    - {code: Y, name: Watching}
  informed: [Y]
"""
    write_matrix(tmp_path, {"T1": {"R1": "X", "R2": "Y"}, "T2": {"R2": "X", "R1": "Y"}}, config=config)
    messages = [str(f) for f in lint_dir(tmp_path)]
    assert not [m for m in messages if "someone-responsible" in m or "role-without-ownership" in m
                or "one-accountable" in m], messages


def _custom(tmp_path, variant_yaml: str) -> list[str]:
    write_matrix(tmp_path, {"T1": {"R1": "A"}}, config=variant_yaml)
    return problems_of(tmp_path)


def test_custom_variant_unknown_letter_in_exactly_one(tmp_path):
    assert _custom(tmp_path, """\
variant:
  name: Mine
  letters:
    - {code: A, name: Owner}
    - {code: R, name: Doer}
  exactly-one: [A, X]
  does-the-work: [R]
""") == ["raci.yaml:6:20: exactly-one names 'X', which is not one of the variant's letters (A, R)"]


def test_custom_variant_unknown_letters_elsewhere(tmp_path):
    problems = _custom(tmp_path, """\
variant:
  name: Mine
  letters:
    - {code: A, name: Owner}
    - {code: R, name: Doer}
  does-the-work: [D]
  consulted: [C]
  combinations: [A/Q]
  at-most-one: [Z]
""")
    assert problems == [
        "raci.yaml:6:19: does-the-work names 'D', which is not one of the variant's letters (A, R)",
        "raci.yaml:7:15: consulted names 'C', which is not one of the variant's letters (A, R)",
        "raci.yaml:8:18: combinations names 'Q', which is not one of the variant's letters (A, R)",
        "raci.yaml:9:17: at-most-one names 'Z', which is not one of the variant's letters (A, R)",
    ]


def test_custom_variant_bad_colour(tmp_path):
    problems = _custom(tmp_path, """\
variant:
  name: Mine
  letters:
    - {code: A, name: Owner, colour: "#F5B69"}
    - {code: R, name: Doer, colour: green}
  exactly-one: [A]
  does-the-work: [R]
""")
    assert "raci.yaml:4:38: '#F5B69' is not a colour; write it as #RRGGBB" in problems
    assert "raci.yaml:5:37: 'green' is not a colour; write it as #RRGGBB" in problems


def test_custom_variant_duplicate_letter(tmp_path):
    assert _custom(tmp_path, """\
variant:
  name: Mine
  letters:
    - {code: A, name: Owner}
    - {code: R, name: Doer}
    - {code: A, name: Approver}
  exactly-one: [A]
  does-the-work: [R]
""") == ["raci.yaml:6:14: letter 'A' is declared twice"]


def test_custom_variant_bad_letter_code(tmp_path):
    problems = _custom(tmp_path, """\
variant:
  name: Mine
  letters:
    - {code: A, name: Owner}
    - {code: rr, name: Doer}
""")
    assert any(p.startswith("raci.yaml:5:14: 'rr' is not a letter") for p in problems), problems


# --- custom and unknown variants: problems point at their own place, and stand alone ---

def test_custom_variant_bad_combination_points_at_its_item(tmp_path):
    assert _custom(tmp_path, """\
variant:
  name: Mine
  letters:
    - {code: A, name: Owner}
    - {code: R, name: Doer}
  combinations:
    - A/Q
    - A/R
""") == ["raci.yaml:7:7: combinations names 'Q', which is not one of the variant's letters (A, R)"]


@pytest.mark.parametrize("variant_yaml", [
    "variant: RASIC\n",
    "variant:\n  name: RAEW\n  letters:\n    - {code: A, name: Owner, colour: \"#F5B69\"}\n"
    "    - {code: W, name: Work}\n  exactly-one: [A]\n  does-the-work: [W]\n",
])
def test_a_bad_variant_is_the_only_problem_reported(tmp_path, variant_yaml):
    write_matrix(tmp_path, {"T1": {"R1": "A", "R2": "W"}}, config=variant_yaml)
    problems = problems_of(tmp_path)
    assert len(problems) == 1 and problems[0].startswith("raci.yaml:"), problems

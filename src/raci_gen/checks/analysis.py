"""Lint a matrix the way an experienced project manager would.

Rules live in :mod:`raci_gen.checks.rules`, one small module each, registered in one
dict. A rule yields :class:`~raci_gen.checks.findings.Hit` objects; this module attaches
the rule id and the configured severity, applies ``lint-ignore`` entries, and
returns :class:`~raci_gen.checks.findings.Finding` objects. Nothing here raises for a finding; only a wrong
``lint:`` configuration raises :class:`~raci_gen.model.errors.InputError`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Iterable

from raci_gen.model.errors import InputError, Problem
from raci_gen.checks.findings import SEVERITIES, Finding, Hit, active, counts
from raci_gen.model.matrix import Activity, Matrix, Role, RuleSetting, Settings
from raci_gen.checks.rules import RULES
from raci_gen.checks.workload import Workload, workload

__all__ = ["SEVERITIES", "Finding", "Hit", "RoleView", "RuleConfig", "Workload", "active", "check_ignores",
           "configure", "counts", "exit_status", "lint", "phase_workload", "role_view", "workload"]


@dataclass(frozen=True)
class RuleConfig:
    severity: str
    options: dict[str, object]


def configure(settings: Iterable[RuleSetting]) -> dict[str, RuleConfig]:
    """The effective severity and options of every rule, after raci.yaml's ``lint:`` section."""
    config = {rid: RuleConfig(rule.SEVERITY, dict(rule.OPTIONS)) for rid, rule in RULES.items()}
    problems: list[Problem] = []
    for setting in settings:
        if setting.rule not in RULES:
            problems.append(Problem(setting.location, _unknown_rule(setting.rule)))
            continue
        rule = RULES[setting.rule]
        current = config[setting.rule]
        severity = setting.severity or current.severity
        if severity not in SEVERITIES + ("off",):
            problems.append(Problem(setting.location, f"severity {severity!r} of {setting.rule} is not one of "
                                                      f"{', '.join(SEVERITIES)}, off"))
            continue
        options = dict(current.options)
        for name, value, where in setting.options:
            if name not in rule.OPTIONS:
                known = ", ".join(rule.OPTIONS) or "none"
                close = difflib.get_close_matches(name, list(rule.OPTIONS), n=1)
                hint = f"did you mean {close[0]!r}?" if close else f"its options: {known}"
                problems.append(Problem(where, f"rule {setting.rule} has no option {name!r}; {hint}"))
                continue
            problem = _check_option(setting.rule, name, value, rule.OPTIONS[name])
            if problem:
                problems.append(Problem(where, problem))
                continue
            options[name] = value
        config[setting.rule] = RuleConfig(severity, options)
    if problems:
        raise InputError(problems)
    return config


def _check_option(rule: str, name: str, value: object, default: object) -> str | None:
    if isinstance(default, bool):
        if not isinstance(value, bool):
            return f"option {name} of {rule} takes true or false, got {value!r}"
        return None
    if isinstance(default, (int, float)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"option {name} of {rule} takes a number, got {value!r}"
        if isinstance(default, int) and not isinstance(value, int):
            return f"option {name} of {rule} takes a whole number, got {value!r}"
        if isinstance(default, float) and not 0 <= value <= 1:
            return f"option {name} of {rule} is a share between 0 and 1, got {value!r}"
        if value < 0:
            return f"option {name} of {rule} cannot be negative, got {value!r}"
    return None


def _unknown_rule(rule: str) -> str:
    close = difflib.get_close_matches(rule, list(RULES), n=1)
    hint = f"did you mean {close[0]!r}?" if close else "run `raci-gen rules` for the list"
    return f"unknown rule {rule!r}; {hint}"


def check_ignores(matrix: Matrix) -> None:
    """Every ``lint-ignore`` names a known rule and says why (else the input is wrong)."""
    problems = []
    for item in (*matrix.roles, *matrix.activities()):
        for ignore in item.ignores:
            if ignore.rule not in RULES:
                problems.append(Problem(ignore.location, _unknown_rule(ignore.rule)))
            elif not ignore.reason.strip():
                problems.append(Problem(ignore.location, "a lint-ignore needs a reason: say why the rule does "
                                                         "not apply here"))
    if problems:
        raise InputError(problems)


def lint(matrix: Matrix, settings: Settings | None = None, select: Iterable[str] | None = None,
         ignore: Iterable[str] = ()) -> list[Finding]:
    """All findings for the matrix, silenced ones included (with their reason), in file order.

    ``select`` (rule ids) runs only those rules, as ruff's ``--select`` does; a selected rule that is off
    (by default, like no-blank-cell, or in raci.yaml) runs at warning. ``ignore`` leaves rules out. Both
    act before one finding per problem is chosen, so ignoring one-accountable lets someone-responsible
    report a missing DACI Driver."""
    problems: list[Problem] = []  # the lint: section's and the lint-ignores' problems, reported together
    try:
        config = configure(settings.lint if settings else ())
    except InputError as exc:
        problems.extend(exc.problems)
    try:
        check_ignores(matrix)
    except InputError as exc:
        problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    chosen = set(RULES) if select is None else set(select)
    chosen -= set(ignore)
    findings = []
    seen: dict[tuple, int] = {}  # problem -> index in findings of the finding that reports it
    for rule_id, rule in RULES.items():
        if rule_id not in chosen:
            continue
        effective = config[rule_id]
        if effective.severity == "off":
            if select is None:
                continue
            effective = RuleConfig("warning", effective.options)
        options = effective.options
        if hasattr(rule, "settings_options"):  # a rule that reads raci.yaml beyond lint: (codeowners-*)
            options = {**options, **rule.settings_options(settings)}
        for hit in rule.check(matrix, options):
            reason = next((i.reason for i in hit.subject.ignores if i.rule == rule_id), None)
            finding = Finding(hit.location, rule_id, effective.severity, hit.message, reason, hit.related,
                              hit.subject)
            if hit.problem is None:
                findings.append(finding)
                continue
            # One finding per problem: the most severe report of it, the first rule's on a tie.
            if hit.problem not in seen:
                seen[hit.problem] = len(findings)
                findings.append(finding)
            elif SEVERITIES.index(finding.severity) < SEVERITIES.index(findings[seen[hit.problem]].severity):
                findings[seen[hit.problem]] = finding
    return sorted(findings, key=lambda f: (f.location.sort_key(), SEVERITIES.index(f.severity), f.rule))


def exit_status(findings: Iterable[Finding], strict: bool = False) -> bool:
    """True when the findings should fail a check: any error, or any warning with ``strict``."""
    c = counts(findings)
    return bool(c["error"] or (strict and c["warning"]))


def phase_workload(matrix: Matrix) -> list[tuple[str, dict[str, int]]]:
    """Letters per phase: how many cells of each letter the phase holds."""
    result = []
    for phase in matrix.phases:
        counts = {code: 0 for code in matrix.variant.codes()}
        for activity in phase.activities:
            for cell in activity.cells:
                for code in cell.letters:
                    counts[code] += 1
        result.append((phase.name, counts))
    return result


@dataclass(frozen=True)
class RoleView:
    """What one role is on the hook for: per part it plays, the activities grouped by phase."""

    role: Role
    parts: list[tuple[str, str, list[tuple[str, list[Activity]]]]]
    """(cell text such as ``A/R``, its name such as "Accountable and Responsible", [(phase name, [activities])]),
    owner parts first, in the variant's writing order; parts the role never plays are left out."""


def role_view(matrix: Matrix, role: Role) -> RoleView:
    variant = matrix.variant
    texts: dict[str, dict[str, list[Activity]]] = {}
    for phase in matrix.phases:
        for activity in phase.activities:
            letters = activity.letters(role.id)
            if letters:
                texts.setdefault("/".join(letters), {}).setdefault(phase.name, []).append(activity)
    # A/R before A before R: by the first letter's place in the writing order, longer cells first.
    ordered = sorted(texts, key=lambda t: (variant.order.index(t[0]), -len(t),
                                           [variant.order.index(c) for c in t.split("/")]))
    parts = []
    for text in ordered:
        name = " and ".join(variant.letter(code).name for code in text.split("/"))
        parts.append((text, name, list(texts[text].items())))
    return RoleView(role, parts)

"""Lint findings as text for people, JSON for tools, GitHub annotations and SARIF.

Each function takes findings and returns the whole report as a string; the CLI
prints it. Silenced findings (``lint-ignore``) appear only in verbose text and
in JSON/SARIF with their reason, so dashboards can show what was waived.
"""

from __future__ import annotations

import json
import re
from typing import Callable
from urllib.parse import quote

from raci_gen import __version__
from raci_gen.analysis import SEVERITIES, Finding, active, counts

JSON_SCHEMA_VERSION = 1


def summary(findings: list[Finding]) -> str:
    c = counts(findings)
    silenced = len(findings) - len(active(findings))
    parts = [f"{c[s]} {s}{'s' if c[s] != 1 and s != 'info' else ''}" for s in SEVERITIES]
    text = ", ".join(parts)
    if silenced:
        text += f" ({silenced} silenced by lint-ignore)"
    return text


def format_text(findings: list[Finding], verbose: bool = False) -> str:
    lines = []
    for finding in findings:
        if finding.ignored is None:
            lines.append(str(finding))
        elif verbose:
            lines.append(f"{finding} (silenced: {finding.ignored})")
    lines.append(summary(findings))
    return "\n".join(lines) + "\n"


def format_json(findings: list[Finding], verbose: bool = False) -> str:
    """JSON documented in README ("raci-gen lint --format json")."""
    document = {
        "version": JSON_SCHEMA_VERSION,
        "tool": {"name": "raci-gen", "version": __version__},
        "summary": counts(findings),
        "findings": [
            {
                "file": f.location.file, "line": f.location.line, "column": f.location.column,
                "severity": f.severity, "rule": f.rule, "message": f.message,
                "silenced": f.ignored is not None, "reason": f.ignored,
            }
            for f in findings
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _github_escape(text: str, prop: bool = False) -> str:
    # https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def format_github(findings: list[Finding], verbose: bool = False) -> str:
    level = {"error": "error", "warning": "warning", "info": "notice"}
    lines = []
    for f in active(findings):
        loc = f.location
        lines.append(f"::{level[f.severity]} file={_github_escape(loc.file, True)},line={loc.line},"
                     f"col={loc.column},title={_github_escape(f.rule, True)}::{_github_escape(f.message)}")
    lines.append(summary(findings))
    return "\n".join(lines) + "\n"


def _sarif_uri(path: str) -> str:
    """A file path as SARIF wants it: a URI reference with ``/`` separators, spaces and the like percent-encoded.

    A relative path stays relative (to the folder the lint ran in); an absolute one becomes a ``file:`` URI.
    """
    path = path.replace("\\", "/")
    if re.match(r"[A-Za-z]:/", path):  # C:/project/roles.yaml
        return "file:///" + path[:2] + quote(path[2:], safe="/")
    if path.startswith("/"):
        return "file://" + quote(path, safe="/")
    return quote(path, safe="/")


def format_sarif(findings: list[Finding], verbose: bool = False) -> str:
    from raci_gen.rules import RULES

    level = {"error": "error", "warning": "warning", "info": "note"}
    rule_ids = list(RULES)
    results = []
    for f in findings:
        result = {
            "ruleId": f.rule,
            "ruleIndex": rule_ids.index(f.rule),
            "level": level[f.severity],
            "message": {"text": f.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": _sarif_uri(f.location.file)},
                "region": {"startLine": f.location.line, "startColumn": f.location.column},
            }}],
        }
        if f.ignored is not None:
            result["suppressions"] = [{"kind": "inSource", "justification": f.ignored}]
        results.append(result)
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "raci-gen",
                "version": __version__,
                "informationUri": "https://pypi.org/project/raci-gen/",
                "rules": [{
                    "id": rid,
                    "shortDescription": {"text": rule.SUMMARY},
                    "fullDescription": {"text": (rule.__doc__ or rule.SUMMARY).strip()},
                    "defaultConfiguration": {"level": level.get(rule.SEVERITY, "none"),
                                             "enabled": rule.SEVERITY != "off"},
                } for rid, rule in RULES.items()],
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


REPORTS: dict[str, Callable[[list[Finding], bool], str]] = {
    "text": format_text,
    "json": format_json,
    "github": format_github,
    "sarif": format_sarif,
}


def rules_table(markdown: bool = False) -> str:
    """The rule registry as a table: for `raci-gen rules` and README."""
    from raci_gen.rules import RULES

    if markdown:
        lines = ["| rule | default | options | what it checks |", "|---|---|---|---|"]
        for rid, rule in RULES.items():
            options = ", ".join(f"`{k}: {str(v).lower() if isinstance(v, bool) else v}`"
                                for k, v in rule.OPTIONS.items())
            lines.append(f"| `{rid}` | {rule.SEVERITY} | {options} | {rule.SUMMARY} |")
        return "\n".join(lines) + "\n"
    width = max(len(r) for r in RULES)
    lines = [f"{rid:<{width}}  {rule.SEVERITY:<7}  {rule.SUMMARY}" for rid, rule in RULES.items()]
    return "\n".join(lines) + "\n"


def explain(rule_id: str) -> str:
    """What ``raci-gen rules --explain RULE`` prints: the rule's default, options and docstring (its
    reasoning, with an example that passes and one that fails)."""
    import inspect

    from raci_gen.rules import RULES

    rule = RULES[rule_id]
    options = ", ".join(f"{k}: {str(v).lower() if isinstance(v, bool) else v}" for k, v in rule.OPTIONS.items())
    lines = [f"{rule_id} (default: {rule.SEVERITY}{'; options: ' + options if options else ''})", "",
             inspect.cleandoc(rule.__doc__ or rule.SUMMARY), ""]
    return "\n".join(lines)


def variants_table() -> str:
    """The built-in variants as a Markdown table, for README."""
    from raci_gen.variants import VARIANTS

    lines = ["| variant | letters | rules |", "|---|---|---|"]
    for variant in VARIANTS.values():
        letters = ", ".join(f"{l.code} {l.name}" for l in variant.letters)
        lines.append(f"| {variant.name} | {letters} | {variant.description} |")
    return "\n".join(lines) + "\n"


"""Lint findings as text for people, JSON for tools, GitHub annotations, GitLab Code Quality and SARIF.

Each function takes findings and returns the whole report as a string; the CLI
prints it. Silenced findings (``lint-ignore``) appear only in verbose text and
in JSON/SARIF with their reason, so dashboards can show what was waived.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from typing import Callable, Mapping
from urllib.parse import quote, urlsplit

from raci_gen import __version__
from raci_gen.runtime.terminal import printable
from raci_gen.checks.analysis import SEVERITIES, Finding, active, counts

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
    return "".join(printable(line, one_line=True) + "\n" for line in lines)  # a finding is one line


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _json(document: object) -> str:
    """JSON text as ``json.dumps`` writes it, with DEL, C1 and bidi controls as ``\\u`` escapes too:
    the same data for a parser, nothing a terminal acts on when the report is printed."""
    text = json.dumps(document, indent=2, ensure_ascii=False)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


def format_json(findings: list[Finding], verbose: bool = False) -> str:
    """JSON documented in docs/lint.md ("raci-gen lint --format json")."""
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
    return _json(document)


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
    return printable("\n".join(lines) + "\n")


def format_github_problems(problems: list) -> str:
    """Input errors (a project that does not load) as ``::error`` annotations, so the pull request shows them
    at their line like findings."""
    lines = []
    for problem in problems:
        loc = problem.location
        lines.append(f"::error file={_github_escape(loc.file, True)},line={loc.line},col={loc.column},"
                     f"title=input error::{_github_escape(problem.message)}")
    return "\n".join(lines) + "\n" if lines else ""


GITLAB_SEVERITY = {"error": "major", "warning": "minor", "info": "info"}
"""GitLab Code Quality's scale is info, minor, major, critical, blocker; an error fails the lint, so it ranks
above warnings. (critical and blocker are left to tools that find defects in running code.)"""


def format_gitlab(findings: list[Finding], verbose: bool = False) -> str:
    """GitLab Code Quality JSON: an array of issues with description, check_name, fingerprint, severity,
    location.path and location.lines.begin (https://docs.gitlab.com/ci/testing/code_quality/). Silenced
    findings are left out: GitLab has no notion of a waived issue.

    The fingerprint is the SHA-256 of the rule, the file and the message (which names the activity or role),
    not the line, so that a finding keeps its identity when lines above it move; findings that would share one
    are numbered apart."""
    import hashlib

    issues = []
    used: dict[str, int] = {}
    for f in active(findings):
        path = f.location.file.replace("\\", "/")
        basis = "\0".join((f.rule, path, " ".join(f.message.split())))
        n = used.get(basis, 0)
        used[basis] = n + 1
        digest = hashlib.sha256((basis + (f"\0{n}" if n else "")).encode("utf-8")).hexdigest()
        issues.append({
            "description": " ".join(f.message.splitlines()),
            "check_name": f.rule,
            "fingerprint": digest,
            "severity": GITLAB_SEVERITY[f.severity],
            "location": {"path": path, "lines": {"begin": f.location.line}},
        })
    return _json(issues)


RULES_PAGE_URL = "https://github.com/raci-gen/raci-gen/blob/main/docs/lint.md"
"""Where the rule table is published (docs/lint.md in the repository, as GitHub shows it; PyPI's project page
shows only the README, which links to it); the table has an anchor ``#rule-ID`` for each rule, which SARIF's
helpUri points at. Nothing fetches it."""


def rule_help_uri(rule_id: str) -> str:
    return f"{RULES_PAGE_URL}#rule-{rule_id}"


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


SARIF_CATEGORY = "raci-gen/"
"""``run.automationDetails.id`` outside Azure Pipelines: the category ``raci-gen`` with no instance (SARIF 3.17.3,
"category/instance-id"); GitHub keeps one analysis per category."""

ADO_PREFIX = "azuredevops/pipeline/build/"


def azure_pipeline_details(environ: Mapping[str, str]) -> dict | None:
    """``run.automationDetails`` for Azure DevOps' Advanced Security, from the variables an Azure Pipelines job
    sets, or None outside one (``TF_BUILD`` not true, or a variable missing or malformed). Advanced Security
    drops a run without it (sarif-multitool GHAzDO1014), without the four build properties (GHAzDO1019) or with
    an id of another form (GHAzDO1020): ``azuredevops/pipeline/build/ORG/PROJECT/DEFINITION/PHASE/BRANCH/BUILD``.
    """
    def get(*names: str) -> str:
        return next((environ[n].strip() for n in names if environ.get(n, "").strip()), "")

    def guid(text: str) -> str:
        try:
            value = uuid.UUID(text)
        except ValueError:
            return ""
        return str(value) if value.int and text.lower() == str(value) else ""

    def positive(text: str) -> str:
        return text if text.isascii() and text.isdigit() and int(text) > 0 else ""

    if get("TF_BUILD").lower() not in ("true", "1"):
        return None
    collection = urlsplit(get("SYSTEM_COLLECTIONURI"))
    host, first = collection.hostname or "", collection.path.strip("/").split("/")[0]
    if host in ("dev.azure.com", "vsrm.dev.azure.com"):
        organisation = first
    elif host.endswith(".visualstudio.com"):
        organisation = host.removesuffix(".visualstudio.com").removesuffix(".vsrm")
    else:
        organisation = ""
    project, definition = guid(get("SYSTEM_TEAMPROJECTID")), positive(get("BUILD_DEFINITIONID", "SYSTEM_DEFINITIONID"))
    phase, build = guid(get("SYSTEM_PHASEID", "SYSTEM_JOBID")), positive(get("BUILD_BUILDID"))
    definition_name, phase_name = get("BUILD_DEFINITIONNAME"), get("SYSTEM_PHASENAME", "SYSTEM_JOBNAME")
    branch = get("BUILD_SOURCEBRANCH")
    if not all((organisation, project, definition, phase, build, definition_name, phase_name, branch)):
        return None
    return {"id": f"{ADO_PREFIX}{organisation}/{project}/{definition}/{phase}/{branch}/{build}",
            "properties": {f"{ADO_PREFIX}buildDefinitionId": definition,
                           f"{ADO_PREFIX}buildDefinitionName": definition_name,
                           f"{ADO_PREFIX}phaseId": phase, f"{ADO_PREFIX}phaseName": phase_name}}


def rule_name(rule_id: str) -> str:
    """A rule's friendly name, one PascalCase identifier as SARIF 3.49.7 recommends (sarif-multitool's SARIF2012,
    which Azure DevOps makes an error, GHAzDO2012): ``one-accountable`` is ``OneAccountable``."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", rule_id))


def format_sarif(findings: list[Finding], verbose: bool = False) -> str:
    from raci_gen.checks.rules import RULES

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
        if f.related:
            result["relatedLocations"] = [{"id": i, "physicalLocation": {
                "artifactLocation": {"uri": _sarif_uri(loc.file)},
                "region": {"startLine": loc.line, "startColumn": loc.column},
            }} for i, loc in enumerate(f.related, start=1)]
        if f.ignored is not None:
            result["suppressions"] = [{"kind": "inSource", "justification": f.ignored}]
        results.append(result)
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "raci-gen",
                "fullName": f"raci-gen {__version__}",  # Azure DevOps requires it (GHAzDO1018)
                "version": __version__,
                "informationUri": "https://pypi.org/project/raci-gen/",
                "rules": [{
                    "id": rid,
                    "name": rule_name(rid),
                    "shortDescription": {"text": rule.SUMMARY},
                    "fullDescription": {"text": (rule.__doc__ or rule.SUMMARY).strip()},
                    "help": {"text": f"{rule.SUMMARY} Run `raci-gen rules --explain {rid}` for the reasoning "
                                     "and an example that passes and one that fails.",
                             "markdown": f"{rule.SUMMARY}\n\n`raci-gen rules --explain {rid}` prints the "
                                         f"reasoning and an example that passes and one that fails; see "
                                         f"[the rule table]({rule_help_uri(rid)})."},
                    "helpUri": rule_help_uri(rid),
                    "defaultConfiguration": {"level": level.get(rule.SEVERITY, "none"),
                                             "enabled": rule.SEVERITY != "off"},
                } for rid, rule in RULES.items()],
            }},
            "automationDetails": azure_pipeline_details(os.environ) or {"id": SARIF_CATEGORY},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return _json(log)


REPORTS: dict[str, Callable[[list[Finding], bool], str]] = {
    "text": format_text,
    "json": format_json,
    "github": format_github,
    "gitlab": format_gitlab,
    "sarif": format_sarif,
}


def rules_table(markdown: bool = False) -> str:
    """The rule registry as a table: for `raci-gen rules` and docs/lint.md."""
    from raci_gen.checks.rules import RULES

    if markdown:
        lines = ["| rule | default | options | what it checks |", "|---|---|---|---|"]
        for rid, rule in RULES.items():
            options = ", ".join(f"`{k}: {str(v).lower() if isinstance(v, bool) else v}`"
                                for k, v in rule.OPTIONS.items())
            lines.append(f'| <a id="rule-{rid}"></a>`{rid}` | {rule.SEVERITY} | {options} | {rule.SUMMARY} |')
        return "\n".join(lines) + "\n"
    width = max(len(r) for r in RULES)
    lines = [f"{rid:<{width}}  {rule.SEVERITY:<7}  {rule.SUMMARY}" for rid, rule in RULES.items()]
    return "\n".join(lines) + "\n"


def explain(rule_id: str) -> str:
    """What ``raci-gen rules --explain RULE`` prints: the rule's default, options and docstring (its
    reasoning, with an example that passes and one that fails)."""
    import inspect

    from raci_gen.checks.rules import RULES

    rule = RULES[rule_id]
    options = ", ".join(f"{k}: {str(v).lower() if isinstance(v, bool) else v}" for k, v in rule.OPTIONS.items())
    lines = [f"{rule_id} (default: {rule.SEVERITY}{'; options: ' + options if options else ''})", "",
             plain_docstring(inspect.cleandoc(rule.__doc__ or rule.SUMMARY)), ""]
    return "\n".join(lines)


def plain_docstring(text: str) -> str:
    """A rule's docstring as a reader sees it: its reStructuredText marks, written for Sphinx-style tools,
    turned into plain text (``x`` becomes `x`; a paragraph ending in ``::`` ends in one colon)."""
    import re

    text = re.sub(r"``([^`]+)``", r"`\1`", text)
    return re.sub(r"::$", ":", text, flags=re.MULTILINE)


def variants_table() -> str:
    """The built-in variants as a Markdown table, for docs/project-format.md."""
    from raci_gen.model.variants import VARIANTS

    lines = ["| variant | letters | rules |", "|---|---|---|"]
    for variant in VARIANTS.values():
        letters = ", ".join(f"{l.code} {l.name}" for l in variant.letters)
        lines.append(f"| {variant.name} | {letters} | {variant.description} |")
    return "\n".join(lines) + "\n"


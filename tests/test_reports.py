"""The lint reports (text, json, github, sarif) and the `raci-gen lint` / `raci-gen rules` commands.

SARIF output is validated against the official OASIS SARIF 2.1.0 schema, vendored
as tests/data/sarif-schema-2.1.0.json (errata 01, from oasis-tcs/sarif-spec,
Schemata/sarif-schema-2.1.0.json); JSON output against our own
tests/data/lint-report.schema.json, which README points to.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from raci_gen.checks.analysis import active, counts, lint
from raci_gen.cli import main
from raci_gen.input.loader import load_project
from raci_gen.checks.reports import (
    REPORTS, format_github, format_gitlab, format_json, format_sarif, format_text, rule_help_uri, summary,
)
from raci_gen.checks.rules import RULES

DATA = Path(__file__).parent / "data"
SARIF_SCHEMA = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
REPORT_SCHEMA = json.loads((DATA / "lint-report.schema.json").read_text(encoding="utf-8"))

IDLE_NAME = "Ops 100%\nnight, shift: B"
"""A role name with what GitHub's workflow commands must escape: %, a line break, and a comma and colon."""
ACTIVITY_FILE = "activities/01 plan, build.yaml"
"""A file name with a space (for SARIF URIs) and a comma (a GitHub property separator)."""
REASON = "100% needed: code, data and model tests have three authors."


def write(root: Path, activities: dict[str, dict[str, str]], roles: list[tuple[str, str]] | None = None,
          config: str | None = None, ignores: dict[str, dict[str, str]] | None = None,
          activity_file: str = "activities/phase.yaml") -> Path:
    """A one-phase project; ``roles`` is a list of (id, name), default the ids the activities use."""
    root = Path(root)
    (root / "roles").mkdir(parents=True, exist_ok=True)
    (root / "activities").mkdir(parents=True, exist_ok=True)
    if roles is None:
        roles = [(rid, f"Role {rid}") for rid in dict.fromkeys(r for raci in activities.values() for r in raci)]
    lines = ["roles:"]
    for rid, name in roles:
        lines += [f"  - id: {rid}", f"    name: {json.dumps(name)}"]
    (root / "roles" / "roles.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    lines = ["phase: One", "activities:"]
    for aid, raci in activities.items():
        lines += [f"  - id: {aid}", f"    name: Activity {aid}", "    raci:" if raci else "    raci: {}"]
        lines += [f"      {rid}: {json.dumps(letters)}" for rid, letters in raci.items()]
        if aid in (ignores or {}):
            lines.append("    lint-ignore:")
            lines += [f"      {rule}: {json.dumps(reason)}" for rule, reason in ignores[aid].items()]
    (root / activity_file).write_text("\n".join(lines) + "\n", encoding="utf-8")
    if config is not None:
        (root / "raci.yaml").write_text(config, encoding="utf-8")
    return root


CLEAN = {
    "T1": {"R1": "A/R", "R2": "C", "R3": "I"},
    "T2": {"R2": "A/R", "R3": "C", "R4": "I"},
    "T3": {"R3": "A/R", "R4": "C", "R1": "I"},
    "T4": {"R4": "A/R", "R1": "C", "R2": "I"},
}

MIXED = {
    "T1": {"R1": "A/R", "R2": "C", "R3": "I"},                 # clean
    "T2": {"R2": "A", "R3": "C"},                              # error: someone-responsible
    "T3": {"R3": "A/R", "R4": "C/I"},                          # warning: unresolved-cell
    "T4": {"R4": "A/R"},                                       # info: no-communication
    "T5": {"R1": "A", "R2": "R", "R3": "R", "R4": "R"},        # silenced warning; info: no-communication
}
MIXED_ROLES = [("R1", "Role R1"), ("R2", "Role R2"), ("R3", "Role R3"), ("R4", "Role R4"), ("R5", IDLE_NAME)]


@pytest.fixture
def mixed(tmp_path):
    """A project with an error, two warnings (one from a role name full of special characters),
    two infos, and a silenced warning; the activities live in a file whose name has a space and a comma."""
    return write(tmp_path / "mixed", MIXED, roles=MIXED_ROLES, activity_file=ACTIVITY_FILE,
                 ignores={"T5": {"too-many-responsible": REASON}})


@pytest.fixture
def mixed_findings(mixed):
    project = load_project(str(mixed))
    return lint(project.matrix, project.settings)


def test_mixed_project_has_what_the_reports_need(mixed_findings):
    assert [(f.rule, f.severity, f.ignored is not None) for f in mixed_findings] == [
        ("someone-responsible", "error", False),
        ("unresolved-cell", "warning", False),
        ("no-communication", "info", False),
        ("no-communication", "info", False),
        ("too-many-responsible", "warning", True),
        ("idle-role", "warning", False),
    ]
    assert counts(mixed_findings) == {"error": 1, "warning": 2, "info": 2}


# --- SARIF -----------------------------------------------------------------------------------------------------------

URI_REFERENCE = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*")
"""The characters RFC 3986 allows in a URI reference (the schema says "uri-reference"; jsonschema checks that
format only with an optional package, so check the character set here)."""


def sarif_errors(log: dict) -> list[str]:
    validator = jsonschema.Draft4Validator(SARIF_SCHEMA)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(log)]


def test_vendored_sarif_schema_is_the_oasis_one():
    assert SARIF_SCHEMA["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert SARIF_SCHEMA["id"] == "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/" \
                                 "sarif-schema-2.1.0.json"
    jsonschema.Draft4Validator.check_schema(SARIF_SCHEMA)
    assert len(SARIF_SCHEMA["definitions"]) == 52


def test_sarif_validator_rejects_a_broken_log():
    """The validation below would catch a wrong level, a missing message or a region line of 0."""
    log = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [
        {"level": "fatal", "message": {"text": "m"}},
        {"ruleId": "r"},
        {"message": {"text": "m"}, "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": "a"}, "region": {"startLine": 0}}}]},
    ]}]}
    assert len(sarif_errors(log)) == 3


def test_sarif_validates_against_the_official_schema(mixed_findings):
    log = json.loads(format_sarif(mixed_findings))
    assert sarif_errors(log) == []


def test_sarif_of_no_findings_validates():
    log = json.loads(format_sarif([]))
    assert sarif_errors(log) == [] and log["runs"][0]["results"] == []


def test_sarif_of_the_example_validates(example_project):
    log = json.loads(format_sarif(lint(example_project.matrix, example_project.settings)))
    assert sarif_errors(log) == []


def test_sarif_content(mixed, mixed_findings):
    log = json.loads(format_sarif(mixed_findings))
    assert log["version"] == "2.1.0"
    [run] = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "raci-gen"
    assert [r["id"] for r in driver["rules"]] == list(RULES)
    for descriptor in driver["rules"]:
        rule = RULES[descriptor["id"]]
        assert descriptor["shortDescription"]["text"] == rule.SUMMARY
        assert descriptor["defaultConfiguration"]["enabled"] == (rule.SEVERITY != "off")
    results = run["results"]
    assert len(results) == len(mixed_findings)
    levels = {"error": "error", "warning": "warning", "info": "note"}
    for result, finding in zip(results, mixed_findings):
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"] == finding.rule
        assert result["level"] == levels[finding.severity]
        assert result["message"]["text"] == finding.message
        [location] = result["locations"]
        region = location["physicalLocation"]["region"]
        assert (region["startLine"], region["startColumn"]) == (finding.location.line, finding.location.column)
        if finding.ignored is None:
            assert "suppressions" not in result
        else:
            assert result["suppressions"] == [{"kind": "inSource", "justification": REASON}]


def test_sarif_uris_are_uri_references(mixed_findings):
    """A path with a space, a comma or non-ASCII letters is percent-encoded (SARIF wants a URI, not a path)."""
    log = json.loads(format_sarif(mixed_findings))
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]]
    assert all(URI_REFERENCE.fullmatch(uri) for uri in uris), uris
    assert any(uri.endswith("/activities/01%20plan%2C%20build.yaml") or
               uri.endswith("/activities/01%20plan,%20build.yaml") for uri in uris), uris


def test_sarif_relative_paths_stay_relative(tmp_path, monkeypatch):
    write(tmp_path / "my proj", CLEAN, roles=[("R1", "a"), ("R2", "b"), ("R3", "c"), ("R4", "d"), ("R5", "é")])
    monkeypatch.chdir(tmp_path)
    project = load_project("my proj")
    log = json.loads(format_sarif(lint(project.matrix, project.settings)))
    [result] = log["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "my%20proj/roles/roles.yaml"


# --- JSON ------------------------------------------------------------------------------------------------------------

def report_errors(document: dict) -> list[str]:
    validator = jsonschema.Draft202012Validator(REPORT_SCHEMA)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def test_report_schema_is_a_valid_schema():
    jsonschema.Draft202012Validator.check_schema(REPORT_SCHEMA)


def test_json_validates_against_our_schema(mixed_findings):
    document = json.loads(format_json(mixed_findings))
    assert report_errors(document) == []
    assert document["version"] == 1 and document["tool"]["name"] == "raci-gen"
    assert document["summary"] == {"error": 1, "warning": 2, "info": 2}
    assert len(document["findings"]) == len(mixed_findings) == 6
    [silenced] = [f for f in document["findings"] if f["silenced"]]
    assert silenced["reason"] == REASON and silenced["rule"] == "too-many-responsible"
    idle = next(f for f in document["findings"] if f["rule"] == "idle-role")
    assert IDLE_NAME in idle["message"]


def test_json_of_no_findings_validates():
    assert report_errors(json.loads(format_json([]))) == []


@pytest.mark.parametrize("breakage", [
    lambda d: d.pop("summary"),
    lambda d: d.update(version=2),
    lambda d: d["summary"].update(error=-1),
    lambda d: d["findings"][0].update(line=0),
    lambda d: d["findings"][0].update(severity="fatal"),
    lambda d: d["findings"][0].update(rule="Not A Rule"),
    lambda d: d["findings"][0].update(extra=1),
    lambda d: d["findings"][0].update(silenced=True, reason=None),
    lambda d: d["findings"][0].update(silenced=False, reason="why"),
    lambda d: d["findings"][0].pop("column"),
])
def test_report_schema_rejects_a_wrong_report(mixed_findings, breakage):
    document = json.loads(format_json(mixed_findings))
    breakage(document)
    assert report_errors(document)


# --- GitHub annotations ---------------------------------------------------------------------------------------------

GITHUB_LINE = re.compile(r"::(error|warning|notice) file=([^,:]+),line=(\d+),col=(\d+),title=([a-z-]+)::(.*)")


def _unescape(data: str) -> str:
    return data.replace("%0A", "\n").replace("%0D", "\r").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


def test_github_lines(mixed_findings):
    lines = format_github(mixed_findings).splitlines()
    *annotations, last = lines
    assert last == summary(mixed_findings)
    shown = active(mixed_findings)
    assert len(annotations) == len(shown)  # silenced findings are not annotated
    for line, finding in zip(annotations, shown):
        match = GITHUB_LINE.fullmatch(line)
        assert match, line
        level, file, line_no, col, title, message = match.groups()
        assert level == {"error": "error", "warning": "warning", "info": "notice"}[finding.severity]
        assert _unescape(file) == finding.location.file
        assert (int(line_no), int(col)) == (finding.location.line, finding.location.column)
        assert title == finding.rule
        assert _unescape(message) == finding.message
        assert "\n" not in message and "\r" not in message


def test_github_escapes_percent_newline_and_property_separators(mixed_findings):
    text = format_github(mixed_findings)
    idle = next(line for line in text.splitlines() if "title=idle-role" in line)
    assert "Ops 100%25%0Anight, shift: B" in idle
    assert "file=" in text and "01 plan%2C build.yaml,line=" in text


# --- text --------------------------------------------------------------------------------------------------------------

TEXT_LINE = re.compile(r"(.+):(\d+):(\d+): (error|warning|info): (.+) \[([a-z]+(?:-[a-z]+)*)\]")


def test_text_lines_then_summary(mixed_findings):
    lines = format_text(mixed_findings).splitlines()
    shown = active(mixed_findings)
    assert len(lines) == len(shown) + 1  # one line each, though a role name holds a line break
    for line, finding in zip(lines, shown):
        match = TEXT_LINE.fullmatch(line)
        assert match, line
        file, line_no, col, severity, _message, rule = match.groups()
        assert (file, int(line_no), int(col), severity, rule) == (
            finding.location.file, finding.location.line, finding.location.column, finding.severity, finding.rule)
    assert lines[-1] == "1 error, 2 warnings, 2 info (1 silenced by lint-ignore)"


def test_text_verbose_shows_silenced_findings_with_their_reason(mixed_findings):
    lines = format_text(mixed_findings, verbose=True).splitlines()
    assert len(lines) == len(mixed_findings) + 1
    [silenced] = [line for line in lines if "[too-many-responsible]" in line]
    assert silenced.endswith(f"[too-many-responsible] (silenced: {REASON})")


@pytest.mark.parametrize("c, text", [
    ({"error": 0, "warning": 0, "info": 0}, "0 errors, 0 warnings, 0 info"),
    ({"error": 1, "warning": 1, "info": 1}, "1 error, 1 warning, 1 info"),
    ({"error": 2, "warning": 3, "info": 4}, "2 errors, 3 warnings, 4 info"),
])
def test_summary_counts(c, text):
    from raci_gen.checks.analysis import Finding
    from raci_gen.model.matrix import Location

    findings = [Finding(Location("f.yaml", i + 1), "idle-role", severity, "m")
                for severity, n in c.items() for i in range(n)]
    assert summary(findings) == text


def test_every_report_ends_with_a_newline(mixed_findings):
    for name, report in REPORTS.items():
        assert report(mixed_findings, False).endswith("\n"), name
        assert report([], False).endswith("\n"), name


# --- the command line -------------------------------------------------------------------------------------------------

def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_exit_0_when_clean(tmp_path):
    root = write(tmp_path, CLEAN)
    result = run("lint", str(root))
    assert result.exit_code == 0, result.output
    assert result.stdout == "0 errors, 0 warnings, 0 info\n"
    assert run("lint", str(root), "--strict").exit_code == 0


def test_exit_1_with_an_error(tmp_path):
    root = write(tmp_path, {**CLEAN, "T5": {"R1": "A", "R2": "C"}})
    result = run("lint", str(root))
    assert result.exit_code == 1
    assert "error: activity T5 has no Responsible (R)" in result.stdout


def test_exit_0_with_only_a_warning_and_1_with_strict(tmp_path):
    roles = [(f"R{i}", f"Role R{i}") for i in range(1, 6)]  # R5 is idle: a warning
    root = write(tmp_path, CLEAN, roles=roles)
    result = run("lint", str(root))
    assert result.exit_code == 0
    assert "warning: role R5 (Role R5) takes part in no activity [idle-role]" in result.stdout
    assert run("lint", str(root), "--strict").exit_code == 1


def test_info_does_not_fail_even_with_strict(tmp_path):
    root = write(tmp_path, {**CLEAN, "T5": {"R1": "A/R"}})
    result = run("lint", str(root), "--strict")
    assert result.exit_code == 0
    assert "info:" in result.stdout and result.stdout.endswith("0 errors, 0 warnings, 1 info\n")


def test_a_silenced_warning_does_not_fail_with_strict(tmp_path):
    root = write(tmp_path, {**CLEAN, "T5": {"R1": "A", "R2": "R", "R3": "R", "R4": "R"}},
                 ignores={"T5": {"too-many-responsible": "Three authors."}})
    result = run("lint", str(root), "--strict")
    assert result.exit_code == 0, result.output
    assert "too-many-responsible" not in result.stdout
    assert "(1 silenced by lint-ignore)" in result.stdout
    verbose = run("lint", str(root), "--strict", "--verbose")
    assert "(silenced: Three authors.)" in verbose.stdout


def test_an_error_made_a_warning_by_the_config(tmp_path):
    root = write(tmp_path, {**CLEAN, "T5": {"R1": "A", "R2": "C"}}, config="lint:\n  someone-responsible: warning\n")
    assert run("lint", str(root)).exit_code == 0
    assert run("lint", str(root), "--strict").exit_code == 1


@pytest.mark.parametrize("fmt", list(REPORTS))
def test_exit_codes_are_the_same_in_every_format(tmp_path, fmt):
    clean = write(tmp_path / "clean", CLEAN)
    broken = write(tmp_path / "broken", {**CLEAN, "T5": {"R1": "A"}})
    assert run("lint", str(clean), "--format", fmt).exit_code == 0
    result = run("lint", str(broken), "--format", fmt)
    assert result.exit_code == 1
    if fmt in ("json", "sarif", "gitlab"):
        json.loads(result.stdout)  # nothing but the document on stdout


@pytest.mark.parametrize("case, says", [
    ("letter", ":7:11: error: 'S' is not a RACI letter"),
    ("rule", "raci.yaml:2:3: error: unknown rule 'bogus'"),
    ("ignore", ":9:7: error: unknown rule 'bogus'"),
    ("missing", "project folder not found"),
])
def test_exit_2_for_bad_input(tmp_path, case, says):
    root = tmp_path / "p"
    if case == "letter":
        write(root, {"T1": {"R1": "A", "R2": "S"}})
    elif case == "rule":
        write(root, CLEAN, config="lint:\n  bogus: error\n")
    elif case == "ignore":
        write(root, {"T1": {"R1": "A/R", "R2": "C"}}, ignores={"T1": {"bogus": "why"}})
    result = run("lint", str(root), "--format", "json")
    assert result.exit_code == 2, result.output
    assert says in result.stderr
    assert result.stdout == ""  # no half report for a tool to misread


def test_rules_lists_every_rule():
    result = run("rules")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == list(RULES)
    for line, (rid, rule) in zip(lines, RULES.items()):
        assert line.split()[1] == rule.SEVERITY and line.endswith(rule.SUMMARY)


def test_rules_markdown_lists_every_rule():
    result = run("rules", "--markdown")
    assert result.exit_code == 0
    rows = [line for line in result.stdout.splitlines() if line.startswith("| <a id=")]
    assert [re.match(r'\| <a id="rule-([a-z-]+)"></a>`\1`', row).group(1) for row in rows] == list(RULES)


# --- the repository's own example -------------------------------------------------------------------------------------

def test_example_has_no_error_and_no_unsilenced_warning(example_project):
    findings = lint(example_project.matrix, example_project.settings)
    assert [str(f) for f in active(findings) if f.severity in ("error", "warning")] == []
    for finding in findings:
        if finding.ignored is not None:
            assert finding.ignored.strip()


def test_example_lints_clean_on_the_command_line(repo_root):
    result = run("lint", str(repo_root), "--strict")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1].startswith("0 errors, 0 warnings")


# --- GitLab Code Quality ----------------------------------------------------------------------------------------------

GITLAB_FIELDS = {
    # GitLab's Code Quality report format (docs.gitlab.com/ci/testing/code_quality/, "Code Quality report
    # format"): a JSON array of objects, each with these fields.
    "description": str, "check_name": str, "fingerprint": str, "severity": str, "location": dict,
}
GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def gitlab_errors(report) -> list[str]:
    """What GitLab's field list says is wrong with a report (empty when it is a valid one)."""
    if not isinstance(report, list):
        return ["the report is not a JSON array"]
    errors = []
    for i, issue in enumerate(report):
        for name, kind in GITLAB_FIELDS.items():
            if not isinstance(issue.get(name), kind):
                errors.append(f"{i}: {name} is missing or not a {kind.__name__}")
        if issue.get("severity") not in GITLAB_SEVERITIES:
            errors.append(f"{i}: severity {issue.get('severity')!r}")
        location = issue.get("location") or {}
        if not isinstance(location.get("path"), str) or location.get("path", "").startswith("/"):
            errors.append(f"{i}: location.path must be a relative path")
        begin = (location.get("lines") or {}).get("begin")
        if not (isinstance(begin, int) and not isinstance(begin, bool) and begin >= 1):
            errors.append(f"{i}: location.lines.begin must be a line number")
    fingerprints = [issue.get("fingerprint") for issue in report]
    if len(set(fingerprints)) != len(fingerprints):
        errors.append("fingerprints are not unique")
    return errors


def test_gitlab_validator_rejects_a_broken_report():
    broken = [{"description": "x", "check_name": "r", "fingerprint": "f", "severity": "warning",
               "location": {"path": "/abs.yaml", "lines": {"begin": 0}}},
              {"description": "y", "check_name": "r", "fingerprint": "f", "location": {}}]
    assert len(gitlab_errors(broken)) == 8
    assert gitlab_errors({}) == ["the report is not a JSON array"]


def test_gitlab_report_has_gitlabs_fields(tmp_path, monkeypatch, mixed_findings):
    monkeypatch.chdir(tmp_path)
    project = load_project("mixed")
    findings = lint(project.matrix, project.settings)
    report = json.loads(format_gitlab(findings))
    assert gitlab_errors(report) == []
    assert [(i["check_name"], i["severity"]) for i in report] == [
        ("someone-responsible", "major"), ("unresolved-cell", "minor"), ("no-communication", "info"),
        ("no-communication", "info"), ("idle-role", "minor")]  # the silenced warning is left out
    for issue, finding in zip(report, active(findings)):
        assert issue["location"] == {"path": finding.location.file, "lines": {"begin": finding.location.line}}
        assert issue["description"] == " ".join(finding.message.splitlines())
    assert report[0]["location"]["path"] == "mixed/activities/01 plan, build.yaml"


def test_gitlab_fingerprints_survive_moved_lines(tmp_path, monkeypatch):
    """A finding keeps its fingerprint when lines above it move, so GitLab does not show it as new."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "p", {**CLEAN, "T5": {"R1": "A"}})
    before = json.loads(format_gitlab(lint(load_project("p").matrix)))
    write(tmp_path / "p", {"T0": {"R1": "A/R", "R2": "C"}, **CLEAN, "T5": {"R1": "A"}})
    after = json.loads(format_gitlab(lint(load_project("p").matrix)))
    moved = {i["check_name"]: i for i in after}
    for issue in before:
        assert moved[issue["check_name"]]["fingerprint"] == issue["fingerprint"]
        assert moved[issue["check_name"]]["location"]["lines"]["begin"] > issue["location"]["lines"]["begin"]


def test_gitlab_of_no_findings_is_an_empty_array():
    assert format_gitlab([]) == "[]\n"


# --- SARIF: help for every rule ---------------------------------------------------------------------------------------

def test_sarif_rules_carry_help_and_a_help_uri(mixed_findings):
    log = json.loads(format_sarif(mixed_findings))
    assert sarif_errors(log) == []
    for descriptor in log["runs"][0]["tool"]["driver"]["rules"]:
        rid = descriptor["id"]
        assert descriptor["help"]["text"].startswith(RULES[rid].SUMMARY)
        assert f"raci-gen rules --explain {rid}" in descriptor["help"]["text"]
        assert descriptor["help"]["markdown"]
        assert descriptor["helpUri"] == rule_help_uri(rid)
        # the page of this repository the URI names, as GitHub shows it, and the anchor there
        page = re.fullmatch(r"https://github\.com/raci-gen/raci-gen/blob/main/([^\s#]+\.md)#rule-" + re.escape(rid),
                            descriptor["helpUri"])
        assert page, descriptor["helpUri"]
        text = (Path(__file__).resolve().parents[1] / page.group(1)).read_text(encoding="utf-8")
        assert f'<a id="rule-{rid}"></a>' in text


def test_sarif_related_locations_of_a_duplicate_activity(tmp_path):
    root = tmp_path / "dup"
    write(root, {"T1": {"R1": "A/R", "R2": "C"}, "T2": {"R1": "A", "R2": "R"}},
          config='lint:\n  duplicate-activity: {min-similarity: 0.5}\n')
    text = (root / "activities" / "phase.yaml").read_text().replace("Activity T2", "Activity T1.")
    (root / "activities" / "phase.yaml").write_text(text)
    project = load_project(str(root))
    findings = [f for f in lint(project.matrix, project.settings) if f.rule == "duplicate-activity"]
    log = json.loads(format_sarif(findings))
    assert sarif_errors(log) == []
    [result] = log["runs"][0]["results"]
    [related] = result["relatedLocations"]
    assert related["physicalLocation"]["region"]["startLine"] == 3  # T1, named in the message


# --- ruff-style selection ---------------------------------------------------------------------------------------------

def test_select_runs_only_the_rules_named(mixed):
    result = run("lint", str(mixed), "--select", "idle-role,unresolved-cell", "--format", "json")
    assert [f["rule"] for f in json.loads(result.stdout)["findings"]] == ["unresolved-cell", "idle-role"]
    assert result.exit_code == 0  # the error's rule was not selected
    again = run("lint", str(mixed), "--select", "idle-role", "--select", "unresolved-cell", "--format", "json")
    assert again.stdout == result.stdout


def test_select_turns_on_a_rule_that_is_off(tmp_path):
    root = write(tmp_path, {"T1": {"R1": "A/R", "R2": "C"}, "T2": {"R1": "A/R"}})
    result = run("lint", str(root), "--select", "no-blank-cell")
    assert "warning: activity T2 has no letter for R2" in result.stdout and "[no-blank-cell]" in result.stdout


def test_ignore_leaves_rules_out_and_lets_the_next_rule_report_a_shared_problem(tmp_path):
    root = write(tmp_path, {"T1": {"R1": "A", "R2": "C"}}, config="variant: DACI\n")
    assert [f["rule"] for f in json.loads(run("lint", str(root), "--format", "json").stdout)["findings"]
            if f["severity"] == "error"] == ["one-accountable"]
    ignored = json.loads(run("lint", str(root), "--format", "json", "--ignore", "one-accountable").stdout)
    assert [f["rule"] for f in ignored["findings"] if f["severity"] == "error"] == ["someone-responsible"]


def test_exit_zero_reports_but_exits_0(mixed):
    result = run("lint", str(mixed), "--exit-zero", "--strict")
    assert result.exit_code == 0
    assert "1 error, 2 warnings, 2 info" in result.stdout


def test_exit_zero_still_exits_2_for_bad_input(tmp_path):
    write(tmp_path, {"T1": {"R1": "A", "R2": "S"}})
    assert run("lint", str(tmp_path), "--exit-zero").exit_code == 2


@pytest.mark.parametrize("option", ["--select", "--ignore"])
def test_an_unknown_rule_in_select_or_ignore_is_a_usage_error(mixed, option):
    result = run("lint", str(mixed), option, "idle-roles")
    assert result.exit_code == 2
    assert "no rule 'idle-roles'; did you mean 'idle-role'?" in result.stderr


# --- load errors as GitHub annotations --------------------------------------------------------------------------------

def test_load_errors_are_github_annotations(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "p", {"T1": {"R1": "Accountable", "R2": "N/A"}})
    result = run("lint", "p", "--format", "github")
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [
        "::error file=p/activities/phase.yaml,line=6,col=11,title=input error::'Accountable' is the name of a "
        "RACI letter; write the letter: A",
        "::error file=p/activities/phase.yaml,line=7,col=11,title=input error::'N/A' is not a RACI letter; to say "
        "the role takes no part in this activity, leave the role out of its raci",
    ]
    assert "2 problems found; nothing was written." in result.stderr  # the usual report, on stderr


def test_load_errors_are_not_on_stdout_in_other_formats(tmp_path):
    write(tmp_path, {"T1": {"R1": "Accountable"}})
    assert run("lint", str(tmp_path), "--format", "gitlab").stdout == ""


# --- SARIF for every consumer: sarif-multitool's base, GitHub and Azure DevOps rules --------------------------------

AZURE_PIPELINE = {
    "TF_BUILD": "True", "SYSTEM_COLLECTIONURI": "https://dev.azure.com/example-org/",
    "SYSTEM_TEAMPROJECTID": "6f1c2b9e-3d4a-4e5f-8a7b-9c0d1e2f3a4b", "BUILD_DEFINITIONID": "42",
    "BUILD_DEFINITIONNAME": "raci lint", "SYSTEM_PHASEID": "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9",
    "SYSTEM_PHASENAME": "Lint", "BUILD_SOURCEBRANCH": "refs/heads/main", "BUILD_BUILDID": "7",
}
"""The variables an Azure Pipelines job sets (learn.microsoft.com, "Predefined variables"), made up."""


def test_sarif_names_each_rule_in_pascal_case_and_the_tool_in_full(mixed_findings, monkeypatch):
    """sarif-multitool SARIF2012 (GHAzDO2012 for Azure DevOps): rules[].name, one PascalCase identifier;
    GHAzDO1018: tool.driver.fullName; GHAzDO1014: run.automationDetails."""
    for name in AZURE_PIPELINE:
        monkeypatch.delenv(name, raising=False)
    run_ = json.loads(format_sarif(mixed_findings))["runs"][0]
    names = [rule["name"] for rule in run_["tool"]["driver"]["rules"]]
    assert all(re.fullmatch(r"(?:[A-Z][a-z0-9]*)+", name) for name in names), names
    assert names[:2] == ["OneAccountable", "SomeoneResponsible"] and len(set(names)) == len(RULES)
    assert run_["tool"]["driver"]["fullName"].startswith("raci-gen ")
    assert run_["automationDetails"] == {"id": "raci-gen/"}


def test_sarif_in_an_azure_pipeline_carries_the_pipeline(mixed_findings, monkeypatch):
    """GHAzDO1019 and GHAzDO1020: the build's id and four properties, from the pipeline's variables."""
    for name, value in AZURE_PIPELINE.items():
        monkeypatch.setenv(name, value)
    details = json.loads(format_sarif(mixed_findings))["runs"][0]["automationDetails"]
    assert details["id"] == ("azuredevops/pipeline/build/example-org/6f1c2b9e-3d4a-4e5f-8a7b-9c0d1e2f3a4b/42/"
                             "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9/refs/heads/main/7")
    assert details["properties"]["azuredevops/pipeline/build/phaseName"] == "Lint"
    monkeypatch.setenv("SYSTEM_PHASEID", "not-a-guid")  # a pipeline half described is not claimed
    assert json.loads(format_sarif(mixed_findings))["runs"][0]["automationDetails"] == {"id": "raci-gen/"}


def sarif_multitool() -> str:
    """Microsoft's SARIF validator (npm @microsoft/sarif-multitool-linux, a self-contained binary; .ci/run
    installs it and sets SARIF_MULTITOOL)."""
    import shutil

    path = os.environ.get("SARIF_MULTITOOL") or shutil.which("Sarif.Multitool")
    if not path:
        pytest.skip("sarif-multitool is not installed (set SARIF_MULTITOOL to its Sarif.Multitool binary)")
    return path


def multitool_results(tmp_path: Path, log: str, kinds: str) -> list[tuple[str, str]]:
    """(rule id, message) of each error and warning sarif-multitool reports on ``log`` with the rule kinds
    given. Its exit status is 0 whatever it finds, so its own SARIF output is read. SARIF2006 fetches every
    URI in the log: proxies on a closed local port keep it off the network (it reports a note, not counted)."""
    (tmp_path / "lint.sarif").write_text(log, encoding="utf-8")
    (tmp_path / "validation.sarif").unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy", "no_proxy")}
    env.update(HTTP_PROXY="http://127.0.0.1:9", HTTPS_PROXY="http://127.0.0.1:9",
               DOTNET_CLI_TELEMETRY_OPTOUT="1", DOTNET_SYSTEM_GLOBALIZATION_INVARIANT="1")  # no libicu needed
    done = subprocess.run([sarif_multitool(), "validate", "--rule-kind", kinds, "--level", "Error;Warning",
                           "--output", str(tmp_path / "validation.sarif"), str(tmp_path / "lint.sarif")],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    validation = json.loads((tmp_path / "validation.sarif").read_text(encoding="utf-8-sig"))
    [run_] = validation["runs"]
    notifications = [n for i in run_.get("invocations", []) for n in i.get("toolExecutionNotifications", [])
                     if n.get("level") == "error"]
    assert notifications == []
    return [(r["ruleId"], r["message"].get("text", "")) for r in run_["results"]]


def lint_sarif(project: Path, extra_env: dict[str, str]) -> str:
    """`raci-gen lint --format sarif` in a subprocess, with the environment of a CI job."""
    env = {k: v for k, v in os.environ.items() if k not in AZURE_PIPELINE}
    env.update(extra_env)
    done = subprocess.run(["raci-gen", "lint", "--format", "sarif", "--exit-zero", str(project)], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_sarif_passes_every_rule_kind_of_sarif_multitool_in_an_azure_pipeline(mixed, tmp_path):
    """The mixed project (an error, warnings, infos, a silenced finding, a file name with a space and a comma)
    and a duplicate activity (related locations): no error and no warning of the base (SARIF), GitHub (GH1xxx)
    or Azure DevOps (GHAzDO) rules. Before, 19 Azure DevOps errors (GHAzDO1014, GHAzDO1018, GHAzDO2012 x 17)."""
    sarif_multitool()
    dup = write(tmp_path / "dup", {"T1": {"R1": "A/R", "R2": "C"}, "T2": {"R1": "A", "R2": "R"}},
                config='lint:\n  duplicate-activity: {min-similarity: 0.5}\n')
    text = (dup / "activities" / "phase.yaml").read_text().replace("Activity T2", "Activity T1.")
    (dup / "activities" / "phase.yaml").write_text(text)
    for project in (mixed, dup):
        log = lint_sarif(project, AZURE_PIPELINE)
        assert json.loads(log)["runs"][0]["results"]
        assert multitool_results(tmp_path, log, "Sarif;Ado;Gh") == [], project


def test_sarif_outside_azure_passes_the_base_and_github_rules(mixed, tmp_path):
    """Outside a pipeline there is no build to name: the base and GitHub rules pass, and the Azure DevOps rules
    ask for the pipeline's identity only (GHAzDO1019, GHAzDO1020), which Advanced Security needs to file it."""
    sarif_multitool()
    log = lint_sarif(mixed, {})
    assert multitool_results(tmp_path, log, "Sarif;Gh") == []
    assert {rule for rule, _ in multitool_results(tmp_path, log, "Ado")} == {"GHAzDO1019", "GHAzDO1020"}

"""The codeowners format: the activities' paths and their owners' handles, written into the CODEOWNERS file the
project names, between markers, and read back by a CODEOWNERS parser of its own (the ``codeowners`` package,
a port of hmarr/codeowners): each path is assigned to the owners the matrix intends.

Every build is a real ``raci-gen`` process in a real git work tree; the project lives in docs/raci, the file at
the work tree's top, in .github/.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from codeowners import CodeOwners

RACI_GEN = [sys.executable, "-m", "raci_gen"]

ROLES = {"roles": [
    {"id": "DL", "name": "Data Lead", "handles": ["@acme/data-leads"]},
    {"id": "MD", "name": "Model Developer", "people": [{"name": "Ada Lovelace", "handles": ["@ada-l"]}]},
    {"id": "QA", "name": "Quality", "people": [
        {"name": "Grace Hopper", "until": "2026-06-30", "handles": ["@grace"]},
        {"name": "Alan Turing", "from": "2026-07-01", "handles": ["alan@example.org"]}]},
]}
ACTIVITIES = {"phase": "Build", "activities": [
    {"id": "DP-1", "name": "Curate the data", "raci": {"DL": "A", "MD": "R", "QA": "I"},
     "paths": ["/data/", "*.sql"]},
    {"id": "MD-1", "name": "Train the model", "raci": {"MD": "A/R", "DL": "C", "QA": "I"},
     "paths": ["/models/", "/data/features/"]},
    {"id": "QA-1", "name": "Test the model", "raci": {"QA": "A", "MD": "R", "DL": "C"}, "paths": ["/tests/"]},
]}
HAND_WRITTEN_TOP = "* @acme/admins\n"
HAND_WRITTEN_BOTTOM = "/docs/legal/ @acme/legal\n"


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def _raci_gen(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1782864000"}  # 2026-07-01
    return subprocess.run([*RACI_GEN, *args], cwd=cwd, capture_output=True, text=True, timeout=120, env=env)


def _project(tmp_path: Path, codeowners: dict | None = None, roles: dict = ROLES, activities: dict = ACTIVITIES,
             existing: str | None = HAND_WRITTEN_TOP + "# BEGIN RACI\n# END RACI\n" + HAND_WRITTEN_BOTTOM) -> Path:
    """A git work tree with a project in docs/raci that builds Markdown and CODEOWNERS; ``existing`` is the
    CODEOWNERS file before the build (None: there is none, nor .github/)."""
    repo = tmp_path / "repo"
    project = repo / "docs" / "raci"
    (project / "roles").mkdir(parents=True)
    (project / "activities").mkdir()
    _git(repo, "init", "-q")
    setting = {"file": "../../.github/CODEOWNERS", **(codeowners or {})}
    (project / "raci.yaml").write_text(json.dumps({"title": "Churn model", "output": {
        "formats": ["md", "codeowners"], "codeowners": setting}}), encoding="utf-8")
    # from/until as YAML dates, unquoted (a date in quotes is text, which they refuse)
    (project / "roles" / "roles.yaml").write_text(re.sub(r'"([0-9]{4}-[0-9]{2}-[0-9]{2})"', r"\1", json.dumps(roles)),
                                                  encoding="utf-8")
    (project / "activities" / "01.yaml").write_text(json.dumps(activities), encoding="utf-8")
    if existing is not None:
        (repo / ".github").mkdir()
        (repo / ".github" / "CODEOWNERS").write_text(existing, encoding="utf-8")
    return project


def _owners(text: str, path: str) -> list[str]:
    return [owner for _, owner in CodeOwners(text).of(path)]


def test_the_parser_reads_each_path_as_owned_by_its_accountable(tmp_path):
    project = _project(tmp_path)
    result = _raci_gen("build", ".", cwd=project)
    assert result.returncode == 0, result.stderr
    text = (project.parent.parent / ".github" / "CODEOWNERS").read_text(encoding="utf-8")
    assert text.startswith(HAND_WRITTEN_TOP + "# BEGIN RACI\n") and text.endswith("# END RACI\n" + HAND_WRITTEN_BOTTOM)
    assert _owners(text, "data/raw/customers.csv") == ["@acme/data-leads"]  # a role's own handle
    assert _owners(text, "etl/load.sql") == ["@acme/data-leads"]
    assert _owners(text, "data/features/tenure.parquet") == ["@ada-l"]  # MD-1's narrower path, later: it wins
    assert _owners(text, "models/churn.pkl") == ["@ada-l"]  # a person's handle
    assert _owners(text, "tests/test_model.py") == ["alan@example.org"]  # in post on 2026-07-01; Grace has left
    assert _owners(text, "README.md") == ["@acme/admins"]  # the team's own lines stay
    assert _owners(text, "docs/legal/terms.md") == ["@acme/legal"]


def test_the_responsible_are_owners_when_asked(tmp_path):
    project = _project(tmp_path, {"responsible": True})
    assert _raci_gen("build", ".", cwd=project).returncode == 0
    text = (project.parent.parent / ".github" / "CODEOWNERS").read_text(encoding="utf-8")
    assert _owners(text, "data/x.csv") == ["@acme/data-leads", "@ada-l"]
    assert _owners(text, "tests/t.py") == ["alan@example.org", "@ada-l"]


def test_gitlab_gets_one_section_and_its_own_handle_forms(tmp_path):
    roles = json.loads(json.dumps(ROLES))
    roles["roles"][0]["handles"] = ["@acme/ml/data-leads"]  # a nested group: GitLab's, not GitHub's
    project = _project(tmp_path, {"target": "gitlab", "section": "RACI owners"}, roles=roles)
    result = _raci_gen("build", ".", cwd=project)
    assert result.returncode == 0, result.stderr
    text = (project.parent.parent / ".github" / "CODEOWNERS").read_text(encoding="utf-8")
    assert "\n[RACI owners]\n" in text
    assert _owners(text, "data/x.csv") == ["@acme/ml/data-leads"]
    # the same handle on GitHub is refused by lint, and left out of the file
    project = _project(tmp_path / "github", roles=roles)
    result = _raci_gen("build", ".", cwd=project)
    assert result.returncode == 1
    assert "roles/roles.yaml:1:" in result.stderr and "[codeowners-handle]" in result.stderr
    result = _raci_gen("build", "--no-lint", ".", cwd=project)
    text = (project.parent.parent / ".github" / "CODEOWNERS").read_text(encoding="utf-8")
    assert "@acme/ml/data-leads" not in text and "# /data/ (no owner with a handle)" in text


def test_build_check_goes_stale_when_a_handle_changes(tmp_path):
    project = _project(tmp_path, existing=None)  # no .github/ yet: the build makes it, markers and all
    assert _raci_gen("build", ".", cwd=project).returncode == 0
    assert (project.parent.parent / ".github" / "CODEOWNERS").read_text().startswith("# BEGIN RACI\n")
    assert _raci_gen("build", "--check", ".", cwd=project).returncode == 0
    roles = project / "roles" / "roles.yaml"
    roles.write_text(roles.read_text().replace("@ada-l", "@ada-lovelace"), encoding="utf-8")
    result = _raci_gen("build", "--check", ".", cwd=project)
    assert result.returncode == 1
    assert "../../.github/CODEOWNERS is out of date" in result.stdout + result.stderr
    assert "+ /models/ @ada-lovelace" in result.stdout + result.stderr


def test_same_path_says_which_activity_wins(tmp_path):
    activities = json.loads(json.dumps(ACTIVITIES))
    activities["activities"][1]["paths"] = ["/models/", "/data/"]
    project = _project(tmp_path, activities=activities)
    result = _raci_gen("lint", ".", cwd=project)
    [line] = [line for line in result.stdout.splitlines() if "codeowners-same-path" in line]
    assert line.startswith("activities/01.yaml:1:")
    assert "DP-1 governs /data/ (owners @acme/data-leads), and so does MD-1" in line
    assert "MD-1's owners win" in line
    _raci_gen("build", ".", cwd=project)
    text = (project.parent.parent / ".github" / "CODEOWNERS").read_text(encoding="utf-8")
    assert _owners(text, "data/x.csv") == ["@ada-l"]  # what the finding said


def test_names_cannot_add_lines(tmp_path):
    """An activity's or role's name goes into a comment line; its line breaks do not start a rule."""
    activities = json.loads(json.dumps(ACTIVITIES))
    activities["activities"][0]["name"] = "Curate\n* @mallory\u2028* @mallory\r* @mallory"
    roles = json.loads(json.dumps(ROLES))
    roles["roles"][0]["name"] = "Lead\n# END RACI\n* @mallory"
    project = _project(tmp_path, roles=roles, activities=activities)
    result = _raci_gen("build", "--no-lint", ".", cwd=project)
    assert result.returncode == 0, result.stderr
    text = (project.parent.parent / ".github" / "CODEOWNERS").read_text(encoding="utf-8")
    assert "@mallory" not in " ".join(owner for _, owner in CodeOwners(text).of("anything.txt"))
    assert _owners(text, "README.md") == ["@acme/admins"]
    assert text.count("# END RACI\n") == 1


@pytest.mark.parametrize("pattern, says", [
    ("/my docs/", "holds no blank"),
    ("!/secret/", "no negation"),
    ("/src/[ab]/", "no character ranges"),
    ("#/x", "comment"),
])
def test_a_pattern_codeowners_would_misread_is_refused_at_its_place(tmp_path, pattern, says):
    activities = json.loads(json.dumps(ACTIVITIES))
    activities["activities"][2]["paths"] = [pattern]
    project = _project(tmp_path, activities=activities)
    before = (project.parent.parent / ".github" / "CODEOWNERS").read_bytes()
    result = _raci_gen("build", ".", cwd=project)
    assert result.returncode == 2
    [line] = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert line.startswith("activities/01.yaml:1:") and says in line
    assert (project.parent.parent / ".github" / "CODEOWNERS").read_bytes() == before


@pytest.mark.parametrize("existing, says", [
    ("* @acme/admins\n", "1:1: error: no # BEGIN RACI line"),
    ("# BEGIN RACI\n", "1:1: error: # BEGIN RACI has no # END RACI"),
    ("# BEGIN RACI\n# END RACI\n# END RACI\n", "3:1: error: a second # END RACI line"),
])
def test_a_file_without_one_pair_of_markers_is_refused(tmp_path, existing, says):
    project = _project(tmp_path, existing=existing)
    result = _raci_gen("build", ".", cwd=project)
    assert result.returncode == 2
    assert f"../../.github/CODEOWNERS:{says}" in result.stderr
    assert (project.parent.parent / ".github" / "CODEOWNERS").read_text() == existing
    assert not (project / "output").exists()  # all or nothing: the Markdown is not written either


@pytest.mark.parametrize("file, says", [
    ("../../../CODEOWNERS", "leads outside the git work tree"),
    ("../../.git/CODEOWNERS", "leads into '.git'"),
])
def test_the_file_stays_in_the_repository(tmp_path, file, says):
    project = _project(tmp_path, {"file": file})
    result = _raci_gen("build", ".", cwd=project)
    assert result.returncode == 2
    assert result.stderr.startswith("raci.yaml:1:") and says in result.stderr
    assert not (tmp_path / "CODEOWNERS").exists() and not (project.parent.parent / ".git" / "CODEOWNERS").exists()


def test_a_link_out_of_the_repository_is_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    project = _project(tmp_path, existing=None)
    (project.parent.parent / ".github").symlink_to(outside)
    result = _raci_gen("build", ".", cwd=project)
    assert result.returncode == 2 and "leads outside the git work tree" in result.stderr
    assert list(outside.iterdir()) == []


def test_without_paths_nothing_changes(tmp_path):
    """A project that governs no paths builds the same Markdown with or without the codeowners format."""
    activities = {"phase": "Build", "activities": [{k: v for k, v in a.items() if k != "paths"}
                                                   for a in ACTIVITIES["activities"]]}
    roles = {"roles": [{k: v for k, v in r.items() if k != "handles"} for r in json.loads(json.dumps(ROLES))["roles"]]}
    for r in roles["roles"]:
        for person in r.get("people", []):
            person.pop("handles")
    project = _project(tmp_path, roles=roles, activities=activities)
    assert _raci_gen("build", "--format", "md", ".", cwd=project).returncode == 0
    plain = (project / "output" / "raci-matrix.md").read_bytes()
    result = _raci_gen("lint", ".", cwd=project)
    assert "codeowners" not in result.stdout
    assert _raci_gen("build", ".", cwd=project).returncode == 0
    assert (project / "output" / "raci-matrix.md").read_bytes() == plain


def test_the_limits_table_says_the_limits():
    from documentation import table_rows

    from raci_gen.input.schema import MAX_HANDLE, MAX_PATH_PATTERN
    from raci_gen.writing.codeowners_file import MAX_FILE_BYTES

    from raci_gen.input.limits import MAX_GOVERNED_PATHS, MAX_HANDLES

    rows = table_rows()
    assert rows["handles of all roles and people / paths of all activities"] == \
        f"{MAX_HANDLES:,} / {MAX_GOVERNED_PATHS:,}"
    assert rows["a code-review handle (`handles:`)"] == f"{MAX_HANDLE} characters, one word"
    assert rows["a repository path pattern (`paths:`)"].startswith(f"{MAX_PATH_PATTERN:,} characters;")
    assert rows["the CODEOWNERS file (`output.codeowners.file`)"].endswith(
        f"under {MAX_FILE_BYTES // (1024 * 1024)} MiB")


def test_the_documented_example_is_what_a_build_writes(tmp_path):
    """docs/docs-as-code.md, "Owners that GitHub and GitLab ask for": its three files, built on 1 July 2026, give
    its CODEOWNERS."""
    from documentation import ROOT

    page = (ROOT / "docs" / "docs-as-code.md").read_text(encoding="utf-8")
    section = page[page.index("## Owners that GitHub and GitLab ask for"):]
    roles, activities, config, expected = [body for _, body in re.findall(r"```(yaml|text)\n(.*?)```", section, re.S)][:4]
    project = _project(tmp_path, existing="* @acme/admins\n# BEGIN RACI\n# END RACI\n/docs/legal/ @acme/legal\n")
    (project / "roles" / "roles.yaml").write_text(roles, encoding="utf-8")
    (project / "activities" / "01.yaml").write_text(activities, encoding="utf-8")
    (project / "raci.yaml").write_text(config, encoding="utf-8")
    result = _raci_gen("build", ".", cwd=project)
    assert result.returncode == 0, result.stderr
    assert (project.parent.parent / ".github" / "CODEOWNERS").read_text(encoding="utf-8") == expected


def test_the_json_carries_paths_and_handles_as_its_schema_says(tmp_path):
    import jsonschema

    from documentation import ROOT

    project = _project(tmp_path)
    assert _raci_gen("build", "--format", "json", ".", cwd=project).returncode == 0
    data = json.loads((project / "output" / "raci-matrix.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, json.loads((ROOT / "schemas" / "matrix.schema.json").read_text(encoding="utf-8")))
    assert data["roles"][0]["handles"] == ["@acme/data-leads"]
    assert data["roles"][1]["people"][0]["handles"] == ["@ada-l"]
    assert [a.get("paths") for a in data["phases"][0]["activities"]] == [
        ["/data/", "*.sql"], ["/models/", "/data/features/"], ["/tests/"]]
    assert "handles" not in data["roles"][2]  # only where given


def test_two_projects_share_one_file_each_between_its_own_markers(tmp_path):
    """A repository with two teams' charters: docs/raci and teams/serving, each with output.codeowners.block."""
    data = _project(tmp_path, {"block": "data"}, existing="* @acme/admins\n# BEGIN RACI data\n# END RACI data\n"
                                                          "# BEGIN RACI serving\n# END RACI serving\n")
    repo = data.parent.parent
    serving = repo / "teams" / "serving"
    (serving / "roles").mkdir(parents=True)
    (serving / "activities").mkdir()
    (serving / "raci.yaml").write_text(json.dumps({"output": {"formats": ["codeowners"], "codeowners": {
        "file": "../../.github/CODEOWNERS", "block": "serving"}}}), encoding="utf-8")
    (serving / "roles" / "roles.yaml").write_text(json.dumps({"roles": [
        {"id": "SRE", "name": "Site Reliability", "handles": ["@acme/sre"]}, {"id": "DEV", "name": "Developer"}]}))
    (serving / "activities" / "01.yaml").write_text(json.dumps({"phase": "Serve", "activities": [
        {"id": "SV-1", "name": "Run the service", "raci": {"SRE": "A", "DEV": "R"}, "paths": ["/deploy/"]}]}))
    for project in (data, serving, data):  # the second build of data leaves serving's block as it is
        result = _raci_gen("build", ".", cwd=project)
        assert result.returncode == 0, result.stderr
    for project in (data, serving):
        assert _raci_gen("build", "--check", ".", cwd=project).returncode == 0
    text = (repo / ".github" / "CODEOWNERS").read_text(encoding="utf-8")
    assert _owners(text, "deploy/k8s.yaml") == ["@acme/sre"]
    assert _owners(text, "models/m.pkl") == ["@ada-l"]
    assert _owners(text, "README.md") == ["@acme/admins"]
    # a file without this project's pair is refused, whatever pairs of others it holds
    (repo / ".github" / "CODEOWNERS").write_text("# BEGIN RACI data\n# END RACI data\n", encoding="utf-8")
    result = _raci_gen("build", ".", cwd=serving)
    assert result.returncode == 2 and "CODEOWNERS:1:1: error: no # BEGIN RACI serving line" in result.stderr


def test_more_handles_than_the_limit_are_refused_at_the_first_past_it(tmp_path):
    from raci_gen.input.limits import MAX_HANDLES

    roles = json.loads(json.dumps(ROLES))
    roles["roles"][1]["people"] = [{"name": f"P{i}", "handles": [f"@user-{i}"]} for i in range(MAX_HANDLES)]
    project = _project(tmp_path, roles=roles)  # with DL's own handle, one more than the limit
    result = _raci_gen("lint", ".", cwd=project)
    assert result.returncode == 2
    [line] = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert line.startswith("roles/roles.yaml:1:") and f"more than {MAX_HANDLES:,} handles" in line


def test_a_block_past_what_github_reads_is_refused_as_it_is_made(tmp_path):
    """1,000 owners on each of 400 paths would be 5 MB of CODEOWNERS; it is refused at the path that reaches 3 MiB,
    in seconds, within 1 GB, and nothing is written."""
    roles = {"roles": [{"id": "R1", "name": "Owner", "people": [
        {"name": f"P{i}", "handles": [f"@user-{i:04d}"]} for i in range(1000)]}, {"id": "R2", "name": "Doer"}]}
    activities = {"phase": "Build", "activities": [
        {"id": f"A-{i}", "name": f"Act {i}", "raci": {"R1": "A", "R2": "R"}, "paths": [f"/p{i}/"]}
        for i in range(400)]}
    project = _project(tmp_path, roles=roles, activities=activities)
    before = (project.parent.parent / ".github" / "CODEOWNERS").read_bytes()
    result = subprocess.run(["prlimit", "--as=1000000000", *RACI_GEN, "build", "--no-lint", "."], cwd=project,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    [line] = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert line.startswith("activities/01.yaml:1:") and "the CODEOWNERS lines reach 3 MiB here, at activity A-2" in line
    assert (project.parent.parent / ".github" / "CODEOWNERS").read_bytes() == before
    assert not (project / "output").exists()


def test_a_later_broader_pattern_says_it_takes_the_earlier_paths(tmp_path):
    """/data/raw/ before /data/, or anything before the catch-all: the later line's owners win every file of the
    earlier pattern, which lint says at the earlier one, naming the line that wins; the parser agrees."""
    activities = json.loads(json.dumps(ACTIVITIES))
    activities["activities"][0]["paths"] = ["/data/raw/", "*.sql"]  # DP-1, Data Lead
    activities["activities"][1]["paths"] = ["/models/", "/data/"]  # MD-1, Ada, later
    activities["activities"][2]["paths"] = ["/tests/", "**"]  # QA-1, Alan, last
    project = _project(tmp_path, activities=activities)
    result = _raci_gen("lint", ".", cwd=project)
    lines = [line for line in result.stdout.splitlines() if "codeowners-same-path" in line]
    # every path of DP-1 and MD-1 is QA-1's in the end: the finding names the last line that covers each
    assert any("DP-1 governs /data/raw/ (owners @acme/data-leads), and QA-1's ** at activities/01.yaml:1:" in line
               for line in lines), lines
    assert sum("QA-1's ** at" in line for line in lines) == 4, lines
    assert not any("governs /tests/" in line for line in lines)
    activities["activities"][2]["paths"] = ["/tests/"]
    (project / "activities" / "01.yaml").write_text(json.dumps(activities), encoding="utf-8")
    [line] = [line for line in _raci_gen("lint", ".", cwd=project).stdout.splitlines() if "codeowners-same-path" in line]
    assert "DP-1 governs /data/raw/ (owners @acme/data-leads), and MD-1's /data/ at activities/01.yaml:1:" in line
    assert "MD-1's owners win and DP-1's are never asked: narrow /data/, or give the path to one activity" in line
    _raci_gen("build", ".", cwd=project)
    text = (project.parent.parent / ".github" / "CODEOWNERS").read_text(encoding="utf-8")
    assert _owners(text, "data/raw/x.csv") == ["@ada-l"]  # what the finding said


PATTERNS = ["*", "**", "/**", "/data/", "/data/**", "data/", "/data/raw/", "data/raw/", "/data/*.csv", "/data/raw/*.csv",
            "/data/**/x.csv", "*.csv", "raw/", "/docs/", "docs/", "/docs/api/", "/datas/", "/data", "/data/*/", "x.csv"]


def _files(pattern: str) -> list[str]:
    """Files ``pattern`` may match, to try it on."""
    stem = pattern.strip("/").replace("**", "a/b").replace("*", "x") or "f"
    return [stem, f"{stem}/f.txt", f"top/{stem}/f.txt", f"{stem}/x.csv", "data/raw/x.csv", "docs/api/x.md", "f.txt"]


@pytest.mark.parametrize("later", PATTERNS)
def test_covers_says_only_what_a_codeowners_parser_confirms(later):
    """Whenever raci-gen says ``later`` covers ``earlier``, the parser gives every file of ``earlier`` to the later
    line's owner (checked on files made from both patterns); and the pairs it must find, it finds."""
    from raci_gen.model.codeowners import covers

    for earlier in PATTERNS:
        if not covers(later, earlier):
            continue
        text = f"{earlier} @early\n{later} @late\n"
        for path in _files(earlier) + _files(later):
            if CodeOwners(f"{earlier} @early\n").of(path):
                assert _owners(text, path) == ["@late"], (earlier, later, path)
    assert covers(later, "/data/raw/x.csv") == (later in ("*", "**", "/**", "/data/", "/data/**", "data/",
                                                          "/data/raw/", "data/raw/"))

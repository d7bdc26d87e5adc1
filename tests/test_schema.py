"""The JSON Schemas for editors: committed, in sync with the models, and right about real files."""

from __future__ import annotations

import copy
import datetime as _dt
import json
import os
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from raci_gen.cli import main
from raci_gen.input.schema import SCHEMA_FILES, json_schemas

REPO_ROOT = Path(__file__).resolve().parents[1]
SCHEMA_DIR = REPO_ROOT / "schemas"
DIRECTIVE = re.compile(r"^# yaml-language-server: \$schema=(?P<target>\S+)$")


def plain(data):
    """YAML data as JSON sees it: dates (which safe_load makes objects) become ISO strings."""
    if isinstance(data, dict):
        return {k: plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [plain(v) for v in data]
    if isinstance(data, (_dt.date, _dt.datetime)):
        return data.isoformat()
    return data


@pytest.fixture(scope="module")
def validators() -> dict[str, Draft202012Validator]:
    result = {}
    for name, text in json_schemas().items():
        schema = json.loads(text)
        Draft202012Validator.check_schema(schema)
        result[name.split(".")[0]] = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return result


def errors(validator: Draft202012Validator, data) -> list[str]:
    """Every error message, those under an anyOf included (an editor shows the closest of them)."""
    def walk(error):
        yield error.message
        for sub in error.context or ():
            yield from walk(sub)
    return [m for e in validator.iter_errors(plain(data)) for m in walk(e)]


def example_files() -> list[tuple[str, Path]]:
    """(schema, file) for each input file of the repository's example."""
    return ([("raci", REPO_ROOT / "raci.yaml")] + [("roles", p) for p in sorted((REPO_ROOT / "roles").glob("*.yaml"))]
            + [("activities", p) for p in sorted((REPO_ROOT / "activities").glob("*.yaml"))])


# --- committed and in sync ----------------------------------------------------------------------------------------


def test_one_file_per_schema():
    assert sorted(json_schemas()) == sorted(SCHEMA_FILES) == ["activities.schema.json", "matrix.schema.json",
                                                             "raci.schema.json", "roles.schema.json"]


@pytest.mark.parametrize("name", sorted(SCHEMA_FILES))
def test_committed_schema_is_what_json_schemas_gives(name):
    path = SCHEMA_DIR / name
    assert path.is_file(), f"{path} is missing; run `raci-gen schema` and commit schemas/"
    assert path.read_text(encoding="utf-8") == json_schemas()[name], (
        f"{path} is out of date; run `raci-gen schema` and commit schemas/")


def test_json_schemas_is_deterministic():
    assert json_schemas() == json_schemas()
    for text in json_schemas().values():
        assert text.endswith("}\n") and "\r" not in text


def test_schema_check_on_the_repository(monkeypatch):
    monkeypatch.chdir(REPO_ROOT)
    result = CliRunner().invoke(main, ["schema", "--check"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def test_schema_writes_then_check_notices_a_change(tmp_path):
    runner = CliRunner()
    target = tmp_path / "schemas"
    result = runner.invoke(main, ["schema", str(target)])
    assert result.exit_code == 0, result.output
    assert sorted(os.listdir(target)) == sorted(SCHEMA_FILES)
    assert result.stdout.splitlines() == [f"wrote {target / name}" for name in SCHEMA_FILES]
    assert runner.invoke(main, ["schema", str(target), "--check"]).exit_code == 0
    changed = target / "roles.schema.json"
    edited = changed.read_text(encoding="utf-8").replace('"roles"', '"rolez"', 1)
    changed.write_text(edited, encoding="utf-8")
    result = runner.invoke(main, ["schema", str(target), "--check"])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == f"{changed} is out of date"
    assert lines[1].startswith("  first difference at line ") and '"rolez"' in lines[2]
    assert lines[-1] == f"run: raci-gen schema {target}"
    (target / "raci.schema.json").unlink()
    result = runner.invoke(main, ["schema", str(target), "--check"])
    assert result.exit_code == 1
    assert f"{target / 'raci.schema.json'} is missing" in result.stderr
    assert not (target / "raci.schema.json").exists()  # --check wrote nothing
    assert changed.read_text(encoding="utf-8") == edited


def test_every_schema_is_a_valid_draft_2020_12_schema(validators):
    for name, text in json_schemas().items():
        schema = json.loads(text)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["$id"] == name
        assert schema["type"] == "object" and schema["additionalProperties"] is False


# --- the schemas accept the example ... -----------------------------------------------------------------------------


@pytest.mark.parametrize("schema,path", example_files(), ids=lambda v: v.name if isinstance(v, Path) else v)
def test_the_example_is_valid(validators, schema, path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert errors(validators[schema], data) == []


def test_a_full_raci_yaml_is_valid(validators):
    data = {
        "title": "T", "project": "P", "version": "1.2", "author": "A", "date": _dt.date(2024, 5, 1),
        "roles": "roles", "activities": "activities", "templates": "templates", "page": "Letter",
        "output": {"dir": "out", "name": "team", "formats": ["md", "html", "xlsx", "pdf"],
                   "inject": ["docs/All.md", {"file": "docs/Team.md", "section": "matrix"}]},
        "variant": "RASCI",
        "lint": {"too-many-consulted": {"severity": "error", "max": 2}, "no-communication": False,
                 "idle-role": "info"},
        "analysis": False,
        "approval": [{"name": "Ada", "role": "Sponsor", "date": _dt.date(2024, 5, 2)}, {"name": "Alan"}],
        "pdf": {"variant": "pdf/a-3b"},
        "language": "de-CH",
    }
    assert errors(validators["raci"], data) == []


def test_a_custom_variant_is_valid(validators):
    data = yaml.safe_load(CUSTOM_VARIANT)
    assert errors(validators["raci"], data) == []


CUSTOM_VARIANT = """
variant:
  name: RAEW
  letters:
    - {code: R, name: Responsible, meaning: Does the work., colour: "#C9E7C0"}
    - {code: A, name: Authority, meaning: Decides; exactly one., colour: "#F5B69B"}
    - {code: E, name: Expertise, meaning: Brings expert knowledge., colour: "#bbd5ef"}
    - {code: W, name: Work, meaning: Helps with the work., colour: "#F7E3A1"}
  exactly-one: [A]
  does-the-work: [R]
  consulted: [E]
  informed: []
  combinations: [A/R]
  at-most-one: []
  needs: {W: [R]}
"""


@pytest.mark.parametrize("cell", ["A", "A/R", "AR", "R/A", "R, A", "A + R", "S"])
def test_cells_the_loader_accepts_are_valid(validators, cell):
    data = {"phase": "P", "activities": [{"id": "A-1", "name": "n", "raci": {"R1": cell}}]}
    assert errors(validators["activities"], data) == []


# --- ... and reject what a schema can say is wrong ----------------------------------------------------------------

ROLES = {"roles": [{"id": "R1", "name": "Owner", "similar": ["Boss"], "description": "d",
                    "lint-ignore": {"idle-role": "why"}, "people": ["Ada", {"name": "Alan", "team": "T"}]}]}
PHASE = {"phase": "P", "activities": [{"id": "A-1", "name": "Do", "raci": {"R1": "A/R"}}]}


def changed(data: dict, path: tuple, value=None, delete: bool = False) -> dict:
    data = copy.deepcopy(data)
    target = data
    for key in path[:-1]:
        target = target[key]
    if delete:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


@pytest.mark.parametrize("schema,data", [
    ("roles", changed(ROLES, ("roles", 0, "descripton"), "typo")),
    ("roles", changed(ROLES, ("rolez",), [])),
    ("roles", changed(ROLES, ("roles", 0, "people", 1, "mail"), "x@y")),
    ("activities", changed(PHASE, ("activities", 0, "raci_"), {})),
    ("raci", {"titel": "x"}),
    ("raci", {"output": {"format": ["md"]}}),
    ("raci", {"output": {"inject": [{"file": "a.md", "sections": "matrix"}]}}),
], ids=["role", "roles-file", "person", "activity", "raci", "output", "inject"])
def test_unknown_key(validators, schema, data):
    assert any("Additional properties are not allowed" in m for m in errors(validators[schema], data))


@pytest.mark.parametrize("schema,data", [
    ("roles", changed(ROLES, ("roles", 0, "name"), delete=True)),
    ("roles", changed(ROLES, ("roles", 0, "id"), delete=True)),
    ("roles", {}),
    ("activities", changed(PHASE, ("phase",), delete=True)),
    ("activities", changed(PHASE, ("activities", 0, "name"), delete=True)),
    ("raci", {"output": {"inject": [{"section": "matrix"}]}}),
    ("raci", {"approval": [{"role": "Sponsor"}]}),
], ids=["role-name", "role-id", "roles", "phase", "activity-name", "inject-file", "signer-name"])
def test_missing_required_key(validators, schema, data):
    assert any("is a required property" in m for m in errors(validators[schema], data))


def test_id_must_be_text(validators):
    assert errors(validators["roles"], changed(ROLES, ("roles", 0, "id"), 1)) == ["1 is not of type 'string'"]
    assert errors(validators["activities"], changed(PHASE, ("activities", 0, "id"), 1)) == [
        "1 is not of type 'string'"]


def test_unquoted_yes_is_a_boolean_not_a_name(validators):
    data = yaml.safe_load("roles:\n  - id: R1\n    name: yes\n")
    assert data["roles"][0]["name"] is True
    assert errors(validators["roles"], data) == ["True is not of type 'string'"]
    quoted = yaml.safe_load('roles:\n  - id: R1\n    name: "yes"\n')
    assert errors(validators["roles"], quoted) == []


def test_unquoted_version_number_is_refused(validators):
    assert "1.0 is not of type 'string'" in errors(validators["raci"], yaml.safe_load("version: 1.0\n"))
    assert errors(validators["raci"], yaml.safe_load('version: "1.0"\n')) == []


@pytest.mark.parametrize("data", [{"page": "A3"}, {"page": "a4"}, {"page": "letter"},
                                  {"output": {"formats": ["docx"]}}, {"pdf": {"variant": "pdf/a-1b"}},
                                  {"lint": {"idle-role": "fatal"}}])
def test_wrong_literal(validators, data):
    assert any("is not one of" in m or "is not valid under any of the given schemas" in m
               for m in errors(validators["raci"], data))


@pytest.mark.parametrize("colour", ["red", "#FFF", "#GGGGGG", "C9E7C0", "#C9E7C0 "])
def test_bad_colour_in_a_custom_variant(validators, colour):
    data = yaml.safe_load(CUSTOM_VARIANT)
    data["variant"]["letters"][2]["colour"] = colour
    assert errors(validators["raci"], data) != []


@pytest.mark.parametrize("code", ["r", "RR", "1", ""])
def test_bad_letter_code_in_a_custom_variant(validators, code):
    data = yaml.safe_load(CUSTOM_VARIANT)
    data["variant"]["letters"][0]["code"] = code
    assert errors(validators["raci"], data) != []


# What the loader checks beyond the pydantic models, and a schema can still say.


@pytest.mark.parametrize("bad", ["R 1", "-R1", "R1!", "x" * 33, "Ä1", ""])
def test_ids_have_the_loaders_form(validators, bad):
    assert errors(validators["roles"], changed(ROLES, ("roles", 0, "id"), bad)) != []
    assert errors(validators["activities"], changed(PHASE, ("activities", 0, "id"), bad)) != []
    assert errors(validators["activities"], changed(PHASE, ("activities", 0, "raci"), {bad: "A"})) != []


def test_ids_the_loader_accepts_are_valid(validators):
    for good in ("R1", "GD-1", "a.b_c-d", "7", "x" * 32):
        assert errors(validators["roles"], changed(ROLES, ("roles", 0, "id"), good)) == []


@pytest.mark.parametrize("cell", ["", " ", "a", "a/r", "A1", "Accountable", True])
def test_cells_must_be_capital_letters(validators, cell):
    data = changed(PHASE, ("activities", 0, "raci"), {"R1": cell})
    assert errors(validators["activities"], data) != []


def test_variant_and_rule_names_are_known(validators):
    assert errors(validators["raci"], {"variant": "RACII"}) != []
    assert errors(validators["raci"], {"variant": "raci"}) != []  # the loader wants the exact name
    assert errors(validators["raci"], {"variant": "PACSI"}) == []
    assert errors(validators["raci"], {"lint": {"no-such-rule": "off"}}) != []
    assert errors(validators["roles"], changed(ROLES, ("roles", 0, "lint-ignore"), {"no-such-rule": "why"})) != []
    assert errors(validators["roles"], changed(ROLES, ("roles", 0, "lint-ignore"), {"idle-role": ""})) != []


def test_what_the_schema_rejects_the_loader_rejects_too(tmp_path, make_project):
    """The refinements are the loader's own rules: each case above is an input error for raci-gen too."""
    from raci_gen.checks.analysis import lint
    from raci_gen.model.errors import InputError
    from raci_gen.input.loader import load_project

    cases = [
        ([{"id": "R 1", "name": "x"}], {"01": PHASE}, None),
        ([{"id": "R1", "name": "x"}], {"01": changed(PHASE, ("activities", 0, "raci"), {"R1": "a"})}, None),
        ([{"id": "R1", "name": "x"}], {"01": PHASE}, {"variant": "raci"}),
        ([{"id": "R1", "name": "x"}], {"01": PHASE}, {"lint": {"no-such-rule": "off"}}),
    ]
    for i, (roles, activities, config) in enumerate(cases):
        root = make_project(tmp_path / str(i), roles, activities, config)
        with pytest.raises(InputError):
            project = load_project(str(root))
            lint(project.matrix, project.settings)


# --- the files `raci-gen init` writes point at the schemas ----------------------------------------------------------


def test_init_files_name_a_schema_that_exists(tmp_path):
    target = tmp_path / "team"
    result = CliRunner().invoke(main, ["init", str(target)])
    assert result.exit_code == 0, result.output
    yaml_files = sorted(p for p in target.rglob("*.yaml") if not p.name.startswith("."))  # not pre-commit's
    assert {p.parent.name for p in yaml_files} == {"team", "roles", "activities"}
    expected = {"raci.yaml": "raci.schema.json", "roles": "roles.schema.json", "activities": "activities.schema.json"}
    for path in yaml_files:
        first = path.read_text(encoding="utf-8").split("\n", 1)[0]
        match = DIRECTIVE.match(first)
        assert match, f"{path} starts with {first!r}"
        schema = (path.parent / match["target"]).resolve()
        assert schema.is_file(), f"{path} names {match['target']}, which does not exist"
        assert schema.parent == (target / "schemas").resolve()
        assert schema.name == expected.get(path.name, expected.get(path.parent.name))
        assert schema.read_text(encoding="utf-8") == json_schemas()[schema.name]


def test_init_files_are_valid_by_the_schema_they_name(tmp_path):
    target = tmp_path / "team"
    assert CliRunner().invoke(main, ["init", str(target)]).exit_code == 0
    for path in sorted(p for p in target.rglob("*.yaml") if not p.name.startswith(".")):
        target_name = DIRECTIVE.match(path.read_text(encoding="utf-8").split("\n", 1)[0])["target"]
        schema = json.loads((path.parent / target_name).read_text(encoding="utf-8"))
        validator = Draft202012Validator(schema)
        assert [e.message for e in validator.iter_errors(plain(yaml.safe_load(path.read_text("utf-8"))))] == []


def test_the_repository_files_point_at_the_committed_schemas():
    for _, path in example_files():
        match = DIRECTIVE.match(path.read_text(encoding="utf-8").split("\n", 1)[0])
        assert match, path
        assert (path.parent / match["target"]).resolve().parent == SCHEMA_DIR.resolve()
        assert (path.parent / match["target"]).is_file()


def test_schema_files_a_copied_project_points_at_exist_after_raci_gen_schema(tmp_path):
    """A project copied without schemas/ gets them back with `raci-gen schema`, where its files look."""
    project = tmp_path / "p"
    project.mkdir()
    shutil.copy(REPO_ROOT / "raci.yaml", project)
    shutil.copytree(REPO_ROOT / "roles", project / "roles")
    result = CliRunner().invoke(main, ["schema", str(project / "schemas")])
    assert result.exit_code == 0
    for path in [project / "raci.yaml", *sorted((project / "roles").glob("*.yaml"))]:
        match = DIRECTIVE.match(path.read_text(encoding="utf-8").split("\n", 1)[0])
        assert (path.parent / match["target"]).is_file()

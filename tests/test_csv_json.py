"""build --format csv and --format json: read back with the stdlib csv module and jsonschema."""

from __future__ import annotations

import csv
import io
import json

from jsonschema import Draft202012Validator

from raci_gen.documents.csv import render_csv
from raci_gen.documents.json import render_json
from raci_gen.input.schema import json_schemas
from tests.conftest import fixed_document


def test_csv_has_one_row_per_activity_and_one_column_per_role(example_project):
    document = fixed_document(example_project)
    rows = list(csv.reader(io.StringIO(render_csv(document).decode("utf-8"), newline="")))
    matrix = example_project.matrix
    # the example has sign-offs: their column follows the activity's, yes on a sign-off's row
    assert rows[0][:4] == ["id", "phase", "activity", "sign-off"]
    assert rows[0][4:] == [f"{r.id} ({r.name})" for r in matrix.roles]
    expected = [[a.id, p.name, a.name, "yes" if a.sign_off else ""]
                + [a.cell(r.id).text if a.cell(r.id) else "" for r in matrix.roles]
                for p in matrix.phases for a in p.activities]
    assert rows[1:] == expected


def test_csv_keeps_formula_starts_as_text(tmp_path, make_project):
    root = make_project(tmp_path, [{"id": "R1", "name": "=HYPERLINK(1)"}],
                        {"p": {"phase": "+Phase", "activities": [
                            {"id": "A1", "name": "@cmd", "raci": {"R1": "A/R"}}]}})
    from raci_gen.input.loader import load_project
    rows = list(csv.reader(io.StringIO(render_csv(fixed_document(load_project(str(root)))).decode(), newline="")))
    assert rows[0][3] == "R1 (=HYPERLINK(1))"  # starts with R1: no formula
    assert rows[1] == ["A1", "'+Phase", "'@cmd", "A/R"]


def test_csv_quotes_what_the_workbook_quotes_and_import_reads_it_back(tmp_path, make_project):
    """A lead-in of blanks or invisible characters, or a full-width sign, still starts a formula (OWASP)."""
    from raci_gen.importers.csv import read_csv
    from raci_gen.importers.table import ReadOptions
    from raci_gen.input.loader import load_project

    names = [" =1+1", "\u00a0+SUM(A1)", "\u200b@cmd", "\uff1dHYPERLINK(1)", "plain", "a=b"]
    root = make_project(tmp_path, [{"id": "R1", "name": "Lead"}],
                        {"p": {"phase": "Work", "activities": [
                            {"id": f"A{i}", "name": name, "raci": {"R1": "A/R"}} for i, name in enumerate(names)]}})
    data = render_csv(fixed_document(load_project(str(root))))
    rows = list(csv.reader(io.StringIO(data.decode(), newline="")))
    assert [r[2] for r in rows[1:]] == ["' =1+1", "'\u00a0+SUM(A1)", "'\u200b@cmd", "'\uff1dHYPERLINK(1)", "plain", "a=b"]
    table = read_csv(data, "m.csv", ReadOptions())[0]
    assert [row[2].text for row in table.rows[1:]] == names  # the quote comes off, the text is as it was


def test_json_is_valid_by_its_published_schema(example_project):
    data = json.loads(render_json(fixed_document(example_project)))
    Draft202012Validator(json.loads(json_schemas()["matrix.schema.json"])).validate(data)
    matrix = example_project.matrix
    assert [r["id"] for r in data["roles"]] == [r.id for r in matrix.roles]
    assert [p["name"] for p in data["phases"]] == [p.name for p in matrix.phases]
    cells = {a["id"]: a["raci"] for p in data["phases"] for a in p["activities"]}
    assert cells == {a.id: {c.role_id: c.text for c in a.cells} for a in matrix.activities()}
    assert data["input"] == example_project.digest


def test_csv_and_json_are_the_same_bytes_twice(example_project):
    document = fixed_document(example_project)
    assert render_csv(document) == render_csv(document)
    assert render_json(document) == render_json(document)

"""fastcheck: the structural checks without pydantic, for files that pass them.

Whatever fastcheck accepts, pydantic accepts, with the same data (defaults filled in) as the
loader reads it; whatever pydantic refuses, fastcheck leaves to pydantic. Checked on every
input file of the example and of the bad-input corpus, and on data hypothesis makes from the
models' shapes, mostly valid, with wrong types, missing and unknown keys, long text.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from conftest import REPO_ROOT
from raci_gen.input import fastcheck, schema, validation
from raci_gen.model.errors import InputError
from raci_gen.input.yamlsource import parse

SHAPES = fastcheck._load()


def pydantic_reading(model_name: str, data):
    """What the loader reads from pydantic's validation of ``data``, or None when pydantic refuses it."""
    try:
        validated = getattr(schema, model_name).model_validate(data)
    except ValidationError:
        return None
    return validation._decoded(validation._encoded(validated))


def agree(model_name: str, data) -> bool:
    """Whether fastcheck answered for ``data`` (and, when it did, that pydantic agrees)."""
    fast = fastcheck.checked(model_name, data)
    if fast is None:
        return False
    assert pydantic_reading(model_name, data) == fast, (model_name, data)
    return True


def test_shapes_json_is_generated_from_the_current_models():
    assert SHAPES is not None, ("src/raci_gen/input/shapes.json is missing or older than schema.py; regenerate it: "
                                "python -c \"from raci_gen.input.schema import write_shapes; write_shapes()\"")
    assert Path(fastcheck.SHAPES_FILE).read_text(encoding="utf-8") == schema.shapes_text()
    assert set(SHAPES["models"]) == set(fastcheck.MODELS) == set(schema.SHAPE_MODELS)


def test_every_alias_is_its_field_name_in_kebab_case():
    """fastcheck names the fields it fills from the keys of the files."""
    for model in vars(schema).values():
        if isinstance(model, type) and issubclass(model, schema._Strict):
            for name, field in model.model_fields.items():
                # a Python keyword (from) is its field name with an underscore (from_)
                assert (field.alias or name).replace("-", "_") in (name, name.rstrip("_")), (model, name)


def model_of(path: Path) -> str | None:
    if path.name == "raci.yaml":
        return "ProjectFile"
    if "roles" in path.parts:
        return "RolesFile"
    if "activities" in path.parts:
        return "PhaseFile"
    return None


def test_the_example_and_the_corpus_files_read_alike():
    answered = refused = 0
    files = [p for folder in (REPO_ROOT / "roles", REPO_ROOT / "activities", REPO_ROOT / "tests" / "corpus")
             for p in sorted(folder.rglob("*.y*ml"))] + [REPO_ROOT / "raci.yaml"]
    for path in files:
        model_name = model_of(path.relative_to(REPO_ROOT))
        if model_name is None or path.is_symlink() or not path.is_file():
            continue
        try:
            data = parse(path.read_text(encoding="utf-8"), str(path)).data
        except (InputError, UnicodeDecodeError):
            continue
        if agree(model_name, data):
            answered += 1
        elif pydantic_reading(model_name, data) is None:
            refused += 1
        if path.is_relative_to(REPO_ROOT / "activities") or path.is_relative_to(REPO_ROOT / "roles") \
                or path == REPO_ROOT / "raci.yaml":
            assert fastcheck.checked(model_name, data) is not None, path  # the fast path is really taken
    assert answered >= 20 and refused >= 10, (answered, refused)


ODD_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False), st.just(dt.date(2024, 2, 29)),
    st.just(dt.datetime(2024, 1, 31, 10, 0)), st.sampled_from(["", "A", "A\n", "x" * 301, "x" * 5001, "#E4E4E4",
                                                               "#e4e4e4x", "de-CH", "1.5"]),
    st.lists(st.just("A"), max_size=2), st.dictionaries(st.sampled_from(["A", "x", "R1"]), st.just("A"), max_size=2))


def from_shape(shape: dict, definitions: dict, depth: int = 0, noisy: bool = True) -> st.SearchStrategy:
    """Values for ``shape``: most of them fit it, some do not (more of them when ``noisy``)."""
    if depth > 6:
        return ODD_VALUES
    if "$ref" in shape:
        return st.deferred(lambda: from_shape(definitions[shape["$ref"].split("/")[-1]], definitions, depth + 1, noisy))
    if "anyOf" in shape:
        return st.one_of([from_shape(option, definitions, depth + 1, noisy) for option in shape["anyOf"]])
    if "enum" in shape:
        return st.one_of(st.sampled_from(shape["enum"]), ODD_VALUES)
    kind = shape.get("type")
    fitting: st.SearchStrategy
    if kind == "object" and "properties" in shape:
        properties = shape["properties"]
        required = shape.get("required", [])
        fitting = st.fixed_dictionaries(
            {k: from_shape(properties[k], definitions, depth + 1, noisy) for k in required},
            optional={k: from_shape(v, definitions, depth + 1, noisy) for k, v in properties.items() if k not in required})
        fitting = st.one_of(fitting, fitting.map(lambda d: {**d, "unknown-key": 1}) if depth < 2 else fitting,
                            *[fitting] * 8)
    elif kind == "object":
        values = shape.get("additionalProperties") or next(iter(shape.get("patternProperties", {}).values()), {})
        fitting = st.dictionaries(st.sampled_from(["A", "R", "R1", "idle-role", "x" * 301, "a b"]),
                                  from_shape(values, definitions, depth + 1, noisy), max_size=3)
    elif kind == "array":
        fitting = st.lists(from_shape(shape.get("items", {}), definitions, depth + 1, noisy), max_size=3)
    elif kind == "string" and shape.get("format") == "date":
        fitting = st.just(dt.date(2025, 1, 1))
    elif kind == "string":
        fitting = st.one_of(st.sampled_from(["A", "R", "RACI", "Owner", "md", "#C9E7C0", "en", "fr-CA", "out-1",
                                             "A4", "x" * 300]), st.text(max_size=4))
    elif kind == "boolean":
        fitting = st.booleans()
    elif kind == "integer":
        fitting = st.integers(-5, 5)
    elif kind == "number":
        fitting = st.floats(allow_nan=False)
    elif kind == "null":
        fitting = st.none()
    else:
        fitting = ODD_VALUES
    return st.one_of(fitting, ODD_VALUES) if noisy else fitting


def test_whatever_fastcheck_accepts_pydantic_accepts_alike():
    counts = {"answered": 0, "left": 0}
    for model_name in fastcheck.MODELS:
        root = SHAPES["models"][model_name]
        shape = {k: v for k, v in root.items() if k != "$defs"}
        strategy = st.one_of(from_shape(shape, root.get("$defs", {}), noisy=False),
                             from_shape(shape, root.get("$defs", {})))

        @settings(max_examples=700, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                         HealthCheck.data_too_large])
        @given(data=strategy)
        def run(data):
            if agree(model_name, data):
                counts["answered"] += 1
            else:
                counts["left"] += 1

        run()
    assert counts["answered"] >= 150 and counts["left"] >= 150, counts  # both paths really tried

"""The structural checks of an input file that passes them, without importing pydantic.

pydantic (:mod:`raci_gen.input.schema`) stays the single source of the checks: ``shapes.json``
beside this module is generated from its models (``schema.shapes_text()``, a test keeps it
current), and records the digest of the schema.py it came from; when that is not the
schema.py installed, nothing here is used. :func:`checked` walks a file's data along the
JSON Schema of its model and answers only when it is sure the model accepts the data: then
it returns the data as the loader reads a validated model (an object whose attributes are
the model's fields, defaults filled in; a plain dict for a mapping, a list for a list).
Whenever the data does not fit, or the shape uses anything this walk does not know, it
answers None and pydantic decides, and words the problems, as it always did. A hypothesis
test checks that whatever this accepts, pydantic accepts alike.

Strict pydantic types are exact Python types here: text is ``str``, a boolean is not a
number, a date is a ``datetime.date`` (never text that looks like one).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import keyword
import os
import re
import types
from typing import Any

SHAPES_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "shapes.json")
SCHEMA_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schema.py")
MODELS = ("ProjectFile", "RolesFile", "PhaseFile")
"""The models of the input files, whose shapes shapes.json holds."""

_NOTES = frozenset({"title", "description", "default", "examples"})
"""Keywords that say nothing about what is accepted."""


class _Unsure(Exception):
    """The data does not fit, or the shape says something this walk does not understand."""


_shapes: list[dict | None] = []


def _load() -> dict | None:
    if not _shapes:
        try:
            with open(SHAPES_FILE, "rb") as fh:
                shapes = json.loads(fh.read())
            with open(SCHEMA_FILE, "rb") as fh:
                current = hashlib.sha256(fh.read()).hexdigest()
            _shapes.append(shapes if shapes.get("schema.py") == current else None)
        except (OSError, ValueError, AttributeError):
            _shapes.append(None)
    return _shapes[0]


def checked(model_name: str, data: Any) -> Any:
    """``data`` as validated by ``schema.<model_name>``, when it surely passes; else None."""
    shapes = _load()
    if shapes is None or model_name not in shapes.get("models", {}):
        return None
    root = shapes["models"][model_name]
    try:
        return _Walk(root.get("$defs", {})).value({k: v for k, v in root.items() if k != "$defs"}, data)
    except (_Unsure, RecursionError):
        return None
    except (TypeError, ValueError, KeyError, AttributeError, re.error):  # a shape we misread: let pydantic judge
        return None


_patterns: dict[str, re.Pattern] = {}


def _pattern(text: str) -> re.Pattern:
    """A JSON Schema pattern as pydantic (Rust's regex) applies it: ``^...$``, matched whole.

    Only that form is taken ("$" ends the text, never before a last line break, as in Python);
    anything else is left to pydantic."""
    found = _patterns.get(text)
    if found is None:
        if not (text.startswith("^") and text.endswith("$")) or "|" in text or "$" in text[:-1] \
                or "^" in text[1:].replace("[^", ""):
            raise _Unsure(text)
        found = _patterns[text] = re.compile(text[1:-1])
    return found


class _Walk:
    def __init__(self, definitions: dict):
        self.definitions = definitions

    def value(self, shape: dict, data: Any) -> Any:
        if "$ref" in shape:
            if set(shape) - _NOTES - {"$ref"}:
                raise _Unsure(shape)
            ref = shape["$ref"]
            if not ref.startswith("#/$defs/"):
                raise _Unsure(ref)
            return self.value(self.definitions[ref[len("#/$defs/"):]], data)
        if "anyOf" in shape:
            if set(shape) - _NOTES - {"anyOf"}:
                raise _Unsure(shape)
            fits = []
            for option in shape["anyOf"]:
                try:
                    fits.append(self.value(option, data))
                except _Unsure:
                    continue
            if len(fits) != 1:  # none, or more than one reading: pydantic's union rules decide
                raise _Unsure(shape)
            return fits[0]
        kind = shape.get("type")
        if "enum" in shape:
            if set(shape) - _NOTES - {"enum", "type"} or kind not in ("string", None):
                raise _Unsure(shape)
            if not any(type(data) is type(option) and data == option for option in shape["enum"]):
                raise _Unsure(data)
            return data
        if kind == "object":
            if "properties" in shape:
                return self.model(shape, data)
            return self.mapping(shape, data)
        if kind == "array":
            if set(shape) - _NOTES - {"type", "items", "minItems", "maxItems"} or type(data) is not list:
                raise _Unsure(shape)
            if not shape.get("minItems", 0) <= len(data) <= shape.get("maxItems", len(data)):
                raise _Unsure(data)
            items = shape.get("items")
            if items is None:
                raise _Unsure(shape)
            return [self.value(items, item) for item in data]
        if kind == "string":
            return self.string(shape, data)
        if kind == "boolean" and set(shape) - _NOTES == {"type"} and type(data) is bool:
            return data
        if kind == "integer" and set(shape) - _NOTES == {"type"} and type(data) is int:
            return data
        if kind == "number" and set(shape) - _NOTES == {"type"} and type(data) is float:
            return data
        if kind == "null" and set(shape) - _NOTES == {"type"} and data is None:
            return data
        raise _Unsure(shape)

    def string(self, shape: dict, data: Any) -> Any:
        if set(shape) - _NOTES - {"type", "maxLength", "minLength", "pattern", "format"}:
            raise _Unsure(shape)
        if "format" in shape:
            # pydantic's strict date: a date read from YAML (not a date and time), never text
            if shape["format"] != "date" or set(shape) - _NOTES != {"type", "format"} or type(data) is not _dt.date:
                raise _Unsure(shape)
            return data
        if type(data) is not str:
            raise _Unsure(data)
        if not shape.get("minLength", 0) <= len(data) <= shape.get("maxLength", len(data)):
            raise _Unsure(data)
        if "pattern" in shape and not _pattern(shape["pattern"]).fullmatch(data):
            raise _Unsure(data)
        return data

    def mapping(self, shape: dict, data: Any) -> dict:
        if set(shape) - _NOTES - {"type", "additionalProperties", "patternProperties", "propertyNames"}:
            raise _Unsure(shape)
        if type(data) is not dict or not all(type(key) is str for key in data):
            raise _Unsure(data)
        names = shape.get("propertyNames")
        patterned = shape.get("patternProperties")
        values = shape.get("additionalProperties")
        if patterned is not None:
            # pydantic's dict[Pattern, X]: every key must fit the pattern (JSON Schema would let the others by)
            if values is not None or len(patterned) != 1:
                raise _Unsure(shape)
            (key_pattern, values), = patterned.items()
            names = {"type": "string", "pattern": key_pattern, **(names or {})}
        if not isinstance(values, dict):
            raise _Unsure(shape)
        result = {}
        for key, value in data.items():
            if names is not None:
                self.string({"type": "string", **names}, key)
            result[key] = self.value(values, value)
        return result

    def model(self, shape: dict, data: Any) -> types.SimpleNamespace:
        if set(shape) - _NOTES - {"type", "properties", "required", "additionalProperties"} \
                or shape.get("additionalProperties") is not False:  # extra="forbid"
            raise _Unsure(shape)
        if type(data) is not dict:
            raise _Unsure(data)
        properties = shape["properties"]
        required = shape.get("required", [])
        if any(key not in properties for key in data) or any(key not in data for key in required):
            raise _Unsure(data)
        fields = {}
        for key, field in properties.items():
            name = key.replace("-", "_")  # the models' aliases are their field names in kebab case
            name += "_" if keyword.iskeyword(name) else ""  # from: the field from_
            if key in data:
                fields[name] = self.value(field, data[key])
            elif "default" in field:
                fields[name] = self.value(field, field["default"])
            else:
                raise _Unsure(key)
        return types.SimpleNamespace(**fields)

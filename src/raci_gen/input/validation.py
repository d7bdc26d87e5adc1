"""One input file checked against its model in :mod:`.schema`, and every problem pydantic finds turned into a
:class:`~raci_gen.model.errors.Problem` at the file's ``FILE:LINE:COL``, worded for the person who wrote it.

:func:`read` gives a :class:`Reading`: the checked value, or, when the file has problems, which of its parts can
still be read without guessing (so that one run reports everything). :func:`checked` is the check itself: fastcheck
first, pydantic only for a file fastcheck cannot pass. :func:`quoted` keeps a quoted input short in any message.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import re
import types
from typing import TYPE_CHECKING, Any, Union, get_args, get_origin

from raci_gen.input import fastcheck
from raci_gen.input.yamlsource import Located
from raci_gen.model.errors import InputError, Problem

_ISO_FORM = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
"""A date's form, YYYY-MM-DD: text of this form that is not a date names no day of the calendar."""

if TYPE_CHECKING:  # pydantic and the models are imported only when fastcheck cannot pass a file
    from pydantic import BaseModel


class Reading:
    """One file checked against its model: the checked value, or, when it has problems, which of its
    parts can still be read without guessing.

    A part can be read when no problem lies at it, within it or around it (its mapping or list is
    of the wrong type, say): an activity with an unknown key still has a readable id and cells, and
    of a ``raci:`` map with a ``~`` cell the other cells are still readable."""

    def __init__(self, located: Located, value: Any, problems: list[Problem], wrong: list[tuple]):
        self.located = located
        self.value = value
        self.problems = problems
        self.wrong = set(wrong)  # where the problems are, as paths into the data
        # every path that holds a problem within it: a set, so that a file with thousands of
        # problems is read in time proportional to its size
        self.holds_wrong = {w[:n] for w in self.wrong for n in range(len(w) + 1)}

    def sound(self, path: tuple) -> bool:
        """Whether the part at ``path`` is as its model wants it (nothing wrong at, within or around it)."""
        return path not in self.holds_wrong and not any(path[:n] in self.wrong for n in range(len(path)))

    def readable_entries(self, key: str) -> "list[tuple[int, types.SimpleNamespace]] | None":
        """The entries of the list ``key`` (roles or activities) of a file with problems, as (index, entry),
        each field read where sound (an id that cannot be read is None). None when the list cannot be read."""
        data = self.located.data
        if not isinstance(data, dict) or not isinstance(data.get(key), list) \
                or () in self.wrong or (key,) in self.wrong:
            return None
        entries = []
        for i, item in enumerate(data[key]):
            at = (key, i)
            if not isinstance(item, dict):
                continue
            name = item.get("name")
            similar = item.get("similar")
            raci = item.get("raci")
            entries.append((i, types.SimpleNamespace(
                id=item["id"] if isinstance(item.get("id"), str) and self.sound(at + ("id",)) else None,
                name=name if isinstance(name, str) and self.sound(at + ("name",)) else "",
                similar=similar if isinstance(similar, list) and self.sound(at + ("similar",)) else [],
                description=None, people=[], lint_ignore={},
                # each cell on its own: one cell's problem does not hide the others'
                raci={role: text for role, text in raci.items()
                      if isinstance(role, str) and isinstance(text, str) and self.sound(at + ("raci", role))}
                if isinstance(raci, dict) else {},
            )))
        return entries


def read(model_name: str, located: Located, allow_empty: bool = False) -> Reading:
    """The file ``located`` checked against ``schema.<model_name>``, with every problem it has."""
    problems = list(located.problems)  # what the parser refused around readable data
    # Not to be read either: a value whose tag was refused, a key given twice (which value was
    # meant?), a mapping that had a key left out (a merge key: what would it have brought?).
    unsure = [*located.dropped, *located.given_twice, *located.short_of_keys]
    try:
        value = _validate(model_name, located, allow_empty)
    except _Invalid as exc:
        return Reading(located, None, problems + exc.problems, exc.wrong + unsure)
    except InputError as exc:  # the file is empty
        return Reading(located, None, problems + exc.problems, [()])
    return Reading(located, None if problems else value, problems, unsure)


def _validate(model_name: str, located: Located, allow_empty: bool = False) -> Any:
    """The data of one file checked against the model ``schema.<model_name>``: an object whose
    attributes are the model's fields (a plain dict where the model has a dict, a list for a list)."""
    data = located.data
    if data is None:
        if allow_empty:
            return checked(model_name, {})
        from raci_gen.input import schema

        raise InputError([Problem(located.at(()), f"file is empty; expected {_expected(getattr(schema, model_name))}")])
    return checked(model_name, data, located)


# pydantic's import and model building cost more than everything else a Markdown build or a lint
# does, so a file is first checked by fastcheck, which walks the models' JSON Schemas and answers
# only when the file surely passes; otherwise pydantic checks it and words every problem, as it
# always did. Both paths give the data the same form (pydantic's result goes through _revived), so
# that what follows runs alike whichever path a file took. Positions always come from the YAML.


def checked(model_name: str, data: Any, located: Located | None = None) -> Any:
    """``data`` checked against ``schema.<model_name>``, in the form fastcheck gives (see :func:`_revived`).

    Raises :class:`_Invalid` (an InputError) with every problem at its place in ``located``."""
    quick = fastcheck.checked(model_name, data)
    if quick is not None:
        return quick
    from pydantic import ValidationError

    from raci_gen.input import schema

    model = getattr(schema, model_name)
    try:
        validated = model.model_validate(data)
    except ValidationError as exc:
        _raise_problems(model, located, data, exc)
    return _revived(validated)


def _revived(validated: Any) -> Any:
    """A validated model in the form fastcheck gives: attributes for fields, dicts, lists, dates."""
    try:
        return _decoded(_encoded(validated))
    except TypeError:
        return validated


def _encoded(value: Any) -> Any:
    """A validated model as plain data that says what each mapping was: a model's fields
    (``{"m": ...}``), a plain mapping (``{"d": ...}``); dates (``{"t": ...}``) kept as dates."""
    from pydantic import BaseModel

    if isinstance(value, BaseModel):
        return {"m": {name: _encoded(getattr(value, name)) for name in type(value).model_fields}}
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError("a key that is not text")
        return {"d": {k: _encoded(v) for k, v in value.items()}}
    if isinstance(value, (list, tuple)):
        return [_encoded(v) for v in value]
    if isinstance(value, _dt.datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, _dt.date):
        return {"t": value.isoformat()}
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    raise TypeError(f"no plain form for a {type(value).__name__}")


def _decoded(value: Any) -> Any:
    """The plain data of :func:`_encoded` made back into fastcheck's form: a model's fields as attributes."""
    if isinstance(value, list):
        return [_decoded(v) for v in value]
    if isinstance(value, dict):
        (kind, inner), = value.items()
        if kind == "m":
            return types.SimpleNamespace(**{k: _decoded(v) for k, v in inner.items()})
        if kind == "d":
            return {k: _decoded(v) for k, v in inner.items()}
        if kind == "t":
            return _dt.date.fromisoformat(inner)
        if kind == "dt":
            return _dt.datetime.fromisoformat(inner)
        raise ValueError(f"unknown kind {kind!r}")
    return value


def _raise_problems(model: "type[BaseModel]", located: Located | None, data: Any, exc: Any) -> None:
    """Raise the InputError that says, at FILE:LINE:COL, what pydantic found wrong."""
    if located is None:  # pragma: no cover - the defaults always pass
        raise exc
    errors = []
    # A union field (``date | str``, ``name | custom variant``) reports one error per
    # member, with the member's name in the path. Where the input is a mapping, only
    # the mapping member's errors matter; otherwise the others'. Take the name off,
    # and remember which members failed.
    members: dict[tuple, set[str]] = {}
    for error in exc.errors():
        loc = tuple(error["loc"])
        for i in range(1, len(loc)):
            if isinstance(loc[i], str) and _is_union(model, loc[:i]):
                is_mapping_member = loc[i][:1].isupper() or loc[i].startswith("dict")
                if isinstance(_value_at(data, loc[:i]), dict) != is_mapping_member:
                    break
                members.setdefault(loc[:i], set()).add(loc[i])
                error["loc"] = loc[:i] + loc[i + 1:]
                break
        else:
            errors.append(error)
            continue
        if error["loc"] != loc:
            errors.append(error)
    wrong = [tuple(e["loc"]) for e in errors]
    # Not said again: a value read as nothing because the parser refused its tag, and a key
    # "missing" from a mapping that had a key left out (a merge key may have brought it).
    errors = [e for e, loc in zip(errors, wrong)
              if not any(loc[:len(d)] == d for d in located.dropped)
              and not (e["type"] == "missing" and loc[:-1] in located.short_of_keys)]
    problems = [_problem(model, located, e, members) for e in errors]
    raise _Invalid(list(dict.fromkeys(problems)), wrong) from None


class _Invalid(InputError):
    """A file that does not fit its model: its problems, and where they are (paths into the data)."""

    def __init__(self, problems: list[Problem], wrong: list[tuple]):
        super().__init__(problems)
        self.wrong = wrong


def _value_at(data: Any, path: tuple) -> Any:
    """The value at ``path`` (pydantic's ``loc``) in the file's data, or None where there is none."""
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _field(model: "type[BaseModel] | None", key: object) -> Any:
    """The field of ``model`` that the YAML key ``key`` names (by alias, e.g. lint-ignore)."""
    if model is None:
        return None
    for name, field in model.model_fields.items():
        if (field.alias or name) == key:
            return field
    return None


def _keys(model: "type[BaseModel]") -> list[str]:
    """The keys a mapping of ``model`` may hold, as written in YAML (``lint-ignore``, not ``lint_ignore``)."""
    return [field.alias or name for name, field in model.model_fields.items()]


def _is_union(model: "type[BaseModel]", loc: tuple) -> bool:
    """Whether ``loc`` names a field declared as a union of several types (not just ``X | None``),
    or an item of a list of such a union (``inject: list[str | InjectTarget]``)."""
    if not loc:
        return False
    if isinstance(loc[-1], int):
        if len(loc) < 2 or isinstance(loc[-2], int):
            return False
        field = _field(_model_at(model, loc[:-2]), loc[-2])
        if field is None or get_origin(field.annotation) is not list:
            return False
        annotation = get_args(field.annotation)[0]
    else:
        field = _field(_model_at(model, loc[:-1]), loc[-1])
        if field is None:
            return False
        annotation = field.annotation
    if get_origin(annotation) not in (Union, types.UnionType):
        return False
    return len([a for a in get_args(annotation) if a is not type(None)]) > 1


def _expected(model: "type[BaseModel]") -> str:
    """What a message says was expected where ``model`` belongs: a mapping with its required keys (or all)."""
    required = [f.alias or n for n, f in model.model_fields.items() if f.is_required()]
    keys = ", ".join(f"'{k}:'" for k in required or _keys(model))
    return f"a mapping with {keys}"


def _describe(value: Any) -> str:
    """What a message says was found: ``value`` in the words of YAML, with how to write it as text where
    YAML read text the user meant as something else (a boolean, a number, a date)."""
    if isinstance(value, bool):
        word = "true" if value else "false"
        return (f"{word}, a boolean (YAML reads unquoted yes, no, on, off, true and false as booleans; "
                f"put the text in quotes)")
    if isinstance(value, (int, float)):
        return f"the number {value!r} (put it in quotes to make it text)"
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, _dt.datetime):
        return f"the date and time {value.isoformat(' ')} (put it in quotes to make it text)"
    if isinstance(value, _dt.date):
        return f"the date {value.isoformat()} (put it in quotes to make it text)"
    return quoted(value) if isinstance(value, str) else repr(value)


def quoted(text: str, limit: int = 60) -> str:
    """``repr(text)``, cut short when long: a message stays one readable line, however big the input."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}… ({len(text):,} characters)"


def _model_at(model: "type[BaseModel]", loc: tuple) -> "type[BaseModel] | None":
    """The pydantic model that describes the mapping at ``loc``, if any."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        field = _field(current, part)
        if field is None:
            return None
        current = _inner_model(field.annotation)
    return current


def _inner_model(annotation: Any) -> "type[BaseModel] | None":
    """The pydantic model within a field's type (``list[Role]``, ``CustomVariant | str``), if any."""
    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _problem(model: "type[BaseModel]", located: Located, error: dict,
             members: dict[tuple, set[str]]) -> Problem:
    """One of pydantic's errors as a problem at its place in ``located``: the key for a key's problem, the
    value for a value's; ``members`` names the members of a union that failed at a path (a date or text)."""
    loc = tuple(error["loc"])
    kind = error["type"]
    value = error.get("input")
    if loc and loc[-1] == "[key]":
        return Problem(located.key_at(loc[:-1]), f"expected text as a key, got {_describe(value)}")
    if kind == "invalid_key":
        return Problem(located.key_at(_key_path(located, loc, value)), f"expected text as a key, got {_describe(value)}")
    if "date" in members.get(loc, ()) and kind in ("string_type", "date_type"):
        return Problem(located.at(loc), f"expected a date (YYYY-MM-DD) or text, got {_describe(value)}")
    if kind == "extra_forbidden":
        parent = _model_at(model, loc[:-1])
        known = _keys(parent) if parent else []
        key = str(loc[-1])
        hint = difflib.get_close_matches(key, known, n=1)
        text = f"unknown key {quoted(key)}"
        text += f"; did you mean {hint[0]!r}?" if hint else f"; expected one of: {', '.join(known)}"
        return Problem(located.key_at(loc), text)
    if kind == "missing":
        return Problem(located.at(loc[:-1]), f"missing required key {loc[-1]!r}")
    where = located.at(loc)
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        target = _model_at(model, loc)
        want = _expected(target) if target else "a mapping (key: value)"
        return Problem(where, f"expected {want}, got {_describe(value)}")
    if kind == "list_type":
        return Problem(where, f"expected a list, got {_describe(value)}")
    if kind == "date_type" and isinstance(value, _dt.datetime):  # a date field alone (from:, until:)
        return Problem(where, f"expected a date as YYYY-MM-DD (ISO 8601), got the date and time "
                              f"{value.isoformat(' ')}; give the day alone")
    if kind == "date_type" and isinstance(value, str) and _ISO_FORM.fullmatch(value):
        try:
            _dt.date.fromisoformat(value)
        except ValueError:  # 2026-02-30, 2026-13-01
            return Problem(where, f"expected a date as YYYY-MM-DD (ISO 8601), got {value!r}, which is no day of "
                                  "the calendar")
        return Problem(where, f"expected a date as YYYY-MM-DD (ISO 8601), got the text {value!r}; write the date "
                              "without quotes")
    if kind == "date_type" and isinstance(value, str):
        return Problem(where, f"expected a date as YYYY-MM-DD (ISO 8601), got {value!r}")
    if kind == "date_type":
        return Problem(where, f"expected a date as YYYY-MM-DD (ISO 8601), got {_describe(value)}")
    if kind in ("string_type", "date_type"):
        return Problem(where, f"expected text, got {_describe(value)}")
    if kind == "literal_error":
        allowed = error.get("ctx", {}).get("expected", "")
        return Problem(where, f"expected one of {allowed}, got {_describe(value)}")
    if kind == "string_too_long":
        limit = error.get("ctx", {}).get("max_length")
        return Problem(where, f"text of {len(value):,} characters is too long here; the limit is {limit:,}")
    if len(loc) > 1 and loc[-2] == "lint-ignore" and kind in ("string_too_short", "string_type"):
        return Problem(where, "a lint-ignore needs a reason: say why the rule does not apply here")
    if kind == "string_pattern_mismatch" and "#" in str(error.get("ctx", {}).get("pattern", "")):
        return Problem(where, f"{_describe(value)} is not a colour; write it as #RRGGBB")
    if kind == "string_pattern_mismatch" and "[A-Z]" in str(error.get("ctx", {}).get("pattern", "")):
        return Problem(where, f"{_describe(value)} is not a letter; a variant's letters are single capitals A-Z")
    if kind == "string_pattern_mismatch":
        return Problem(where, f"{_describe(value)} is not allowed here; use letters, digits, '.', '_' and '-'")
    return Problem(where, f"{error['msg'].lower()}, got {_describe(value)}")


def _key_path(located: Located, loc: tuple, key: Any) -> tuple:
    """The path of ``key``, a key that is not text; pydantic's ``loc`` names some such keys by their str()."""
    for path in located.keys:
        if path[:-1] == loc[:-1] and type(path[-1]) is type(key) and path[-1] == key:
            return path
    return loc

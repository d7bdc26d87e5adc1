"""Fuzzing the loader: whatever the files hold, load_project raises InputError or returns a project.

Hypothesis writes YAML-ish text into a project's role file, activity file or
raci.yaml: random mixes of YAML's punctuation, the keys of the schema, indentation
(spaces and tabs), anchors and aliases, tags (``!!python/object`` among them),
scalars YAML reads as other types (``yes``, ``1.5``, dates), and Unicode (control
characters, a BOM, emoji, Cyrillic). Half of the examples go through libyaml (the
parser raci-gen uses for files longer than FAST_PARSE_FROM), half through PyYAML's
own. Any exception other than :class:`~raci_gen.model.errors.InputError` fails the test,
and so does a problem that is not one line naming its file. Each run prints how
many inputs it tried.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from raci_gen.input import schema, yamlsource
from raci_gen.checks.analysis import lint
from raci_gen.model.errors import InputError
from raci_gen.input.loader import load_project

ROLES = "roles:\n  - id: R1\n    name: Owner\n  - id: R2\n    name: Scientist\n"
ACTIVITIES = "phase: Goal\nactivities:\n  - id: GD-1\n    name: Define\n    raci: {R1: A, R2: R}\n"
TARGETS = {"roles": "roles/roles.yaml", "activities": "activities/01-goal.yaml", "config": "raci.yaml"}


def _schema_keys() -> list[str]:
    keys: set[str] = set()
    for model in (schema.ProjectFile, schema.RolesFile, schema.PhaseFile, schema.RoleEntry,
                  schema.ActivityEntry, schema.OutputFile, schema.CustomVariant, schema.VariantLetter):
        keys.update(field.alias or name for name, field in model.model_fields.items())
    return sorted(keys)


KEYS = _schema_keys() + ["R1", "R2", "r1", "GD-1", "idle-role", "one-accountable", "max", "severity"]
PUNCTUATION = [": ", ":", "- ", "-", "[", "]", "{", "}", ", ", ",", "? ", "|", "|-", ">", ">+", "'", '"', "''",
               "#", " #", "---", "...", "~", "<<: ", "%YAML 1.1", "%TAG ! tag:x,2000:", "\\", "\\x41", "\\u00e9",
               "!", "!!", "*", "&", "@", "`", "%"]
SCALARS = ["A", "R", "A/R", "C", "I", "x", "yes", "no", "on", "off", "null", "true", "1", "0x1F", "1e3", "1.5", ".inf",
           ".nan", "2024-01-31", "2024-01-31 10:00:00", "12:30:00", "RACI", "RASCI", "#C9E7C0", "A4", "md", "pdf",
           "=1+1", "<b>", "R1\n", "..", "../../etc", "/etc/passwd"]
NODE_PROPERTIES = ["&a ", "&b ", "*a", "*b", "!!str ", "!!int ", "!!map ", "!!seq ", "!!binary ", "!!set ",
                   "!!python/object:os.system ", "!!python/object/apply:os.system ", "!!python/name:os.system ",
                   "!local ", "!<tag:yaml.org,2002:str> "]
ODD = ["\t", "\ufeff", "\x00", "\x07", "\x1b", "\x85", "\u2028", "\ufffe", "\r", "\r\n", "😀", "С", "ü", "\u200b",
       "é" * 3]

token = st.one_of(st.sampled_from(KEYS), st.sampled_from(PUNCTUATION), st.sampled_from(SCALARS),
                  st.sampled_from(NODE_PROPERTIES), st.sampled_from(ODD), st.text(max_size=4))
line = st.tuples(st.integers(0, 8), st.sampled_from(["", "\t"]), st.lists(token, max_size=6))
yamlish = st.lists(line, max_size=12).map(
    lambda lines: "\n".join(" " * indent + tab + "".join(tokens) for indent, tab, tokens in lines))
"""Lines of YAML-ish tokens at random indentation."""

key_value = st.tuples(st.sampled_from(KEYS), st.one_of(st.sampled_from(SCALARS), st.sampled_from(NODE_PROPERTIES)))
structured = st.recursive(
    st.lists(key_value, max_size=4).map(lambda kvs: "{" + ", ".join(f"{k}: {v}" for k, v in kvs) + "}"),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
        st.tuples(st.sampled_from(KEYS), inner).map(lambda kv: f"{{{kv[0]}: {kv[1]}}}"),
        st.tuples(st.sampled_from(NODE_PROPERTIES), inner).map("".join)),
    max_leaves=12)
"""Nearly valid flow YAML: mappings of schema keys, nested, with anchors, aliases and tags."""

contents = st.one_of(yamlish, structured.map(lambda s: f"roles: {s}\n"),
                     structured.map(lambda s: f"activities: [{s}]\n"), st.text(max_size=60), st.binary(max_size=40))


def test_loader_raises_only_input_error():
    tried = {"inputs": 0, "loaded": 0, "refused": 0}
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)

        @settings(max_examples=400, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
        @given(target=st.sampled_from(sorted(TARGETS)), content=contents, fast=st.booleans())
        def run(target, content, fast):
            tried["inputs"] += 1
            for rel, default in (("roles/roles.yaml", ROLES), ("activities/01-goal.yaml", ACTIVITIES),
                                 ("raci.yaml", "")):
                path = root / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                body = content if rel == TARGETS[target] else default
                path.write_bytes(body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass"))
            threshold = yamlsource.FAST_PARSE_FROM
            yamlsource.FAST_PARSE_FROM = 0 if fast else threshold
            try:
                project = load_project(str(root))
                lint(project.matrix, project.settings)
                tried["loaded"] += 1
            except InputError as exc:
                tried["refused"] += 1
                assert exc.problems
                for problem in exc.problems:
                    text = str(problem)
                    assert "\n" not in text and text.startswith(str(root) + os.sep), text
                    assert ": error: " in text, text
            finally:
                yamlsource.FAST_PARSE_FROM = threshold

        run()
    seconds = time.monotonic() - started
    print(f"\nfuzz: {tried['inputs']} inputs in {seconds:.1f} s: {tried['loaded']} loaded, "
          f"{tried['refused']} refused with InputError, nothing else raised")
    assert tried["inputs"] >= 300


def _outcome(text: str) -> tuple:
    """What parse() makes of ``text``: the data and every position, or the problems' wording."""
    try:
        located = yamlsource.parse(text, "f.yaml")
    except InputError as exc:
        return ("refused", [str(p) for p in exc.problems])
    return ("parsed", repr(located.data), sorted(located.values.items(), key=repr),
            sorted(located.keys.items(), key=repr))


def test_short_files_parse_alike_by_libyaml_and_by_pyyaml():
    """Short files go through libyaml too (much faster), falling back to PyYAML for every error:
    whatever the text, the result is PyYAML's, data, positions and messages alike."""
    if yamlsource._FastLoader is None:  # pragma: no cover - PyYAML without libyaml
        return
    tried = {"inputs": 0}

    @settings(max_examples=1500, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(content=st.one_of(yamlish, structured, structured.map(lambda s: f"roles: {s}\n"),
                             st.text(max_size=60)))
    def run(content):
        tried["inputs"] += 1
        fast = _outcome(content)
        library = yamlsource._FastLoader
        yamlsource._FastLoader = None
        try:
            pure = _outcome(content)
        finally:
            yamlsource._FastLoader = library
        assert fast == pure, content

    run()
    assert tried["inputs"] >= 1000

"""The plan of ARCHITECTURE.md, held: every import inside ``src/raci_gen`` goes down the layers, or is a climb
listed below with its reason; only ``cli.py`` imports the commands; and the module-level invariants hold.

Each import is read from the source with :mod:`ast`, the lazy ones inside functions included, so a climb cannot
hide in a function body.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "raci_gen"

LAYERS = ["model", "runtime", "input", "checks", "documents", "importers", "writing", "commands", "cli"]
"""Lowest first: a module may import its own layer and the layers before it (ARCHITECTURE.md, "The layers")."""

CLIMBS: dict[tuple[str, str], str] = {
    ("raci_gen.runtime.batch", "raci_gen.input.discovery"):
        "the multi-project runner groups the folders it is given by the project each belongs to",
    ("raci_gen.input.schema", "raci_gen.checks.rules"):
        "raci.yaml's lint settings name rules: the schema lists the registered rule ids and their options",
}
"""Known imports up the layers, each with the reason it stays."""


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "raci_gen" or len(parts) < 2:
        return None  # the package itself: __version__
    if parts[1] in ("cli", "__main__"):
        return "cli"
    return parts[1] if parts[1] in LAYERS else None


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        dotted = ".".join(("raci_gen",) + path.relative_to(PACKAGE).with_suffix("").parts)
        found[dotted.removesuffix(".__init__")] = path
    return found


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module == "raci_gen":
            names.extend(f"raci_gen.{a.name}" for a in node.names)  # from raci_gen import writing: a package
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("raci_gen"):
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names.extend(a.name for a in node.names if a.name.startswith("raci_gen"))
    return names


MODULES = _modules()


def test_every_module_sits_in_a_layer():
    homeless = [m for m in MODULES if m != "raci_gen" and _layer(m) is None]
    assert not homeless, f"modules outside the layer packages of ARCHITECTURE.md: {homeless}"


def test_imports_go_down_the_layers():
    climbs = {}
    for module, path in MODULES.items():
        here = _layer(module)
        for target in _imports(path):
            there = _layer(target)
            if here and there and LAYERS.index(there) > LAYERS.index(here):
                climbs[(module, target)] = f"{here} -> {there}"
    new = {k: v for k, v in climbs.items() if k not in CLIMBS}
    assert not new, "imports up the layers (move the code, or list the climb in CLIMBS with its reason): " + \
        "; ".join(f"{a} imports {b} ({how})" for (a, b), how in sorted(new.items()))
    gone = [k for k in CLIMBS if k not in climbs]
    assert not gone, f"climbs listed in CLIMBS that no longer happen (remove them): {gone}"


def test_only_the_entry_point_imports_the_commands():
    importers = sorted({m for m, p in MODULES.items() if _layer(m) not in ("commands", "cli")
                        for t in _imports(p) if _layer(t) == "commands"})
    assert not importers, f"nothing but cli.py imports the commands: {importers}"


def _renderers() -> set[str]:
    """The format modules of both registries, and what every one of them uses to render."""
    from raci_gen.documents import FORMATS, PORTFOLIO_FORMATS

    return {f.module for f in (*FORMATS.values(), *PORTFOLIO_FORMATS.values())} | {
        "raci_gen.documents.document", "raci_gen.documents.templating", "raci_gen.documents.sandbox"}


def test_renderers_never_read_yaml():
    renderers = _renderers()
    assert len(renderers) >= 9 and renderers <= set(MODULES), renderers
    readers = sorted(m for m, p in MODULES.items() if m in renderers
                     and re.search(r"^\s*(import yaml|from yaml|import ruamel|from ruamel|from raci_gen\.input\.("
                                   r"yamlsource|loader|settings|files))", p.read_text(encoding="utf-8"), re.M))
    assert not readers, f"documents modules that read YAML or load projects: {readers}"


POLICY = "raci_gen.commands.exit_codes"
"""The one module that maps errors to exit codes and lists them (ARCHITECTURE.md, "Invariants")."""


def test_exit_codes_are_decided_in_one_place():
    """Below the commands nothing exits: it raises a model.errors type, which the policy maps to a code. A command
    exits only with a code the policy names (``EXIT_*``), or with the worst of its projects' codes."""
    below = sorted(m for m, p in MODULES.items() if _layer(m) not in ("commands", "cli")
                   and re.search(r"\bsys\.exit\(|\bctx\.exit\(|\braise SystemExit\b", p.read_text(encoding="utf-8")))
    assert not below, f"modules below the commands that choose an exit code (raise a model.errors type): {below}"
    literal = sorted(f"{m}: {hit}" for m, p in MODULES.items() if _layer(m) in ("commands", "cli")
                     and m != POLICY for hit in re.findall(r"(?:sys|ctx)\.exit\(\s*\d+\s*\)", p.read_text(encoding="utf-8")))
    assert not literal, f"exit codes given as numbers instead of the policy's EXIT_* names: {literal}"
    policy = MODULES[POLICY].read_text(encoding="utf-8")
    assert all(f"EXIT_{name} = {code}" in policy for code, name in enumerate(
        ("OK", "CHECK_FAILED", "BAD_INPUT", "INTERNAL", "ENVIRONMENT"))), "the policy names the codes 0-4"


@pytest.mark.parametrize("pattern", [r"\bdatetime\.now\(", r"\bdate\.today\(", r"\b_dt\.datetime\.now\("])
def test_one_clock(pattern):
    callers = sorted(m for m, p in MODULES.items() if m != "raci_gen.input.clock"
                     and re.search(pattern, p.read_text(encoding="utf-8")))
    assert not callers, f"dates for documents come from raci_gen.input.clock only: {callers} call {pattern}"


def test_the_climb_check_can_fail(tmp_path):
    """The reader finds a lazy import inside a function, so the checks above see what they claim to."""
    source = tmp_path / "m.py"
    source.write_text("def f():\n    from raci_gen.commands import build\n", encoding="utf-8")
    assert _imports(source) == ["raci_gen.commands"]


def test_a_layer_imported_from_the_package_is_seen(tmp_path):
    """``from raci_gen import writing`` names the writing layer as ``from raci_gen.writing import output`` does;
    ``from raci_gen import __version__`` names none."""
    source = tmp_path / "m.py"
    source.write_text("def f():\n    from raci_gen import __version__, writing\n", encoding="utf-8")
    assert [_layer(name) for name in _imports(source)] == [None, "writing"]


def test_the_runner_s_statuses_are_the_policy_s_codes():
    """runtime.batch sits below the commands, so it cannot import the policy: its two statuses are kept equal to
    the codes they stand for here, or a killed project's worker would exit with a code the policy does not mean."""
    from raci_gen.commands.exit_codes import EXIT_ENVIRONMENT, EXIT_INTERNAL
    from raci_gen.runtime.batch import LOST, RAISED

    assert (RAISED, LOST) == (EXIT_INTERNAL, EXIT_ENVIRONMENT)


def test_the_schema_names_every_registered_format():
    """input.schema cannot import the documents' registry (a climb): the formats raci.yaml may name are a literal
    there, held equal to FORMATS here, so a new format is one a project can ask for."""
    import typing

    from raci_gen.documents import FORMATS
    from raci_gen.input.schema import OutputFile

    annotation = OutputFile.model_fields["formats"].annotation
    (literal,) = typing.get_args(annotation)
    assert set(typing.get_args(literal)) == set(FORMATS)

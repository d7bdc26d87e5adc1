"""The direction of dependency inside the package, read from the import statements (docs/development.md,
"Layout of the code")."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import imported_modules as imports

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "raci_gen"


@pytest.mark.parametrize("rule", sorted(p.name for p in (PACKAGE / "checks" / "rules").glob("*.py")))
def test_rules_do_not_import_the_engine_that_runs_them(rule):
    assert not {m for m in imports(PACKAGE / "checks" / "rules" / rule) if m.startswith("raci_gen.checks.analysis")}


def test_findings_depend_on_the_model_only():
    assert {m.split(".")[1] for m in imports(PACKAGE / "checks" / "findings.py")} <= {"model"}
    assert {m.split(".")[1] for m in imports(PACKAGE / "checks" / "workload.py")} <= {"model"}


def test_schema_does_not_import_the_loader():
    assert not {m for m in imports(PACKAGE / "input" / "schema.py") if m.startswith("raci_gen.input.loader")}


def test_nothing_imports_the_cli():
    for path in PACKAGE.rglob("*.py"):
        if path.name not in ("cli.py", "__main__.py"):
            assert not {m for m in imports(path) if m.startswith("raci_gen.cli")}, path


def test_the_writer_depends_on_the_errors_only():
    """confined.py is the one writer every command calls (build, schema, init, import): it must stay at the bottom,
    above the model's errors only."""
    assert {m for m in imports(PACKAGE / "runtime" / "confined.py") if m.count(".") == 2} <= {"raci_gen.model.errors"}


def test_importers_sit_beside_the_renderers_not_above_them():
    """raci-gen import reads sources into the model and writes through the CLI: it uses the model, loader,
    variants and diff's report, never a renderer, the output layer or the CLI."""
    for path in (PACKAGE / "importers").glob("*.py"):
        used = {m for m in imports(path) if m.count(".")}
        renderers = {f"raci_gen.documents.{name}" for name in ("markdown", "html", "pdf", "xlsx", "csv", "json",
                                                                "portfolio", "templating")}
        assert not used & (renderers | {"raci_gen.writing.output", "raci_gen.cli", "raci_gen.runtime.batch",
                                        "raci_gen.checks.portfolio"}), path
        assert not {m for m in used if m.startswith("raci_gen.commands")}, path

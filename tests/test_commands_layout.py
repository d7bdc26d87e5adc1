"""One module per command (issue 20): raci_gen/commands/ holds each command, the options and glue several share,
and the exit-code policy; cli.py builds the group from the registry and is the only importer of the package."""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

from conftest import imported_modules, write_project

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "raci_gen"
COMMANDS_DIR = PACKAGE / "commands"
SHARED = {"options", "projects", "reporting", "exit_codes"}
"""The modules of commands/ that are not a command: what several commands use."""


def test_every_command_is_a_module_and_one_registration():
    from raci_gen.cli import main
    from raci_gen.commands import COMMANDS

    modules = {p.stem for p in COMMANDS_DIR.glob("*.py")} - SHARED - {"__init__"}
    assert {name.rstrip("_") for name in modules} == set(COMMANDS)  # import_.py is `import`
    assert main.commands == COMMANDS
    for name, command in COMMANDS.items():  # each command is defined in its own module
        assert command.callback.__module__ == f"raci_gen.commands.{name}" + ("_" if name == "import" else "")


def test_only_the_entry_point_imports_the_commands():
    assert "raci_gen.commands.COMMANDS" in imported_modules(PACKAGE / "cli.py")  # the group is built from it
    for path in PACKAGE.rglob("*.py"):
        if path.name in ("cli.py", "__main__.py") and path.parent == PACKAGE or COMMANDS_DIR in path.parents:
            continue
        assert not {m for m in imported_modules(path) if m.startswith("raci_gen.commands")}, path


def test_a_command_module_imports_only_the_shared_modules_of_commands():
    modules = sorted(p for p in COMMANDS_DIR.glob("*.py") if p.stem != "__init__")
    assert {p.stem for p in modules} >= SHARED | {"build", "lint", "import_", "hook"}
    for path in modules:
        used = {m.split(".")[2] for m in imported_modules(path) if m.startswith("raci_gen.commands.")}
        assert used <= SHARED, path
        assert not {m for m in imported_modules(path) if m.startswith("raci_gen.cli")}, path


def test_exit_codes_are_defined_in_one_place():
    """Only exit_codes.py names the exit codes and catches errors for the group; cli.py no longer holds them."""
    for path in [PACKAGE / "cli.py", *COMMANDS_DIR.glob("*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        defined = {t.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
                   for t in node.targets if isinstance(t, ast.Name)}
        defined |= {node.name for node in ast.walk(tree) if isinstance(node, ast.ClassDef)}
        if path.name == "exit_codes.py":
            assert {"EXIT_OK", "EXIT_CHECK_FAILED", "EXIT_BAD_INPUT", "EXIT_INTERNAL", "EXIT_ENVIRONMENT",
                    "RaciGroup"} <= defined
        else:
            assert not {d for d in defined if d.startswith("EXIT_") or d == "RaciGroup"}, path


def small(folder: Path, accountable: str) -> Path:
    return write_project(folder, [{"id": "PM", "name": "Project manager"}, {"id": "DEV", "name": "Developer"}],
                         {"01-work": {"phase": "Work", "activities": [
                             {"id": "W-1", "name": "Plan the work", "raci": {"PM": accountable, "DEV": "R"}}]}})


def test_several_folders_and_the_hooks_run_through_the_installed_program(tmp_path):
    """The multi-project runner (in forked workers) and the hooks run each folder through the raci-gen group, which
    the command modules reach without importing cli: the real installed program, each status as on its own."""
    small(tmp_path / "good", "A")
    small(tmp_path / "bad", "R")  # no Accountable: a lint error, exit 1
    linted = subprocess.run(["raci-gen", "lint", "good", "bad", "-j", "2"], capture_output=True, text=True,
                            timeout=60, cwd=tmp_path)
    assert linted.returncode == 1, linted.stderr
    assert "good: ok" in linted.stderr and "bad: failed, exit 1" in linted.stderr
    assert "linted 1 of 2 projects; failed: bad" in linted.stderr
    for path, status in (("good/activities/01-work.yaml", 0), ("bad/roles/roles.yaml", 1)):
        hooked = subprocess.run(["raci-gen", "hook", "lint", path], capture_output=True, text=True, timeout=60,
                                cwd=tmp_path)
        assert hooked.returncode == status, hooked.stderr

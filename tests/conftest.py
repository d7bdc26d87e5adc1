"""Shared fixtures: the repository's own example project, a document with a fixed
clock, and a helper that writes small projects under ``tmp_path``.

The repository root is itself a raci-gen project (the MLOps example), so the
example is loaded from there, once per session.
"""

from __future__ import annotations

import ast
import atexit
import datetime as _dt
from dataclasses import dataclass
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable

import pytest
import yaml

from raci_gen.input.loader import load_project
from raci_gen.model.matrix import Project
from raci_gen.documents.document import Document, make_document

# raci-gen's cache folder (usercache) during the tests: one of their own, not the user's, set
# before anything loads a project so that every test and every CLI subprocess uses it.
_TEST_CACHE = tempfile.mkdtemp(prefix="raci-gen-test-cache-")
os.environ["XDG_CACHE_HOME"] = _TEST_CACHE
os.environ.pop("RACI_GEN_NO_CACHE", None)
atexit.register(shutil.rmtree, _TEST_CACHE, True)

REPO_ROOT = Path(__file__).resolve().parents[1]
FIRST_PHASE = "activities/01-project-initiation.yaml"
"""The example's first activity file (stage A); its first activity is GD-1 with R1 A/R, R2 C, R3 C."""


def copy_example(target: Path) -> Path:
    """The example's inputs (raci.yaml, roles/, activities/) copied to ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO_ROOT / "raci.yaml", target / "raci.yaml")
    shutil.copytree(REPO_ROOT / "roles", target / "roles")
    shutil.copytree(REPO_ROOT / "activities", target / "activities")
    return target


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``folder`` with its bytes and modification time (nanoseconds)."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}
@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str


def run_in_process(*args: str) -> CliResult:
    """The real CLI in this process, at :data:`EPOCH` (a subprocess per call is slow on a busy machine).

    An exception other than the CLI's own exit is raised here, so a test never mistakes a crash for an exit code.
    """
    from click.testing import CliRunner

    from raci_gen.cli import main

    result = CliRunner().invoke(main, list(args), env={"SOURCE_DATE_EPOCH": str(EPOCH)})
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return CliResult(result.exit_code, result.stdout, result.stderr)


EPOCH = 1_700_000_000
"""The fixed build time of every test document: 2023-11-14T22:13:20Z."""
EPOCH_TIME = _dt.datetime.fromtimestamp(EPOCH, tz=_dt.timezone.utc)


def raci_gen_timed(*args: str, cpu_seconds: int = 60,
                   memory_bytes: int | None = None) -> tuple[subprocess.CompletedProcess, float]:
    """The installed ``raci-gen`` with ``args`` in a process of its own, its processor time capped (prlimit) at
    ``cpu_seconds`` and its address space at ``memory_bytes`` (if given), and the processor time it took: for the
    tests that a hostile input stays within bounds."""
    program = os.path.join(os.path.dirname(sys.executable), "raci-gen")
    caps = [f"--cpu={cpu_seconds}"] + ([f"--as={memory_bytes}"] if memory_bytes else [])
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(["prlimit", *caps, program, *args], capture_output=True, text=True,
                            timeout=cpu_seconds, env=dict(os.environ, SOURCE_DATE_EPOCH="1700000000"))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return result, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def fixed_document(project: Project) -> Document:
    """make_document() with SOURCE_DATE_EPOCH set to :data:`EPOCH`, whatever the environment says."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
        return make_document(project)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def example_project() -> Project:
    """The MLOps example at the repository root."""
    return load_project(str(REPO_ROOT))


@pytest.fixture(scope="session")
def example_document(example_project) -> Document:
    """The example as renderers see it, built at :data:`EPOCH`."""
    return fixed_document(example_project)


def _dump(content: str | dict | list) -> str:
    if isinstance(content, str):
        return content
    return yaml.safe_dump(content, allow_unicode=True, sort_keys=False)


def write_project(tmp_path: Path, roles_yaml: str | dict | list, activities: dict[str, str | dict],
                  raci_yaml: str | dict | None = None) -> Path:
    """Write a small project under ``tmp_path`` and return its folder.

    ``roles_yaml`` is the text of ``roles/roles.yaml`` (or data to dump as YAML; a
    list is taken as the list of roles); ``activities`` maps a file stem (``"01-goal"``)
    to the text or data of ``activities/STEM.yaml``; ``raci_yaml`` is the optional
    ``raci.yaml``.
    """
    root = Path(tmp_path)
    (root / "roles").mkdir(parents=True, exist_ok=True)
    (root / "activities").mkdir(parents=True, exist_ok=True)
    if isinstance(roles_yaml, list):
        roles_yaml = {"roles": roles_yaml}
    (root / "roles" / "roles.yaml").write_text(_dump(roles_yaml), encoding="utf-8")
    for stem, content in activities.items():
        name = stem if stem.endswith((".yaml", ".yml")) else stem + ".yaml"
        (root / "activities" / name).write_text(_dump(content), encoding="utf-8")
    if raci_yaml is not None:
        (root / "raci.yaml").write_text(_dump(raci_yaml), encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def make_project() -> Callable[..., Path]:
    """``make_project(tmp_path, roles_yaml, activities, raci_yaml=None) -> Path``; see :func:`write_project`."""
    return write_project


@pytest.fixture(scope="session")
def document_of() -> Callable[[os.PathLike | str], Document]:
    """``document_of(folder)``: load the project in ``folder`` and make its document at :data:`EPOCH`."""
    return lambda root: fixed_document(load_project(str(root)))


# --- hostile text -------------------------------------------------------------------------------------------------

HOSTILE = (
    "a | b",
    "*x*",
    "<b>html</b>",
    "first line\nsecond line",
    "[link](http://x)",
    "`code` and ``more``",
    "&amp; &lt; &#60;",
    "_under_ __bold__ ~~gone~~",
    "back\\slash \\| \\*",
    "![img](http://x/y.png)",
    "<http://x> <!-- c --> <br>",
    "$x^2$ and trailing #",
    "Phase ##",
    "<img src=x onerror=alert(1)>",
    "</style><script>alert(1)</script>",
    "\"quoted\" 'single' \\\" {{ curly }} {% raw %}",
    '=HYPERLINK("http://x")',
    "+1",
    "-2",
    "@SUM(A1)",
    "Ünïcödé, Ελληνικά, Кириллица → ✓",
)
"""Names that mean something in Markdown, HTML, CSS, Jinja2 or a spreadsheet; all printable."""


def hostile_data() -> tuple[dict, dict, dict]:
    """(roles, activity files, raci.yaml) of a project made of :data:`HOSTILE` text."""
    n = len(HOSTILE)
    roles = [{"id": f"R{i}", "name": text, "similar": [HOSTILE[(i + 1) % n], HOSTILE[(i + 2) % n]],
              "description": HOSTILE[(i + 3) % n]} for i, text in enumerate(HOSTILE)]
    half = n // 2
    activities = {}
    for p, (phase_name, chunk) in enumerate([(HOSTILE[1], range(half)), (HOSTILE[12], range(half, n))]):
        activities[f"{p + 1:02d}-phase"] = {
            "phase": phase_name,
            "description": HOSTILE[(p + 5) % n],
            "activities": [{"id": f"H-{i}", "name": HOSTILE[i], "description": HOSTILE[(i + 4) % n],
                            "raci": {f"R{i}": "A/R", f"R{(i + 1) % n}": "C", f"R{(i + 2) % n}": "I"}}
                           for i in chunk],
        }
    config = {"title": HOSTILE[14], "project": HOSTILE[2], "version": HOSTILE[7], "author": HOSTILE[15]}
    return {"roles": roles}, activities, config


@pytest.fixture(scope="session")
def hostile_root(tmp_path_factory) -> Path:
    roles, activities, config = hostile_data()
    return write_project(tmp_path_factory.mktemp("hostile"), roles, activities, config)


@pytest.fixture(scope="session")
def hostile_document(hostile_root) -> Document:
    return fixed_document(load_project(str(hostile_root)))


# --- renders shared across modules (a PDF costs about a second) -------------------------------------------------


@pytest.fixture(scope="session")
def example_pdf(example_document) -> bytes:
    """The example rendered to PDF once per session."""
    from raci_gen.documents.pdf import render_pdf
    return render_pdf(example_document)


@pytest.fixture(scope="session")
def hostile_pdf(hostile_document) -> bytes:
    from raci_gen.documents.pdf import render_pdf
    return render_pdf(hostile_document)


@pytest.fixture(scope="session")
def odd_document(tmp_path_factory) -> Document:
    """Control characters, a tab or a carriage return at the start, a 200-character word, an emoji."""
    roles = [{"id": "R1", "name": "bell \a nul \0 esc \x1b del \x7f csi \x9b"}, {"id": "R2", "name": "\tTabbed"},
             {"id": "R3", "name": "x" * 200}]
    activities = {"01": {"phase": "Odd \x0b phase", "activities": [
        {"id": "O-1", "name": "\r=1+1", "raci": {"R1": "A", "R2": "R", "R3": "I"}},
        {"id": "O-2", "name": "line\nbreak \u2028 sep \ufeff bom \U0001F680", "raci": {"R2": "A/R"}}]}}
    root = write_project(tmp_path_factory.mktemp("odd"), roles, activities)
    return fixed_document(load_project(str(root)))


@pytest.fixture(scope="session")
def daci_document(tmp_path_factory) -> Document:
    """A project in the DACI variant: Driver, Approver, Contributor, Informed; no accepted combination."""
    root = write_project(tmp_path_factory.mktemp("daci"), [{"id": "R1", "name": "Driver"}, {"id": "R2", "name": "Boss"},
                                                           {"id": "R3", "name": "Expert"}],
                         {"01": {"phase": "Decide", "activities": [
                             {"id": "D-1", "name": "Pick the database", "raci": {"R1": "D", "R2": "A", "R3": "C"}}]}},
                         {"variant": "DACI"})
    return fixed_document(load_project(str(root)))


def imported_modules(path: Path) -> set[str]:
    """Every raci_gen module the file imports, at the top or inside a function (a from-import's names too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("raci_gen"):
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("raci_gen"))
    return found

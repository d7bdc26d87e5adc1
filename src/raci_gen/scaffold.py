"""``raci-gen init``: a new project set up the way a team works with it in git.

A project starts with the MLOps example (raci.yaml, roles/, activities/), the JSON Schemas
editors complete from, a ``.gitignore`` that keeps the build artifacts (PDF, workbook,
HTML) out of git and the committed Markdown in, a ``.pre-commit-config.yaml`` whose local
hooks run the installed raci-gen, and the Markdown itself, built, so that the hooks pass
from the first commit.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from raci_gen.errors import RaciError

GIT_FILES = {".gitignore": "gitignore", ".pre-commit-config.yaml": "pre-commit-config.yaml"}
"""Files of the git workflow, by name in the project, and the packaged file each is copied from."""


def example_dir() -> Path:
    """The MLOps example: packaged in the wheel, or the repository root in a source checkout."""
    packaged = Path(str(resources.files("raci_gen"))) / "example"
    if (packaged / "raci.yaml").is_file():
        return packaged
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "raci.yaml").is_file() and (checkout / "roles").is_dir():
        return checkout
    raise RaciError("the built-in example is missing from this installation; reinstall raci-gen")


def project_files() -> dict[str, bytes]:
    """The inputs of a new project, by path relative to its folder: the example and the schemas."""
    from raci_gen.schema import json_schemas

    source = example_dir()
    files = {str(rel): (source / rel).read_bytes() for rel in [Path("raci.yaml")] + sorted(
        p.relative_to(source) for folder in ("roles", "activities") for p in (source / folder).glob("*.yaml"))}
    files.update({os.path.join("schemas", name): text.encode("utf-8") for name, text in json_schemas().items()})
    return files


def git_files() -> dict[str, bytes]:
    """``.gitignore`` and ``.pre-commit-config.yaml`` of a new project."""
    folder = resources.files("raci_gen") / "scaffold"
    return {name: (folder / packaged).read_bytes() for name, packaged in GIT_FILES.items()}


def create(directory: str) -> tuple[list[str], list[str]]:
    """Write a new project into ``directory``: (files written, git files kept because they exist).

    The inputs must not exist yet (nothing is overwritten; a clash writes nothing). A
    ``.gitignore`` or ``.pre-commit-config.yaml`` already there is the user's and is kept.
    """
    from raci_gen import output
    from raci_gen.confined import Write, confine, write_all

    inputs = project_files()
    existing = [os.path.join(directory, f) for f in inputs if os.path.lexists(os.path.join(directory, f))]
    if existing:
        raise RaciError("refusing to overwrite existing files: " + ", ".join(existing))
    kept = [name for name in GIT_FILES if os.path.lexists(os.path.join(directory, name))]
    files = {**inputs, **{name: data for name, data in git_files().items() if name not in kept}}
    targets = [os.path.join(directory, rel) for rel in files]
    write_all([Write(path, data, confine(path, ".", directory)) for path, data in zip(targets, files.values())],
              replace=False)
    return targets + _build_markdown(directory, output), kept


def _build_markdown(directory: str, output) -> list[str]:
    """The committed document, built now, so that ``build --check`` passes before the first edit."""
    from raci_gen.analysis import lint
    from raci_gen.loader import load_project

    project = load_project(directory)
    outputs = output.generate(project, ["md"], findings=lint(project.matrix, project.settings))
    output.write(outputs)
    return [item.path for item in outputs]

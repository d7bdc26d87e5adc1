"""raci-gen init: a new project, from the MLOps example, with its hooks."""

from __future__ import annotations

import os

import click

from raci_gen.runtime.terminal import echo


@click.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
def init(directory: str) -> None:
    """Start a project in DIRECTORY with the MLOps example (never overwrites a file).

    Writes raci.yaml, roles/, activities/, schemas/ (JSON Schemas, so that editors with
    the YAML language server complete and check the keys), a .gitignore that keeps the
    PDF and workbook out of git, the Markdown document, built, so that the hooks pass
    from the first commit, and local pre-commit hooks: in .pre-commit-config.yaml at the
    top of the git repository that holds DIRECTORY (added to the one there, whose lines
    are kept), else in DIRECTORY. Refuses a DIRECTORY inside another project.
    """
    from raci_gen.writing.scaffold import create

    created = create(directory)
    for name in created.kept:
        echo(f"kept the existing {os.path.join(directory, name)}; see docs/docs-as-code.md, \"What to commit\"",
             err=True)
    echo(created.hooks, err=True)
    echo(f"wrote {len(created.written)} files to {directory}; next: raci-gen build {directory}")

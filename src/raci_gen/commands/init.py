"""raci-gen init: a new project, from the MLOps example, with its hooks."""

from __future__ import annotations

import os

import click

from raci_gen.commands.reporting import command_line
from raci_gen.runtime.terminal import echo


@click.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--templates", is_flag=True,
              help="Copy the built-in templates into the project's templates folder, to customise them: "
                   "into the project in DIRECTORY, or with the new project.")
def init(directory: str, templates: bool) -> None:
    """Start a project in DIRECTORY with the MLOps example (never overwrites a file).

    Writes raci.yaml, roles/, activities/, schemas/ (JSON Schemas, so that editors with
    the YAML language server complete and check the keys), a .gitignore that keeps the
    PDF and workbook out of git, the Markdown document, built, so that the hooks pass
    from the first commit, and local pre-commit hooks: in .pre-commit-config.yaml at the
    top of the git repository that holds DIRECTORY (added to the one there, whose lines
    are kept), else in DIRECTORY. Refuses a DIRECTORY inside another project.

    With --templates, copies raci.md.j2, raci.html.j2 and raci.css into the templates
    folder of the project in DIRECTORY (its raci.yaml's templates:, else templates/), or
    of the new project; a file left as it came stays the built-in one.
    """
    from raci_gen.writing.scaffold import copy_templates, create

    if templates and os.path.isfile(os.path.join(directory, "raci.yaml")):
        written = copy_templates(directory)
        echo(f"wrote {len(written)} files to {os.path.dirname(written[0])}: the built-in templates, which the "
             f"documents use as they are; change the ones to customise, remove the others to follow raci-gen's "
             f"updates (docs/templates.md)")
        return
    created = create(directory, templates=templates)
    for name in created.kept:
        echo(f"kept the existing {os.path.join(directory, name)}; see docs/docs-as-code.md, \"What to commit\"",
             err=True, one_line=True)
    echo(created.hooks, err=True)
    echo(f"wrote {len(created.written)} files to {directory}; next: {command_line('build', directory)}", one_line=True)

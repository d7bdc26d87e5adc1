"""raci-gen schema: the JSON Schemas of the project's YAML files, for editors, or --check that they are current."""

from __future__ import annotations

import os

import click

from raci_gen.commands.projects import project_root
from raci_gen.commands.reporting import command_line, report_stale
from raci_gen.runtime.terminal import echo


@click.command()
@click.argument("directory", default=None, required=False, type=click.Path(file_okay=False))
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if a schema file is missing or out of date.")
@click.pass_context
def schema(ctx: click.Context, directory: str | None, check: bool) -> None:
    """Write the JSON Schemas of raci.yaml, role files and activity files into DIRECTORY
    (default: schemas/ in the project, found as build finds it, else in the current folder).

    Editors with the YAML language server (VS Code and others) use them for completion and checks.
    """
    from raci_gen.writing import output
    from raci_gen.input.schema import json_schemas

    base, named = ".", directory  # a folder named here stays the user's; the project's schemas/ stays in it
    if directory is None:
        base = project_root(".", quiet=check)
        directory, named = os.path.normpath(os.path.join(base, "schemas")), None
    outputs = [output.Output(path, text.encode("utf-8"), "schema", output.confine(path, base, named))
               for path, text in ((os.path.join(directory, name), text) for name, text in json_schemas().items())]
    if check:
        report_stale(ctx, len(outputs), output.stale(outputs), True, False, command_line("schema", directory))
    output.write(outputs)
    for item in outputs:
        echo(f"wrote {item.path}", one_line=True)

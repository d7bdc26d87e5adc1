"""raci-gen diff: what changed in responsibilities between two folders or two git revisions."""

from __future__ import annotations

import os

import click

from raci_gen.commands.exit_codes import EXIT_CHECK_FAILED, EXIT_OK
from raci_gen.commands.projects import project_root
from raci_gen.runtime.terminal import echo


@click.command(name="diff")
@click.argument("old")
@click.argument("new")
@click.option("-p", "--project", "project_dir", default=".", show_default=True, type=click.Path(file_okay=False),
              help="The project folder whose revisions OLD and NEW name.")
@click.option("-f", "--format", "diff_format", type=click.Choice(["text", "markdown"]), default="text",
              show_default=True, help="markdown for a pull-request comment.")
@click.option("--exit-code", is_flag=True, help="Exit 1 when there are changes, 0 when there are none.")
@click.pass_context
def diff_command(ctx: click.Context, old: str, new: str, project_dir: str, diff_format: str,
                 exit_code: bool) -> None:
    """Show what changed in responsibilities from OLD to NEW.

    OLD and NEW are project folders, or git revisions of the project in --project
    (e.g. `raci-gen diff main HEAD`), whose YAML files are read from git without touching the
    working tree. An existing folder wins over a revision of the same name.
    """
    from raci_gen.documents.diff import compare, format_markdown, format_text

    revisions = not (os.path.isdir(old) and os.path.isdir(new))  # two folders name no project of ours
    result = compare(old, new, project_root(project_dir) if revisions else project_dir)
    echo((format_markdown if diff_format == "markdown" else format_text)(result), nl=False)
    ctx.exit(EXIT_CHECK_FAILED if exit_code and result.changed else EXIT_OK)

"""raci-gen import: a project made from a RACI table in a workbook, Markdown, CSV or HTML, or an edit brought back."""

from __future__ import annotations

import os

import click

from raci_gen.commands.exit_codes import EXIT_CHECK_FAILED
from raci_gen.commands.reporting import command_line
from raci_gen.model.variants import VARIANTS
from raci_gen.runtime.terminal import echo


@click.command(name="import")
@click.argument("source", type=click.Path(dir_okay=False))
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Make a new project in this folder from the table in SOURCE.")
@click.option("--into", "into", type=click.Path(file_okay=False), default=None,
              help="Bring an edited workbook, Markdown or CSV that raci-gen built back into this project's YAML.")
@click.option("--table", "table", type=click.IntRange(1, None), default=None,
              help="Read the Nth table of SOURCE (1-based). Default: the one holding the most letters.")
@click.option("--sheet", default=None, help="The workbook sheet to read (xlsx). Default: every sheet.")
@click.option("--range", "cell_range", default=None, help="The cells to read in the sheet, e.g. A1:K40 (xlsx).")
@click.option("--transpose", is_flag=True, help="Roles are rows and activities columns.")
@click.option("--variant", default=None,
              help=f"The letter set: {', '.join(VARIANTS)}. Default: the one that reads the most cells.")
@click.option("--delete", is_flag=True, help="With --into: also remove activities and roles missing from SOURCE.")
@click.option("--force", is_flag=True, help="With --out: replace existing files. With --into: accept a workbook "
                                             "built from other inputs than the project's.")
@click.option("--strict", is_flag=True, help="Write nothing if any cell, row or column was left out (exit 1 either "
                                              "way; without --strict the project is written).")
@click.pass_context
def import_command(ctx: click.Context, source: str, out_dir: str | None, into: str | None, table: int | None,
                   sheet: str | None, cell_range: str | None, transpose: bool, variant: str | None, delete: bool,
                   force: bool, strict: bool) -> None:
    """Make a project from a RACI table in SOURCE (Markdown, CSV/TSV, xlsx, HTML), or bring an edit back.

    Prints which table it read and every cell it read other than literally or left out, with its place
    in SOURCE. Writes all files or none, and never over existing files without --force.
    """
    from raci_gen.importers import ImportOptions, import_into, import_new

    if (out_dir is None) == (into is None):
        raise click.UsageError("give --out DIR for a new project, or --into PROJECT to bring an edit back")
    if delete and into is None:
        raise click.UsageError("--delete goes with --into")
    options = ImportOptions(table=table, sheet=sheet, range=cell_range, transpose=transpose, variant=variant)
    if out_dir is not None:
        result = import_new(source, out_dir, options, force=force)
    else:
        result = import_into(source, into, options, delete=delete, force=force)
    matrix = result.matrix
    phases = len(matrix.phases())
    echo(f"read {matrix.table} of {source}: {len(matrix.activities)} activities in {phases} "
               f"phase{'s' if phases != 1 else ''}, {len(matrix.roles)} roles ({matrix.variant.name})", one_line=True)
    for note in result.notes:
        where = f"{source}: {note.where}: " if note.where else f"{source}: "
        kind = ("guessed: " if note.guessed else "left out: ") if note.dropped else ""
        echo(f"{where}{kind}{note.message}", one_line=True)
    if strict and result.dropped:
        echo("--strict: something was left out; nothing was written", err=True)
        ctx.exit(EXIT_CHECK_FAILED)
    if result.summary:
        for line in result.summary.removesuffix("\n").split("\n"):  # a project file's name may hold a line break
            echo(line, one_line=True)
    from raci_gen.runtime.confined import Write, confine, write_all

    # All or none, beneath the folder named on the command line (the project, for --into).
    write_all([Write(path, data, confine(path, into, into) if into is not None else confine(path, ".", out_dir),
                     create_only=path in result.created, expected=dict(result.expected).get(path))
               for path, data in result.files], replace=into is not None or force)
    if out_dir is not None:
        from raci_gen.checks.analysis import lint
        from raci_gen.input.loader import load_project

        made = load_project(out_dir)
        findings = lint(made.matrix, made.settings)
        counts = {s: sum(1 for f in findings if f.severity == s and f.ignored is None)
                  for s in ("error", "warning", "info")}
        wrote, ignore = len(result.files), os.path.join(out_dir, ".gitignore")
        if not os.path.lexists(ignore):  # init's, so that the PDF and workbook stay out of git; one there is kept
            from raci_gen.writing.scaffold import git_files

            write_all([Write(ignore, git_files()[".gitignore"], confine(ignore, ".", out_dir), create_only=True)])
            wrote += 1
        echo(f"wrote {wrote} files to {out_dir}; lint: {counts['error']} errors, "
                   f"{counts['warning']} warnings, {counts['info']} info ({command_line('lint', out_dir)}); "
                   f"next: {command_line('build', out_dir)}", one_line=True)
    else:
        echo(f"changed {len(result.files)} file{'s' if len(result.files) != 1 else ''} in {into}"
                   if result.files else f"nothing to change in {into}", one_line=True)
    if result.dropped:  # a cell of the table that is neither in the project nor explained: exit 1, written anyway
        echo("something of the table was left out or guessed (the lines 'left out:' or 'guessed:' above); the "
             "project was written anyway: "
             "fix the source and import again, or edit the project", err=True)
        ctx.exit(EXIT_CHECK_FAILED)

"""raci-gen portfolio: one index of several projects, with each person's load across them."""

from __future__ import annotations

import os

import click

from raci_gen.commands.exit_codes import EXIT_BAD_INPUT, EXIT_OK
from raci_gen.commands.options import FormatList, as_of_option
from raci_gen.commands.reporting import file_size
from raci_gen.documents import PORTFOLIO_FORMATS
from raci_gen.model.errors import RaciError
from raci_gen.runtime.terminal import echo


@click.command()
@click.argument("project_dirs", nargs=-1, required=True, type=click.Path(file_okay=False))
@click.option("-o", "--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder of the index: portfolio.md, .html, .xlsx.")
@click.option("-f", "--format", "formats", default="md", show_default=True,
              type=FormatList(PORTFOLIO_FORMATS), help=f"Comma-separated: {', '.join(PORTFOLIO_FORMATS)}.")
@click.option("--max-share", type=click.FloatRange(0, 1), default=None,
              help="Flag a person who answers for or does more than this share of all activities. Default: 0.2.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")
@as_of_option("today (UTC; SOURCE_DATE_EPOCH's day when set); the load and the hand-overs coming up are of that day")
@click.pass_context
def portfolio(ctx: click.Context, project_dirs: tuple[str, ...], out_dir: str, formats: tuple[str, ...],
              max_share: float | None, quiet: bool, as_of) -> None:
    """Index several projects in one document, with each person's load across all of them.

    Lists each project (title, version, size, lint status, links to its documents)
    and, for every person named in the roles' people:, on how many activities and
    projects they are A, R, C and I. A project that cannot be read is listed with
    its first error, and the exit status is then 2; the index is written anyway.
    """
    from raci_gen.writing import output
    from raci_gen.checks.portfolio import DEFAULT_MAX_SHARE, collect, linked

    def documents(project, findings):
        formats = project.settings.output.formats
        try:
            paths = output.output_paths(project, formats)
        except RaciError as exc:
            return (), exc
        try:  # what a build now would write, against what is on disk
            stale = output.check(project, formats, None, findings)[1]
        except RaciError as exc:  # a template that fails, say: the index says why its documents are not current
            return linked(paths, out_dir), exc
        return linked(paths, out_dir, {item.path: item.state for item in stale}), None

    index = collect(list(project_dirs), out_dir, documents, DEFAULT_MAX_SHARE if max_share is None else max_share,
                    as_of)
    outputs = [output.Output(os.path.join(out_dir, "portfolio" + PORTFOLIO_FORMATS[f].suffix),
                             PORTFOLIO_FORMATS[f].render(index), f) for f in formats]
    output.write(outputs)
    unreadable = [entry for entry in index.projects if entry.problem]
    for entry in unreadable:
        echo(entry.problem_as_given, err=True, one_line=True)
        echo(f"{entry.given}: error: the project cannot be read; the index lists it with this first problem "
             f"(raci-gen lint {entry.given} tells all)", err=True, one_line=True)
    for entry in index.projects:
        if entry.build_problem_as_given:
            echo(entry.build_problem_as_given, err=True, one_line=True)
            echo(f"{entry.given}: warning: its documents cannot be built; the index says so", err=True, one_line=True)
    if not quiet:
        for item in outputs:
            echo(f"wrote {item.path} ({file_size(len(item.data))})", one_line=True)
        echo(f"indexed {len(index.projects)} projects, {len(index.people)} people"
                   + (f"; {len(unreadable)} could not be read" if unreadable else ""))
    ctx.exit(EXIT_BAD_INPUT if unreadable else EXIT_OK)

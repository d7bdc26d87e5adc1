"""raci-gen build: the documents of a project, or of several, or --check that those on disk are current."""

from __future__ import annotations

import dataclasses
import os
import sys
import time

import click

from raci_gen.commands.exit_codes import EXIT_CHECK_FAILED
from raci_gen.commands.options import (FormatList, SectionOption, as_of_option, config_option, jobs_option,
                                       project_dirs_argument)
from raci_gen.commands.projects import project_root, run_for_each
from raci_gen.commands.reporting import command_line, file_size, report_stale
from raci_gen.documents import FORMATS
from raci_gen.runtime.terminal import echo


@click.command()
@project_dirs_argument
@click.option("-f", "--format", "formats", type=FormatList(), default=None,
              help=f"Comma-separated formats to build: {', '.join(FORMATS)}. Default: output.formats in raci.yaml.")
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Output folder. Default: output.dir in raci.yaml (output/).")
@config_option
@click.option("--inject", "inject_pages", multiple=True, type=click.Path(dir_okay=False),
              help="Also replace the text between <!-- BEGIN RACI --> and <!-- END RACI --> in this page "
                   "(repeatable); added to output.inject in raci.yaml.")
@click.option("--section", cls=SectionOption, default="document", show_default=True,
              help="What --inject puts in the page: {sections} (a project's own raci.md.j2 may have others).")
@click.option("--check", is_flag=True,
              help="Write nothing; report each document or page that is missing or out of date, exit 1 if any. "
                   "Markdown, HTML and pages are compared byte for byte, PDF and workbook by the provenance they "
                   "record.")
@click.option("--strict-bytes", is_flag=True,
              help="With --check: render PDF and workbook too and compare every file byte for byte.")
@click.option("--diff", "show_diff", is_flag=True,
              help="With --check: print a unified diff for each stale text document.")
@click.option("--pdf-variant", type=click.Choice(["pdf/a-3b", "pdf/ua-1"]), default=None,
              help="PDF for archiving (pdf/a-3b) or strict accessibility (pdf/ua-1). Default: pdf.variant in "
                   "raci.yaml, else tagged PDF.")
@click.option("--no-lint", is_flag=True, help="Build even when the lint finds errors.")
@click.option("--force", is_flag=True,
              help="Render and write every document, also those up to date (which a build otherwise leaves as "
                   "they are, deciding as --check does).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success (lint warnings included).")
@as_of_option("the documents' date (see docs/documents.md); the documents of another day carry that date")
@jobs_option("build")
@click.pass_context
def build(ctx: click.Context, project_dirs: tuple[str, ...], formats: tuple[str, ...] | None, out_dir: str | None,
          config: str | None, inject_pages: tuple[str, ...], section: str, check: bool, strict_bytes: bool,
          show_diff: bool, pdf_variant: str | None, no_lint: bool, force: bool, quiet: bool,
          as_of, jobs: int | None) -> None:
    """Build the documents of the project in PROJECT_DIR (default: the current folder).

    The lint runs first: errors stop the build (exit 1, nothing written) unless
    --no-lint; warnings are printed and the build goes on.

    With several folders, each is built as if on its own (the libraries loaded
    once, one folder per core); a failing project does not stop the others, one
    line per project says how it went, and the exit status is the worst of them.
    """
    if len(project_dirs) > 1:
        if out_dir or config or inject_pages:
            raise click.UsageError("--out, --config and --inject name one project's files; "
                                   "give them with one project folder at a time")
        preload = [FORMATS[f].renderer for f in (formats or ("md", "xlsx", "pdf"))]
        run_for_each(ctx, "build", project_dirs, jobs, quiet, preload)
        return
    project_dir = project_dirs[0] if project_dirs else "."
    from raci_gen.writing import output
    from raci_gen.checks.analysis import active, lint
    from raci_gen.input import clock
    from raci_gen.input.loader import load_project
    from raci_gen.model.matrix import Injection

    started = time.perf_counter()
    project = load_project(project_root(project_dir, config, quiet, required=True), config)
    if pdf_variant:
        project = dataclasses.replace(project, settings=dataclasses.replace(project.settings, pdf_variant=pdf_variant))
    # vacant-role and hand-over-due read the people in post today, or on the --as-of day, as lint does; the
    # documents list those of their own date (make_document)
    findings = lint(dataclasses.replace(project.matrix, as_of=as_of or clock.today()), project.settings)
    shown = [f for f in active(findings) if f.severity != "info"]
    stops = any(f.severity == "error" for f in shown) and not no_lint
    if stops or not quiet:  # -q: nothing on success, lint warnings included
        for finding in shown:
            echo(str(finding), err=True, one_line=True)
    if stops:
        echo("lint found errors; nothing was written (fix them, or build with --no-lint)", err=True)
        ctx.exit(EXIT_CHECK_FAILED)
    if section != "document" and not inject_pages:
        raise click.UsageError("--section chooses what --inject puts in a page; give --inject PAGE too")
    if (strict_bytes or show_diff) and not check:
        raise click.UsageError("--strict-bytes and --diff go with --check")
    if force and check:
        raise click.UsageError("--force rebuilds what a build would leave as it is; --check writes nothing")
    chosen = formats
    formats = formats or project.settings.output.formats
    if "pdf" in formats and not (quiet or check):
        from raci_gen.documents.fonts import missing_glyphs

        for warning in missing_glyphs(project.matrix):  # a box in the PDF is easy to miss
            echo(str(warning), err=True, one_line=True)
    from raci_gen.writing.inject import distinct_pages

    injections = distinct_pages(output.project_injections(project)
                                + [Injection(page, section) for page in inject_pages])
    # The one way through a build: worked out once (the document, its date and provenance, the paths), then
    # compared with what is on disk (--check), or rendered and written.
    built = output.plan(project, formats, out_dir, findings, injections, as_of=as_of)
    if check:
        count, problems = output.compare(built, strict_bytes)
        fix = command_line("build", project_dir if project_dir != "." else None, ("-f", ",".join(chosen or ())),
                           ("-o", out_dir), ("-c", config), *[("--inject", p) for p in inject_pages],
                           ("--section", section if section != "document" else None), ("--pdf-variant", pdf_variant),
                           "--no-lint" if no_lint else None, ("--as-of", as_of.isoformat() if as_of else None))
        ctx.obj["finished"] = True  # what is left is to print the report and exit with its status
        report_stale(ctx, count, problems, quiet, show_diff, fix)
    if not quiet:  # a long build's steps on a terminal's last line, cleared before anything else is printed
        from raci_gen.runtime import progress

        progress.start(sys.stderr, os.path.basename(os.path.abspath(project.root)), started)
        ctx.call_on_close(progress.stop)
    if force:
        done = output.Build(output.render(built), [])
    else:  # nothing built twice: what --check finds up to date is left as it is
        done = output.render_changed(built)
    outputs = done.outputs
    if not quiet:
        progress.step(f"writing {len(outputs)} file{'s' if len(outputs) != 1 else ''}")
    output.write(outputs)
    if not quiet:
        progress.stop()
        for item in outputs:
            echo(f"wrote {item.path} ({file_size(len(item.data))})", one_line=True)
        if done.current:
            echo(f"up to date (not rewritten; --force rebuilds): {', '.join(done.current)}", one_line=True)
        total = len(outputs) + len(done.current)
        echo(f"built {len(outputs)}{f' of {total}' if done.current else ''} file{'s' if total != 1 else ''} "
             f"in {time.perf_counter() - started:.2f} s")
    ctx.obj["written"] = True

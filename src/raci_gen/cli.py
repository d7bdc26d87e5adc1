"""The command line: build, lint, rules, show, diff, schema, portfolio, import, init, serve.

Exit codes, decided here and nowhere else:

* 0: success.
* 1: the input is well-formed but a check failed: lint errors (warnings with
  ``--strict``; never with ``lint --exit-zero``), ``build --check`` found stale files,
  ``diff --exit-code`` found changes, ``import`` left a cell out (written anyway; not with ``--strict``).
* 2: bad input or bad usage: the message names ``FILE:LINE:COL``; nothing is written.
* 3: an internal error (a bug in raci-gen); ``--debug`` shows the traceback.
* 4: the machine refused (disk full, quota, file size limit, read-only file system, no
  permission, a folder in the way), while writing or while rendering; the files are as
  they were before the command.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import sys
import time

import click

from raci_gen import __version__
from raci_gen.model.errors import ENVIRONMENT_ERRNOS, EnvironmentFailure, InputError, RaciError
from raci_gen.documents import FORMATS, PORTFOLIO_FORMATS
from raci_gen.checks.reports import REPORTS
from raci_gen.model.variants import VARIANTS
from raci_gen.runtime.terminal import echo

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3
EXIT_ENVIRONMENT = 4


class FormatList(click.ParamType):
    """Comma-separated formats, e.g. ``md,pdf``; choices come from the renderer registry."""

    name = "formats"

    def __init__(self, registry: dict | None = None):
        self.registry = FORMATS if registry is None else registry

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        names = [v.strip() for v in str(value).split(",") if v.strip()]
        unknown = [n for n in names if n not in self.registry]
        if unknown or not names:
            self.fail(f"{', '.join(unknown) or 'nothing'} is not a format; choose from {', '.join(self.registry)}",
                      param, ctx)
        return tuple(dict.fromkeys(names))


class RuleList(click.ParamType):
    """Comma-separated rule ids, e.g. ``idle-role,too-many-informed`` (repeatable); checked against the registry."""

    name = "rules"

    def convert(self, value, param, ctx):
        import difflib

        from raci_gen.checks.rules import RULES

        names = self.ids((str(value),))
        for name in names:
            if name not in RULES:
                close = difflib.get_close_matches(name, list(RULES), n=1)
                self.fail(f"no rule {name!r}; " + (f"did you mean {close[0]!r}?" if close else
                                                   "run `raci-gen rules` for the list"), param, ctx)
        return ",".join(names)  # text, so that several folders' runs get the option again as given

    def shell_complete(self, ctx, param, incomplete):
        """Shell completion (README, "Shell completion"): the rule ids that start with the last comma-separated
        piece typed, each after the pieces before it (``idle-role,too`` offers ``idle-role,too-many-informed``
        and the other too-many rules), with the rule's summary for the shells that show one."""
        from click.shell_completion import CompletionItem

        from raci_gen.checks.rules import RULES

        done, _, piece = incomplete.rpartition(",")
        given = set(self.ids((done,)))
        return [CompletionItem(f"{done},{rid}" if done else rid, help=rule.SUMMARY)
                for rid, rule in RULES.items() if rid.startswith(piece.strip()) and rid not in given]

    @staticmethod
    def ids(values: tuple[str, ...]) -> list[str]:
        return [v.strip() for value in values for v in value.split(",") if v.strip()]


class SectionOption(click.Option):
    """``--section``, whose help lists the sections of the built-in Markdown template, read when help is shown."""

    def get_help_record(self, ctx):
        from raci_gen.documents.markdown import built_in_sections

        self.help = self.help.replace("{sections}", ", ".join(built_in_sections()))
        return super().get_help_record(ctx)


class RaciGroup(click.Group):
    """Turns raci-gen's errors into exit codes: the one place that does."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except InputError as exc:
            for problem in exc.problems:  # one line each, whatever a file name or message holds
                echo(str(problem), err=True, one_line=True)
            n = len(exc.problems)
            echo(f"{n} problem{'s' if n != 1 else ''} found; nothing was written.", err=True)
            ctx.exit(EXIT_BAD_INPUT)
        except EnvironmentFailure as exc:
            echo(str(exc), err=True, one_line=True)
            ctx.exit(EXIT_ENVIRONMENT)
        except RaciError as exc:
            echo(str(exc) if ": error: " in str(exc) else f"error: {exc}", err=True, one_line=True)
            ctx.exit(EXIT_BAD_INPUT)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            echo("interrupted", err=True)
            ctx.exit(130)
        except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
            if (ctx.obj or {}).get("debug"):
                raise
            if isinstance(exc, OSError) and exc.errno in ENVIRONMENT_ERRNOS:  # a library's own temporary file, say
                where = f" ({exc.filename})" if exc.filename else ""
                # The library's half-closed writers fail again when collected; the one line below says it all.
                sys.unraisablehook = lambda unraisable: None
                echo(f"error: the machine refused: {exc.strerror}{where}; no file was changed", err=True,
                     one_line=True)
                ctx.exit(EXIT_ENVIRONMENT)
            echo(f"internal error: {type(exc).__name__}: {exc}", err=True, one_line=True)
            echo("This is a bug in raci-gen; run again with --debug for a traceback and report it.", err=True)
            ctx.exit(EXIT_INTERNAL)


@click.group(cls=RaciGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="raci-gen")
@click.option("--debug", is_flag=True, help="Show a traceback on internal errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Keep a RACI matrix as YAML in git; check it and build Markdown, Excel and PDF from it."""
    ctx.ensure_object(dict)["debug"] = debug


@main.command()
@click.argument("project_dirs", nargs=-1, type=click.Path(file_okay=False))
@click.option("-f", "--format", "formats", type=FormatList(), default=None,
              help=f"Comma-separated formats to build: {', '.join(FORMATS)}. Default: output.formats in raci.yaml.")
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Output folder. Default: output.dir in raci.yaml (output/).")
@click.option("-c", "--config", type=click.Path(dir_okay=False), default=None,
              help="Settings file. Default: PROJECT_DIR/raci.yaml, if present.")
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
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None,
              help="With several project folders: how many to build at once. Default: one per core.")
@click.pass_context
def build(ctx: click.Context, project_dirs: tuple[str, ...], formats: tuple[str, ...] | None, out_dir: str | None,
          config: str | None, inject_pages: tuple[str, ...], section: str, check: bool, strict_bytes: bool,
          show_diff: bool, pdf_variant: str | None, no_lint: bool, force: bool, quiet: bool,
          jobs: int | None) -> None:
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
        from raci_gen.documents import FORMATS as formats_registry

        preload = [formats_registry[f].renderer for f in (formats or ("md", "xlsx", "pdf"))]
        _run_for_each(ctx, "build", project_dirs, jobs, quiet, preload)
        return
    project_dir = project_dirs[0] if project_dirs else "."
    from raci_gen.writing import output
    from raci_gen.checks.analysis import active, lint
    from raci_gen.input.loader import load_project
    from raci_gen.model.matrix import Injection

    started = time.perf_counter()
    project = load_project(_project_root(project_dir, config, quiet, required=True), config)
    if pdf_variant:
        project = dataclasses.replace(project, settings=dataclasses.replace(project.settings, pdf_variant=pdf_variant))
    findings = lint(project.matrix, project.settings)
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
    if check:
        count, problems = output.check(project, formats, out_dir, findings, injections, strict_bytes)
        fix = _command("build", project_dir if project_dir != "." else None, ("-f", ",".join(chosen or ())),
                       ("-o", out_dir), ("-c", config), *[("--inject", p) for p in inject_pages],
                       ("--section", section if section != "document" else None), ("--pdf-variant", pdf_variant),
                       "--no-lint" if no_lint else None)
        ctx.obj["finished"] = True  # what is left is to print the report and exit with its status
        _report_stale(ctx, count, problems, quiet, show_diff, fix)
    if not quiet:  # a long build's steps on a terminal's last line, cleared before anything else is printed
        from raci_gen.runtime import progress

        progress.start(sys.stderr, os.path.basename(os.path.abspath(project.root)), started)
        ctx.call_on_close(progress.stop)
    if force:
        done = output.Build(output.generate(project, formats, out_dir, findings=findings, injections=injections), [])
    else:  # nothing built twice: what --check finds up to date is left as it is
        done = output.generate_changed(project, formats, out_dir, findings=findings, injections=injections)
    outputs = done.outputs
    if not quiet:
        progress.step(f"writing {len(outputs)} file{'s' if len(outputs) != 1 else ''}")
    output.write(outputs)
    if not quiet:
        progress.stop()
        for item in outputs:
            echo(f"wrote {item.path} ({_size(len(item.data))})", one_line=True)
        if done.current:
            echo(f"up to date (not rewritten; --force rebuilds): {', '.join(done.current)}", one_line=True)
        total = len(outputs) + len(done.current)
        echo(f"built {len(outputs)}{f' of {total}' if done.current else ''} file{'s' if total != 1 else ''} "
             f"in {time.perf_counter() - started:.2f} s")
    ctx.obj["written"] = True


def run() -> None:
    """The program's entry point (``raci-gen`` and ``python -m raci_gen``): :func:`main`, then a quick exit.

    After a build has written and fsynced its files and printed its lines, nothing is left to do but
    free memory: the interpreter's teardown of WeasyPrint's objects costs up to a second on a large
    PDF. So that case ends with ``os._exit`` once stdout and stderr are flushed; so do a single
    project's ``lint`` and ``build --check``, which write nothing, once their report is printed
    (teardown is about a tenth of their time), with the status they decided (0 or 1). Every other
    command, and every error, exits the ordinary way. (Not in :func:`main`, which tests call in
    process.)
    """
    context: dict = {}
    try:
        main(obj=context)
    except SystemExit as exc:
        quick = (context.get("written") and exc.code in (None, 0)) or \
            (context.get("finished") and exc.code in (None, EXIT_OK, EXIT_CHECK_FAILED))
        if quick:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            except (OSError, ValueError):
                raise exc from None
            os._exit(exc.code or 0)
        raise


@main.command()
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
        base = _project_root(".", quiet=check)
        directory, named = os.path.normpath(os.path.join(base, "schemas")), None
    outputs = [output.Output(path, text.encode("utf-8"), "schema", output.confine(path, base, named))
               for path, text in ((os.path.join(directory, name), text) for name, text in json_schemas().items())]
    if check:
        _report_stale(ctx, len(outputs), output.stale(outputs), True, False, _command("schema", directory))
    output.write(outputs)
    for item in outputs:
        echo(f"wrote {item.path}", one_line=True)


@main.command(name="lint")
@click.argument("project_dirs", nargs=-1, type=click.Path(file_okay=False))
@click.option("-f", "--format", "report_format", type=click.Choice(list(REPORTS)), default="text",
              show_default=True, help="text for people, json for tools, github for workflow annotations, "
                                      "gitlab for GitLab Code Quality, sarif for code-scanning dashboards.")
@click.option("-c", "--config", type=click.Path(dir_okay=False), default=None,
              help="Settings file. Default: PROJECT_DIR/raci.yaml, if present.")
@click.option("--select", "selected", type=RuleList(), multiple=True,
              help="Run only these rules (comma-separated, repeatable); a rule that is off runs at warning.")
@click.option("--ignore", "ignored", type=RuleList(), multiple=True,
              help="Leave these rules out (comma-separated, repeatable).")
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 whatever the findings (bad input still exits 2).")
@click.option("-v", "--verbose", is_flag=True, help="Also show findings silenced by lint-ignore, with the reason.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None,
              help="With several project folders: how many to lint at once. Default: one per core.")
@click.pass_context
def lint_command(ctx: click.Context, project_dirs: tuple[str, ...], report_format: str, config: str | None,
                 selected: tuple[str, ...], ignored: tuple[str, ...], strict: bool, exit_zero: bool, verbose: bool,
                 jobs: int | None) -> None:
    """Check the matrix in PROJECT_DIR: exit 1 on errors (and on warnings with --strict).

    With several folders, each is linted on its own and the exit status is the worst
    of them; only the text and github formats, which are read line by line, mix.
    """
    if len(project_dirs) > 1:
        if report_format not in MIXABLE_REPORTS or config:
            raise click.UsageError(f"with several project folders, --format is one of {', '.join(MIXABLE_REPORTS)} "
                                   "and --config is not given; lint one folder at a time for the others")
        _run_for_each(ctx, "lint", project_dirs, jobs, quiet=False, preload=(), show_output=True)
        return
    project_dir = project_dirs[0] if project_dirs else "."
    from raci_gen.checks.analysis import exit_status, lint
    from raci_gen.input.loader import load_project
    from raci_gen.checks.reports import format_github_problems
    try:
        project = load_project(_project_root(project_dir, config, required=True), config)
        findings = lint(project.matrix, project.settings, select=RuleList.ids(selected) or None,
                        ignore=RuleList.ids(ignored))
    except InputError as exc:
        if report_format == "github":  # annotations on stdout; the usual lines on stderr, exit 2, as ever
            echo(format_github_problems(exc.problems), nl=False)
        raise
    echo(REPORTS[report_format](findings, verbose), nl=False)
    ctx.obj["finished"] = True
    ctx.exit(EXIT_CHECK_FAILED if exit_status(findings, strict) and not exit_zero else EXIT_OK)


@main.command()
@click.argument("project_dir", default=".", type=click.Path(file_okay=False))
@click.option("-r", "--role", "role_id", default=None, help="Show what this role (by id) is on the hook for.")
@click.option("-w", "--width", type=click.IntRange(40, 400), default=None,
              help="Columns to fit in. Default: the terminal's width, at most 100 (80 when not a terminal).")
@click.option("-c", "--config", type=click.Path(dir_okay=False), default=None,
              help="Settings file. Default: PROJECT_DIR/raci.yaml, if present.")
def show(project_dir: str, role_id: str | None, width: int | None, config: str | None) -> None:
    """Print the matrix, or one role's responsibilities by letter and phase, in the terminal."""
    from raci_gen.input.loader import load_project
    from raci_gen.documents.show import show_matrix, show_role

    project = load_project(_project_root(project_dir, config, required=True), config)
    if width is None:
        width = min(shutil.get_terminal_size((80, 24)).columns, 100) if sys.stdout.isatty() else 80
    if role_id is None:
        echo(show_matrix(project.matrix, width), nl=False)
        return
    roles = {r.id.casefold(): r for r in project.matrix.roles}
    role = roles.get(role_id.casefold())
    if role is None:
        known = ", ".join(r.id for r in project.matrix.roles)
        raise click.BadParameter(f"no role {role_id!r}; known roles: {known}", param_hint="--role")
    echo(show_role(project.matrix, role, width), nl=False)


@main.command()
@click.option("--markdown", is_flag=True, help="As a Markdown table (the one in README).")
@click.option("--explain", "explain_rule", metavar="RULE", default=None,
              help="Print why RULE exists, its options, and an example that passes and one that fails.")
def rules(markdown: bool, explain_rule: str | None) -> None:
    """List the lint rules: id, default severity, what each checks."""
    from raci_gen.checks.reports import explain, rules_table
    from raci_gen.checks.rules import RULES

    if explain_rule is not None:
        if explain_rule not in RULES:
            import difflib
            close = difflib.get_close_matches(explain_rule, list(RULES), n=1)
            raise click.BadParameter(f"no rule {explain_rule!r}; " + (f"did you mean {close[0]!r}?" if close else
                                     "run `raci-gen rules` for the list"), param_hint="--explain")
        echo(explain(explain_rule), nl=False)
        return
    echo(rules_table(markdown), nl=False)


@main.command(name="diff")
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
    result = compare(old, new, _project_root(project_dir) if revisions else project_dir)
    echo((format_markdown if diff_format == "markdown" else format_text)(result), nl=False)
    ctx.exit(EXIT_CHECK_FAILED if exit_code and result.changed else EXIT_OK)


@main.command(name="import")
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
               f"phase{'s' if phases != 1 else ''}, {len(matrix.roles)} roles ({matrix.variant.name})")
    for note in result.notes:
        where = f"{source}: {note.where}: " if note.where else f"{source}: "
        kind = ("guessed: " if note.guessed else "left out: ") if note.dropped else ""
        echo(f"{where}{kind}{note.message}", one_line=True)
    if strict and result.dropped:
        echo("--strict: something was left out; nothing was written", err=True)
        ctx.exit(EXIT_CHECK_FAILED)
    if result.summary:
        echo(result.summary, nl=False)
    from raci_gen.writing.confined import Write, confine, write_all

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
                   f"{counts['warning']} warnings, {counts['info']} info (raci-gen lint {out_dir}); "
                   f"next: raci-gen build {out_dir}")
    else:
        echo(f"changed {len(result.files)} file{'s' if len(result.files) != 1 else ''} in {into}"
                   if result.files else f"nothing to change in {into}")
    if result.dropped:  # a cell of the table that is neither in the project nor explained: exit 1, written anyway
        echo("something of the table was left out or guessed (the lines 'left out:' or 'guessed:' above); the "
             "project was written anyway: "
             "fix the source and import again, or edit the project", err=True)
        ctx.exit(EXIT_CHECK_FAILED)


@main.command()
@click.argument("project_dirs", nargs=-1, required=True, type=click.Path(file_okay=False))
@click.option("-o", "--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder of the index: portfolio.md, .html, .xlsx.")
@click.option("-f", "--format", "formats", default="md", show_default=True,
              type=FormatList(PORTFOLIO_FORMATS), help=f"Comma-separated: {', '.join(PORTFOLIO_FORMATS)}.")
@click.option("--max-share", type=click.FloatRange(0, 1), default=None,
              help="Flag a person who answers for or does more than this share of all activities. Default: 0.2.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")
@click.pass_context
def portfolio(ctx: click.Context, project_dirs: tuple[str, ...], out_dir: str, formats: tuple[str, ...],
              max_share: float | None, quiet: bool) -> None:
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

    index = collect(list(project_dirs), out_dir, documents, DEFAULT_MAX_SHARE if max_share is None else max_share)
    outputs = [output.Output(os.path.join(out_dir, "portfolio" + PORTFOLIO_FORMATS[f].suffix),
                             PORTFOLIO_FORMATS[f].render(index), f) for f in formats]
    output.write(outputs)
    unreadable = [entry for entry in index.projects if entry.problem]
    for entry in unreadable:
        echo(entry.problem_as_given, err=True, one_line=True)
        echo(f"{entry.given}: error: the project cannot be read; the index lists it with this first problem "
             f"(raci-gen lint {entry.given} tells all)", err=True)
    for entry in index.projects:
        if entry.build_problem_as_given:
            echo(entry.build_problem_as_given, err=True, one_line=True)
            echo(f"{entry.given}: warning: its documents cannot be built; the index says so", err=True)
    if not quiet:
        for item in outputs:
            echo(f"wrote {item.path} ({_size(len(item.data))})", one_line=True)
        echo(f"indexed {len(index.projects)} projects, {len(index.people)} people"
                   + (f"; {len(unreadable)} could not be read" if unreadable else ""))
    ctx.exit(EXIT_BAD_INPUT if unreadable else EXIT_OK)


@main.command()
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
        echo(f"kept the existing {os.path.join(directory, name)}; see README, \"What to commit\"", err=True)
    echo(created.hooks, err=True)
    echo(f"wrote {len(created.written)} files to {directory}; next: raci-gen build {directory}")


@main.command()
@click.argument("project_dir", default=".", type=click.Path(file_okay=False))
@click.option("-c", "--config", type=click.Path(dir_okay=False), default=None,
              help="Settings file. Default: PROJECT_DIR/raci.yaml, if present.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on: an IP address of this machine (not 0.0.0.0 nor ::).")
@click.option("-p", "--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="The port; 0 takes a free one.")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in a browser.")
@click.pass_context
def serve(ctx: click.Context, project_dir: str, config: str | None, host: str, port: int,
          open_browser: bool) -> None:
    """Preview the HTML document at a local address, rebuilt in memory on every saved change.

    The open page updates itself in place; while the project does not load it shows every problem over the
    last good matrix. The PDF and the workbook are downloads from the page. Nothing is written; Ctrl+C stops
    it (exit 0).
    """
    import ipaddress

    from raci_gen.writing.preview_server import serve as serve_preview

    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        raise click.BadParameter(f"{host!r} is not an IP address", param_hint="--host") from None
    if address.is_unspecified:
        raise click.BadParameter("listen on one address, not all of them (the preview has no password)",
                                 param_hint="--host")
    ctx.exit(serve_preview(_project_root(project_dir, config, required=True), config, str(address), port,
                           open_browser))


@main.group()
def hook() -> None:
    """For pre-commit: lint or check the project of each file given (see README, "pre-commit")."""


HOOK_COMMANDS = {"lint": ("lint",), "check": ("build", "--check", "--quiet", "--format", "md")}
"""What each hook runs on one project folder: the lint, and the check of the committed documents."""


@hook.command(name="lint")
@click.argument("paths", nargs=-1, type=click.Path())
@click.pass_context
def hook_lint(ctx: click.Context, paths: tuple[str, ...]) -> None:
    """Lint the project of each PATH: a project folder, or a file in one (the nearest folder above
    it with a raci.yaml, or roles/ and activities/). Files of no project are passed over."""
    _run_hook(ctx, "lint", paths)


@hook.command(name="check")
@click.argument("paths", nargs=-1, type=click.Path())
@click.pass_context
def hook_check(ctx: click.Context, paths: tuple[str, ...]) -> None:
    """build --check --quiet --format md on the project of each PATH (found as hook lint finds it):
    fails when a committed Markdown document or injected page is out of date, or was edited by hand."""
    _run_hook(ctx, "check", paths)


def _run_hook(ctx: click.Context, name: str, paths: tuple[str, ...]) -> None:
    from raci_gen.input.discovery import project_of, projects_of
    from raci_gen.model.errors import fail
    from raci_gen.model.matrix import Location

    for path in paths:  # a folder is named in the hook's args, for a project: one that moved must not pass unseen
        if os.path.isdir(path) and project_of(path) is None:
            raise fail(Location(path), f"no raci-gen project in {path} or above; "
                                       "the hook's args name project folders")
    command, *options = HOOK_COMMANDS[name]
    statuses = [_run_command(command, options, folder) for folder in projects_of(paths)]
    ctx.exit(max(statuses, default=EXIT_OK))


def _project_root(project_dir: str, config: str | None = None, quiet: bool = False, required: bool = False) -> str:
    """The project a command works on: PROJECT_DIR, or the nearest project above it (see discovery).

    With --config the user has said where the settings are, so nothing is searched for. ``required``:
    a folder with nothing of a project in it or above is refused in one line that shows the way out
    (the loader would only say that activities/ is missing).
    """
    from raci_gen.input.discovery import find_project, no_project_here
    from raci_gen.model.errors import fail
    from raci_gen.model.matrix import Location

    if config is not None:
        return project_dir
    missing = no_project_here(project_dir) if required else None
    if missing:
        raise fail(Location(project_dir), missing)
    found = find_project(project_dir)
    if found.moved and not quiet:
        echo(f"raci-gen: using the project in {found.root}", err=True, one_line=True)
    return found.root


def _report_stale(ctx: click.Context, count: int, problems: list, quiet: bool, show_diff: bool, fix: str) -> None:
    """The check mode of build and schema: say which files differ from what would be written and why,
    the command that brings them up to date, and exit."""
    for problem in problems:
        echo(str(problem), err=True, one_line=True)
        for line in problem.details:
            echo(f"  {line}", err=True, one_line=True)
        if show_diff and problem.diff:
            for line in problem.diff:
                echo(line, err=True, one_line=True)
    if problems:
        echo(f"run: {fix}", err=True)
    elif not quiet:
        echo(f"{count} file{'s' if count != 1 else ''} up to date")
    ctx.exit(EXIT_CHECK_FAILED if problems else EXIT_OK)


def _command(*parts) -> str:
    """A raci-gen command line, quoted for a POSIX shell, from words and (option, value) pairs;
    None and empty values are left out."""
    import shlex

    words = ["raci-gen"]
    for part in parts:
        if isinstance(part, tuple):
            if part[1]:
                words.extend(part)
        elif part:
            words.append(part)
    return shlex.join(words)


MIXABLE_REPORTS = ("text", "github")
"""Lint formats that stay valid when the reports of several projects follow one another."""


def _run_for_each(ctx: click.Context, command: str, folders: tuple[str, ...], jobs: int | None, quiet: bool,
                  preload, show_output: bool = False) -> None:
    """Run ``command`` once per project folder (see :mod:`raci_gen.runtime.batch`), then exit with the worst status."""
    import functools

    from raci_gen.runtime import batch

    options = _passed_options(ctx, skip={"project_dirs", "jobs"})

    def report(result: batch.Result) -> None:
        if show_output:
            echo(result.stdout, nl=False)
        # A project that built says what it warned of (lint warnings, characters no font has), as on its own;
        # with -q each project was run with -q too, and this is empty.
        echo(result.stderr, nl=False, err=True)
        if result.status == EXIT_OK:
            if not quiet:
                echo(f"{result.folder}: ok ({result.seconds:.2f} s)", err=show_output, one_line=True)
            return
        echo(f"{result.folder}: failed, exit {result.status} ({result.seconds:.2f} s)", err=True, one_line=True)

    results = batch.run_many(functools.partial(_run_command, command, options), folders, jobs, preload, report)
    failed = [r for r in results if r.status != EXIT_OK]
    if not quiet or failed:
        verb = "checked" if "--check" in options else {"build": "built", "lint": "linted"}[command]
        echo(f"{verb} {len(results) - len(failed)} of {len(results)} projects"
                   + (f"; failed: {', '.join(r.folder for r in failed)}" if failed else ""),
                   err=bool(failed) or show_output)
    ctx.exit(max(r.status for r in results))


def _passed_options(ctx: click.Context, skip: set[str]) -> list[str]:
    """The options given to this command, as arguments to give it again for one folder."""
    args: list[str] = []
    for param in ctx.command.params:
        if not isinstance(param, click.Option) or param.name in skip:
            continue
        value = ctx.params.get(param.name)
        if value is None or value == () or value is False or value == param.get_default(ctx):
            continue
        flag = param.opts[-1] if param.opts[-1].startswith("--") else param.opts[0]
        if param.is_flag:
            args.append(flag)
        elif param.multiple:
            for item in value:
                args += [flag, str(item)]
        elif isinstance(value, tuple):
            args += [flag, ",".join(value)]
        else:
            args += [flag, str(value)]
    return args


def _run_command(command: str, options: list[str], folder: str) -> int:
    """One raci-gen command on one folder, in this process, as `raci-gen COMMAND FOLDER OPTIONS` would run it."""
    try:
        status = main.main([command, folder, *options], prog_name="raci-gen", standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        return EXIT_CHECK_FAILED
    return status if isinstance(status, int) else EXIT_OK


def _size(n: int) -> str:
    return f"{n / 1024:.1f} KiB" if n >= 1024 else f"{n} B"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

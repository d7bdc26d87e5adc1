"""raci-gen lint: the rules' findings on a project, or on several, in a report for people or for tools."""

from __future__ import annotations

import click

import dataclasses

from raci_gen.checks.reports import REPORTS
from raci_gen.commands.exit_codes import EXIT_CHECK_FAILED, EXIT_OK
from raci_gen.commands.options import RuleList, as_of_option, config_option, jobs_option, project_dirs_argument
from raci_gen.commands.projects import project_root, run_for_each
from raci_gen.model.errors import InputError
from raci_gen.runtime.terminal import echo

MIXABLE_REPORTS = ("text", "github")
"""Lint formats that stay valid when the reports of several projects follow one another."""


@click.command(name="lint")
@project_dirs_argument
@click.option("-f", "--format", "report_format", type=click.Choice(list(REPORTS)), default="text",
              show_default=True, help="text for people, json for tools, github for workflow annotations, "
                                      "gitlab for GitLab Code Quality, sarif for code-scanning dashboards.")
@config_option
@click.option("--select", "selected", type=RuleList(), multiple=True,
              help="Run only these rules (comma-separated, repeatable); a rule that is off runs at warning.")
@click.option("--ignore", "ignored", type=RuleList(), multiple=True,
              help="Leave these rules out (comma-separated, repeatable).")
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 whatever the findings (bad input still exits 2).")
@click.option("-v", "--verbose", is_flag=True, help="Also show findings silenced by lint-ignore, with the reason.")
@as_of_option("today (UTC; SOURCE_DATE_EPOCH's day when set)")
@jobs_option("lint")
@click.pass_context
def lint_command(ctx: click.Context, project_dirs: tuple[str, ...], report_format: str, config: str | None,
                 selected: tuple[str, ...], ignored: tuple[str, ...], strict: bool, exit_zero: bool, verbose: bool,
                 as_of, jobs: int | None) -> None:
    """Check the matrix in PROJECT_DIR: exit 1 on errors (and on warnings with --strict).

    With several folders, each is linted on its own and the exit status is the worst
    of them; only the text and github formats, which are read line by line, mix.
    """
    if len(project_dirs) > 1:
        if report_format not in MIXABLE_REPORTS or config:
            raise click.UsageError(f"with several project folders, --format is one of {', '.join(MIXABLE_REPORTS)} "
                                   "and --config is not given; lint one folder at a time for the others")
        run_for_each(ctx, "lint", project_dirs, jobs, quiet=False, preload=(), show_output=True)
        return
    project_dir = project_dirs[0] if project_dirs else "."
    from raci_gen.checks.analysis import exit_status, lint
    from raci_gen.input import clock
    from raci_gen.input.loader import load_project
    from raci_gen.checks.reports import format_github_problems
    try:
        project = load_project(project_root(project_dir, config, required=True), config)
        # vacant-role and hand-over-due read the people in post on this day
        matrix = dataclasses.replace(project.matrix, as_of=as_of or clock.today())
        findings = lint(matrix, project.settings, select=RuleList.ids(selected) or None,
                        ignore=RuleList.ids(ignored))
    except InputError as exc:
        if report_format == "github":  # annotations on stdout; the usual lines on stderr, exit 2, as ever
            echo(format_github_problems(exc.problems), nl=False)
        raise
    echo(REPORTS[report_format](findings, verbose), nl=False)
    ctx.obj["finished"] = True
    ctx.exit(EXIT_CHECK_FAILED if exit_status(findings, strict) and not exit_zero else EXIT_OK)

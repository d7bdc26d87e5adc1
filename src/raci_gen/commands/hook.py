"""raci-gen hook lint and hook check: for pre-commit, the project of each file given."""

from __future__ import annotations

import os

import click

from raci_gen.commands.exit_codes import EXIT_OK
from raci_gen.commands.projects import run_command


@click.group()
def hook() -> None:
    """For pre-commit: lint or check the project of each file given (see docs/docs-as-code.md, "pre-commit")."""


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
        if not os.path.lexists(path) and not os.path.splitext(os.path.normpath(path))[1]:
            # pre-commit gives files that exist, each with its suffix (raci.yaml, .md, ...): a path without a
            # suffix that is not there is a folder of the hook's args that was moved or renamed (git mv).
            raise fail(Location(path), f"no such folder: {path}; the hook's args name project folders (moved or "
                                       "renamed? name its new place in args in .pre-commit-config.yaml)")
    command, *options = HOOK_COMMANDS[name]
    program = ctx.find_root().command  # the raci-gen group, which runs the command as on the command line
    statuses = [run_command(program, command, options, folder) for folder in projects_of(paths)]
    ctx.exit(max(statuses, default=EXIT_OK))

"""What several commands print alike: the check mode's report, a command line to run, a file's size."""

from __future__ import annotations

import click

from raci_gen.commands.exit_codes import EXIT_CHECK_FAILED, EXIT_OK
from raci_gen.runtime.terminal import echo


def report_stale(ctx: click.Context, count: int, problems: list, quiet: bool, show_diff: bool, fix: str) -> None:
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
        echo(f"run: {fix}", err=True, one_line=True)  # a project folder of a pull request may name a line break
    elif not quiet:
        echo(f"{count} file{'s' if count != 1 else ''} up to date")
    ctx.exit(EXIT_CHECK_FAILED if problems else EXIT_OK)


def command_line(*parts) -> str:
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


def file_size(n: int) -> str:
    """``n`` bytes as the lines 'wrote PATH (SIZE)' show it."""
    return f"{n / 1024:.1f} KiB" if n >= 1024 else f"{n} B"

"""The command line's entry point: the ``raci-gen`` group, made of the commands in :mod:`raci_gen.commands`.

Each command is a module of that package, registered in ``raci_gen.commands.COMMANDS``. The exit codes
are decided in one place, :mod:`raci_gen.commands.exit_codes`: its docstring lists them, and its
:class:`~raci_gen.commands.exit_codes.RaciGroup`, this group's class, turns errors into them.
"""

from __future__ import annotations

import os
import sys

import click

from raci_gen import __version__
from raci_gen.commands import COMMANDS
from raci_gen.commands.exit_codes import EXIT_CHECK_FAILED, EXIT_OK, RaciGroup


@click.group(cls=RaciGroup, commands=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="raci-gen")
@click.option("--debug", is_flag=True, help="Show a traceback on internal errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Keep a RACI matrix as YAML in git; check it and build Markdown, Excel and PDF from it."""
    ctx.ensure_object(dict)["debug"] = debug


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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

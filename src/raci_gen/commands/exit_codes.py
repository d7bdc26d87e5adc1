"""Exit codes, decided here and nowhere else:

* 0: success.
* 1: the input is well-formed but a check failed: lint errors (warnings with
  ``--strict``; never with ``lint --exit-zero``), ``build --check`` found stale files,
  ``diff --exit-code`` found changes, ``import`` left a cell out (written anyway; not with ``--strict``).
* 2: bad input or bad usage: the message names ``FILE:LINE:COL``; nothing is written.
* 3: an internal error (a bug in raci-gen); ``--debug`` shows the traceback.
* 4: the machine refused (disk full, quota, file size limit, read-only file system, no
  permission, a folder in the way), while writing or while rendering; the files are as
  they were before the command.

A command exits with these names itself (``ctx.exit``) when it decides the status: 0 or 1 as above,
and the worst of several projects' statuses (build and lint with several folders, the hooks, portfolio).
The rest it raises; :class:`RaciGroup`, the class of the ``raci-gen`` group (in :mod:`raci_gen.cli`),
turns raci-gen's errors into 2 or 4 and anything else into 3.
"""

from __future__ import annotations

import sys

import click

from raci_gen.model.errors import ENVIRONMENT_ERRNOS, EnvironmentFailure, InputError, RaciError
from raci_gen.runtime.terminal import echo

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3
EXIT_ENVIRONMENT = 4


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

"""The project folders a command works on: the one a folder names or lies in, or several, each run on its own
as ``raci-gen COMMAND FOLDER OPTIONS`` would run it (build, lint and the hooks)."""

from __future__ import annotations

import click

from raci_gen.commands.exit_codes import EXIT_CHECK_FAILED, EXIT_OK
from raci_gen.runtime.terminal import echo


def project_root(project_dir: str, config: str | None = None, quiet: bool = False, required: bool = False) -> str:
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


def run_for_each(ctx: click.Context, command: str, folders: tuple[str, ...], jobs: int | None, quiet: bool,
                 preload, show_output: bool = False) -> None:
    """Run ``command`` once per project folder (see :mod:`raci_gen.runtime.batch`), then exit with the worst status."""
    import functools

    from raci_gen.runtime import batch

    options = passed_options(ctx, skip={"project_dirs", "jobs"})

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

    job = functools.partial(run_command, ctx.find_root().command, command, options)
    results = batch.run_many(job, folders, jobs, preload, report)
    failed = [r for r in results if r.status != EXIT_OK]
    if not quiet or failed:
        verb = "checked" if "--check" in options else {"build": "built", "lint": "linted"}[command]
        echo(f"{verb} {len(results) - len(failed)} of {len(results)} projects"
                   + (f"; failed: {', '.join(r.folder for r in failed)}" if failed else ""),
                   err=bool(failed) or show_output)
    ctx.exit(max(r.status for r in results))


def passed_options(ctx: click.Context, skip: set[str]) -> list[str]:
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


def run_command(program: click.Command, command: str, options: list[str], folder: str) -> int:
    """One raci-gen command on one folder, in this process, as `raci-gen COMMAND FOLDER OPTIONS` would run it.

    ``program`` is the ``raci-gen`` group itself (``ctx.find_root().command``): the commands do not import
    the module that assembles them."""
    try:
        status = program.main([command, folder, *options], prog_name="raci-gen", standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        return EXIT_CHECK_FAILED
    return status if isinstance(status, int) else EXIT_OK

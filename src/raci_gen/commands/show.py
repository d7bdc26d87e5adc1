"""raci-gen show: the matrix, or one role's part in it, in the terminal."""

from __future__ import annotations

import dataclasses
import shutil
import sys

import click

from raci_gen.commands.options import config_option, project_dir_argument
from raci_gen.commands.projects import project_root
from raci_gen.runtime.terminal import echo


@click.command()
@project_dir_argument
@click.option("-r", "--role", "role_id", default=None, help="Show what this role (by id) is on the hook for.")
@click.option("-w", "--width", type=click.IntRange(40, 400), default=None,
              help="Columns to fit in. Default: the terminal's width, at most 100 (80 when not a terminal).")
@config_option
def show(project_dir: str, role_id: str | None, width: int | None, config: str | None) -> None:
    """Print the matrix, or one role's responsibilities by letter and phase, in the terminal."""
    from raci_gen.input.loader import load_project
    from raci_gen.documents.show import show_matrix, show_role

    project = load_project(project_root(project_dir, config, required=True), config)
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
    from raci_gen.input import clock

    # each person's days in the role (from/until) are shown against today's
    echo(show_role(dataclasses.replace(project.matrix, as_of=clock.today()), role, width), nl=False)

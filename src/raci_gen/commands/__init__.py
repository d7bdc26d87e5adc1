"""The commands of raci-gen, one module each, and the registry the ``raci-gen`` group is built from.

A new command is a module here and one line in :data:`COMMANDS`. What several commands share lives
beside them: :mod:`.options` (parameter types and options), :mod:`.projects` (the project a command
works on, several projects run one by one), :mod:`.reporting` (lines printed alike) and
:mod:`.exit_codes` (the exit-code policy). Only :mod:`raci_gen.cli` imports this package.
"""

from __future__ import annotations

from raci_gen.commands import build, diff, hook, import_, init, lint, portfolio, rules, schema, serve, show

COMMANDS = {
    "build": build.build,
    "lint": lint.lint_command,
    "rules": rules.rules,
    "show": show.show,
    "diff": diff.diff_command,
    "schema": schema.schema,
    "portfolio": portfolio.portfolio,
    "import": import_.import_command,
    "init": init.init,
    "serve": serve.serve,
    "hook": hook.hook,
}
"""Command name -> its click command (``raci-gen --help`` lists them by name)."""

"""The parameter types and options that several commands share, so that they read and help alike."""

from __future__ import annotations

import click

from raci_gen.documents import FORMATS


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
        """Shell completion (docs/commands.md, "Shell completion"): the rule ids that start with the last
        comma-separated piece typed, each after the pieces before it (``idle-role,too`` offers
        ``idle-role,too-many-informed`` and the other too-many rules), with the rule's summary for the shells that
        show one."""
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


project_dir_argument = click.argument("project_dir", default=".", type=click.Path(file_okay=False))
"""One project folder, by default the current one (a project above it is found: see projects.project_root)."""

project_dirs_argument = click.argument("project_dirs", nargs=-1, type=click.Path(file_okay=False))
"""Any number of project folders (none: the current one), each run on its own (see projects.run_for_each)."""

config_option = click.option("-c", "--config", type=click.Path(dir_okay=False), default=None,
                             help="Settings file. Default: PROJECT_DIR/raci.yaml, if present.")


def jobs_option(verb: str):
    """``-j/--jobs`` of a command that takes several project folders; ``verb`` is what it does to each."""
    return click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None,
                        help=f"With several project folders: how many to {verb} at once. Default: one per core.")


class Day(click.ParamType):
    """A day written as ISO 8601's YYYY-MM-DD, read strictly (not 2026-1-5, not 2026-02-30)."""

    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        import datetime as _dt
        import re

        if isinstance(value, _dt.date):
            return value
        text = str(value).strip()
        try:
            if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
                raise ValueError
            return _dt.date.fromisoformat(text)
        except ValueError:
            self.fail(f"{text!r} is not a day written YYYY-MM-DD (ISO 8601)", param, ctx)


def as_of_option(what: str):
    """``--as-of DAY``: the day the people in post (from/until) are read for; ``what`` says its default."""
    return click.option("--as-of", "as_of", type=Day(), default=None,
                        help=f"Read the people in post (their from/until) for this day, YYYY-MM-DD. Default: {what}.")

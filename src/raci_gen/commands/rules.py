"""raci-gen rules: the lint rules, as a list or a Markdown table, or one rule explained."""

from __future__ import annotations

import click

from raci_gen.runtime.terminal import echo


@click.command()
@click.option("--markdown", is_flag=True, help="As a Markdown table (the one in docs/lint.md).")
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

"""What the lint reports, as plain data: a rule's :class:`Hit` and the engine's :class:`Finding`.

A module of its own so that the rules (which make hits) and the engine in
:mod:`raci_gen.checks.analysis` (which runs the rules and turns hits into findings)
both import it, and no rule imports the engine that imports the rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Union

from raci_gen.model.matrix import Activity, Location, PhaseSubject, Role

SEVERITIES = ("error", "warning", "info")
"""From most to least severe; ``off`` disables a rule."""


@dataclass(frozen=True)
class Hit:
    """What a rule reports: where, about what, and why."""

    subject: Union[Role, Activity]
    location: Location
    message: str
    problem: tuple | None = None
    """What is wrong, when several rules can see it: ``("missing", activity id, letter)``. The engine keeps
    one finding per problem (the most severe, then the first rule in registry order), so a DACI activity
    without a Driver is reported once, not by one-accountable and someone-responsible both."""
    related: tuple[Location, ...] = ()
    """Other places the message names (the first of two duplicate activities)."""


@dataclass(frozen=True)
class Finding:
    location: Location
    rule: str
    severity: str
    message: str
    ignored: str | None = None
    """The reason from ``lint-ignore`` when the finding is silenced there."""
    related: tuple[Location, ...] = ()
    """Other places the message names."""
    subject: Role | Activity | PhaseSubject | None = field(default=None, compare=False, repr=False)
    """The role, activity or phase the finding is about (the hit's subject), by which the documents word it;
    not compared: two findings are the same by where and what they say."""

    def __str__(self) -> str:
        # One line per finding, whatever the names in the message hold: tools read FILE:LINE:COL per line.
        message = " ".join(self.message.splitlines())
        return f"{self.location}: {self.severity}: {message} [{self.rule}]"


def active(findings: Iterable[Finding]) -> list[Finding]:
    """The findings not silenced by ``lint-ignore``."""
    return [f for f in findings if f.ignored is None]


def counts(findings: Iterable[Finding]) -> dict[str, int]:
    result = {severity: 0 for severity in SEVERITIES}
    for finding in active(findings):
        result[finding.severity] += 1
    return result

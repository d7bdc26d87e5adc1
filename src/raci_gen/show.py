"""The matrix, or one role's responsibilities, as plain text for a terminal.

Kept to a given width (80 columns by default): the matrix is a grid when the
roles fit, and a list of activities with their roles when they do not.
"""

from __future__ import annotations

import textwrap
import unicodedata

from raci_gen.analysis import role_view, workload
from raci_gen.model import Matrix, Role


def _cells(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


def _clip(text: str, width: int) -> str:
    """``text`` on one line of exactly ``width`` terminal cells: padded, or cut with an ellipsis.

    Leading spaces (indentation) are kept; other runs of white space become one space,
    and East Asian wide characters count as two cells.
    """
    text = str(text)
    indent = text[: len(text) - len(text.lstrip(" "))]
    text = indent + " ".join(text.split())
    if sum(_cells(c) for c in text) <= width:
        return text + " " * (width - sum(_cells(c) for c in text))
    out, used = [], 0
    for char in text:
        if used + _cells(char) > width - 1:
            break
        out.append(char)
        used += _cells(char)
    clipped = "".join(out).rstrip() + "…"
    return clipped + " " * (width - sum(_cells(c) for c in clipped))


def show_matrix(matrix: Matrix, width: int = 80) -> str:
    roles = matrix.roles
    id_width = max([2] + [len(a.id) for a in matrix.activities()])
    cell = max([3] + [len(r.id) for r in roles]) + 1
    name_width = width - id_width - 2 - cell * len(roles)
    lines: list[str] = []
    if name_width >= 20:
        header = _clip("ID", id_width) + "  " + _clip("Activity", name_width) + "".join(
            r.id.rjust(cell) for r in roles)
        lines.append(header.rstrip())
        for phase in matrix.phases:
            lines.append("")
            lines.append(_clip(phase.name, width).rstrip())
            for activity in phase.activities:
                row = _clip(activity.id, id_width) + "  " + _clip(activity.name, name_width) + "".join(
                    ("/".join(activity.letters(r.id)) or "·").rjust(cell) for r in roles)
                lines.append(row.rstrip())
        lines.append("")
        lines.append(_wrap("Roles: " + "; ".join(f"{r.id} {r.name}" for r in roles), width))
    else:
        for phase in matrix.phases:
            lines.append(_clip(phase.name, width).rstrip())
            for activity in phase.activities:
                lines.append(_clip(f"  {activity.id}  {activity.name}", width).rstrip())
                parts = ", ".join(f"{c.role_id} {c.text}" for c in activity.cells) or "nobody"
                lines.append(_wrap(parts, width, indent="      "))
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def show_role(matrix: Matrix, role: Role, width: int = 80) -> str:
    view = role_view(matrix, role)
    load = next(w for w in workload(matrix) if w.role.id == role.id)
    total = sum(1 for _ in matrix.activities())
    lines = [_wrap(f"{role.id}  {role.name}", width)]
    if role.people:
        lines.append(_wrap("People: " + ", ".join(p.name + (f" ({p.team})" if p.team else "")
                                                  + (f" <{p.email}>" if p.email else "") for p in role.people), width))
    lines.append(f"On {load.activities} of {total} activities; responsible or accountable on {load.owns}.")
    if not view.parts:
        lines.append("Takes part in no activity.")
    for text, name, phases in view.parts:
        count = sum(len(a) for _, a in phases)
        lines.append("")
        lines.append(f"{name} ({text}): {count}")
        for phase, activities in phases:
            lines.append(_clip(f"  {phase}", width).rstrip())
            for activity in activities:
                lines.append(_clip(f"    {activity.id}  {activity.name}", width).rstrip())
    return "\n".join(lines) + "\n"


def _wrap(text: str, width: int, indent: str = "") -> str:
    return "\n".join(textwrap.wrap(" ".join(text.split()), width, initial_indent=indent, subsequent_indent=indent)
                     or [indent.rstrip()])

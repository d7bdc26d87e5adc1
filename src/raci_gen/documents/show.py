"""The matrix, or one role's responsibilities, as plain text for a terminal.

Kept to a given width (80 columns by default): the matrix is a grid when the
roles fit, and a list of activities with their roles when they do not. Widths
are terminal cells: an East Asian wide character takes two, a combining mark
none. Control characters in names are shown as U+FFFD, so a name cannot send
escape sequences to the terminal.
"""

from __future__ import annotations

import re
import unicodedata

from raci_gen.checks.analysis import role_view, workload
from raci_gen.model.matrix import Activity, Matrix, Role
from raci_gen.model.matrix import Person

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
"""Control characters; those that are white space (tab, line breaks) become spaces first."""


def _cells(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


def _width(text: str) -> int:
    return sum(_cells(c) for c in text)


def _clean(text: object) -> str:
    """``text`` on one line: control characters shown as U+FFFD, runs of white space as one space."""
    return _CONTROL.sub("\ufffd", " ".join(str(text).split()))


def _clip(text: str, width: int) -> str:
    """``text`` on one line of exactly ``width`` terminal cells: padded, or cut with an ellipsis.

    Leading spaces (indentation) are kept; other runs of white space become one space,
    and East Asian wide characters count as two cells.
    """
    text = str(text)
    indent = text[: len(text) - len(text.lstrip(" "))]
    text = indent + _clean(text)
    if _width(text) <= width:
        return text + " " * (width - _width(text))
    out, used = [], 0
    for char in text:
        if used + _cells(char) > width - 1:
            break
        out.append(char)
        used += _cells(char)
    clipped = "".join(out).rstrip() + "…"
    return clipped + " " * (width - _width(clipped))


SIGN_OFF_MARK = "*"
"""After a sign-off's id (an id cannot hold it), explained under the matrix."""


def _shown_id(activity: Activity) -> str:
    return activity.id + SIGN_OFF_MARK if activity.sign_off else activity.id


def show_matrix(matrix: Matrix, width: int = 80) -> str:
    roles = matrix.roles
    id_width = max([2] + [_width(_shown_id(a)) for a in matrix.activities()])
    # Wide enough for every role id and every cell (an unresolved cell such as R/C/I is longer than A/R).
    texts = [c.text for a in matrix.activities() for c in a.cells]
    cell = max([3] + [_width(r.id) for r in roles] + [len(t) for t in texts]) + 1
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
                row = _clip(_shown_id(activity), id_width) + "  " + _clip(activity.name, name_width) + "".join(
                    ("/".join(activity.letters(r.id)) or "·").rjust(cell) for r in roles)
                lines.append(row.rstrip())
        lines.append("")
        lines.append(_wrap("Roles: " + "; ".join(f"{r.id} {r.name}" for r in roles), width))
    else:
        for phase in matrix.phases:
            lines.append(_clip(phase.name, width).rstrip())
            for activity in phase.activities:
                lines.append(_clip(f"  {_shown_id(activity)}  {activity.name}", width).rstrip())
                parts = ", ".join(f"{c.role_id} {c.text}" for c in activity.cells) or "nobody"
                lines.append(_wrap(parts, width, indent="      "))
            lines.append("")
        lines.append(_wrap("Roles: " + "; ".join(f"{r.id} {r.name}" for r in roles), width))
    if any(activity.sign_off for activity in matrix.activities()):
        lines.append(_wrap(f"{SIGN_OFF_MARK} sign-off: its Accountable signs off work that another role, and "
                           "another person, does.", width))
    return "\n".join(lines).rstrip() + "\n"


def show_role(matrix: Matrix, role: Role, width: int = 80) -> str:
    view = role_view(matrix, role)
    load = next(w for w in workload(matrix) if w.role.id == role.id)
    total = sum(1 for _ in matrix.activities())
    lines = [_wrap(f"{role.id}  {role.name}", width)]
    if role.people:
        lines.append(_wrap("People: " + ", ".join(_person(p, matrix) for p in role.people), width))
    if role.handles:
        lines.append(_wrap("Handles: " + " ".join(h.text for h in role.handles), width))
    lines.append(_wrap(f"On {load.activities} of {total} activities; responsible or accountable on {load.owns}.",
                       width))
    if not view.parts:
        lines.append("Takes part in no activity.")
    for text, name, phases in view.parts:
        count = sum(len(a) for _, a in phases)
        lines.append("")
        lines.append(_wrap(f"{name} ({text}): {count}", width))
        for phase, activities in phases:
            lines.append(_clip(f"  {phase}", width).rstrip())
            for activity in activities:
                lines.append(_clip(f"    {_shown_id(activity)}  {activity.name}", width).rstrip())
    if any(activity.sign_off for _, _, phases in view.parts for _, activities in phases for activity in activities):
        lines.append("")
        lines.append(_wrap(f"{SIGN_OFF_MARK} sign-off: its Accountable signs off work that another role, and "
                           "another person, does.", width))
    return "\n".join(lines) + "\n"


def _person(person: Person, matrix: Matrix) -> str:
    """A person as show names them: ``Ada Lovelace (Data) <ada@…>``, with their days in the role and their note
    where given, and whether they are in post on the day show reads the matrix for (today)."""
    text = person.name + (f" ({person.team})" if person.team else "") + (f" <{person.email}>" if person.email else "")
    days = [f"from {person.start.isoformat()}"] if person.start else []
    days += [f"until {person.until.isoformat()}"] if person.until else []
    if days and matrix.as_of is not None and not person.in_post(matrix.as_of):
        days.append(f"not in post on {matrix.as_of.isoformat()}")
    if person.note:
        days.append(person.note)
    if person.handles:
        days.append(" ".join(h.text for h in person.handles))
    return text + (f" [{'; '.join(days)}]" if days else "")


def _wrap(text: str, width: int, indent: str = "") -> str:
    """``text`` in lines of at most ``width`` terminal cells, each starting with ``indent``.

    Like :func:`textwrap.wrap`, but wide characters count as two cells; a word longer
    than a line is cut between characters.
    """
    room = max(1, width - _width(indent))
    lines: list[str] = []
    current = ""
    for word in _clean(text).split(" "):
        if not word:
            continue
        while _width(word) > room:  # a word that fills a line on its own: cut it
            if current:
                lines.append(current)
                current = ""
            head, used = "", 0
            for char in word:
                if used + _cells(char) > room:
                    break
                head += char
                used += _cells(char)
            head = head or word[0]  # a wide character on a one-cell line: never loop forever
            lines.append(head)
            word = word[len(head):]
        if not word:
            continue
        if current and _width(current) + 1 + _width(word) <= room:
            current += " " + word
        elif current:
            lines.append(current)
            current = word
        else:
            current = word
    if current:
        lines.append(current)
    return "\n".join(indent + line for line in lines) or indent.rstrip()

"""The matrix as CSV: one row per activity, one column per role, for scripts, BI tools and spreadsheets.

Columns: ``id``, ``phase``, ``activity``, ``sign-off`` (only when the matrix has sign-offs), then one per role
headed ``R1 (Business Stakeholder)`` (id, then name in parentheses, the form ``raci-gen import`` reads back as
id and name; it reads the sign-off column too).
RFC 4180: comma-separated, fields quoted where needed, CRLF line ends, UTF-8 without a
byte-order mark. A text that a spreadsheet would run as a formula (``=``, ``+``, ``-``,
``@``, tab, carriage return, after any blank or invisible lead-in, and their full-width forms;
see :func:`raci_gen.model.patterns.formula_like`) gets a leading ``'``, which ``raci-gen import`` removes again.
"""

from __future__ import annotations

import csv
import io

from raci_gen.model.matrix import Matrix, Role
from raci_gen.model.patterns import formula_like
from raci_gen.documents.document import Document

FIXED_COLUMNS = ("id", "phase", "activity")
SIGN_OFF_COLUMN = "sign-off"
"""After the activity, when the matrix has sign-offs: ``yes`` on a sign-off's row, else empty."""


def role_column(role: Role) -> str:
    """A role's column header: ``R1 (Business Stakeholder)``, or the id alone when the name is the id."""
    return role.id if role.name == role.id else f"{role.id} ({role.name})"


def safe_text(text: str) -> str:
    """``text`` as a CSV field a spreadsheet shows as text (OWASP's quote prefix for formula starts)."""
    return "'" + text if formula_like(text) else text


def csv_rows(matrix: Matrix) -> list[list[str]]:
    # The sign-off column only where there are sign-offs: the CSV of a matrix without them keeps its bytes.
    sign_offs = any(activity.sign_off for activity in matrix.activities())
    rows = [list(FIXED_COLUMNS) + [SIGN_OFF_COLUMN] * sign_offs + [safe_text(role_column(r)) for r in matrix.roles]]
    for phase in matrix.phases:
        for activity in phase.activities:
            letters = {c.role_id: c.text for c in activity.cells}
            rows.append([safe_text(activity.id), safe_text(phase.name), safe_text(activity.name)]
                        + ["yes" if activity.sign_off else ""] * sign_offs
                        + [letters.get(r.id, "") for r in matrix.roles])
    return rows


def render_csv(document: Document) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(csv_rows(document.matrix))
    return buffer.getvalue().encode("utf-8")

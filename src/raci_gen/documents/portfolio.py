"""The portfolio index (``raci-gen portfolio``) as Markdown, HTML or a workbook.

Like every document, it holds no date and no absolute path: the same projects give
the same bytes wherever they are checked out. Text from the projects is escaped
for each format exactly as the project documents escape it.
"""

from __future__ import annotations

import collections
import datetime as _dt
import html
import io

from raci_gen.checks.portfolio import PART_NAMES, PARTS, OwnSignOff, PersonLoad, Portfolio, ProjectEntry
from raci_gen.documents.templating import md_cells, md_escape, md_table, md_wrap, md_wrapped_paragraph

TITLE = "RACI portfolio"
_FIXED_TIME = _dt.datetime(2000, 1, 1)
"""File metadata time of the workbook: the index states no date, so none that changes."""


def _person_cells(person: PersonLoad) -> list[str]:
    """Per part, ``activities (projects)``: ``12 (3)`` is 12 activities in 3 projects."""
    return [f"{person.activities(p)} ({person.projects(p)})" if person.activities(p) else "–" for p in PARTS]


def _summary(portfolio: Portfolio) -> str:
    flagged = sum(p.flagged for p in portfolio.people)
    behind = sum(1 for entry in portfolio.projects if entry.build_problem or
                 any(d.state in ("missing", "out of date") for d in entry.documents))
    return (f"{len(portfolio.projects)} projects, {portfolio.activities} activities, "
            f"{len(portfolio.people)} people, of whom {flagged} answer for or do more than "
            f"{portfolio.max_share:.0%} of all activities."
            + (f" {behind} project{' has' if behind == 1 else 's have'} documents that are not built, out of date "
               "or cannot be built." if behind else "")
            + _own_sign_off_count(portfolio))


def _own_sign_off_count(portfolio: Portfolio) -> str:
    """`` 1 person signs off their own work, in 2 projects.``; nothing when no one does."""
    people = len({entry.key for entry in portfolio.own_sign_offs})
    projects = len({entry.folder for entry in portfolio.own_sign_offs})
    if not people:
        return ""
    return (f" {people} {'person signs' if people == 1 else 'people sign'} off their own work, in {projects} "
            f"project{'s' if projects != 1 else ''}.")


SIGN_OFF_HEADING = "Sign-offs of one's own work"


def _sign_off_lead(portfolio: Portfolio) -> str:
    """The sentence over the sign-off table, or the one that stands for it when no one signs off their own work."""
    if portfolio.own_sign_offs:
        return ("On these sign-offs (activities marked sign-off: true) the person fills both the Accountable role "
                "and a Responsible role, so they sign off their own work; one row per person and project. The "
                "same person: the same e-mail, else the same name.")
    return (f"On the {portfolio.sign_offs} sign-off{'s' if portfolio.sign_offs != 1 else ''} of these projects, "
            "no person named in the Accountable role's people fills a Responsible role.")


def _sign_off_items(entry: OwnSignOff) -> list[str]:
    """``GV-1 Clear the data (R1 Sponsor signs, R4 Data Engineer does)`` for each of the person's sign-offs."""
    return [f"{aid} {name} ({signs} signs, {does} does)" for aid, name, signs, does in entry.sign_offs]


def _share(person: PersonLoad) -> str:
    return f"{person.share:.0%}" + (" ⚠ over the limit" if person.flagged else "")


def _shown_names(portfolio: Portfolio) -> dict[int, str]:
    """Each person's name as the tables show it: with the e-mail when two people share the name,
    so that the rows can be told apart (``Alan Turing <alan@a.example>``, ``Alan Turing (no e-mail)``)."""
    counts = collections.Counter(person.name.casefold() for person in portfolio.people)
    return {id(p): p.name if counts[p.name.casefold()] == 1 else
            f"{p.name} <{p.email}>" if p.email else f"{p.name} (no e-mail)" for p in portfolio.people}


def _count(entry: ProjectEntry, value: int) -> str:
    """A project's size, left blank when it could not be read (it is not known to be 0)."""
    return "" if entry.problem else str(value)


_STATE_NOTES = {"current": "", "missing": " (not built)", "out of date": " (out of date)", "not checked": ""}
"""What the index says after a document's link."""


def _documents_note(entry: ProjectEntry) -> str:
    """Why the project's documents are not what a build would write, before the links ("" when they are)."""
    return f"cannot be built: {entry.build_problem}" if entry.build_problem else ""


def _project_name(entry: ProjectEntry) -> str:
    return entry.title + (f" ({entry.project})" if entry.project and entry.project != entry.title else "")


def _md(text: object) -> str:
    """A table cell's text, escaped as the project's Markdown escapes it, "@" too: a bare address is a link on
    GitHub and a bare URL to markdownlint (MD034)."""
    return md_escape(text).replace("@", "\\@")


def _md_table(header: list[str], align: str, rows: list[list[str]]) -> list[str]:
    """A table in markdownlint's compact style (MD060), its line length turned off around it (md_table: a row
    cannot be wrapped); ``align`` is a letter per column, ``r`` for a right-aligned one."""
    delimiter = ["---:" if a == "r" else "---" for a in align]
    lines = ["|" + md_cells(cells) for cells in [header, delimiter, *rows]]
    return md_table("\n".join(lines)).split("\n")


def render_portfolio_markdown(portfolio: Portfolio) -> bytes:
    # markdownlint's default configuration accepts it, as it accepts a project's Markdown (templates/raci.md.j2).
    lines = [f"# {TITLE}", "", md_wrapped_paragraph(_summary(portfolio)), "", "## Projects", ""]
    rows = []
    for entry in portfolio.projects:
        docs = ", ".join(f"[{d.format}](<{d.link}>)" + _STATE_NOTES[d.state] for d in entry.documents)
        if entry.build_problem:
            docs = _md(_documents_note(entry)) + ("; " + docs if docs else "")
        lint = _md(entry.problem) if entry.problem else entry.lint_status
        rows.append([_md(_project_name(entry)), _md(entry.folder), _md(entry.version or ""),
                     _count(entry, entry.activities), _count(entry, entry.roles), lint, docs])
    lines += _md_table(["Project", "Folder", "Version", "Activities", "Roles", "Lint", "Documents"], "lllrrll", rows)
    lines += ["", "## People across projects", "",
              md_wrap("Each count is activities (projects): `12 (3)` is 12 activities in 3 projects. "
                      + md_escape("; ".join(f"{p} {PART_NAMES[p]}" for p in PARTS) + ".")), ""]
    if portfolio.people:
        shown = _shown_names(portfolio)
        lines += _md_table(["Person", "Team", "Projects", *PARTS, "Share of A or R"], "llr" + "r" * len(PARTS) + "l",
                           [[_md(shown[id(person)]), _md(", ".join(person.teams)), str(person.project_count),
                             *_person_cells(person), _share(person)] for person in portfolio.people])
    else:
        lines.append(md_wrap("No role names its people (`people:` on the roles), so there is no one to count."))
    lines += _hand_overs_markdown(portfolio)
    if portfolio.sign_offs:  # only then: the index of projects without sign-offs keeps its bytes
        lines += ["", f"## {SIGN_OFF_HEADING}", "", md_wrapped_paragraph(_sign_off_lead(portfolio))]
        if portfolio.own_sign_offs:
            lines += [""] + _md_table(["Person", "Project", "Folder", "Sign-offs"], "llll",
                                      [[_md(entry.person), _md(entry.title), _md(entry.folder),
                                        _md("; ".join(_sign_off_items(entry)))] for entry in portfolio.own_sign_offs])
    return ("\n".join(lines) + "\n").encode("utf-8")


def render_portfolio_html(portfolio: Portfolio) -> bytes:
    e = html.escape
    rows = []
    for entry in portfolio.projects:
        docs = ", ".join(f'<a href="{e(d.link)}">{e(d.format)}</a>' + _STATE_NOTES[d.state] for d in entry.documents)
        if entry.build_problem:
            docs = e(_documents_note(entry)) + ("; " + docs if docs else "")
        lint = e(entry.problem) if entry.problem else e(entry.lint_status)
        rows.append(f"<tr><td>{e(_project_name(entry))}</td><td>{e(entry.folder)}</td>"
                    f"<td>{e(entry.version or '')}</td><td class=n>{_count(entry, entry.activities)}</td>"
                    f"<td class=n>{_count(entry, entry.roles)}</td><td>{lint}</td><td>{docs}</td></tr>")
    people = []
    shown = _shown_names(portfolio)
    for person in portfolio.people:
        cells = "".join(f"<td class=n>{e(c)}</td>" for c in _person_cells(person))
        flag = ' class="over"' if person.flagged else ""
        people.append(f"<tr{flag}><td>{e(shown[id(person)])}</td><td>{e(', '.join(person.teams))}</td>"
                      f"<td class=n>{person.project_count}</td>{cells}<td>{e(_share(person))}</td></tr>")
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="raci-gen">
<title>{TITLE}</title>
<style>
body {{ font-family: "DejaVu Sans", Arial, sans-serif; margin: 2em; color: #1a1a1a; }}
table {{ border-collapse: collapse; margin-bottom: 2em; }}
th, td {{ border: 1px solid #999; padding: .3em .6em; text-align: left; vertical-align: top; }}
th {{ background: #e8e8e8; }}
td.n {{ text-align: right; }}
.wide {{ overflow-x: auto; margin-bottom: 2em; }}
.wide table {{ margin-bottom: 0; }}
@media (max-width: 600px) {{ body {{ margin: 1em; }} }}
tr.over td {{ background: #fde2e1; }}
</style>
</head>
<body>
<main>
<h1>{TITLE}</h1>
<p>{e(_summary(portfolio))}</p>
<h2>Projects</h2>
<table>
<thead><tr><th>Project</th><th>Folder</th><th>Version</th><th>Activities</th><th>Roles</th><th>Lint</th><th>Documents</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
<h2>People across projects</h2>
<p>Each count is activities (projects). {e("; ".join(f"{p} {PART_NAMES[p]}" for p in PARTS))}.</p>
<table>
<thead><tr><th>Person</th><th>Team</th><th>Projects</th>{"".join(f"<th>{p}</th>" for p in PARTS)}<th>Share of A or R</th></tr></thead>
<tbody>
{chr(10).join(people)}
</tbody>
</table>
{_hand_overs_html(portfolio)}{_sign_offs_html(portfolio)}</main>
</body>
</html>
"""
    # A table wider than a phone scrolls in its own box (focusable, so that a keyboard scrolls it too),
    # not the page: the page keeps the screen's width.
    page = page.replace("<table>", '<div class="wide" tabindex="0"><table>').replace("</table>", "</table></div>")
    return page.encode("utf-8")


def _sign_offs_html(portfolio: Portfolio) -> str:
    """The section on sign-offs of one's own work; nothing when no project has a sign-off (the same bytes)."""
    if not portfolio.sign_offs:
        return ""
    e = html.escape
    text = f"<h2>{e(SIGN_OFF_HEADING)}</h2>\n<p>{e(_sign_off_lead(portfolio))}</p>\n"
    if portfolio.own_sign_offs:
        rows = "\n".join(f'<tr class="over"><td>{e(entry.person)}</td><td>{e(entry.title)}</td><td>{e(entry.folder)}'
                         f"</td><td>{'<br>'.join(e(item) for item in _sign_off_items(entry))}</td></tr>"
                         for entry in portfolio.own_sign_offs)
        text += ("<table>\n<thead><tr><th>Person</th><th>Project</th><th>Folder</th><th>Sign-offs</th></tr></thead>\n"
                 f"<tbody>\n{rows}\n</tbody>\n</table>\n")
    return text


def render_portfolio_xlsx(portfolio: Portfolio) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    from raci_gen.documents.xlsx import _reproducible_zip, put_text

    bold = Font(bold=True)
    over = PatternFill("solid", fgColor="FDE2E1")
    wb = Workbook()
    ws = wb.active
    ws.title = "Projects"
    header = ["Project", "Folder", "Version", "Activities", "Roles", "Lint", "Documents"]
    for col, text in enumerate(header, 1):
        put_text(ws.cell(1, col), text).font = bold
    for row, entry in enumerate(portfolio.projects, 2):
        put_text(ws.cell(row, 1), _project_name(entry))
        put_text(ws.cell(row, 2), entry.folder)
        put_text(ws.cell(row, 3), entry.version or "")
        if not entry.problem:  # not known, not 0
            ws.cell(row, 4, entry.activities)
            ws.cell(row, 5, entry.roles)
        put_text(ws.cell(row, 6), entry.problem or entry.lint_status)
        docs = ", ".join(d.link + _STATE_NOTES[d.state] for d in entry.documents)
        put_text(ws.cell(row, 7), "; ".join(filter(None, (_documents_note(entry), docs))))
    people = wb.create_sheet("People")
    header = ["Person", "E-mail", "Team", "Projects"]
    for part in PARTS:
        header += [f"{part} activities", f"{part} projects"]
    header += ["Share of A or R", "Over the limit"]
    for col, text in enumerate(header, 1):
        put_text(people.cell(1, col), text).font = bold
    for row, person in enumerate(portfolio.people, 2):
        put_text(people.cell(row, 1), person.name)
        put_text(people.cell(row, 2), person.email or "")
        put_text(people.cell(row, 3), ", ".join(person.teams))
        people.cell(row, 4, person.project_count)
        col = 5
        for part in PARTS:
            people.cell(row, col, person.activities(part))
            people.cell(row, col + 1, person.projects(part))
            col += 2
        people.cell(row, col, round(person.share, 4)).number_format = "0%"
        put_text(people.cell(row, col + 1), "yes" if person.flagged else "")
        if person.flagged:
            for c in range(1, col + 2):
                people.cell(row, c).fill = over
    people_widths = [28, 28, 20, 10] + [13] * (2 * len(PARTS)) + [16, 14]
    sheets = [(ws, [36, 24, 10, 11, 8, 24, 50], len(portfolio.projects)),
              (people, people_widths, len(portfolio.people))]
    if portfolio.sign_offs:  # only then: the workbook of projects without sign-offs keeps its bytes
        own = wb.create_sheet("Own sign-offs")
        header = ["Person", "Project", "Folder", "Sign-off", "Activity", "Accountable role", "Responsible role"]
        for col, text in enumerate(header, 1):
            put_text(own.cell(1, col), text).font = bold
        row = 1
        for entry in portfolio.own_sign_offs:
            for aid, name, signs, does in entry.sign_offs:
                row += 1
                for col, text in enumerate((entry.person, entry.title, entry.folder, aid, name, signs, does), 1):
                    put_text(own.cell(row, col), text)
        if not portfolio.own_sign_offs:
            put_text(own.cell(2, 1), _sign_off_lead(portfolio))
        sheets.append((own, [32, 30, 24, 10, 44, 28, 28], row - 1))
    for sheet, widths, rows in sheets:
        for col, width in enumerate(widths, 1):
            sheet.column_dimensions[get_column_letter(col)].width = width
        # A long list stays readable: the header stays in view, every column can be sorted and filtered,
        # and it prints across the page.
        sheet.freeze_panes = "B2"
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(widths))}{1 + rows}"
        sheet.page_setup.orientation = "landscape"
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.print_title_rows = "1:1"
    wb.properties.title = TITLE
    wb.properties.creator = "raci-gen"
    wb.properties.lastModifiedBy = "raci-gen"
    wb.properties.created = _FIXED_TIME
    _hand_overs_sheet(wb, portfolio, bold)
    buffer = io.BytesIO()
    wb.save(buffer)
    return _reproducible_zip(buffer.getvalue(), _FIXED_TIME)


# --- people over time: who is counted on which day, and the hand-overs coming up (only where anyone carries
# from: or until:, so that the index of projects without dates keeps its bytes) ---------------------------------

HAND_OVER_HEADING = "Hand-overs coming up"
HAND_OVER_COLUMNS = ("Day", "Project", "Folder", "Role", "Person", "Change", "Note")


def _as_of_line(portfolio: Portfolio) -> str:
    return (f"People are counted as in post on {portfolio.as_of.isoformat()} (their from: and until:; "  # type: ignore
            "raci-gen portfolio --as-of counts another day).")


def _hand_over_lead(portfolio: Portfolio) -> str:
    if not portfolio.hand_overs:
        return ("No one leaves or takes up a role within the charters' hand-over windows (the hand-over-due "
                "rule's days, 30 unless a raci.yaml says otherwise).")
    return ("Who leaves a role (their last day) or takes one up (their first day) within each charter's hand-over "
            "window (the hand-over-due rule's days, 30 unless its raci.yaml says otherwise), by day.")


def _hand_over_cells(item) -> tuple[str, ...]:
    return (item.day.isoformat(), item.title, item.folder, item.role, item.person,
            "last day" if item.leaves else "first day", item.note)


def _hand_overs_markdown(portfolio: Portfolio) -> list[str]:
    if portfolio.as_of is None:
        return []
    lines = ["", md_wrapped_paragraph(_as_of_line(portfolio)), "", f"## {HAND_OVER_HEADING}", "",
             md_wrapped_paragraph(_hand_over_lead(portfolio))]
    if portfolio.hand_overs:
        lines += [""] + _md_table(list(HAND_OVER_COLUMNS), "l" * len(HAND_OVER_COLUMNS),
                                  [[_md(c) for c in _hand_over_cells(item)] for item in portfolio.hand_overs])
    return lines


def _hand_overs_html(portfolio: Portfolio) -> str:
    if portfolio.as_of is None:
        return ""
    e = html.escape
    text = (f"<p>{e(_as_of_line(portfolio))}</p>\n<h2>{e(HAND_OVER_HEADING)}</h2>\n"
            f"<p>{e(_hand_over_lead(portfolio))}</p>\n")
    if portfolio.hand_overs:
        head = "".join(f"<th>{e(c)}</th>" for c in HAND_OVER_COLUMNS)
        rows = "\n".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in _hand_over_cells(item)) + "</tr>"
                         for item in portfolio.hand_overs)
        text += f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>\n"
    return text


def _hand_overs_sheet(wb, portfolio: Portfolio, bold) -> None:
    """A sheet of the hand-overs coming up, its first row the day the people are counted for."""
    if portfolio.as_of is None:
        return
    from openpyxl.utils import get_column_letter

    from raci_gen.documents.xlsx import put_text

    sheet = wb.create_sheet("Hand-overs")
    put_text(sheet.cell(1, 1), _as_of_line(portfolio))
    for col, text in enumerate(HAND_OVER_COLUMNS, 1):
        put_text(sheet.cell(2, col), text).font = bold
    for row, item in enumerate(portfolio.hand_overs, 3):
        for col, text in enumerate(_hand_over_cells(item), 1):
            put_text(sheet.cell(row, col), text)
    if not portfolio.hand_overs:
        put_text(sheet.cell(3, 1), _hand_over_lead(portfolio))
    for col, width in enumerate((12, 30, 24, 28, 32, 10, 40), 1):
        sheet.column_dimensions[get_column_letter(col)].width = width
    sheet.freeze_panes = "A3"
    sheet.auto_filter.ref = f"A2:{get_column_letter(len(HAND_OVER_COLUMNS))}{2 + len(portfolio.hand_overs)}"

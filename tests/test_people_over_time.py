"""People over time (issue 23, item 2): from:, until: and note: on a role's people, read strictly; the documents
name the people in post on their own date, `build --as-of` builds another day's; vacant-role and hand-over-due;
the portfolio's load and hand-overs as of a day. Real files, real git, the installed raci-gen in a subprocess."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

RACI_GEN = os.path.join(os.path.dirname(sys.executable), "raci-gen")

ROLES = """\
roles:
  - id: PO
    name: Product Owner
    people:
      - name: Ada Lovelace
        email: ada@example.org
        until: 2026-06-30
        note: parental leave; Alan Turing covers
      - name: Alan Turing
        email: alan@example.org
        from: 2026-07-10
  - id: DEV
    name: Developer
    people: [Grace Hopper]
"""
"""PO is Ada's until 30 June 2026, vacant from 1 to 9 July, Alan's from 10 July."""

ACTIVITIES = """\
phase: Build
activities:
  - id: B-1
    name: Write the code
    raci: {PO: A, DEV: R}
  - id: B-2
    name: Release the code
    raci: {PO: A, DEV: R}
"""


def run(*args: str, cwd: Path, env: dict | None = None, faked: str | None = None) -> subprocess.CompletedProcess:
    command = [RACI_GEN, *args]
    if faked:  # the wall clock moved, as on another day (SOURCE_DATE_EPOCH would date the documents)
        command = ["faketime", faked, *command]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def write(root: Path, roles: str = ROLES, config: str = "title: Team charter\n") -> Path:
    (root / "roles").mkdir(parents=True)
    (root / "activities").mkdir()
    (root / "raci.yaml").write_text(config, encoding="utf-8")
    (root / "roles" / "roles.yaml").write_text(roles, encoding="utf-8")
    (root / "activities" / "01-build.yaml").write_text(ACTIVITIES, encoding="utf-8")
    return root


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and ".git" not in p.parts}


def people_line(markdown: str) -> str:
    [line] = [line for line in markdown.splitlines() if line.startswith("| PO | Product Owner |")]
    return line


# --- the documents of a day ----------------------------------------------------------------------------------------

def test_as_of_changes_the_documents_and_nothing_else(tmp_path):
    root = write(tmp_path / "p", config="title: Team charter\ndate: 2026-06-15\nanalysis: false\n")
    before = tree(root)
    staffed = run("build", "-f", "md,json,csv", "-o", "../staffed", "--as-of", "2026-06-30", cwd=root)
    vacant = run("build", "-f", "md,json,csv", "-o", "../vacant", "--as-of", "2026-07-01", cwd=root)
    dated = run("build", "-f", "md,json,csv", "-o", "../dated", cwd=root)
    assert (staffed.returncode, vacant.returncode, dated.returncode) == (0, 0, 0), vacant.stderr
    assert tree(root) == before  # the project is read, not written
    md = {name: (tmp_path / name / "raci-matrix.md").read_text(encoding="utf-8")
          for name in ("staffed", "vacant", "dated")}
    # Ada with her last day and her note (which names Alan); Alan, not yet in post, is nowhere else
    assert people_line(md["staffed"]) == ("| PO | Product Owner | Ada Lovelace \\<ada\\@example.org\\> \\[until 2026-06-30; "
                                          "parental leave; Alan Turing covers\\] | | |")
    assert md["staffed"].count("Alan") == 1
    assert people_line(md["vacant"]) == "| PO | Product Owner | | | |" and "Alan" not in md["vacant"]
    assert "Ada" not in md["vacant"]
    assert "**Date:** 2026-07-01" in md["vacant"] and '"date-source":"--as-of"' in md["vacant"]
    # the document's own date (raci.yaml's 2026-06-15) names Ada, as 30 June does: the same lines but the date's
    differ = [(a, b) for a, b in zip(md["dated"].splitlines(), md["staffed"].splitlines()) if a != b]
    assert all("2026-06" in a or "options" in a for a, _ in differ), differ
    assert len(md["dated"].splitlines()) == len(md["staffed"].splitlines())
    # the CSV has no people and no date: the same bytes on both days
    assert (tmp_path / "staffed" / "raci-matrix.csv").read_bytes() == (tmp_path / "vacant" / "raci-matrix.csv").read_bytes()
    data = json.loads((tmp_path / "staffed" / "raci-matrix.json").read_text(encoding="utf-8"))
    assert data["roles"][0]["people"] == [{"name": "Ada Lovelace", "email": "ada@example.org", "team": None,
                                           "until": "2026-06-30", "note": "parental leave; Alan Turing covers"}]
    assert json.loads((tmp_path / "vacant" / "raci-matrix.json").read_text(encoding="utf-8"))["roles"][0]["people"] == []
    # --check of another day's documents: current with --as-of, out of date without it
    assert run("build", "--check", "-f", "md", "-o", "../vacant", "--as-of", "2026-07-01", cwd=root).returncode == 0
    stale = run("build", "--check", "-f", "md", "-o", "../vacant", cwd=root)
    assert stale.returncode == 1 and "--as-of" not in stale.stdout + stale.stderr


def test_lint_reads_the_people_in_post_on_its_day(tmp_path):
    root = write(tmp_path / "p")
    vacant = run("lint", "--as-of", "2026-07-05", cwd=root)
    assert vacant.returncode == 0  # a warning
    assert ("roles/roles.yaml:2:5: warning: role PO (Product Owner) has no one in post on 2026-07-05: Ada Lovelace "
            "until 2026-06-30, Alan Turing from 2026-07-10; name who fills it, or correct the dates [vacant-role]"
            ) in vacant.stdout
    assert ("roles/roles.yaml:9:9: info: Alan Turing takes up role PO (Product Owner) on 2026-07-10 (in 5 days) "
            "[hand-over-due]") in vacant.stdout
    assert run("lint", "--strict", "--as-of", "2026-07-05", cwd=root).returncode == 1
    due = run("lint", "--strict", "--as-of", "2026-06-20", cwd=root)
    assert due.returncode == 0, due.stdout
    assert ("roles/roles.yaml:5:9: info: Ada Lovelace's last day in role PO (Product Owner) is 2026-06-30 (in 10 "
            "days), taken over by Alan Turing from 2026-07-10 [hand-over-due]") in due.stdout
    # today, by default: the wall clock moved to a vacant day
    assert "[vacant-role]" in run("lint", cwd=root, faked="2026-07-05 12:00:00").stdout
    assert "[vacant-role]" not in run("lint", cwd=root, faked="2026-07-20 12:00:00").stdout
    days = run("lint", "--as-of", "2026-05-01", cwd=write(tmp_path / "q", config="lint:\n  hand-over-due: {days: 60}\n"))
    assert "Ada Lovelace's last day in role PO (Product Owner) is 2026-06-30 (in 60 days)" in days.stdout


def _git(root: Path, *args: str, date: str | None = None) -> None:
    env = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    if date:
        env |= {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, timeout=60, env={**os.environ, **env})


def test_check_does_not_go_stale_when_a_day_passes(tmp_path):
    """The people in post are read for the date the documents carry (here the commit's, 15 June, Ada's), not for
    the day the check runs: a year later --check still passes; an input change of the people makes it stale."""
    root = write(tmp_path / "p")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "charter", date="2026-06-15T12:00:00Z")
    built = run("build", "-q", "-f", "md", cwd=root, faked="2026-06-16 09:00:00")
    assert built.returncode == 0, built.stderr
    text = (root / "output" / "raci-matrix.md").read_text(encoding="utf-8")
    assert "**Date:** 2026-06-15" in text and "Ada Lovelace" in people_line(text)
    for later in ("2026-07-05 12:00:00", "2027-06-15 12:00:00"):  # vacant, then Alan's
        check = run("build", "--check", "-f", "md", cwd=root, faked=later)
        assert check.returncode == 0, (later, check.stdout, check.stderr)
    roles = root / "roles" / "roles.yaml"
    roles.write_text(roles.read_text(encoding="utf-8").replace("until: 2026-06-30", "until: 2026-06-10"),
                     encoding="utf-8")
    _git(root, "commit", "-q", "-am", "Ada leaves earlier", date="2026-06-15T13:00:00Z")  # the same day
    stale = run("build", "--check", "-f", "md", cwd=root, faked="2026-06-16 09:00:00")
    report = stale.stdout + stale.stderr
    assert stale.returncode == 1 and "- **[PO](#role-po)** Product Owner (Ada Lovelace)" in report, report


# --- bad dates -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("written", "column", "message"), [
    ("2026-7-1", 15, "expected a date as YYYY-MM-DD (ISO 8601), got '2026-7-1'"),
    ("2026-02-30", 15, "expected a date as YYYY-MM-DD (ISO 8601), got '2026-02-30', which is no day of the calendar"),
    ('"2026-07-10"', 15, "expected a date as YYYY-MM-DD (ISO 8601), got the text '2026-07-10'; write the date "
                         "without quotes"),
    ("2026-07-10 10:00:00", 15, "expected a date as YYYY-MM-DD (ISO 8601), got the date and time 2026-07-10 "
                                "10:00:00; give the day alone"),
    ("next monday", 15, "expected a date as YYYY-MM-DD (ISO 8601), got 'next monday'"),
    ("2026-06-01", 16, "until 2026-06-30 is before from 2026-07-01; the last day in the role cannot come before "
                       "the first (swap them, or correct the one mistyped)"),
])
def test_a_bad_date_is_one_line_at_its_place(tmp_path, written, column, message):
    if written == "2026-06-01":  # Ada from after her until
        roles = ROLES.replace("until: 2026-06-30", "from: 2026-07-01\n        until: 2026-06-30")
        line = 8
    else:
        roles = ROLES.replace("from: 2026-07-10", f"from: {written}")
        line = 11
    root = write(tmp_path / "p", roles=roles)
    for command in (["lint"], ["build", "-f", "md"]):
        done = run(*command, cwd=root)
        assert done.returncode == 2, done
        assert done.stderr.splitlines()[0] == f"roles/roles.yaml:{line}:{column}: error: {message}"
        assert "Traceback" not in done.stderr
    assert not (root / "output").exists()


def test_a_bad_as_of_is_a_usage_error(tmp_path):
    root = write(tmp_path / "p")
    for day in ("2026-7-1", "2026-02-30", "tomorrow"):
        done = run("build", "--as-of", day, cwd=root)
        assert done.returncode == 2 and "is not a day written YYYY-MM-DD (ISO 8601)" in done.stderr, done.stderr
        assert "Traceback" not in done.stderr


# --- the portfolio -------------------------------------------------------------------------------------------------

def test_portfolio_counts_the_people_in_post_and_lists_the_hand_overs(tmp_path):
    write(tmp_path / "one")
    write(tmp_path / "two", roles=ROLES.replace("until: 2026-06-30", "until: 2026-07-20"),
          config="title: Charter two\n")
    write(tmp_path / "three", roles=ROLES.replace("ada@example.org\n", "ada@example.org\n        from: 2026-01-01\n"),
          config="title: Charter three\nlint:\n  hand-over-due: {days: 5}\n")
    done = run("portfolio", "one", "two", "three", "-o", "index", "-f", "md,html,xlsx", "--as-of", "2026-06-28",
               cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    md = (tmp_path / "index" / "portfolio.md").read_text(encoding="utf-8")
    assert "People are counted as in post on 2026-06-28" in md
    [ada] = [line for line in md.splitlines() if line.startswith("| Ada Lovelace")]
    assert "| 3 | 6 (3) |" in ada  # in post in all three on 28 June
    assert not any(line.startswith("| Alan Turing |") for line in md.splitlines())
    section = md[md.index("## Hand-overs coming up"):]
    rows = [line for line in section.splitlines() if line.startswith("| 2026-")]
    assert rows == [  # by day, then folder
        "| 2026-06-30 | Team charter | ../one | PO Product Owner | Ada Lovelace \\<ada\\@example.org> | last day | "
        "parental leave; Alan Turing covers |",
        "| 2026-06-30 | Charter three | ../three | PO Product Owner | Ada Lovelace \\<ada\\@example.org> | last day | "
        "parental leave; Alan Turing covers |",
        "| 2026-07-10 | Team charter | ../one | PO Product Owner | Alan Turing \\<alan\\@example.org> | first day | |",
        "| 2026-07-10 | Charter two | ../two | PO Product Owner | Alan Turing \\<alan\\@example.org> | first day | |",
        "| 2026-07-20 | Charter two | ../two | PO Product Owner | Ada Lovelace \\<ada\\@example.org> | last day | "
        "parental leave; Alan Turing covers |",
    ]  # three's window is 5 days: its Alan (10 July) is not yet listed
    later = run("portfolio", "one", "two", "three", "-o", "later", "--as-of", "2026-07-12", cwd=tmp_path)
    assert later.returncode == 0, later.stderr
    md = (tmp_path / "later" / "portfolio.md").read_text(encoding="utf-8")
    [ada] = [line for line in md.splitlines() if line.startswith("| Ada Lovelace")]
    [alan] = [line for line in md.splitlines() if line.startswith("| Alan Turing")]
    assert "| 1 | 2 (1) |" in ada and "| 3 | 6 (3) |" in alan
    assert "Hand-overs coming up" in (tmp_path / "index" / "portfolio.html").read_text(encoding="utf-8")
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "index" / "portfolio.xlsx")["Hand-overs"]
    assert [c.value for c in sheet[3]][:3] == ["2026-06-30", "Team charter", "../one"]


def test_without_dates_the_portfolio_says_no_day(tmp_path):
    plain = ROLES.replace("        until: 2026-06-30\n", "").replace("        from: 2026-07-10\n", "").replace(
        "        note: parental leave; Alan Turing covers\n", "")
    write(tmp_path / "one", roles=plain)
    done = run("portfolio", "one", "-o", "index", "-f", "md", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    md = (tmp_path / "index" / "portfolio.md").read_text(encoding="utf-8")
    assert "in post on" not in md and "Hand-overs" not in md


def test_show_gives_each_persons_days_against_today(tmp_path):
    root = write(tmp_path / "p")
    done = run("show", "--role", "PO", "--width", "200", cwd=root, faked="2026-07-05 12:00:00")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1] == (
        "People: Ada Lovelace <ada@example.org> [until 2026-06-30; not in post on 2026-07-05; parental leave; "
        "Alan Turing covers], Alan Turing <alan@example.org> [from 2026-07-10; not in post on 2026-07-05]")
    plain = run("show", "--role", "DEV", "--width", "200", cwd=root)
    assert plain.stdout.splitlines()[1] == "People: Grace Hopper"

"""raci_gen.input.clock: the document's date, never the wall clock by default.

Order: `date:` in raci.yaml, SOURCE_DATE_EPOCH, the last git commit that touched the inputs when they
are committed as they are, else the build day (nothing added), no date at all outside git; `date: today`
opts in to the build date. The date kept from documents of the same inputs: tests/test_document_date.py.
"""

from __future__ import annotations

import datetime as _dt
import io
import os
import shutil
import subprocess
import zipfile

import openpyxl
import pytest

from raci_gen.input import clock
from raci_gen.documents.document import make_document
from raci_gen.documents.html import render_html_text
from raci_gen.documents.markdown import render_markdown_text
from raci_gen.documents.xlsx import render_xlsx

UTC = _dt.timezone.utc


def test_source_date_epoch_is_honoured(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert clock.now() == _dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert clock.today() == _dt.date(2023, 11, 14)


@pytest.mark.parametrize("value, expected", [
    ("0", _dt.datetime(1970, 1, 1, tzinfo=UTC)),
    (" 86400\n", _dt.datetime(1970, 1, 2, tzinfo=UTC)),
    ("4102444800", _dt.datetime(2100, 1, 1, tzinfo=UTC)),
])
def test_epoch_values(monkeypatch, value, expected):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    assert clock.now() == expected
    assert clock.now().tzinfo is not None and clock.now().utcoffset() == _dt.timedelta(0)


def test_timezone_does_not_matter(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")  # UTC+14: already the 15th there
    import time
    if hasattr(time, "tzset"):
        time.tzset()
    try:
        assert clock.today() == _dt.date(2023, 11, 14)
    finally:
        monkeypatch.undo()
        if hasattr(time, "tzset"):
            time.tzset()


@pytest.mark.parametrize("value", ["", "   ", "yesterday", "1.5", "-", "99999999999999999999"])
def test_unusable_values_fall_back_to_the_system_clock(monkeypatch, value):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    before = _dt.datetime.now(tz=UTC).replace(microsecond=0)
    now = clock.now()
    after = _dt.datetime.now(tz=UTC)
    assert before <= now <= after
    assert now.microsecond == 0


def test_without_the_variable_the_clock_is_now(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert abs(clock.now() - _dt.datetime.now(tz=UTC)) < _dt.timedelta(seconds=5)


def test_document_date_comes_from_the_clock(monkeypatch, example_project):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1000000000")  # 2001-09-09T01:46:40Z
    document = make_document(example_project)
    assert document.date == "2001-09-09"
    assert document.created == _dt.datetime(2001, 9, 9, 1, 46, 40, tzinfo=UTC)
    assert "**Date:** 2001-09-09" in render_markdown_text(document)
    html = render_html_text(document)
    assert '<meta name="dcterms.created" content="2001-09-09T01:46:40Z">' in html
    assert "2001-09-09" in html
    data = render_xlsx(document)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.properties.created == _dt.datetime(2001, 9, 9, 1, 46, 40)
    assert wb.properties.modified == _dt.datetime(2001, 9, 9, 1, 46, 40)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert {info.date_time for info in zf.infolist()} == {(2001, 9, 9, 1, 46, 40)}


def test_zip_times_before_1980_are_clamped(monkeypatch, example_project):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    data = render_xlsx(make_document(example_project))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert {info.date_time for info in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert openpyxl.load_workbook(io.BytesIO(data)).properties.created == _dt.datetime(1970, 1, 1)


def test_date_in_raci_yaml_wins_over_the_clock(monkeypatch, tmp_path, make_project):
    root = make_project(tmp_path, [{"id": "R1", "name": "One"}],
                        {"01": {"phase": "P", "activities": [{"id": "A-1", "name": "a", "raci": {"R1": "A/R"}}]}},
                        "date: 2020-02-29\n")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    from raci_gen.input.loader import load_project
    document = make_document(load_project(str(root)))
    assert document.date == "2020-02-29"
    # raci.yaml's date wins over SOURCE_DATE_EPOCH for the metadata too: midnight UTC, no time of day invented
    assert document.created == _dt.datetime(2020, 2, 29, tzinfo=UTC)
    assert "**Date:** 2020-02-29" in render_markdown_text(document)


def test_pdf_dates_follow_the_epoch(example_pdf):
    """The session's example PDF was built with SOURCE_DATE_EPOCH=1700000000 (conftest.EPOCH)."""
    import pypdf
    meta = pypdf.PdfReader(io.BytesIO(example_pdf)).metadata
    assert meta["/CreationDate"] == meta["/ModDate"] == "D:20231114221320Z"


def test_pdf_rendering_restores_the_environment(monkeypatch, tmp_path, make_project):
    """render_pdf sets SOURCE_DATE_EPOCH for fontTools while it runs, and puts it back afterwards."""
    import os

    from raci_gen.input.loader import load_project
    from raci_gen.documents.pdf import render_pdf
    root = make_project(tmp_path, [{"id": "R1", "name": "One"}],
                        {"01": {"phase": "P", "activities": [{"id": "A-1", "name": "a", "raci": {"R1": "A/R"}}]}})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    document = make_document(load_project(str(root)))
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    data = render_pdf(document)
    assert "SOURCE_DATE_EPOCH" not in os.environ
    import pypdf
    assert pypdf.PdfReader(io.BytesIO(data)).metadata["/CreationDate"] == "D:20231114221320Z"


# --- the date's order: raci.yaml, SOURCE_DATE_EPOCH, git, nothing -------------------------------------------------

ONE_ROLE = [{"id": "R1", "name": "One"}]
ONE_PHASE = {"01": {"phase": "P", "activities": [{"id": "A-1", "name": "a", "raci": {"R1": "A/R"}}]}}
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(root, *args, date="2024-03-05T10:11:12+00:00"):
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date, "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env, timeout=60)


def date_of(root):
    from raci_gen.input.loader import load_project
    from raci_gen.documents.document import resolve_date
    return resolve_date(load_project(str(root)))


@pytest.fixture
def no_epoch(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


def test_outside_git_a_document_has_no_date(tmp_path, make_project, no_epoch):
    root = make_project(tmp_path, ONE_ROLE, ONE_PHASE)
    date = date_of(root)
    assert (date.shown, date.stamp, date.source) == (None, None, "none")
    from raci_gen.input.loader import load_project
    document = make_document(load_project(str(root)))
    assert "**Date:**" not in render_markdown_text(document)
    assert "dcterms.created" not in render_html_text(document) and "<th>Date</th>" not in render_html_text(document)
    data = render_xlsx(document)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert {info.date_time for info in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = zf.read("docProps/core.xml").decode("utf-8")
    assert "dcterms:created" not in core and "dcterms:modified" not in core


def test_git_missing_means_no_date(tmp_path, make_project, no_epoch, monkeypatch):
    root = make_project(tmp_path, ONE_ROLE, ONE_PHASE)
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    assert date_of(root).source == "none"


@needs_git
def test_the_date_of_the_last_commit_that_touched_the_inputs(tmp_path, make_project, no_epoch, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: _dt.datetime(2031, 5, 10, 12, 0, tzinfo=UTC))  # the build's clock
    root = make_project(tmp_path, ONE_ROLE, ONE_PHASE)
    git(root, "init", "-q")
    # never committed: the build day, with nothing added
    date = date_of(root)
    assert (date.shown, date.stamp, date.source) == ("2031-05-10", _dt.datetime(2031, 5, 10, tzinfo=UTC), "build day")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "first")
    date = date_of(root)
    assert (date.shown, date.stamp) == ("2024-03-05", _dt.datetime(2024, 3, 5, tzinfo=UTC))  # no time of day
    # a commit that touches no input does not move the date
    (root / "notes.txt").write_text("x", encoding="utf-8")
    git(root, "add", "notes.txt")
    git(root, "commit", "-q", "-m", "notes", date="2024-04-01T00:00:00+00:00")
    assert date_of(root).shown == "2024-03-05"
    # changed since the commit: the build day again, nothing noted
    roles = next((root / "roles").glob("*.yaml"))
    roles.write_text(roles.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert (date_of(root).shown, date_of(root).source) == ("2031-05-10", "build day")
    git(root, "commit", "-q", "-am", "roles", date="2024-05-06T23:59:59+00:00")
    assert date_of(root).shown == "2024-05-06"


@pytest.mark.parametrize("shown, source, kept", [
    ("2031-05-10", "git", True),
    ("2031-05-10", "build day", True),
    ("2031-05-10, with uncommitted changes", "git", False),  # an earlier raci-gen described the working tree
    ("not committed yet", "git", False),
    ("20310510", "git", False),
    (None, "none", False),  # built outside git: a build in git dates it
    ("2031-05-10", "raci.yaml", False),  # explicit dates are given again by what gave them
    ("2031-05-10", "SOURCE_DATE_EPOCH", False),
    ("2031-05-10", "today", False),
    (20310510, "git", False),
])
def test_which_recorded_dates_a_build_keeps(shown, source, kept):
    date = clock.kept_date(shown, source)
    assert (date is not None) == kept
    if kept:
        assert (date.shown, date.stamp, date.source) == (shown, _dt.datetime(2031, 5, 10, tzinfo=UTC), source)


@needs_git
def test_explicit_dates_win_over_git(tmp_path, make_project, monkeypatch):
    root = make_project(tmp_path, ONE_ROLE, ONE_PHASE)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "first")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert (date_of(root).shown, date_of(root).source) == ("2023-11-14", "SOURCE_DATE_EPOCH")
    with open(root / "raci.yaml", "a", encoding="utf-8") as fh:
        fh.write("date: Spring 2025\n")
    date = date_of(root)
    assert (date.shown, date.source) == ("Spring 2025", "raci.yaml")
    assert date.stamp == _dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)  # the time the user gave


def test_date_today_is_the_build_date(tmp_path, make_project, no_epoch):
    root = make_project(tmp_path, ONE_ROLE, ONE_PHASE, "date: today\n")
    date = date_of(root)
    assert date.source == "today"
    assert date.shown == clock.today().isoformat()
    assert date.stamp.time() == _dt.time(0, 0)

"""raci_gen.clock: SOURCE_DATE_EPOCH decides every date a build writes."""

from __future__ import annotations

import datetime as _dt
import io
import zipfile

import openpyxl
import pytest

from raci_gen import clock
from raci_gen.renderers.document import make_document
from raci_gen.renderers.html import render_html_text
from raci_gen.renderers.markdown import render_markdown_text
from raci_gen.renderers.xlsx import render_xlsx

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
    from raci_gen.loader import load_project
    document = make_document(load_project(str(root)))
    assert document.date == "2020-02-29"
    assert document.created.year == 2023  # file metadata still carries the build time
    assert "**Date:** 2020-02-29" in render_markdown_text(document)


def test_pdf_dates_follow_the_epoch(example_pdf):
    """The session's example PDF was built with SOURCE_DATE_EPOCH=1700000000 (conftest.EPOCH)."""
    import pypdf
    meta = pypdf.PdfReader(io.BytesIO(example_pdf)).metadata
    assert meta["/CreationDate"] == meta["/ModDate"] == "D:20231114221320Z"


def test_pdf_rendering_restores_the_environment(monkeypatch, tmp_path, make_project):
    """render_pdf sets SOURCE_DATE_EPOCH for fontTools while it runs, and puts it back afterwards."""
    import os

    from raci_gen.loader import load_project
    from raci_gen.renderers.pdf import render_pdf
    root = make_project(tmp_path, [{"id": "R1", "name": "One"}],
                        {"01": {"phase": "P", "activities": [{"id": "A-1", "name": "a", "raci": {"R1": "A/R"}}]}})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    document = make_document(load_project(str(root)))
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    data = render_pdf(document)
    assert "SOURCE_DATE_EPOCH" not in os.environ
    import pypdf
    assert pypdf.PdfReader(io.BytesIO(data)).metadata["/CreationDate"] == "D:20231114221320Z"

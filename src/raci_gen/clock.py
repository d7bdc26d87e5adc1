"""The one clock of raci-gen.

Every date or time that ends up in a document comes from here, so that
``SOURCE_DATE_EPOCH`` (https://reproducible-builds.org/specs/source-date-epoch/)
makes builds byte-for-byte reproducible.
"""

from __future__ import annotations

import datetime as _dt
import os


def now() -> _dt.datetime:
    """The build time, in UTC, without microseconds.

    ``SOURCE_DATE_EPOCH`` (seconds since 1970, UTC) wins over the system clock.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return _dt.datetime.fromtimestamp(int(epoch), tz=_dt.timezone.utc)
        except (ValueError, OverflowError, OSError):
            pass  # an unusable value is ignored, as reproducible-builds.org asks
    return _dt.datetime.now(tz=_dt.timezone.utc).replace(microsecond=0)


def document_time(date: str | None = None) -> _dt.datetime:
    """The time a document is stamped with: SOURCE_DATE_EPOCH, else midnight UTC of the
    document's own date (``date:`` in raci.yaml, when it is an ISO date), else the build time.

    A project that fixes its date so gets the same bytes in every format, every day.
    """
    if not os.environ.get("SOURCE_DATE_EPOCH", "").strip() and date:
        try:
            day = _dt.date.fromisoformat(date)
        except ValueError:
            pass
        else:
            return _dt.datetime(day.year, day.month, day.day, tzinfo=_dt.timezone.utc)
    return now()


def today() -> _dt.date:
    return now().date()

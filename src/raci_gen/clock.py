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


def today() -> _dt.date:
    return now().date()

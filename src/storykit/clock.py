"""The current time. `STORYKIT_NOW` (ISO 8601) freezes it, for tests and demos: storykit's
commits are then dated at that moment too (author and committer).
"""

from __future__ import annotations

import datetime as dt
import os
import time

from storykit.errors import UsageError
from storykit.model.timebox import DATE_RANGE_MESSAGE, date_in_range


def frozen() -> dt.datetime | None:
    """The moment `STORYKIT_NOW` sets, if it is set (storykit's commits are dated then)."""
    return now() if os.environ.get("STORYKIT_NOW") else None


def now() -> dt.datetime:
    """Local time with its UTC offset, to the second."""
    frozen = os.environ.get("STORYKIT_NOW")
    if frozen:
        try:
            value = dt.datetime.fromisoformat(frozen)
        except ValueError:
            raise UsageError(
                f"STORYKIT_NOW={frozen!r} is not an ISO date-time like 2026-11-21T10:00:00+00:00"
            ) from None
        if not date_in_range(value):
            raise UsageError(f"STORYKIT_NOW={frozen!r}: {DATE_RANGE_MESSAGE}")
        return value if value.tzinfo else value.astimezone()
    return dt.datetime.now().astimezone().replace(microsecond=0)


def today() -> dt.date:
    return now().date()


def real_milliseconds() -> int:
    """The machine's clock in milliseconds since 1970, which `STORYKIT_NOW` does not freeze:
    it orders captures (`rank.capture_key`), and frozen, every capture would tie."""
    return time.time_ns() // 1_000_000

"""Timeboxes, dates and overdue spikes: pure date arithmetic, light enough for every command.

Every date storykit reads (item files, the command line, `STORYKIT_NOW`) must fall in
`EARLIEST`…`LATEST`, so that adding any timebox (at most 9999 weeks) or any UTC offset
stays far inside what Python's dates can hold: arithmetic on a valid date never raises.
"""

from __future__ import annotations

import datetime as dt
import re

TIMEBOX_PATTERN = r"^[1-9][0-9]{0,3}[hdw]$"
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2999, 12, 31)
DATE_RANGE_MESSAGE = f"must be a date from {EARLIEST} to {LATEST}"


def date_in_range(value: dt.date | dt.datetime) -> bool:
    day = value.date() if isinstance(value, dt.datetime) else value
    return EARLIEST <= day <= LATEST


MAX_SPRINT_DAYS = 366  # a sprint is a short planning cycle; longer is surely a typo


def sprint_too_long(days: int) -> str | None:
    """Why a sprint of `days` days (both ends counted) is refused, or None."""
    if days <= MAX_SPRINT_DAYS:
        return None
    return f"a sprint lasts at most a year ({MAX_SPRINT_DAYS} days); this one would last {days}"


def timebox_delta(timebox: str) -> dt.timedelta:
    """`4h`, `2d`, `1w` (1 to 9999 of a unit) as calendar time."""
    if not re.fullmatch(TIMEBOX_PATTERN, timebox):
        raise ValueError(f"not a timebox: {timebox!r}")
    amount, unit = int(timebox[:-1]), timebox[-1]
    return {
        "h": dt.timedelta(hours=amount),
        "d": dt.timedelta(days=amount),
        "w": dt.timedelta(weeks=amount),
    }[unit]


def deadline(
    started: dt.date | dt.datetime | None, timebox: str | None, zone: dt.tzinfo | None
) -> dt.datetime | None:
    """`started + timebox` (a bare date or time read in `zone`), or None when either is
    missing or cannot be read (refused elsewhere, with its location). Never raises."""
    if not started or not timebox:
        return None
    try:
        if not isinstance(started, dt.datetime):
            started = dt.datetime.combine(started, dt.time(), tzinfo=zone)
        elif started.tzinfo is None:
            started = started.replace(tzinfo=zone)
        return started + timebox_delta(timebox)
    except (OverflowError, ValueError):
        return None


def deadline_passed(
    started: dt.date | dt.datetime | None, timebox: str | None, now: dt.datetime
) -> dt.datetime | None:
    """When `started + timebox` ran out, if it has by `now`."""
    end = deadline(started, timebox, now.tzinfo)
    return end if end is not None and now > end else None

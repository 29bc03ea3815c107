"""Timeboxes and overdue spikes: pure date arithmetic, light enough for every command."""

from __future__ import annotations

import datetime as dt
import re


def timebox_delta(timebox: str) -> dt.timedelta:
    """`4h`, `2d`, `1w` as calendar time."""
    match = re.fullmatch(r"([0-9]+)([hdw])", timebox)
    if not match:
        raise ValueError(f"not a timebox: {timebox!r}")
    amount = int(match.group(1))
    return {
        "h": dt.timedelta(hours=amount),
        "d": dt.timedelta(days=amount),
        "w": dt.timedelta(weeks=amount),
    }[match.group(2)]


def deadline_passed(
    started: dt.date | dt.datetime | None, timebox: str | None, now: dt.datetime
) -> dt.datetime | None:
    """When `started + timebox` ran out, if it has by `now`."""
    if not started or not timebox:
        return None
    if not isinstance(started, dt.datetime):
        started = dt.datetime.combine(started, dt.time(), tzinfo=now.tzinfo)
    elif started.tzinfo is None:
        started = started.replace(tzinfo=now.tzinfo)
    deadline = started + timebox_delta(timebox)
    return deadline if now > deadline else None

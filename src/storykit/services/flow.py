"""`storykit flow`: cycle time, lead time, throughput, aging work in progress and
cumulative flow from git history (`model/flow.py` computes them), as of HEAD or `--at REV`
like the sprint reports: "now" is the current time, or the moment that commit was made.

The window is `--since DATE|REV` (the start of that day, or the moment the revision was
committed) to `--until DATE` (the end of that day, or now if sooner); by default from the
day the first item was captured: the whole history.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from storykit.errors import UsageError
from storykit.history.timeline import cut_short, read_timeline
from storykit.model.catalogue import ITEM_TYPES
from storykit.model.flow import TENTH, Flow, flow, tenths
from storykit.model.selection import one_of
from storykit.model.sprints import end_of_day, moment
from storykit.repository.history import History
from storykit.services.reports import moment_at
from storykit.services.sprints import parse_date
from storykit.services.workspace import Workspace


@dataclass
class FlowReport:
    flow: Flow
    commit: str
    only: str | None  # --type
    now: dt.datetime
    made: dt.datetime  # when the commit was made
    fixed: bool  # `--at`: "now" is that moment
    times: list[float]  # of the timeline's changes, in order

    def window(self) -> tuple[float, float, float] | None:
        """(from, until, made): while "now" (at least `made`) stays in [from, until), the
        figures read the same — None with `--at`, where "now" never moves. They change at
        midnight (the window's days), at a change dated later than now, and when an aging
        item's age in tenths of a day turns."""
        if self.fixed:
            return None
        now = self.now.timestamp()
        if self.flow.end < self.now:  # `--until` a past day: now no longer matters
            return self.flow.end.timestamp(), float("inf"), self.made.timestamp()
        zone = self.flow.zone
        today = self.now.astimezone(zone).date()
        low = dt.datetime.combine(today, dt.time(), tzinfo=zone).timestamp()
        high = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tzinfo=zone)
        until = high.timestamp()
        past = bisect.bisect_right(self.times, now)
        if past:
            low = max(low, self.times[past - 1])
        if past < len(self.times):
            until = min(until, self.times[past])
        for item in self.flow.aging:
            turn = TENTH * tenths(item.age) - TENTH // 2 + item.started  # when it showed
            low, until = max(low, turn), min(until, turn + TENTH)
        return low, until, self.made.timestamp()


def flow_of(
    ws: Workspace,
    since: str | None = None,
    until: str | None = None,
    only: str | None = None,
    at: str | None = None,
) -> FlowReport:
    history = History(ws.project.root)
    kind = one_of(only, ITEM_TYPES, "type") if only is not None else None
    commit, made, now = moment_at(history, at, "flow metrics")
    zone = ws.project.config.zone
    end = now
    if until is not None:
        end = min(end_of_day(parse_date(until, "--until"), zone), now)
    timeline = read_timeline(ws.project, commit, lambda: history)
    if timeline.cut:
        raise cut_short("flow metrics")
    if since is None:
        first = min((when for _, when in timeline.captured().values()), default=end.timestamp())
        day = dt.datetime.fromtimestamp(min(first, end.timestamp()), zone).date()
        start = moment(day, zone)  # the whole history: from the day of the first capture
    else:
        start = _since(history, since, zone)
    if start > end:
        raise UsageError(
            f"the window is empty: it starts {start.date()} and ends {end.date()}",
            hint="--since comes before --until (and before now)",
        )
    workflow = ws.project.config.workflow
    figures = flow(timeline, workflow, zone, start, end, kind, ITEM_TYPES)
    return FlowReport(figures, commit, kind, now, made, at is not None, timeline.times)


def _since(history: History, text: str, zone: ZoneInfo) -> dt.datetime:
    """The start of `--since`: a date's first moment, or when a revision was committed."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        found = history.commit_and_time(text)
        if found is None:
            raise UsageError(
                f"--since {text!r} is neither a date like 2026-12-07 nor a revision",
                hint="give a date, or a branch, tag or commit",
            ) from None
        return found[1]
    return moment(parse_date(day.isoformat(), "--since"), zone)

"""Flow metrics from a timeline of dated changes (pure computation): cycle and lead time,
throughput, aging work in progress and cumulative flow (README, "Flow metrics").

Everything is as it stood at the end of the window: the timeline is replayed up to that
moment. An item is *started* when it first enters an active status (the workflow's
in-progress one, or a later one before done, for a team that skipped it), *captured* when
its file was first committed, and *finished* at the last time it reached done, if it is
still done then (a removed file keeps the status it had). Cycle time is finished - started,
lead time finished - captured. Durations are whole seconds, shown as days with one decimal
(rounded half up); a percentile is the nearest rank: the smallest value that at least that
share of the items do not exceed.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from storykit.model.burndown import Timeline
from storykit.model.settings import Workflow
from storykit.model.sprints import end_of_day

DAY = 86_400
TENTH = DAY // 10
PERCENTILES = (50, 85, 95)
ALL = "all"


def tenths(seconds: int) -> int:
    """A duration in tenths of a day, rounded half up (integer arithmetic: exact)."""
    return (2 * seconds + TENTH) // (2 * TENTH)


def days(seconds: int | None) -> float | None:
    """A duration as days with one decimal."""
    return None if seconds is None else tenths(seconds) / 10


def nearest_rank(values: list[int], percent: int) -> int | None:
    """The smallest of `values` that at least `percent` % of them do not exceed."""
    if not values:
        return None
    ordered = sorted(values)
    rank = -(-percent * len(ordered) // 100)  # ceil(percent/100 * n), at least 1
    return ordered[max(rank, 1) - 1]


@dataclass(frozen=True)
class Spread:
    """Count and percentiles (seconds) of a set of durations."""

    count: int
    p50: int | None
    p85: int | None
    p95: int | None

    @classmethod
    def of(cls, values: list[int]) -> Spread:
        p50, p85, p95 = (nearest_rank(values, p) for p in PERCENTILES)
        return cls(len(values), p50, p85, p95)


@dataclass(frozen=True)
class Finished:
    id: str
    type: str
    title: str
    captured: int  # seconds since the epoch
    started: int | None  # None: it never entered an active status
    done: int

    @property
    def cycle(self) -> int | None:
        return None if self.started is None else self.done - self.started

    @property
    def lead(self) -> int:
        return self.done - self.captured


@dataclass(frozen=True)
class Aging:
    id: str
    type: str
    title: str
    status: str
    started: int
    age: int  # seconds in progress at the end of the window
    over_p85: bool


@dataclass
class Flow:
    start: dt.datetime  # the window: [start, end]
    end: dt.datetime
    zone: ZoneInfo
    finished: list[Finished]
    cycle: dict[str, Spread]  # "all", then each type with finished items
    lead: dict[str, Spread]
    throughput: list[tuple[str, int]]  # (ISO week, items finished)
    aging: list[Aging]  # oldest first
    cfd: list[tuple[dt.date, dict[str, int]]]  # each day: items per status at its end
    statuses: list[str] = field(default_factory=list)  # the CFD's, in workflow order

    @property
    def first_day(self) -> dt.date:
        return self.start.astimezone(self.zone).date()

    @property
    def last_day(self) -> dt.date:
        return self.end.astimezone(self.zone).date()


@dataclass
class _Item:
    type: str = ""
    title: str = ""
    status: str | None = None  # None: no file (not yet, or removed)
    captured: int | None = None
    started: int | None = None
    done: int | None = None  # the last arrival at done, while it stays done


def week_of(moment: dt.datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def flow(
    timeline: Timeline,
    workflow: Workflow,
    zone: ZoneInfo,
    start: dt.datetime,
    end: dt.datetime,
    only: str | None = None,
    types: tuple[str, ...] = (),
) -> Flow:
    """The figures of [start, end] (`only`: items of that type; `types`: the order of the
    per-type figures, other types after them by name)."""
    order = list(workflow.statuses)
    active = _active(workflow)
    items: dict[str, _Item] = {}
    cancelled = timeline.cancelled
    stop = timeline.before(end)
    moves: list[tuple[int, str, str | None, str | None]] = []  # time, item, from, to
    for change in timeline.changes[:stop]:
        if change.sha in cancelled:
            continue
        when = round(change.time)
        for item_id, delta in change.items.items():
            item = items.setdefault(item_id, _Item())
            before = item.status
            if delta is None:
                item.status = None
            else:
                if item.captured is None:  # its first commit (by author date)
                    item.captured = when
                item.type = str(delta.get("type") or item.type)
                item.title = str(delta.get("title") or item.title)
                status = delta.get("status", item.status)
                item.status = status if isinstance(status, str) else ""  # "": unreadable
                if item.status in active and item.started is None:
                    item.started = when
                if item.status == workflow.done and before != workflow.done:
                    item.done = when
                elif item.status != workflow.done:
                    item.done = None
            if item.status != before:
                moves.append((when, item_id, before, item.status))
    wanted = {i for i, item in items.items() if only is None or item.type == only}
    finished = [
        Finished(i, item.type, item.title, item.captured, item.started, item.done)
        for i, item in sorted(items.items(), key=lambda pair: (pair[1].done or 0, pair[0]))
        if i in wanted
        and item.done is not None
        and item.captured is not None
        and start.timestamp() <= item.done <= end.timestamp()
    ]
    cycle, lead = _spreads(finished, types)
    p85 = cycle[ALL].p85
    at_end = round(end.timestamp())
    aging = sorted(
        (
            Aging(i, item.type, item.title, str(item.status), item.started,
                  at_end - item.started,
                  p85 is not None and tenths(at_end - item.started) > tenths(p85))
            for i, item in items.items()
            if i in wanted and item.status in active and item.started is not None
        ),
        key=lambda a: (-a.age, a.id),
    )  # fmt: skip
    first = start.astimezone(zone).date()
    last = end.astimezone(zone).date()
    weeks = _weeks(first, last)
    counted = dict.fromkeys(weeks, 0)
    for done in finished:
        counted[week_of(dt.datetime.fromtimestamp(done.done, zone))] += 1
    statuses = order + sorted({s for _, i, _, s in moves if s and s not in order and i in wanted})
    cfd = _cumulative(moves, wanted, statuses, first, last, zone, end)
    return Flow(
        start, end, zone, finished, cycle, lead, list(counted.items()), aging, cfd, statuses
    )


def _active(workflow: Workflow) -> set[str]:
    """The statuses of work in progress: in-progress and those after it before done."""
    order = list(workflow.statuses)
    low, high = order.index(workflow.in_progress), order.index(workflow.done)
    found = set(order[low:high]) if low < high else {workflow.in_progress}
    return (found | {workflow.in_progress}) - {workflow.dropped, workflow.done}


def _spreads(
    finished: list[Finished], types: tuple[str, ...]
) -> tuple[dict[str, Spread], dict[str, Spread]]:
    seen = {f.type for f in finished}
    named = [t for t in types if t in seen] + sorted(seen - set(types))
    groups = {ALL: finished} | {t: [f for f in finished if f.type == t] for t in named}
    cycle = {
        name: Spread.of([c for f in group if (c := f.cycle) is not None])
        for name, group in groups.items()
    }
    lead = {name: Spread.of([f.lead for f in group]) for name, group in groups.items()}
    return cycle, lead


def _weeks(first: dt.date, last: dt.date) -> list[str]:
    """The ISO weeks from the one holding `first` to the one holding `last`."""
    monday = first - dt.timedelta(days=first.weekday())
    found = []
    while monday <= last:
        found.append(week_of(dt.datetime.combine(monday, dt.time())))
        monday += dt.timedelta(days=7)
    return found


def _cumulative(
    moves: list[tuple[int, str, str | None, str | None]],
    wanted: set[str],
    statuses: list[str],
    first: dt.date,
    last: dt.date,
    zone: ZoneInfo,
    end: dt.datetime,
) -> list[tuple[dt.date, dict[str, int]]]:
    """Items per status at the end of each day (the last day: at the window's end)."""
    counts = dict.fromkeys(statuses, 0)
    times = [when for when, *_ in moves]
    found: list[tuple[dt.date, dict[str, int]]] = []
    done_moves = 0
    day = first
    while day <= last:
        moment = min(end_of_day(day, zone), end)
        upto = bisect.bisect_right(times, moment.timestamp())
        for _, item_id, before, after in moves[done_moves:upto]:
            if item_id not in wanted:
                continue
            if before:  # None: no file; "": no readable status
                counts[before] -= 1
            if after:
                counts[after] = counts.get(after, 0) + 1
        done_moves = max(done_moves, upto)
        found.append((day, dict(counts)))
        day += dt.timedelta(days=1)
    return found

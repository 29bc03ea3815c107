"""Burndown and velocity figures from a timeline of dated changes (pure computation).

The rules (README, "Sprints"): a sprint's commitment is the points of its items at its
start (the `sprint start` commit, else the end of its start day), not counting items
already done or dropped. After that, an item coming into the sprint, leaving it (or being
dropped), and a re-estimate are scope change (`added`, `removed`), never burn; an item
burns (`completed`) when it reaches done within the sprint — from its start until its
end day is over or it is closed, whichever comes first. Work done later while the item
is still in the sprint is `late`, in no sprint's completed figure. Each day's figures are
as they stood at the end of that day in the project's time zone; days before the start
or after "now" have none. remaining = committed + added - removed - completed.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from storykit.model.points import number
from storykit.model.sprints import Sprint, end_of_day, moment

Fields = dict[str, Any]


@dataclass(frozen=True)
class Change:
    """One commit's changes: {item ID: the tracked fields it changed (None: the item's
    file was removed)} and {sprint file: its name and moments after (None: removed)}."""

    sha: str
    time: float  # author date, seconds since the epoch
    items: dict[str, Fields | None]
    sprints: dict[str, Fields | None]
    author: str = ""  # the commit's author name
    undoes: str = ""  # the commit it reverts, when `storykit undo` made it


class Timeline:
    """Changes ordered by author date (ties keep the order given: parents first)."""

    def __init__(self, changes: list[Change], cut: bool = False) -> None:
        self.changes = sorted(changes, key=lambda c: c.time)
        self.cut = cut  # the history is cut short (a shallow clone): not the whole story
        self.times = [c.time for c in self.changes]

    def before(self, when: dt.datetime, *, at: bool = True) -> int:
        """How many changes were made before `when` (`at`: or at that very moment)."""
        find = bisect.bisect_right if at else bisect.bisect_left
        return find(self.times, when.timestamp())

    def captured(self) -> dict[str, tuple[str, float]]:
        """{item ID: (author, time)} of the change that first brought each item's file:
        who captured it and when (a retitle keeps the ID, so renames are followed)."""
        found: dict[str, tuple[str, float]] = {}
        for change in self.changes:
            for item_id, fields in change.items.items():
                if fields is not None and "type" in fields and item_id not in found:
                    found[item_id] = (change.author, change.time)
        return found

    def last_touched(self) -> dict[str, float]:
        """{item ID: the time of the last change to its file} (any change at all)."""
        found: dict[str, float] = {}
        for change in self.changes:
            for item_id in change.items:
                found[item_id] = max(found.get(item_id, change.time), change.time)
        return found

    def recorded(self, sprint: str, moment_name: str, value: dt.datetime) -> int | None:
        """The index of the first change that recorded a sprint's moment (its `started` or
        `closed` taking `value`), if the history holds it."""
        for index, text in self._moments.get((sprint, moment_name), []):
            if _same(text, value):
                return index
        return None

    @functools.cached_property
    def cancelled(self) -> frozenset[str]:
        """The commits that leave no trace in a sprint's figures: a change and the
        `storykit undo` that reverted it, when the undo put every item it touched back as
        it was before the change and nothing else touched those items in between (a
        mistaken re-estimate, undone, is not churn). Checked on the replayed fields, so a
        trailer alone never hides a change."""
        where = {change.sha: at for at, change in enumerate(self.changes)}
        wanted = {c.undoes for c in self.changes if c.undoes in where}
        state: dict[str, Fields] = {}
        before: dict[str, dict[str, Fields | None]] = {}  # undone commit → its items before
        last: dict[str, int] = {}  # item → index of the last change to it
        found: set[str] = set()
        for at, change in enumerate(self.changes):
            if change.sha in wanted:
                before[change.sha] = {i: state.get(i) for i in change.items}
            target = where.get(change.undoes) if change.undoes in before else None
            prior = before.get(change.undoes, {})
            quiet = target is not None and all(
                last.get(i, -1) == target for i in set(prior) | set(change.items)
            )
            for item_id, delta in change.items.items():
                after = None if delta is None else {**state.get(item_id, {}), **delta}
                if after is None:
                    state.pop(item_id, None)
                else:
                    state[item_id] = after
                last[item_id] = at
            if quiet and set(change.items) == set(prior):
                restored = all(_tracked(state.get(i)) == _tracked(old) for i, old in prior.items())
                if restored:
                    found |= {change.sha, change.undoes}
        return frozenset(found)

    @functools.cached_property
    def _moments(self) -> dict[tuple[str, str], list[tuple[int, str]]]:
        """(sprint, moment) → (index, value) of every change to a sprint file recording it."""
        found: dict[tuple[str, str], list[tuple[int, str]]] = {}
        for index, change in enumerate(self.changes):
            for fields in change.sprints.values():
                for name in ("started", "closed"):
                    text = fields.get(name) if fields else None
                    if fields and text is not None:
                        key = (str(fields.get("name")), name)
                        found.setdefault(key, []).append((index, text))
        return found


def _tracked(fields: Fields | None) -> dict[str, Any] | None:
    """The fields a report reads, unset ones left out (None: no item)."""
    if fields is None:
        return None
    return {name: value for name, value in fields.items() if value is not None}


@dataclass(frozen=True)
class Day:
    date: dt.date
    scope: float | None
    completed: float | None
    remaining: float | None
    ideal: float

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "scope": number(self.scope),
            "completed": number(self.completed),
            "remaining": number(self.remaining),
            "ideal": number(self.ideal),
        }


@dataclass
class Burndown:
    sprint: Sprint
    committed: float = 0
    added: float = 0
    removed: float = 0
    completed: float = 0
    late: float = 0
    started: bool = False  # the start is behind "now"
    days: list[Day] = field(default_factory=list)

    @property
    def remaining(self) -> float:
        return self.committed + self.added - self.removed - self.completed

    @property
    def scope(self) -> float:
        return self.committed + self.added - self.removed


def burndown(
    timeline: Timeline,
    sprint: Sprint,
    zone: ZoneInfo,
    now: dt.datetime,
    statuses: tuple[str, str],
) -> Burndown:
    """The sprint's figures, by day, from the timeline (`statuses`: done, dropped)."""
    model = sprint.model
    start_k, start_at = _start(timeline, sprint, zone)
    now_k = timeline.before(now)
    window = min(timeline.before(end_of_day(model.end, zone)), now_k)
    if model.closed is not None:
        closed_at = timeline.recorded(sprint.name, "closed", moment(model.closed, zone))
        close_k = (
            closed_at
            if closed_at is not None
            else timeline.before(moment(model.closed, zone), at=False)
        )
        window = min(window, close_k)
    window = max(window, start_k)
    days = sprint.days()
    marks: dict[int, list[int]] = {}
    for index, day in enumerate(days):
        last = end_of_day(day, zone)
        if last >= start_at and last - dt.timedelta(days=1) < now:
            k = max(min(timeline.before(last), window), start_k)
            marks.setdefault(k, []).append(index)
    scope = _Scope(sprint.name, *statuses)
    cancelled = timeline.cancelled
    result = Burndown(sprint, started=start_at <= now)
    figures: dict[int, tuple[float, float, float]] = {}
    state: dict[str, Fields] = {}
    for k in range(len(timeline.changes) + 1):
        if k == start_k and result.started:
            scope.commit(state)
        if k == window:
            scope.close()
        for index in marks.get(k, []):
            figures[index] = (scope.scope, scope.completed, scope.scope - scope.completed)
        if k == len(timeline.changes) or k >= now_k:
            break
        change = timeline.changes[k]
        if change.sha in cancelled:
            continue  # a change undone: it leaves no trace, and the state is as it was
        for item_id, delta in change.items.items():
            before = state.get(item_id)
            after = None if delta is None else {**(before or {}), **delta}
            if start_k <= k < window and result.started:
                scope.move(item_id, before, after)
            elif k >= window:
                scope.late_move(item_id, after)
            if after is None:
                state.pop(item_id, None)
            else:
                state[item_id] = after
    result.committed, result.added, result.removed = scope.committed, scope.added, scope.removed
    result.completed, result.late = scope.completed, scope.late
    total = len(days)
    for index, day in enumerate(days):
        ideal = result.committed * (total - index - 1) / total
        found = figures.get(index)
        if found is None:
            result.days.append(Day(day, None, None, None, ideal))
        else:
            result.days.append(Day(day, *found, ideal))
    return result


def moments(timeline: Timeline, sprint: Sprint, zone: ZoneInfo) -> list[dt.datetime]:
    """The moments at which the sprint's figures change with "now" alone (its start and
    its close), besides midnight."""
    found = [_start(timeline, sprint, zone)[1]]
    if sprint.model.closed is not None:
        found.append(moment(sprint.model.closed, zone))
    return found


def _start(timeline: Timeline, sprint: Sprint, zone: ZoneInfo) -> tuple[int, dt.datetime]:
    """Where the commitment is taken: after the `sprint start` commit, else at the
    recorded moment, else at the end of the start day."""
    started = sprint.model.started
    if started is None:
        at = end_of_day(sprint.model.start, zone)
        return timeline.before(at), at
    at = moment(started, zone)
    index = timeline.recorded(sprint.name, "started", at)
    if index is not None:
        return index + 1, dt.datetime.fromtimestamp(timeline.times[index], dt.UTC)
    return timeline.before(at), at


def _same(text: str, value: dt.datetime) -> bool:
    try:
        found = dt.datetime.fromisoformat(text)
    except ValueError:
        return False
    if found.tzinfo is None:
        found = found.replace(tzinfo=value.tzinfo)
    return found == value


class _Scope:
    """The running figures of one sprint as its items' changes are replayed."""

    def __init__(self, name: str, done: str, dropped: str) -> None:
        self.name, self.done, self.dropped = name, done, dropped
        self.counted: dict[str, tuple[float, bool]] = {}  # ID → (points, done)
        self.ignored: set[str] = set()  # in the sprint, but done before it came in
        self.pending: dict[str, float] = {}  # unfinished at the end: may be done late
        self.committed = self.added = self.removed = self.completed = self.late = 0.0

    @property
    def scope(self) -> float:
        return self.committed + self.added - self.removed

    def _in(self, fields: Fields | None) -> bool:
        return (
            fields is not None
            and fields.get("sprint") == self.name
            and fields.get("status") != self.dropped
        )

    def _is_done(self, fields: Fields | None) -> bool:
        return fields is not None and fields.get("status") == self.done

    def commit(self, state: dict[str, Fields]) -> None:
        for item_id, fields in state.items():
            if not self._in(fields):
                continue
            if self._is_done(fields):
                self.ignored.add(item_id)
            else:
                self.counted[item_id] = (_points(fields), False)
                self.committed += _points(fields)

    def move(self, item_id: str, before: Fields | None, after: Fields | None) -> None:
        inside = self._in(after)
        if item_id in self.ignored:
            if inside and self._is_done(after):
                return
            self.ignored.discard(item_id)
        was = self.counted.get(item_id)
        if was is None:
            if inside and self._is_done(after):
                self.ignored.add(item_id)  # came in already done: neither scope nor burn
            elif inside:
                self.counted[item_id] = (_points(after), False)
                self.added += _points(after)
            return
        points, done = was
        if not inside:
            self.removed += points
            self.completed -= points if done else 0
            del self.counted[item_id]
            return
        new_points, new_done = _points(after), self._is_done(after)
        if new_points > points:
            self.added += new_points - points
        else:
            self.removed += points - new_points
        self.completed += (new_points if new_done else 0) - (points if done else 0)
        self.counted[item_id] = (new_points, new_done)

    def close(self) -> None:
        self.pending = {i: p for i, (p, done) in self.counted.items() if not done}

    def late_move(self, item_id: str, after: Fields | None) -> None:
        if item_id not in self.pending:
            return
        if not self._in(after):
            del self.pending[item_id]
        elif self._is_done(after):
            self.late += _points(after)
            del self.pending[item_id]


def _points(fields: Fields | None) -> float:
    value = (fields or {}).get("points")
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0

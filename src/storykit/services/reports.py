"""Sprint reports from git history: `sprint list`, `sprint show`, `burndown`, `velocity`.

Every report is computed as of one commit (HEAD, or `--at REV`): the sprint files in its
tree and the timeline of its history (`timeline.py`), in the project's time zone. "Now"
is the current time, or with `--at` the moment that commit was made, so a report at a
revision is the same on every clone, every day.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from storykit import clock
from storykit.errors import Diagnostic, RepoStateError, UsageError
from storykit.history.timeline import cut_short, read_timeline
from storykit.locations import SPRINT_FOLDER
from storykit.model.burndown import Burndown, Timeline, burndown, moments
from storykit.model.planning import Planning, plan_summary
from storykit.model.sprints import Sprint, State
from storykit.repository.history import History
from storykit.services.workspace import Workspace
from storykit.storage.sprint_files import parse_sprint
from storykit.storage.store import StoredItem

VELOCITY_OVER = 3  # the average is over the last this many closed sprints


@dataclass
class AsOf:
    """The backlog's sprints and history as of one commit."""

    commit: str
    now: dt.datetime
    zone: ZoneInfo  # the project's: days are counted in it
    sprints: list[Sprint]
    timeline: Timeline
    made: dt.datetime  # when the commit was made
    fixed: bool  # `--at`: "now" is that moment

    def state(self, sprint: Sprint) -> State:
        return sprint.state(self.now, self.zone)

    def window(self) -> tuple[float, float, float] | None:
        """(from, until, made): while "now" (at least `made`) stays in [from, until), every
        report here reads the same — None with `--at`, where "now" never moves."""
        if self.fixed:
            return None
        zone = self.zone
        today = self.now.astimezone(zone).date()
        low = dt.datetime.combine(today, dt.time(), tzinfo=zone).timestamp()
        high = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tzinfo=zone)
        until, now = high.timestamp(), self.now.timestamp()
        for sprint in self.sprints:
            for when in moments(self.timeline, sprint, zone):
                stamp = when.timestamp()
                if stamp <= now:
                    low = max(low, stamp)
                else:
                    until = min(until, stamp)
        return low, until, self.made.timestamp()


@dataclass
class SprintReport:
    sprint: Sprint
    state: State
    burndown: Burndown
    days_left: int | None  # None once closed
    found: AsOf  # what it was computed from


@dataclass
class SprintDetails:
    report: SprintReport
    items: list[StoredItem]
    planning: Planning
    by_status: dict[str, int] = field(default_factory=dict)


@dataclass
class Velocity:
    sprints: list[SprintReport]
    average: float | None
    found: AsOf


@dataclass
class SprintList:
    sprints: list[SprintReport]
    found: AsOf


def moment_at(history: History, at: str | None, what: str) -> tuple[str, dt.datetime, dt.datetime]:
    """(commit, when it was made, "now") of a report asked at HEAD or `--at REV`: "now" is
    the current time, or with `--at` the moment that commit was made."""
    found = history.commit_and_time(at or "HEAD")
    if found is None:
        if at is not None:
            history.commit_of(at)  # says what is wrong with it
        raise RepoStateError(
            f"the repository has no commits yet, so {what} have no history",
            hint="commit the backlog first",
        )
    commit, made = found
    return commit, made, made if at is not None else max(clock.now(), made)


def as_of(ws: Workspace, at: str | None = None) -> AsOf:
    history = History(ws.project.root)
    commit, made, now = moment_at(history, at, "sprints")
    folder = f"{ws.project.config.backlog_dir}/{SPRINT_FOLDER}"
    files = history.tree_files(commit, folder)
    blobs = history.read_blobs(sorted(set(files.values())))
    problems: list[Diagnostic] = []  # `check` reports them; a report leaves them out
    sprints = [
        s
        for rel, sha in sorted(files.items())
        if (s := parse_sprint(blobs.get(sha, b""), rel, problems)) is not None
    ]
    sprints.sort(key=lambda s: (s.model.start, s.model.end, s.name))
    timeline = read_timeline(ws.project, commit, lambda: history)
    if timeline.cut:
        raise cut_short("a sprint report")
    zone = ws.project.config.zone
    return AsOf(commit, now, zone, sprints, timeline, made, at is not None)


def report(ws: Workspace, found: AsOf, sprint: Sprint) -> SprintReport:
    config = ws.project.config
    statuses = (config.workflow.done, config.workflow.dropped)
    figures = burndown(found.timeline, sprint, config.zone, found.now, statuses)
    state = found.state(sprint)
    today = found.now.astimezone(config.zone).date()
    left = (sprint.model.end - max(today, sprint.model.start)).days + 1
    days_left = None if state == "closed" else max(left, 0)
    return SprintReport(sprint, state, figures, days_left, found)


def pick(ws: Workspace, found: AsOf, name: str | None) -> Sprint:
    """The sprint named (any case), or the active one."""
    if name is not None:
        for sprint in found.sprints:
            if sprint.name == name or sprint.name.casefold() == name.casefold():
                return sprint
        known = ", ".join(s.name for s in found.sprints[-5:]) or "none yet"
        raise UsageError(
            f"no sprint {name!r} at {found.commit[:8]} (sprints: {known})",
            hint="reports read the sprint files committed at HEAD (or --at REV); "
            "`storykit sprint list` lists them",
        )
    active = [s for s in found.sprints if found.state(s) == "active"]
    if not active:  # on its first day, a sprint not started yet is the one meant
        today = found.now.astimezone(found.zone).date()
        active = [
            s for s in found.sprints if s.model.start == today and found.state(s) == "planned"
        ]
    if not active:
        raise UsageError("no sprint is active", hint="name one (`storykit sprint list` lists them)")
    return active[-1]


def list_sprints(ws: Workspace, at: str | None = None) -> SprintList:
    found = as_of(ws, at)
    return SprintList([report(ws, found, sprint) for sprint in found.sprints], found)


def burndown_of(ws: Workspace, name: str | None = None, at: str | None = None) -> SprintReport:
    found = as_of(ws, at)
    return report(ws, found, pick(ws, found, name))


def velocity(ws: Workspace, last: int = 6, at: str | None = None) -> Velocity:
    if last < 1:
        raise UsageError("--last must be 1 or more")
    found = as_of(ws, at)
    closed = [r for r in (report(ws, found, s) for s in found.sprints) if r.state == "closed"]
    closed.sort(key=lambda r: (r.sprint.model.end, r.sprint.name))
    recent = [r.burndown.completed for r in closed[-VELOCITY_OVER:]]
    average = sum(recent) / len(recent) if recent else None
    return Velocity(closed[-last:], average, found)


def show_sprint(ws: Workspace, name: str | None = None, at: str | None = None) -> SprintDetails:
    found = as_of(ws, at)
    sprint = pick(ws, found, name)
    backlog = ws.store.load_all().items
    return details(ws, report(ws, found, sprint), backlog)


def details(ws: Workspace, shown: SprintReport, backlog: list[StoredItem]) -> SprintDetails:
    items, planning = planning_of(ws, shown.sprint, backlog)
    if shown.state == "closed":  # advice on filling a sprint that is over helps nobody
        planning = dataclasses.replace(planning, warnings=[])
    by_status = {status: 0 for status in ws.project.config.workflow.statuses}
    for item in items:
        by_status[item.model.status] = by_status.get(item.model.status, 0) + 1
    return SprintDetails(shown, items, planning, by_status)


def planning_of(
    ws: Workspace, sprint: Sprint, backlog: list[StoredItem] | None = None
) -> tuple[list[StoredItem], Planning]:
    """The sprint's items in the work tree, and its planning summary."""
    workflow = ws.project.config.workflow
    backlog = ws.store.load_all().items if backlog is None else backlog
    items = [item for item in backlog if item.model.sprint == sprint.name]
    planning = plan_summary(
        sprint.name,
        sprint.model.capacity,
        items,
        backlog,
        workflow.statuses,
        workflow.ready,
        workflow.closed,
    )
    return items, planning

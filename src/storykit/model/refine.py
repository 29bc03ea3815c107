"""The grooming report (`storykit refine`): findings about the backlog, each with the
command that fixes it (pure: items, their history and settings in; findings out)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from storykit.model.catalogue import FIELDS
from storykit.model.planning import balance
from storykit.model.score import ASIDE
from storykit.model.selection import past
from storykit.model.workflow import gate_problems, runs_out

if TYPE_CHECKING:
    from storykit.model.items import ItemModel
    from storykit.model.settings import Settings


class Item(Protocol):
    """What the report reads of an item."""

    @property
    def id(self) -> str: ...

    @property
    def type(self) -> str: ...

    @property
    def model(self) -> ItemModel: ...

    def field(self, name: str) -> Any: ...


# What each finding is, in the order the report lists them.
KINDS = {
    "not-ready": "near the top, not ready",
    "stale-draft": "stale drafts",
    "untouched": "open items nobody touched",
    "broken-dependency": "dependencies on dropped or missing items",
    "closed-parent": "open items under a closed parent",
    "finished-epic": "epics whose children are all done",
    "overdue-spike": "overdue spikes",
    "no-follow-up": "spikes done without a decision or a follow-up",
    "balance": "balance of the top of the backlog",
    "score-disagrees": "rank and score disagree",
}
WARNINGS = ("no-follow-up",)  # findings that are warnings only
MOVED = 5  # a score disagreement worth a finding: this many places or more


@dataclass(frozen=True)
class Finding:
    """One finding: what is wrong (naming the item by ID and title, as `list` does) and the
    command that fixes it, perhaps another that also would, and a note on the fix."""

    code: str
    message: str
    fix: str
    item: str | None = None  # the item's ID
    title: str | None = None  # the item's title
    alternative: str = ""  # another command that fixes it
    note: str = ""  # what the fix means (`ID` in it: which item to choose)

    def fixes(self) -> list[str]:
        """The commands, each on its own (never one quoted inside another)."""
        return [self.fix, *([self.alternative] if self.alternative else [])]

    @property
    def severity(self) -> str:
        return "warning" if self.code in WARNINGS else "attention"

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "id": self.item,
            "title": self.title,
            "message": self.message,
            "fix": self.fix,
            "alternative": self.alternative or None,
            "note": self.note or None,
        }


@dataclass
class Refinement:
    top: int
    findings: list[Finding] = field(default_factory=list)
    balance: dict[str, dict[str, Any]] = field(default_factory=dict)
    unjudged: str | None = None  # what could not be judged, and why
    # The moments around "now" at which the report would read differently (a day more of
    # staleness, a timebox running out): between the last before now and the first after,
    # it stays as it is (a kept answer's window).
    changes: list[dt.datetime] = field(default_factory=list)

    @property
    def needs_attention(self) -> bool:
        return bool(self.findings)


def refine(
    items: Sequence[Item],
    config: Settings,
    now: dt.datetime,
    top: int,
    touched: dict[str, dt.datetime],
    captured: dict[str, dt.datetime],
    moves: Sequence[tuple[Item, int, int]],
) -> Refinement:
    """`items` in rank order; `touched`: the last commit to each item's file; `captured`:
    the first; `moves`: (item, place by rank, place by score) of `rank --suggest`."""
    workflow = config.workflow
    by_id = {item.id: item for item in items}
    open_items = [i for i in items if i.model.status not in workflow.closed]
    head = open_items[:top]
    report = Refinement(top)
    add = report.findings.append
    for place, item in enumerate(head, start=1):
        if item.type in ASIDE:
            continue  # a goal that groups work, never "ready" itself
        model = item.model
        lacks = gate_problems(model, workflow.ready, workflow)
        needs = [FIELDS[problem.field].needs for problem in lacks]
        fixes = [problem.fix for problem in lacks]
        if item.type == "spike" and not model.timebox:
            needs.append("needs a timebox")
            fixes.append(f"storykit set {item.id} timebox=2d")
        if model.status == workflow.initial:
            needs.insert(0, f"is a {workflow.initial}")
            fixes.append(f"storykit status {item.id} {workflow.ready}")
        if needs:
            message = f"{_named(item)} (#{place} of the open items) {', '.join(needs)}"
            add(Finding("not-ready", message, fixes[0], item.id, _title(item)))
    stale_draft = dt.timedelta(days=config.stale_draft_days)
    stale = dt.timedelta(days=config.stale_days)
    changes = report.changes
    for item in open_items:
        model = item.model
        born = captured.get(item.id) or _midnight(model.created, now)
        if model.status == workflow.initial and born is not None:
            changes.extend(_turns(born, stale_draft, now))
        if model.status == workflow.initial and born is not None and now - born > stale_draft:
            days = (now - born).days
            add(
                Finding(
                    "stale-draft",
                    f"{_named(item)} has been a draft for {days} days",
                    f"storykit status {item.id} {workflow.ready}",
                    item.id,
                    _title(item),
                    alternative=f"storykit drop {item.id}",
                )
            )
        last = touched.get(item.id)
        if last is not None:
            changes.extend(_turns(last, stale, now))
        if last is not None and now - last > stale:
            add(
                Finding(
                    "untouched",
                    f"{_named(item)}: no commit touched it for {(now - last).days} days",
                    f"storykit edit {item.id}",
                    item.id,
                    _title(item),
                    alternative=f"storykit drop {item.id}",
                )
            )
    for item in open_items:
        for dep in item.model.depends_on:
            target = by_id.get(dep)
            if target is None or target.model.status == workflow.dropped:
                why = "no such item" if target is None else "dropped"
                add(
                    Finding(
                        "broken-dependency",
                        f"{_named(item)} depends on {dep} ({why})",
                        f"storykit set {item.id} depends_on-={dep}",
                        item.id,
                        _title(item),
                    )
                )
        parent = by_id.get(item.model.parent) if item.model.parent else None
        if parent is not None and parent.model.status in workflow.closed:
            add(
                Finding(
                    "closed-parent",
                    f"{_named(item)} is open, its parent {parent.id} is {parent.model.status}",
                    f"storykit set {item.id} parent=",
                    item.id,
                    _title(item),
                    alternative=f"storykit drop {item.id}",
                )
            )
    children: dict[str, list[Item]] = {}
    for item in items:
        if item.model.parent:
            children.setdefault(item.model.parent, []).append(item)
    for item in open_items:
        kids = [k for k in children.get(item.id, []) if k.model.status != workflow.dropped]
        if item.type == "epic" and kids and all(k.model.status == workflow.done for k in kids):
            add(
                Finding(
                    "finished-epic",
                    f"epic {_named(item)}: all {len(kids)} children are done",
                    f"storykit done {item.id}",
                    item.id,
                    _title(item),
                )
            )
    for item in items:
        end = runs_out(item.model, workflow, now.tzinfo)
        if end is not None:
            changes.append(end)
        since = past(end, now)
        if since is not None:
            add(
                Finding(
                    "overdue-spike",
                    f"spike {_named(item)}: its timebox ran out {since:%Y-%m-%d %H:%M}",
                    f'storykit spike close {item.id} --outcome "…"',
                    item.id,
                    _title(item),
                    alternative=f"storykit spike extend {item.id} --timebox 1d",
                )
            )
        model = item.model
        if (
            item.type == "spike"
            and model.status == workflow.done
            and not model.decision
            and not model.follow_ups
        ):
            add(
                Finding(
                    "no-follow-up",
                    f"spike {_named(item)} is done, its outcome names no decision and no follow-up",
                    f'storykit set {item.id} decision="…"',
                    item.id,
                    _title(item),
                )
            )
    report.balance = balance(head)
    story, tech, spike = (report.balance[k]["count"] for k in ("story", "tech", "spike"))
    if head and tech + spike == 0:
        add(
            Finding(
                "balance",
                f"technical work overshadowed: no technical story or spike in the top {top}",
                "storykit rank ID --top",
                note="ID: a technical story or spike that matters",
            )
        )
    if spike > story:
        add(
            Finding(
                "balance",
                f"{spike} spikes and {story} user stories in the top {top}: more research "
                "than deliverable work",
                'storykit spike close ID --outcome "…"',
                note="or rank stories up",
            )
        )
    for item, by_rank, by_score in moves:
        if abs(by_rank - by_score) >= MOVED:
            add(
                Finding(
                    "score-disagrees",
                    f"{_named(item)} is #{by_rank} by rank but #{by_score} by score",
                    f"storykit rank {item.id} --before ID",
                    item.id,
                    _title(item),
                    alternative="storykit rank --suggest --apply",
                )
            )
    order = list(KINDS)
    report.findings.sort(key=lambda f: order.index(f.code))
    return report


def _title(item: Item) -> str:
    return str(item.model.title)


def _named(item: Item) -> str:
    """An item as a finding names it: `SK-7K2M "Send emojis in messages"`."""
    return f'{item.id} "{item.model.title}"'


def _turns(since: dt.datetime, limit: dt.timedelta, now: dt.datetime) -> list[dt.datetime]:
    """When a finding about time passed since `since` changes, around `now`: at `limit`
    (it appears just after), and as its count of whole days goes up."""
    day = dt.timedelta(days=1)
    days = (now - since) // day
    return [since + limit, since + days * day, since + (days + 1) * day]


def _midnight(day: dt.date | None, now: dt.datetime) -> dt.datetime | None:
    if day is None:
        return None
    return dt.datetime.combine(day, dt.time(), tzinfo=now.tzinfo)

"""Reading the backlog: `list` and `show`."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from storykit import clock
from storykit.errors import Diagnostic, InvalidDataError, UsageError
from storykit.locations import base_name
from storykit.model.catalogue import ITEM_TYPES
from storykit.model.naming import id_from_file_name
from storykit.model.relations import references
from storykit.model.selection import (
    ListFilter,
    Match,
    canonical,
    choose,
    matches,
    scorer,
    selects,
    sort_key,
    with_extras,
)
from storykit.model.workflow import overdue_since
from storykit.services.workspace import Workspace
from storykit.storage.store import StoredItem

if TYPE_CHECKING:
    from storykit.model.burndown import Timeline
    from storykit.services.tracing import Code


@dataclass
class ListResult:
    items: list[StoredItem]
    skipped: list[str] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)
    overdue: set[str] = field(default_factory=set)
    matches: dict[str, list[Match]] = field(default_factory=dict)  # by ID, with `grep`
    scores: dict[str, float | None] = field(default_factory=dict)  # by ID


@dataclass(frozen=True)
class ListQuery:
    """`list`'s options as typed: the filter (values as given), `--mine`, `--since`,
    `--sort` and `--limit`."""

    filters: ListFilter = field(default_factory=ListFilter)
    mine: bool = False
    since: str | None = None
    sort: str = "rank"
    limit: int | None = None
    captured_by: str | None = None  # who added the item's file (from git)


@dataclass
class Progress:
    """Roll-up of an item's children: counts by status, done and total points."""

    by_status: dict[str, int]
    points_done: float
    points_total: float

    def to_json(self) -> dict[str, object]:
        return {
            "by_status": self.by_status,
            "points_done": _number(self.points_done),
            "points_total": _number(self.points_total),
        }


@dataclass
class ItemDetails:
    item: StoredItem
    children: list[StoredItem]
    progress: Progress | None
    overdue_since: dt.datetime | None
    linked: dict[str, StoredItem]  # items this one refers to, by ID, for titles
    score: float | None = None
    captured: tuple[str, dt.datetime] | None = None  # who committed its file first, when
    history_cut: bool = False  # who captured it is unknown: the history is cut short
    code: Code | None = None  # the commits and branches that name it


def list_items(ws: Workspace, query: ListQuery) -> ListResult:
    """Open items (not done/dropped) in backlog order, or every item with `all`; filtered,
    sorted and cut by the rules the lean `list` shares (`model/selection.py`)."""
    workflow = ws.project.config.workflow
    order = sort_key(query.sort, workflow.statuses, scorer(ws.project.config.priority.expression))
    if query.limit is not None and query.limit < 1:
        raise UsageError(f"--limit must be 1 or more, not {query.limit}")
    backlog = ws.store.load_all()
    filters = _resolved(ws, backlog.items, query.filters, query.mine)
    if query.since is not None:
        filters = filters._replace(only=_changed_since(ws, query.since))
    if query.captured_by is not None:
        name = query.captured_by.casefold()
        who_added = captured(ws)
        if who_added.cut:
            from storykit.history.timeline import cut_short

            raise cut_short("--captured-by (who added each item's file)")
        theirs = {i for i, (who, _) in who_added.first.items() if who.casefold() == name}
        only = theirs if filters.only is None else filters.only & theirs
        filters = filters._replace(only=frozenset(only))
    chosen = choose(
        backlog.items,
        lambda item: with_extras(item.field, item.extras),
        lambda item: item.extras,
        filters,
        workflow.closed,
        order,
        query.limit,
    )
    found = {}
    if filters.grep is not None:
        found = {item.id: matches(item.field, item.extras, filters.grep) for item in chosen}
    return ListResult(
        chosen,
        backlog.invalid,
        backlog.problems,
        overdue_ids(ws, backlog.items),
        found,
        scores_of(ws, chosen),
    )


def timeline_at_head(ws: Workspace) -> Timeline | None:
    """The history of HEAD through the timeline cache (None: no commits yet). At a HEAD
    already read no git runs (HEAD is read from git's files); after a new commit git reads
    that commit only."""
    from storykit.history.timeline import read_timeline
    from storykit.history.tipcache import head_of
    from storykit.repository.history import History

    history = functools.cache(lambda: History(ws.project.root))
    head = head_of(ws.project, history)
    if head is None:
        return None
    return read_timeline(ws.project, head, history)


@dataclass(frozen=True)
class Captured:
    """{item ID: (author, moment)} of the commit that first added each item's file, on
    HEAD's history (never stored in the file). In a shallow clone (`cut`) nothing is
    known: the first commit seen is not the one that added a file."""

    first: dict[str, tuple[str, dt.datetime]]
    cut: bool = False


def captured(ws: Workspace) -> Captured:
    timeline = timeline_at_head(ws)
    if timeline is None:
        return Captured({})
    if timeline.cut:
        return Captured({}, cut=True)
    return Captured(_moments(ws, timeline.captured()))


def _moments(
    ws: Workspace, found: dict[str, tuple[str, float]]
) -> dict[str, tuple[str, dt.datetime]]:
    zone = ws.project.config.zone
    return {i: (who, dt.datetime.fromtimestamp(when, zone)) for i, (who, when) in found.items()}


def scores_of(ws: Workspace, items: list[StoredItem]) -> dict[str, float | None]:
    """Each item's score by the project's expression (`[priority] score`)."""
    score = scorer(ws.project.config.priority.expression)
    return {item.id: score(with_extras(item.field, item.extras)) for item in items}


def _resolved(
    ws: Workspace, items: list[StoredItem], filters: ListFilter, mine: bool
) -> ListFilter:
    """The filter as the rules compare it (`selection.canonical`), the parent's full ID,
    and `--mine` as the owner."""
    filters = canonical(
        filters,
        ws.project.config.workflow.statuses,
        lambda: {tag for item in items for tag in item.model.tags},
    )
    if filters.parent:
        filters = filters._replace(parent=ws.store.ids_for(filters.parent))
    if mine:
        filters = filters._replace(owner=_me(ws).casefold())
    return filters


def _me(ws: Workspace) -> str:
    """git's `user.name`, which `--mine` looks for in `owner`."""
    name = ws.repo.user_name()
    if not name:
        raise UsageError(
            "--mine needs git's user.name, which is not set",
            hint='set it with `git config user.name "Your Name"`, or use --owner NAME',
        )
    return name


def _changed_since(ws: Workspace, since: str) -> frozenset[str] | None:
    """IDs of the items whose files changed since a revision or a date, the work tree
    included (None: the history starts after that date, so every item did)."""
    from storykit.repository.history import History

    history = History(ws.project.root)
    base = history.since(since)
    if base is None:
        return None
    paths = history.changed_paths(base, ws.project.config.backlog_dir)
    return frozenset(i for i in (id_from_file_name(base_name(p)) for p in paths) if i)


def show_items(ws: Workspace, queries: list[str]) -> list[ItemDetails]:
    """The items named (each once, in the order given): see `show_item`."""
    paths = ws.store.find_each(queries)
    records = ws.store.records()  # from the cache: no YAML parsing when unchanged
    who = captured(ws)  # the history is read once for them all
    from storykit.services.tracing import Tracer

    tracer = Tracer(ws)
    shown = [show_item(ws, query, records, who) for query in paths.values()]
    return [dataclasses.replace(d, code=tracer.code(d.item.id)) for d in shown]


def show_item(
    ws: Workspace,
    query: str,
    records: list[tuple[str, dict[str, Any]]] | None = None,
    who: Captured | None = None,
) -> ItemDetails:
    """One item, its children in rank order with their progress, and whether it is overdue."""
    path = ws.store.find(query)
    if records is None:
        records = ws.store.records()  # from the cache: no YAML parsing when unchanged
    rel = ws.project.rel(path)
    by_rel = {record_rel: payload for record_rel, payload in records}
    found = ws.store.item_from_payload(by_rel[rel], rel) if rel in by_rel else None
    if found is None:  # an invalid file: read it to report its problems
        try:
            found = ws.store.read(path).item
        except InvalidDataError as exc:
            exc.hint = (
                f"fix it with `{ws.edit_command(query)}`; `storykit check` lists every problem"
            )
            raise
    item = found
    children = sorted(
        (
            ws.store.item_from_payload(payload, record_rel)
            for record_rel, payload in records
            if payload["item"].get("parent") == item.id
        ),
        key=StoredItem.sort_key,
    )
    workflow = ws.project.config.workflow
    progress = None
    if children:
        counts = {status: 0 for status in workflow.statuses}
        for child in children:
            counts[child.model.status] = counts.get(child.model.status, 0) + 1
        counted = [c for c in children if c.model.status != workflow.dropped]
        total = sum(c.model.points or 0 for c in counted)
        done = sum(c.model.points or 0 for c in counted if c.model.status == workflow.done)
        progress = Progress(counts, done, total)
    refs = {ref for _, ref in references(item.field)}
    linked = {
        payload["item"]["id"]: ws.store.item_from_payload(payload, record_rel)
        for record_rel, payload in records
        if payload["item"]["id"] in refs
    }
    since = overdue_since(item.model, clock.now(), workflow)
    score = scores_of(ws, [item])[item.id]
    who = captured(ws) if who is None else who
    first = who.first.get(item.id)
    return ItemDetails(item, children, progress, since, linked, score, first, who.cut)


WORK_TYPES = tuple(name for name in ITEM_TYPES if name != "epic")  # an epic is a goal


def next_items(ws: Workspace, limit: int) -> list[StoredItem]:
    """What to pick up now: top-ranked ready items whose dependencies are all done."""
    workflow = ws.project.config.workflow
    records = ws.store.records()  # plain fields: only the items answered become models
    status_of = {fields["item"]["id"]: fields["item"]["status"] for _, fields in records}
    ready = sorted(
        (
            (str(item["rank"]), str(item["id"]), rel, fields)
            for rel, fields in records
            if (item := fields["item"])["type"] in WORK_TYPES
            and item["status"] == workflow.ready
            and all(status_of.get(dep) == workflow.done for dep in item.get("depends_on") or ())
        ),
        key=lambda found: found[:2],
    )
    return [ws.store.item_from_payload(fields, rel) for *_, rel, fields in ready[:limit]]


def overdue_ids(ws: Workspace, items: list[StoredItem]) -> set[str]:
    """The IDs of the in-progress spikes past their timebox now."""
    now = clock.now()
    workflow = ws.project.config.workflow
    return {item.id for item in items if overdue_since(item.model, now, workflow)}


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


@dataclass
class BoardColumn:
    status: str
    items: list[StoredItem]


@dataclass
class Board:
    columns: list[BoardColumn]
    overdue: set[str]
    skipped: list[str] = field(default_factory=list)
    scores: dict[str, float | None] = field(default_factory=dict)  # by ID


def board(
    ws: Workspace, show_all: bool = False, filters: ListFilter | None = None, mine: bool = False
) -> Board:
    """One column per status, items in rank order: the open ones, or those of one sprint
    (its done column too), or everything with `show_all`; filtered as `list` filters."""
    workflow = ws.project.config.workflow
    backlog = ws.store.load_all()
    wanted = _resolved(ws, backlog.items, filters or ListFilter(), mine)
    if wanted.sprint is not None:
        _known_sprint(ws, wanted.sprint)
    shown_closed = workflow.closed if show_all else (workflow.done,) if wanted.sprint else ()
    statuses = [s for s in workflow.statuses if s not in workflow.closed or s in shown_closed]
    every = wanted._replace(all=True)
    chosen = [
        item
        for item in backlog.items
        if selects(with_extras(item.field, item.extras), every, workflow.closed, item.extras)
    ]
    columns = [
        BoardColumn(status, [i for i in chosen if i.model.status == status]) for status in statuses
    ]
    shown = [item for column in columns for item in column.items]
    return Board(columns, overdue_ids(ws, backlog.items), backlog.invalid, scores_of(ws, shown))


def _known_sprint(ws: Workspace, folded: str) -> None:
    """A board of a sprint nobody created is a typo: say which sprints there are."""
    from storykit.storage.sprint_files import SprintStore

    names = [s.name for s in SprintStore(ws.project).load_all().sprints]
    if folded not in {name.casefold() for name in names}:
        known = ", ".join(names[-5:]) or "none yet"
        raise UsageError(
            f"no sprint named {folded!r} (sprints: {known})",
            hint="`storykit sprint list` lists them",
        )

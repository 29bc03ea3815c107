"""Reading the backlog: `list` and `show`."""

from __future__ import annotations

from dataclasses import dataclass, field

from storykit import clock
from storykit.errors import Diagnostic, InvalidDataError
from storykit.model.workflow import overdue_since
from storykit.services.workspace import Workspace
from storykit.store import StoredItem


@dataclass(frozen=True)
class ListFilter:
    type: str | None = None
    status: str | None = None
    tag: str | None = None
    parent: str | None = None
    all: bool = False


@dataclass
class ListResult:
    items: list[StoredItem]
    skipped: list[str] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)


def list_items(ws: Workspace, filters: ListFilter) -> ListResult:
    """Open items (not done/dropped) in backlog order, or every item with `all`."""
    parent_id = None
    if filters.parent:
        parent_id = ws.store.ids_for(filters.parent)
    backlog = ws.store.load_all()
    closed = ws.project.config.workflow.closed
    chosen = [
        item
        for item in backlog.items
        if (filters.all or filters.status or item.model.status not in closed)
        and (filters.type is None or item.type == filters.type)
        and (filters.status is None or item.model.status == filters.status)
        and (filters.tag is None or filters.tag in item.model.tags)
        and (parent_id is None or item.model.parent == parent_id)
    ]
    return ListResult(chosen, backlog.invalid, backlog.problems)


def show_item(ws: Workspace, query: str) -> StoredItem:
    path = ws.store.resolve(query)
    try:
        return ws.store.read(path).item
    except InvalidDataError as exc:
        exc.hint = f"fix it with `storykit edit {query}`; `storykit check` lists every problem"
        raise


@dataclass
class BoardColumn:
    status: str
    items: list[StoredItem]


@dataclass
class Board:
    columns: list[BoardColumn]
    overdue: set[str]
    skipped: list[str] = field(default_factory=list)


def board(ws: Workspace, show_all: bool = False) -> Board:
    """One column per status (closed ones only with `show_all`), items in rank order."""
    workflow = ws.project.config.workflow
    backlog = ws.store.load_all()
    statuses = [s for s in workflow.statuses if show_all or s not in workflow.closed]
    columns = [
        BoardColumn(status, [i for i in backlog.items if i.model.status == status])
        for status in statuses
    ]
    now = clock.now()
    overdue = {i.id for i in backlog.items if overdue_since(i.model, now, workflow)}
    return Board(columns, overdue, backlog.invalid)

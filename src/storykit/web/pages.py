"""What each page of the board shows, read through the same services as the CLI: plain
dicts and lists that the templates lay out (and the export reuses)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from storykit.errors import StorykitError
from storykit.model.burndown import Burndown
from storykit.model.catalogue import FIELDS, ITEM_TYPES, option_fields, type_fields
from storykit.model.points import number
from storykit.model.relations import references
from storykit.model.selection import ListFilter
from storykit.services.workspace import Workspace
from storykit.storage.store import StoredItem
from storykit.web.render import shown

COLUMN_LIMIT = 100  # cards a column shows before "show more"
HIDDEN_IN_FORM = ("id", "type", "rank", "created")  # storykit keeps them


@dataclass
class Filters:
    """The board's filters, as the query string gives them (`?type=spike&tag=ux&q=emoji`)."""

    types: list[str] = field(default_factory=list)
    tag: str = ""
    owner: str = ""
    sprint: str = ""
    text: str = ""
    limit: int = COLUMN_LIMIT

    @classmethod
    def parse(cls, query: dict[str, list[str]]) -> Filters:
        def one(name: str) -> str:
            return (query.get(name) or [""])[-1].strip()

        types = [t for t in query.get("type", []) if t in ITEM_TYPES]
        return cls(types, one("tag"), one("owner"), one("sprint"), one("q"), limit_of(query))

    def list_filter(self) -> ListFilter:
        return ListFilter(
            types=tuple(self.types),
            tags=(self.tag,) if self.tag else (),
            owner=self.owner or None,
            sprint=self.sprint or None,
            grep=self.text or None,
        )

    def query(self, **changed: Any) -> str:
        """This filter's query string, with some values changed."""
        pairs: list[tuple[str, Any]] = [("type", t) for t in self.types]
        values = {"tag": self.tag, "owner": self.owner, "sprint": self.sprint, "q": self.text}
        if self.limit != COLUMN_LIMIT:
            values["limit"] = str(self.limit)
        values.update(changed)
        pairs += [(k, v) for k, v in values.items() if v]
        return urlencode(pairs)


def limit_of(query: dict[str, list[str]]) -> int:
    """How many cards a column or list shows (`?limit=N`; at least COLUMN_LIMIT)."""
    try:
        wanted = int((query.get("limit") or [str(COLUMN_LIMIT)])[-1])
    except ValueError:
        return COLUMN_LIMIT
    return max(COLUMN_LIMIT, min(wanted, 1_000_000))


def card(item: StoredItem, overdue: set[str]) -> dict[str, Any]:
    return {
        "id": item.id,
        "type": item.type,
        "title": item.model.title,
        "points": number(item.model.points),
        "owner": item.model.owner or "",
        "tags": list(item.model.tags),
        "status": item.model.status,
        "overdue": item.id in overdue,
    }


def fields_of(item: StoredItem) -> list[tuple[str, Any]]:
    """Every field of its type, in the catalogue's order, then the user's own keys."""
    return [(name, item.field(name)) for name in type_fields(item.type)] + sorted(
        item.extras.items()
    )


def links_of(item: StoredItem, titles: dict[str, StoredItem]) -> list[dict[str, str]]:
    """Each reference the item holds, with the title of the item it names (if known)."""
    return [
        {"field": name, "id": ref, "title": titles[ref].model.title if ref in titles else ""}
        for name, ref in references(item.field)
    ]


def board_page(ws: Workspace, filters: Filters) -> dict[str, Any]:
    """Every status a column, cards in rank order, the closed columns folded."""
    from storykit.services.query import board

    workflow = ws.project.config.workflow
    shown = board(ws, show_all=True, filters=filters.list_filter())
    columns = []
    for column in shown.columns:
        cards = [card(item, shown.overdue) for item in column.items]
        columns.append(
            {
                "status": column.status,
                "cards": cards[: filters.limit],
                "count": len(cards),
                "more": max(len(cards) - filters.limit, 0),
                "folded": column.status in workflow.closed,
            }
        )
    return {
        "columns": columns,
        "filters": filters,
        "types": ITEM_TYPES,
        "more_query": filters.query(limit=str(filters.limit * 4)),
        "skipped": shown.skipped,
    }


def backlog_page(ws: Workspace, limit: int = COLUMN_LIMIT) -> dict[str, Any]:
    """The open items as one ranked list (its top `limit`, then "show more")."""
    from storykit.services.query import board

    shown = board(ws)
    items = sorted(
        (item for column in shown.columns for item in column.items), key=StoredItem.sort_key
    )
    return {
        "cards": [card(item, shown.overdue) for item in items[:limit]],
        "more": max(len(items) - limit, 0),
        "more_query": urlencode({"limit": limit * 4}),
        "skipped": shown.skipped,
    }


def item_page(ws: Workspace, query: str, given: dict[str, str] | None = None) -> dict[str, Any]:
    """Every field, children, links, history and the edit form of one item (holding the
    values `given`, when a refused save shows it again)."""
    from storykit.services.history import item_log
    from storykit.services.query import show_item

    details = show_item(ws, query)
    item = details.item
    overdue = {item.id} if details.overdue_since else set()
    try:
        log = item_log(ws, item.id)
        history = [
            {
                "commit": entry.commit[:8],
                "author": entry.author,
                "date": entry.date[:16].replace("T", " "),
                "subject": entry.subject,
                "created": entry.created,
                "changes": [diff.text() for diff in entry.changes],
                "rank": entry.rank,
            }
            for entry in log.entries
        ]
    except StorykitError:
        history = []  # never committed yet
    return {
        "item": card(item, overdue),
        "fields": fields_of(item),
        "children": [card(child, set()) for child in details.children],
        "progress": details.progress,
        "links": links_of(item, details.linked),
        "history": history,
        "captured": details.captured,
        "form": edit_form(ws, item, given),
        "version": version_of(_bytes(item)),
        "is_spike": item.type == "spike",
        "closed": item.model.status in ws.project.config.workflow.closed,
    }


def version_of(raw: bytes) -> str:
    """What the page loaded: a save is refused when the file's bytes differ since."""
    return hashlib.sha256(raw).hexdigest()[:20]


def _bytes(item: StoredItem) -> bytes:
    try:
        return item.path.read_bytes()
    except OSError:
        return b""  # gone since: any save is then refused as stale


def edit_form(ws: Workspace, item: StoredItem, given: dict[str, str] | None = None) -> list[Any]:
    """The inputs of an item's fields (`field_input`), holding the values `given`."""
    inputs = []
    for name in type_fields(item.type):
        if name in HIDDEN_IN_FORM:
            continue
        inputs.append(field_input(ws, name, form_text(name, item.field(name)), given))
    return inputs


def new_form(ws: Workspace, item_type: str, given: dict[str, str] | None = None) -> list[Any]:
    names = ["title", *option_fields(item_type)]
    return [field_input(ws, name, "", given) for name in names]


def field_input(
    ws: Workspace, name: str, text: str, given: dict[str, str] | None
) -> dict[str, Any]:
    spec = FIELDS[name]
    choices: tuple[str, ...] = ()
    if name == "status":
        choices = tuple(ws.project.config.workflow.statuses)
    elif spec.choices:
        choices = tuple(spec.choices)
    return {
        "name": name,
        "text": given.get(name, text) if given is not None else text,
        "help": spec.help,
        "choices": choices,
        "lines": many_lines(name) or spec.kind == "text",
        "required": spec.required,
    }


def many_lines(name: str) -> bool:
    """A list of text (acceptance criteria): one value per line, commas are theirs."""
    spec = FIELDS[name]
    return spec.many and spec.kind in ("text", "line")


def form_text(name: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple) and many_lines(name):
        return "\n".join(shown(v) for v in value)
    return shown(value)


def sprint_page(ws: Workspace, name: str) -> dict[str, Any]:
    from storykit.services.query import overdue_ids
    from storykit.services.reports import show_sprint

    details = show_sprint(ws, name)
    report = details.report
    workflow = ws.project.config.workflow
    overdue = overdue_ids(ws, details.items)
    columns = [
        {
            "status": status,
            "cards": [card(i, overdue) for i in details.items if i.model.status == status],
            "folded": False,
        }
        for status in workflow.statuses
    ]
    return {
        "name": report.sprint.name,
        "sprint": report.sprint.model,
        "state": report.state,
        "days_left": report.days_left,
        "burndown": report.burndown,
        "chart": chart(report.burndown),
        "planning": details.planning,
        "columns": columns,
    }


def sprints_page(ws: Workspace) -> dict[str, Any]:
    from storykit.services.reports import list_sprints, velocity

    listed = list_sprints(ws)
    speed = velocity(ws)
    return {
        "sprints": [
            {
                "name": r.sprint.name,
                "href": sprint_href(r.sprint.name),
                "start": r.sprint.model.start,
                "end": r.sprint.model.end,
                "state": r.state,
                "committed": number(r.burndown.committed),
                "completed": number(r.burndown.completed),
                "remaining": number(r.burndown.remaining),
            }
            for r in listed.sprints
        ],
        "average": number(speed.average),
    }


def sprint_href(name: str) -> str:
    return "/sprint/" + quote(name, safe="")


def chart(burndown: Burndown, width: int = 640, height: int = 260) -> dict[str, Any]:
    """The burndown's lines as SVG points: remaining and ideal, day by day (the figures
    `storykit burndown` prints)."""
    days = burndown.days
    top = max([d.ideal for d in days] + [d.remaining or 0 for d in days] + [1])
    pad = 30
    step = (width - 2 * pad) / max(len(days) - 1, 1)

    def y(value: float) -> float:
        return round(height - pad - (value / top) * (height - 2 * pad), 1)

    ideal = " ".join(f"{round(pad + n * step, 1)},{y(d.ideal)}" for n, d in enumerate(days))
    remaining = " ".join(
        f"{round(pad + n * step, 1)},{y(d.remaining)}"
        for n, d in enumerate(days)
        if d.remaining is not None
    )
    return {
        "width": width,
        "height": height,
        "ideal": ideal,
        "remaining": remaining,
        "top": number(top),
        "first": days[0].date.isoformat() if days else "",
        "last": days[-1].date.isoformat() if days else "",
        "pad": pad,
    }

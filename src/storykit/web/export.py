"""`storykit export html`: the board, the ranked backlog, every item's details and each
sprint's burndown in one self-contained, read-only HTML file — its style inlined, no
script, no request to anywhere — to publish from CI or open offline."""

from __future__ import annotations

from typing import Any

from storykit.errors import StorykitError
from storykit.model.catalogue import REFERENCE_FIELDS, type_fields
from storykit.services.workspace import Workspace
from storykit.storage.store import StoredItem
from storykit.web import pages
from storykit.web.render import asset, page


def export_html(ws: Workspace) -> str:
    from storykit.services.query import board

    everything = board(ws, show_all=True)
    items = [item for column in everything.columns for item in column.items]
    overdue = everything.overdue
    columns = [
        {
            "status": column.status,
            "cards": [pages.card(item, overdue) for item in column.items],
            "folded": False,
        }
        for column in everything.columns
    ]
    closed = ws.project.config.workflow.closed
    ranked = sorted((i for i in items if i.model.status not in closed), key=StoredItem.sort_key)
    by_id = {item.id: item for item in items}
    children: dict[str, list[StoredItem]] = {}
    for item in sorted(items, key=StoredItem.sort_key):
        if item.model.parent:
            children.setdefault(item.model.parent, []).append(item)
    ranked_ids = {item.id for item in ranked}
    listed = ranked + [item for item in items if item.id not in ranked_ids]
    return page(
        "export.html",
        style=asset("board.css"),
        name=ws.project.root.name,
        columns=columns,
        ranked=[pages.card(item, overdue) for item in ranked],
        items=[_details(item, by_id, children, overdue) for item in listed],
        sprints=_sprints(ws),
        skipped=everything.skipped,
    )


def _details(
    item: StoredItem,
    by_id: dict[str, StoredItem],
    children: dict[str, list[StoredItem]],
    overdue: set[str],
) -> dict[str, Any]:
    links = []
    for name in REFERENCE_FIELDS:
        value = getattr(item.model, name, None)
        for ref in [value] if isinstance(value, str) else list(value or ()):
            other = by_id.get(ref)
            links.append({"field": name, "id": ref, "title": other.model.title if other else ""})
    return {
        "item": pages.card(item, overdue),
        "fields": [(name, item.field(name)) for name in type_fields(item.type)]
        + sorted(item.extras.items()),
        "links": links,
        "children": [pages.card(child, overdue) for child in children.get(item.id, [])],
    }


def _sprints(ws: Workspace) -> list[dict[str, Any]]:
    """Each sprint's figures and burndown, newest first (none without a history)."""
    from storykit.services.reports import list_sprints

    try:
        listed = list_sprints(ws)
    except StorykitError:
        return []
    return [
        {
            "name": report.sprint.name,
            "sprint": report.sprint.model,
            "state": report.state,
            "burndown": report.burndown,
            "chart": pages.chart(report.burndown),
        }
        for report in reversed(listed.sprints)
    ]

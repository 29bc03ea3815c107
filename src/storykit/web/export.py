"""`storykit export html`: the board, the ranked backlog, every item's details and each
sprint's burndown in one self-contained, read-only HTML file — its style inlined, no
script, no request to anywhere — to publish from CI or open offline."""

from __future__ import annotations

from typing import Any

from storykit.errors import StorykitError
from storykit.services.workspace import Workspace
from storykit.storage.store import StoredItem
from storykit.web import pages
from storykit.web.render import asset, page


def export_html(ws: Workspace) -> tuple[str, list[str]]:
    """The page, and what it had to leave out (said on stderr, not hidden)."""
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
    sprints, notes = _sprints(ws)
    text = page(
        "export.html",
        style=asset("board.css"),
        name=ws.project.root.name,
        columns=columns,
        ranked=[pages.card(item, overdue) for item in ranked],
        items=[_details(item, by_id, children, overdue) for item in listed],
        sprints=sprints,
        skipped=everything.skipped,
    )
    if everything.skipped:
        notes.append(f"{len(everything.skipped)} invalid file(s) left out (`storykit check`)")
    return text, notes


def _details(
    item: StoredItem,
    by_id: dict[str, StoredItem],
    children: dict[str, list[StoredItem]],
    overdue: set[str],
) -> dict[str, Any]:
    return {
        "item": pages.card(item, overdue),
        "fields": pages.fields_of(item),
        "links": pages.links_of(item, by_id),
        "children": [pages.card(child, overdue) for child in children.get(item.id, [])],
    }


def _sprints(ws: Workspace) -> tuple[list[dict[str, Any]], list[str]]:
    """Each sprint's figures and burndown, newest first; none when the history cannot
    give them (no commit yet, a shallow clone), and why."""
    from storykit.services.reports import list_sprints

    try:
        listed = list_sprints(ws)
    except StorykitError as exc:
        return [], [f"sprint burndowns left out: {exc.message}"]
    return [
        {
            "name": report.sprint.name,
            "sprint": report.sprint.model,
            "state": report.state,
            "burndown": report.burndown,
            "chart": pages.chart(report.burndown),
        }
        for report in reversed(listed.sprints)
    ], []

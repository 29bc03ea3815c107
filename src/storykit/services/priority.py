"""Priority by score beside the manual rank: `storykit rank --suggest [--apply]`. The score
never replaces the rank; it shows where the two disagree, and re-ranks only when asked."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from storykit.errors import UsageError
from storykit.model.score import disagreements, names, parse
from storykit.model.selection import Getter, with_extras
from storykit.services.ranking import reorder
from storykit.services.workspace import CommitOptions, Outcome, Workspace
from storykit.storage.cache import SUMMARY_FIELDS
from storykit.storage.store import StoredItem


@dataclass(frozen=True)
class Disagreement:
    item: StoredItem
    by_rank: int  # 1-based place among the open items
    by_score: int
    score: float


@dataclass
class Unscored:
    """An open item without a score, and the fields it lacks (built when asked for)."""

    make: Callable[[], StoredItem]
    missing: list[str]

    @functools.cached_property
    def item(self) -> StoredItem:
        return self.make()


@dataclass
class Suggestions:
    items: list[Disagreement] = field(default_factory=list)  # the largest moves first
    unscored: list[Unscored] = field(default_factory=list)
    order: list[str] = field(default_factory=list)  # the open backlog by score


def suggest(
    ws: Workspace,
    limit: int | None = 10,
    backlog: list[StoredItem] | None = None,
    full: bool = True,
) -> Suggestions:
    """The open items whose place by rank and place by score differ most, and the open
    items without a score (with the fields they lack). `backlog`: every item, if read;
    otherwise the cached payloads are scored and only the items reported are built —
    from the `list` summary when not `full` and the score reads only summary fields (the
    items then hold those fields only: enough for a line, not for JSON)."""
    if limit is not None and limit < 1:
        raise UsageError(f"--limit must be 1 or more, not {limit}")
    closed = ws.project.config.workflow.closed
    expression = ws.project.config.priority.expression
    entries: list[tuple[str, Getter, Callable[[], StoredItem]]] = []
    if backlog is not None:
        entries = [
            (item.id, with_extras(item.field, item.extras), functools.partial(_itself, item))
            for item in backlog
            if item.model.status not in closed
        ]
    else:
        if not full and names(parse(expression)) <= set(SUMMARY_FIELDS):
            found_rows = [
                (rel, {"item": summary}) for rel, _, summary in ws.store.reads.indexed("summary")
            ]
        else:
            found_rows = ws.store.records()
        records = sorted(found_rows, key=lambda r: (r[1]["item"]["rank"], r[1]["item"]["id"]))
        for rel, payload in records:
            fields = payload["item"]
            if fields["status"] in closed:
                continue
            extras = payload.get("extras", {})
            entries.append(
                (
                    fields["id"],
                    with_extras(fields.get, extras),
                    functools.partial(ws.store.item_from_payload, payload, rel),
                )
            )
    found = disagreements([(i, get) for i, get, _ in entries], expression)
    made = {item_id: make for item_id, _, make in entries}
    shown = found.moved if limit is None else found.moved[:limit]
    moved = [
        Disagreement(made[i](), by_rank, by_score, score) for i, by_rank, by_score, score in shown
    ]
    unscored = [Unscored(made[i], missing) for i, missing in found.unscored]
    return Suggestions(moved, unscored, found.order)


def apply_suggestion(ws: Workspace, options: CommitOptions) -> Outcome:
    """Re-rank the open backlog by score, with the fewest changed files, in one commit."""
    order = suggest(ws, None, full=False).order
    return reorder(ws, options, text="\n".join(order) + "\n")


def _itself(item: StoredItem) -> StoredItem:
    return item

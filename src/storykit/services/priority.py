"""Priority by score beside the manual rank: `storykit rank --suggest [--apply]`. The score
never replaces the rank; it shows where the two disagree, and re-ranks only when asked."""

from __future__ import annotations

from dataclasses import dataclass, field

from storykit.errors import UsageError
from storykit.model.score import names, order_by_score, parse
from storykit.services.query import scores_of
from storykit.services.ranking import reorder
from storykit.services.workspace import CommitOptions, Outcome, Workspace
from storykit.store import StoredItem


@dataclass(frozen=True)
class Disagreement:
    item: StoredItem
    by_rank: int  # 1-based place among the open items
    by_score: int
    score: float


@dataclass
class Suggestions:
    items: list[Disagreement] = field(default_factory=list)  # the largest moves first
    unscored: list[tuple[StoredItem, list[str]]] = field(default_factory=list)  # + what's unset
    order: list[str] = field(default_factory=list)  # the open backlog by score


def suggest(
    ws: Workspace, limit: int | None = 10, backlog: list[StoredItem] | None = None
) -> Suggestions:
    """The open items whose place by rank and place by score differ most, and the open
    items without a score (with the fields they lack). `backlog`: every item, if read."""
    if limit is not None and limit < 1:
        raise UsageError(f"--limit must be 1 or more, not {limit}")
    closed = ws.project.config.workflow.closed
    backlog = ws.store.load_all().items if backlog is None else backlog
    items = [i for i in backlog if i.model.status not in closed]
    scores = scores_of(ws, items)
    ranked = [item.id for item in items]
    order = order_by_score(ranked, scores)
    place = {item_id: index + 1 for index, item_id in enumerate(order)}
    by_id = {item.id: item for item in items}
    found = [
        Disagreement(by_id[i], index + 1, place[i], float(scores[i] or 0))
        for index, i in enumerate(ranked)
        if scores[i] is not None and place[i] != index + 1
    ]
    found.sort(key=lambda d: (-abs(d.by_rank - d.by_score), d.by_rank))
    wanted = sorted(names(parse(ws.project.config.priority.expression)))
    unscored = [
        (item, [n for n in wanted if not isinstance(_value(item, n), int | float)])
        for item in items
        if scores[item.id] is None
    ]
    return Suggestions(found if limit is None else found[:limit], unscored, order)


def apply_suggestion(ws: Workspace, options: CommitOptions) -> Outcome:
    """Re-rank the open backlog by score, with the fewest changed files, in one commit."""
    order = suggest(ws, None).order
    return reorder(ws, options, text="\n".join(order) + "\n")


def _value(item: StoredItem, name: str) -> object:
    value = item.field(name)
    return item.extras.get(name) if value is None else value

"""`storykit refine`: the grooming report — the backlog's findings (model/refine.py) with
what git history knows of each item (when it was captured and last touched) and where
the score disagrees with the rank."""

from __future__ import annotations

import datetime as dt

from storykit import clock
from storykit.errors import UsageError
from storykit.locations import CUT_SHORT
from storykit.model.refine import Refinement, refine
from storykit.services.priority import suggest
from storykit.services.query import timeline_at_head
from storykit.services.workspace import Workspace


def refinement(ws: Workspace, top: int = 20, now: dt.datetime | None = None) -> Refinement:
    if top < 1:
        raise UsageError(f"--top must be 1 or more, not {top}")
    items = ws.store.load_all().items
    zone = ws.project.config.zone
    timeline = timeline_at_head(ws)
    cut = timeline is not None and timeline.cut
    if timeline is None or cut:  # a shallow clone's first commits are not when files began
        touched, captured = {}, {}
    else:
        touched, captured = timeline.last_touched(), timeline.captured()
    moves = [(d.item, d.by_rank, d.by_score) for d in suggest(ws, None, items).items]
    found = refine(
        items,
        ws.project.config,
        now or clock.now(),
        top,
        {i: dt.datetime.fromtimestamp(t, zone) for i, t in touched.items()},
        {i: dt.datetime.fromtimestamp(t, zone) for i, (_, t) in captured.items()},
        moves,
    )
    if cut:
        found.unjudged = (
            f"stale drafts and untouched items were not judged: {CUT_SHORT} "
            "(`git fetch --unshallow` fetches the rest)"
        )
    return found

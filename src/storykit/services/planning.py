"""`storykit sprint plan NAME`: choose a sprint's items in $EDITOR (or from a file), the
ready items listed in rank order with their points and a running total against capacity.
The kept lines are the sprint; one commit adds and removes what changed."""

from __future__ import annotations

from storykit.errors import UsageError
from storykit.model.points import number
from storykit.printable import aligned
from storykit.services.editing import EditSession
from storykit.services.ranking import parse_order
from storykit.services.sprints import SprintOutcome, after_change, set_sprint
from storykit.services.update import load_many
from storykit.services.workspace import CommitOptions, Plan, Workspace
from storykit.storage.atomic import Changeset
from storykit.storage.sprint_files import SprintStore
from storykit.storage.store import StoredItem

PLAN_HELP = """\
# Plan sprint {name} ({start} → {end}, capacity {capacity}).
# Keep the lines of the items the sprint should hold, delete the others; the order does
# not matter. Its items come first, then the ready items in rank order; on the right,
# each item's points and the running total. Lines starting with # are ignored.
"""


def plan_sprint(
    ws: Workspace, name: str, options: CommitOptions, text: str | None = None
) -> SprintOutcome:
    """The sprint holds exactly the items of the kept lines (one commit)."""
    store = SprintStore(ws.project)
    if text is None:
        ws.preflight(options)
        sprint = store.find(name).sprint
        listing = plan_listing(ws, sprint.name, sprint.model.capacity)
        header = PLAN_HELP.format(
            name=sprint.name,
            start=sprint.model.start,
            end=sprint.model.end,
            capacity=number(sprint.model.capacity) if sprint.model.capacity else "not set",
        )
        instead = (
            f'give the items with `storykit sprint plan "{sprint.name}" --from-file FILE` '
            "(- reads stdin)"
        )
        with EditSession("storykit-plan.txt", instead) as session:
            return _apply(ws, name, options, session.edit_text(header + listing))
    return _apply(ws, name, options, text)


def plan_listing(ws: Workspace, name: str, capacity: float | None) -> str:
    workflow = ws.project.config.workflow
    items = ws.store.load_all().items
    members = [i for i in items if i.model.sprint == name]
    ready = [i for i in items if i.model.status == workflow.ready and i.model.sprint != name]
    rows: list[list[str]] = []
    total = 0.0
    limit = f"/{number(capacity)}" if capacity else ""
    for item in members + ready:
        points = item.model.points
        total += points or 0
        shown = "-" if points is None else str(number(points))
        rows.append(
            [item.id, f"{shown} pts", f"total {number(total)}{limit}", item.type,
             item.model.status, item.model.title]
        )  # fmt: skip
    lines = aligned(rows, right=(1,))
    if members and ready:
        lines.insert(len(members), "# ready items, not in the sprint yet:")
    return "\n".join(lines) + "\n"


def _apply(ws: Workspace, name: str, options: CommitOptions, text: str) -> SprintOutcome:
    wanted = parse_order(ws, text)
    store = SprintStore(ws.project)

    def build() -> Plan:
        sprint = store.find(name).sprint
        if sprint.model.closed is not None:
            raise UsageError(f"sprint {sprint.name!r} is closed: it cannot be planned")
        members = [i.id for i in ws.store.load_all().items if i.model.sprint == sprint.name]
        adding = [i for i in wanted if i not in members]
        leaving = [i for i in members if i not in wanted]
        changes = Changeset()
        moved: list[StoredItem] = []
        for ids, target in ((adding, sprint.name), (leaving, None)):
            for loaded in load_many(ws, ids):
                plan = set_sprint(ws, loaded, target, "sprint-plan", changes)
                if plan.item is not None:
                    moved.append(plan.item)
        parts = [f"+{len(adding)}" if adding else "", f"-{len(leaving)}" if leaving else ""]
        subject = f"plan sprint {sprint.name}: " + " ".join(p for p in parts if p)
        return Plan(
            changes, "sprint-plan", None, subject=subject, items=moved,
            ids=[item.id for item in moved],
        )  # fmt: skip

    return after_change(store, name, ws.apply(build, options))

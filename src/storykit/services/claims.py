"""`storykit claim` and `unclaim`: taking an item to work on, as a person or a coding agent.

A claim sets `owner` and moves the item to in-progress through the workflow's gates, in one
commit (`backlog: claim SK-7K2M for alice: …`). It is decided under the backlog lock, with
the item read afresh there: of any number of claims at once on one clone, exactly one wins
each item, and the others queue on the lock rather than fail (docs/architecture.md,
"Claims").
"""

from __future__ import annotations

from storykit.errors import EXIT_BUSY, StorykitError, UsageError
from storykit.model.catalogue import type_fields
from storykit.services.update import apply_status, assign, load_for_update, plan_update
from storykit.services.workspace import CommitOptions, Outcome, Plan, Workspace
from storykit.storage.store import StoredItem

CLAIM_QUEUE = 60.0  # seconds a claim waits for the lock behind other claims


class ClaimedError(StorykitError):
    """The item is someone's already (or nothing is left to claim): exit 75, as for a
    busy lock — try another item, or later."""

    exit_code = EXIT_BUSY

    def __init__(self, message: str, hint: str | None = None, holder: str | None = None):
        super().__init__(message, hint)
        self.holder = holder


def claimed_by(ws: Workspace, item: StoredItem) -> str | None:
    """Who holds the item: its owner while it is in progress (None: free to claim)."""
    if item.model.status == ws.project.config.workflow.in_progress and item.model.owner:
        return str(item.model.owner)
    return None


def claimant(ws: Workspace, owner: str | None) -> str:
    name = (owner or ws.repo.user_name() or "").strip()
    if not name:
        raise UsageError(
            "a claim needs an owner: git's user.name is not set",
            hint='give --owner NAME, or set it with `git config user.name "Your Name"`',
        )
    return name


def claim(
    ws: Workspace,
    query: str | None,
    owner: str,
    options: CommitOptions,
) -> Outcome:
    """Claim the item named, or the top item `storykit next` shows."""

    def build() -> Plan:
        item_id = query if query is not None else _top_free(ws)
        loaded = load_for_update(ws, item_id)
        item = loaded.item
        holder = claimed_by(ws, item)
        if holder is not None:
            raise ClaimedError(
                f"{item.id} is already claimed by {holder}",
                hint="`storykit claim` without an ID takes the next free item",
                holder=holder,
            )
        workflow = ws.project.config.workflow
        if item.model.status in workflow.closed:
            raise UsageError(f"{item.id} is {item.model.status}: there is nothing to claim")
        assign(ws, loaded.document, item, "owner", "=", owner, type_fields(item.type))
        apply_status(ws, loaded.document, item, workflow.in_progress)
        plan = plan_update(ws, loaded, loaded.document, "claim")
        plan.subject = f"claim {item.id} for {owner}: {item.model.title}"
        return plan

    return ws.apply(build, options, queue=CLAIM_QUEUE)


def _top_free(ws: Workspace) -> str:
    from storykit.services.query import next_items

    top = next_items(ws, 1)
    if top:
        return top[0].id
    raise ClaimedError(
        "nothing is left to claim: no ready item has all its dependencies done",
        hint="`storykit next` lists what is ready; `storykit list` what is not yet",
    )


def unclaim(ws: Workspace, query: str, options: CommitOptions) -> Outcome:
    """Give an item back: no owner, status ready again, one commit."""

    def build() -> Plan:
        loaded = load_for_update(ws, query)
        item = loaded.item
        holder = claimed_by(ws, item)
        if holder is None:
            raise UsageError(
                f"{item.id} is not claimed (it is {item.model.status}"
                f"{', owner ' + str(item.model.owner) if item.model.owner else ''})"
            )
        order = type_fields(item.type)
        assign(ws, loaded.document, item, "owner", "=", "", order)
        apply_status(ws, loaded.document, item, ws.project.config.workflow.ready)
        plan = plan_update(ws, loaded, loaded.document, "unclaim")
        plan.subject = f"unclaim {item.id} (was {holder}'s): {item.model.title}"
        return plan

    return ws.apply(build, options, queue=CLAIM_QUEUE)

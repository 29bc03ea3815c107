"""`storykit start ID --branch [NAME]`: a branch named after the item (`[trace] branch`,
by default the ID in lower case and the title's slug), checked out — made when it does not
exist — and the item's move to in-progress committed on it. If the move fails (a gate, a
hook), HEAD goes back where it was and a branch made for it is deleted: nothing is left."""

from __future__ import annotations

from dataclasses import dataclass

from storykit.errors import StorykitError, UsageError
from storykit.model.naming import slugify
from storykit.project import find_project
from storykit.repository.branches import (
    branch_exists,
    branch_name,
    current_place,
    delete_branch,
    switch,
)
from storykit.services.update import change_status, shortcut_status
from storykit.services.workspace import CommitOptions, Outcome, Workspace


@dataclass(frozen=True)
class BranchStart:
    """Where `start --branch` left HEAD, whether it made the branch, and the move."""

    branch: str
    created: bool
    outcome: Outcome


def start_on_branch(
    ws: Workspace, query: str, name: str | None, options: CommitOptions
) -> BranchStart:
    if not ws.commits(options):
        raise UsageError("--branch commits the move on the branch: it cannot go with --no-commit")
    item = ws.store.read(ws.store.find(query)).item
    pattern = ws.project.config.trace.branch
    wanted = name or pattern.format(
        id=item.id.lower(), slug=slugify(item.model.title) or "item", type=item.type
    )
    git = ws.repo
    branch = branch_name(git, wanted)
    ws.preflight(options, [item.path])
    back, detached = current_place(git)
    created = not branch_exists(git, branch)
    hooks = ws.runs_hooks(options)
    if back != branch:
        switch(git, branch, create=created, hooks=hooks)
    try:
        there = Workspace(find_project(ws.project.root))  # the files as the branch has them
        target = shortcut_status(there, "start")
        outcome = change_status(there, [item.id], target, options)
    except StorykitError:
        if back != branch:
            switch(git, back, create=False, hooks=hooks, detach=detached)
            if created:
                delete_branch(git, branch)
        raise
    return BranchStart(branch, created, outcome)

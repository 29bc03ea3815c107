"""What the eight tools of `storykit mcp` do: each is one service call on the project, read
afresh, answered with the JSON the command line's `--json` gives (services/answers.py).
Changes go through the same services as the command line's: one commit each, the same
lock, the same gates. No MCP here: server.py registers these and maps their failures.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field

from storykit.errors import UsageError
from storykit.model.catalogue import ITEM_TYPES, option_fields
from storykit.model.selection import ListFilter
from storykit.services import answers
from storykit.services.workspace import CommitOptions, Workspace

DEFAULT = CommitOptions()  # commit as `.storykit.toml` says, hooks run

# Small schemas (issue 27: the tool list under 4 KB): plain types whose empty value means
# "not given", rather than optional ones.
Id = Annotated[str, Field(description="Item ID, e.g. SK-7K2M")]
Changes = Annotated[list[str], Field(description='FIELD=VALUE (+=, -=, = clears), e.g. "points=3"')]
Fields = Annotated[dict[str, Any], Field(description="Other fields: as_a, i_want, so_that, …")]
FollowUps = Annotated[Sequence[str], Field(description='Items to create: "story: TITLE"')]


class Tools:
    """The tools, on the project found at `root` (re-read at every call: files change)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def workspace(self) -> Workspace:
        return Workspace.open(self.root)

    def list_items(
        self,
        status: Sequence[str] = (),
        type: Sequence[str] = (),
        tag: Sequence[str] = (),
        owner: str = "",
        text: str = "",
        all: bool = False,
        limit: int = 0,
    ) -> dict[str, Any]:
        from storykit.services.query import ListQuery, list_items

        filters = ListFilter(
            tuple(type), tuple(status), tuple(tag), owner=owner or None, grep=text or None,
            all=all,
        )  # fmt: skip
        result = list_items(self.workspace(), ListQuery(filters, limit=limit or None))
        return answers.listing(result, bool(text))

    def next_items(self, limit: int = 5) -> dict[str, Any]:
        from storykit.services.query import next_items

        if limit < 1:
            raise UsageError(f"limit must be 1 or more, not {limit}")
        return answers.items(next_items(self.workspace(), limit))

    def show_item(self, id: Id) -> dict[str, Any]:
        from storykit.services.query import show_items

        return answers.details(show_items(self.workspace(), [id]))

    def create_item(
        self,
        type: str,
        title: str,
        fields: Fields = {},  # noqa: B006 (never changed: the schema's default)
    ) -> dict[str, Any]:
        from storykit.services.create import create_item

        if type not in ITEM_TYPES:
            raise UsageError(f"unknown item type {type!r}", hint=f"one of {', '.join(ITEM_TYPES)}")
        allowed = option_fields(type)
        unknown = sorted(set(fields) - set(allowed))
        if unknown:
            raise UsageError(
                f"{type} has no field {', '.join(unknown)}",
                hint=f"its fields: {', '.join(allowed)}",
            )
        values: dict[str, Any] = {"title": title, **fields}
        return answers.outcome(create_item(self.workspace(), type, values, DEFAULT))

    def update_item(self, id: Id, changes: Changes) -> dict[str, Any]:
        from storykit.services.setting import SetGroup, set_fields

        if not changes:
            raise UsageError(
                "nothing to change", hint='give FIELD=VALUE changes, e.g. ["points=3"]'
            )
        return answers.outcome(set_fields(self.workspace(), [SetGroup([id], changes)], DEFAULT))

    def claim_item(
        self,
        id: Id | None = None,
        owner: str | None = None,
        push: bool = False,
        remote: str | None = None,
    ) -> dict[str, Any]:
        from storykit.services.claims import claim, claimant

        ws = self.workspace()
        who = claimant(ws, owner or None)
        if not push:
            if remote:
                raise UsageError("a remote goes with push", hint="set push to true")
            return answers.outcome(claim(ws, id or None, who, DEFAULT))
        from storykit.services.claim_push import claim_and_push

        return answers.pushed_claim(claim_and_push(ws, id or None, who, DEFAULT, remote or None))

    def close_spike(
        self,
        id: Id,
        outcome: str,
        decision: str = "",
        follow_ups: FollowUps = (),
    ) -> dict[str, Any]:
        from storykit.services.spikes import close_spike

        if not outcome.strip():
            raise UsageError("a spike closes with its outcome: what was learned")
        done = close_spike(
            self.workspace(), id, DEFAULT, outcome=outcome, decision=decision or None,
            follow_ups=list(follow_ups),
        )  # fmt: skip
        return answers.closed_spike(done)

    def check(self) -> dict[str, Any]:
        from storykit.services.check import check_backlog

        return answers.checked(check_backlog(self.workspace()))

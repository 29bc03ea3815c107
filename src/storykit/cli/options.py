"""Command-line pieces shared by several commands (no services imported at start)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from storykit.errors import UsageError

TopOpt = Annotated[bool, typer.Option("--top", help="Place it first in the backlog.")]
BottomOpt = Annotated[bool, typer.Option("--bottom", help="Place it last in the backlog.")]
BeforeOpt = Annotated[
    str | None, typer.Option("--before", metavar="ID", help="Place it just before this item.")
]
AfterOpt = Annotated[
    str | None, typer.Option("--after", metavar="ID", help="Place it just after this item.")
]


def placement_of(top: bool, bottom: bool, before: str | None, after: str | None) -> Any:
    """At most one of --top, --bottom, --before, --after (None if none was given)."""
    from storykit.services.ranking import Placement

    given = [
        Placement(where, target)
        for where, target, on in (
            ("top", None, top),
            ("bottom", None, bottom),
            ("before", before, before is not None),
            ("after", after, after is not None),
        )
        if on
    ]
    if len(given) > 1:
        raise UsageError("give only one of --top, --bottom, --before, --after")
    return given[0] if given else None


def commit_options(no_commit: bool, no_verify: bool) -> Any:
    from storykit.services.workspace import CommitOptions

    return CommitOptions(commit=False if no_commit else None, verify=not no_verify)

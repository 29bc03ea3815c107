"""Commands that change items: `init`, `set`, `status`, `start`/`done`/`drop`, `edit`,
`split`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from storykit.cli import envelope, output
from storykit.cli.options import (
    IdArg,
    IncludeOpt,
    JsonOpt,
    NoCommitOpt,
    NoVerifyOpt,
    commit_options,
    workspace,
)

if TYPE_CHECKING:
    from storykit.services.workspace import Outcome


def show_change(result: Outcome, verb: str, as_json: bool, status: str | None = None) -> None:
    if as_json:
        envelope.print_json(envelope.outcome(result))
    else:
        output.render_change(result, verb, status)


def init(
    prefix: Annotated[str, typer.Option(help="ID prefix: IDs look like PREFIX-7K2M.")] = "SK",
    editor_schema: Annotated[
        bool,
        typer.Option(
            "--editor-schema",
            help="Write backlog/.schema.json and point new item files at it, so editors with "
            "a YAML language server validate them as you type.",
        ),
    ] = False,
    no_commit: NoCommitOpt = False,
    no_verify: NoVerifyOpt = False,
) -> None:
    """Start a backlog here: writes .storykit.toml and backlog/, in one commit."""
    from storykit.services.init import init_project

    result = init_project(
        Path.cwd(), prefix, commit_options(no_commit, no_verify), editor_schema=editor_schema
    )
    where = f"storykit initialised: {result.paths[0] if result.paths else ''}"
    if result.commit:
        output.out(f"{where} and backlog/  [{result.commit[:8]}]")
    else:
        output.out(f"{where} and backlog/  (not committed)")


def set_(
    item: IdArg,
    assignments: Annotated[
        list[str],
        typer.Argument(
            metavar="FIELD=VALUE...",
            help="FIELD=VALUE (set), FIELD+=VALUE (append to a list), FIELD-=VALUE (remove), "
            "FIELD= (clear).",
        ),
    ],
    as_json: JsonOpt = False,
    no_commit: NoCommitOpt = False,
    no_verify: NoVerifyOpt = False,
    include_changes: IncludeOpt = False,
) -> None:
    """Change fields, e.g. `storykit set SK-7K2M points=5 tags+=ux owner=`."""
    from storykit.services.update import set_fields

    result = set_fields(
        workspace(), item, assignments, commit_options(no_commit, no_verify, include_changes)
    )
    show_change(result, "set", as_json)


def status(
    item: IdArg,
    new_status: Annotated[
        str, typer.Argument(metavar="STATUS", help="The new status, e.g. ready.")
    ],
    as_json: JsonOpt = False,
    no_commit: NoCommitOpt = False,
    no_verify: NoVerifyOpt = False,
    include_changes: IncludeOpt = False,
) -> None:
    """Move an item to another status (the workflow's gates apply)."""
    from storykit.services.update import change_status

    result = change_status(
        workspace(), item, new_status, commit_options(no_commit, no_verify, include_changes)
    )
    show_change(result, "status", as_json, status=new_status)


def shortcut(name: str, doc: str) -> Callable[..., None]:
    """`start`, `done` or `drop`: a status change to the workflow's role of that name."""

    def command(
        item: IdArg,
        as_json: JsonOpt = False,
        no_commit: NoCommitOpt = False,
        no_verify: NoVerifyOpt = False,
        include_changes: IncludeOpt = False,
    ) -> None:
        from storykit.services.update import change_status, shortcut_status

        ws = workspace()
        target = shortcut_status(ws, name)
        result = change_status(
            ws, item, target, commit_options(no_commit, no_verify, include_changes)
        )
        show_change(result, "status", as_json, status=target)

    command.__doc__ = doc
    return command


def edit(
    item: IdArg,
    as_json: JsonOpt = False,
    no_commit: NoCommitOpt = False,
    no_verify: NoVerifyOpt = False,
    include_changes: IncludeOpt = False,
) -> None:
    """Edit the item file in $EDITOR; it is validated before it is saved."""
    from storykit.services.update import edit_item

    result = edit_item(workspace(), item, commit_options(no_commit, no_verify, include_changes))
    show_change(result, "edited", as_json)


def split(
    item: IdArg,
    parts: Annotated[
        list[str], typer.Argument(metavar="TITLE...", help="Titles of the parts, in order.")
    ],
    as_json: JsonOpt = False,
    no_commit: NoCommitOpt = False,
    no_verify: NoVerifyOpt = False,
    include_changes: IncludeOpt = False,
) -> None:
    """Split an item into parts of the same type that take its place in the backlog.

    The parts inherit parent, tags and sprint and record split_from; the original is
    dropped with split_into listing them. One commit."""
    from storykit.services.split import split_item

    result = split_item(
        workspace(), item, parts, commit_options(no_commit, no_verify, include_changes)
    )
    if as_json:
        made = [part.to_json() for part in result.items]
        envelope.print_json(envelope.outcome(result, parts=made))
        return
    original = result.item
    assert original is not None
    commit = f"  [{result.commit[:8]}]" if result.commit else "  (not committed)"
    output.out(f"split {original.type} {original.id} into {len(result.items)} parts{commit}")
    output.render_list(result.items)

"""Commands about merging branches: `resolve`, and `merge-driver` (git runs it; the lean
path in cli/fastmerge.py answers it, this one only shows its help)."""

from __future__ import annotations

from typing import Annotated

import typer

from storykit.cli import output
from storykit.cli.options import workspace


def resolve(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[PATH]...",
            help="Conflicted backlog files to resolve (default: all of them).",
        ),
    ] = None,
) -> None:
    """Merge conflicted backlog files field by field, during a merge, rebase, cherry-pick or
    revert that stopped on them.

    For conflicts git made without the merge driver (a clone not set up yet, a hosting
    site's merge button): each file is merged from git's base, ours and theirs, written,
    and staged when clean; true conflicts keep markers around their fields only. Never
    touches files outside the backlog folder and never commits; sets the merge driver up
    in this clone if it lacks it. Exit 0 when everything is resolved, 1 while conflicts
    remain."""
    from storykit.services.resolve import resolve_conflicts

    report = resolve_conflicts(workspace(), paths or [])
    if not report.files:
        output.out("nothing to resolve: no backlog file is in conflict")
    for item in report.files:
        detail = f": {item.detail}" if item.detail else ""
        output.out(f"{item.path}: {item.result}{detail}")
        if item.kept:
            output.out(f"  your edits of it, made during the conflict, are kept in {item.kept}")
    if report.clone_set_up:
        output.out("this clone: merge driver set up, so the next merge needs no resolve")
    others = report.elsewhere
    if report.resolved:
        if others:
            output.out(f"next: resolve the other conflicted files ({len(others)}; `git status`)")
            output.out(f"then: {report.go_on}")
        elif report.files:
            output.out(f"next: {report.go_on}")
        return
    output.out(
        "next: fix the marked fields (or the files left as git left them), `git add` them, "
        f"then {report.go_on}"
    )
    raise typer.Exit(1)


def merge_driver(
    args: Annotated[
        list[str] | None,
        typer.Argument(metavar="BASE OURS THEIRS [MARKER_SIZE PATH [OURS THEIRS]]"),
    ] = None,
) -> None:
    """The merge driver git runs for each item file two branches changed.

    `storykit init` sets it up: `.gitattributes` sends backlog/*.yaml to it, and this
    clone's merge.storykit.driver runs `storykit merge-driver %O %A %B %L %P %X %Y`. It
    merges field by field into OURS; exit 0 when clean, 1 on a conflict (markers around
    the field) or when it let git merge the file as text."""
    from storykit.cli.fastmerge import try_merge_driver

    raise typer.Exit(try_merge_driver(["merge-driver", *(args or [])]) or 0)

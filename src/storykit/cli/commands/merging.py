"""Commands about merging branches: `resolve`, and `merge-driver` (git runs it; the lean
path in cli/lean/merge_driver.py answers it, this one only shows its help)."""

from __future__ import annotations

from typing import Annotated

import typer

from storykit.cli.options import workspace
from storykit.cli.render import output


def resolve(
    args: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[ID|PATH]... [FIELD=VALUE]...",
            help="Conflicted items or backlog files (default: all of them), and values that "
            "settle their conflicted fields (`owner=dana`; `owner=` clears it).",
        ),
    ] = None,
    ours: Annotated[
        list[str] | None,
        typer.Option("--ours", metavar="FIELD", help="Take our side's value of FIELD."),
    ] = None,
    theirs: Annotated[
        list[str] | None,
        typer.Option("--theirs", metavar="FIELD", help="Take their side's value of FIELD."),
    ] = None,
) -> None:
    """Without values: each conflicted file is merged field by field from git's base, ours
    and theirs (for conflicts git made without the merge driver), written, and staged when
    clean; a true conflict keeps markers around its fields only, and each is told with both
    values. With `ID FIELD=VALUE…`, `--ours FIELD`, `--theirs FIELD`: those conflicts are
    settled, the item validated like any write, and staged once nothing is left in conflict.
    A file you edited since the conflict is never overwritten. Never touches files outside
    the backlog folder and never commits; sets the merge driver up in this clone if it lacks
    it. Exit 0 when everything is resolved, 1 while conflicts remain."""
    from storykit.services.resolve import resolve_conflicts
    from storykit.services.settling import said_of

    words = args or []
    assignments = [word for word in words if "=" in word]
    targets = [word for word in words if "=" not in word]
    said = said_of(assignments, ours or [], theirs or [])
    report = resolve_conflicts(workspace(), targets, said if said.values or said.sides else None)
    if not report.files:
        output.out("nothing to resolve: no backlog file is in conflict")
    for item in report.files:
        detail = f": {item.detail}" if item.detail else ""
        output.out(f"{item.path}: {item.result}{detail}")
        for line in item.told:
            output.out(f"  {line}")
        if item.settle:
            output.out(f"  settle: {item.settle}")
        if item.kept:
            output.out(f"  your edits of it, made during the conflict, are kept in {item.kept}")
    for line in report.lost:
        output.err(f"warning: {line}")
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
        "next: settle the fields in conflict (as said above), or edit the files and `git add` "
        f"them, then {report.go_on}"
    )
    raise typer.Exit(1)


def merge_driver(
    args: Annotated[
        list[str] | None,
        typer.Argument(metavar="BASE OURS THEIRS [MARKER_SIZE PATH [OURS THEIRS]]"),
    ] = None,
) -> None:
    """`storykit init` sets it up: `.gitattributes` sends backlog/*.yaml to it, and this
    clone's merge.storykit.driver runs `storykit merge-driver %O %A %B %L %P %X %Y`. It
    merges field by field into OURS; exit 0 when clean, 1 on a conflict (markers around the
    field) or when it let git merge the file as text."""
    from storykit.cli.lean.merge_driver import try_merge_driver

    raise typer.Exit(try_merge_driver(["merge-driver", *(args or [])]) or 0)


def setup(
    machine: Annotated[
        bool,
        typer.Option(
            "--global",
            help="In your own git configuration: every clone on this machine, once.",
        ),
    ] = False,
) -> None:
    from storykit.services.clone import set_up_here

    done = set_up_here(machine)
    if done.wrote:
        output.out(f"merge driver set up in {done.where}")
        output.out(f"  {done.command}")
        if done.replaced:
            output.out(f"  replaces one that {done.replaced_problem}: {done.replaced}")
    else:
        output.out(f"merge driver already set up in {done.where}: nothing to do")
    if done.note:
        output.err(f"note: {done.note}")

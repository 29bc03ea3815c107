"""Commands that read the backlog: `list`, `show`, `next`, `board`, `check`, `schema`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from storykit.cli.options import (
    IdsArg,
    JsonOpt,
    complete_sprints,
    workspace,
    write_output,
)
from storykit.cli.render import columns, envelope, output
from storykit.cli.render.columns import COLUMNS, chosen_columns
from storykit.errors import UsageError
from storykit.model.catalogue import ITEM_TYPES
from storykit.model.selection import SORTS, ListFilter
from storykit.services import answers

if TYPE_CHECKING:
    from storykit.services.query import ListQuery


SortOpt = Annotated[
    str,
    typer.Option(
        "--sort",
        metavar="|".join(SORTS),
        help="Order by this field (rank, the default, breaks ties).",
    ),
]


LimitOpt = Annotated[int | None, typer.Option(metavar="N", help="At most N items.")]
ColumnsOpt = Annotated[
    str | None,
    typer.Option(
        metavar="NAME,…",
        help=f"The columns between status and title, of {', '.join(COLUMNS)} "
        "(default: points, owner; with --sort score, the score too).",
    ),
]


# The filters `list` and `board` share.
TypesOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--type", metavar="TYPE", help=f"Only this type ({', '.join(ITEM_TYPES)}); repeatable."
    ),
]
TagsOpt = Annotated[
    list[str] | None, typer.Option(metavar="TAG", help="Only items with this tag; repeatable.")
]
OwnerOpt = Annotated[str | None, typer.Option(metavar="NAME", help="Only this owner's.")]
MineOpt = Annotated[bool, typer.Option("--mine", help="Only mine: owner is git's user.name.")]


def list_(
    type_: TypesOpt = None,
    status: Annotated[
        list[str] | None, typer.Option(metavar="STATUS", help="Only this status; repeatable.")
    ] = None,
    tag: TagsOpt = None,
    owner: OwnerOpt = None,
    mine: MineOpt = False,
    sprint: Annotated[
        str | None,
        typer.Option(
            metavar="NAME", help="Only items of this sprint.", autocompletion=complete_sprints
        ),
    ] = None,
    parent: Annotated[
        str | None, typer.Option(metavar="ID", help="Only children of this item.")
    ] = None,
    grep: Annotated[
        str | None,
        typer.Option(metavar="TEXT", help="Only items holding TEXT in any text field (any case)."),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            metavar="REV|DATE",
            help="Only items changed since a revision, a date (2026-11-21) or a span (3d, 2w).",
        ),
    ] = None,
    captured_by: Annotated[
        str | None,
        typer.Option(
            "--captured-by", metavar="NAME", help="Only items whose file NAME added (from git)."
        ),
    ] = None,
    sort: SortOpt = "rank",
    limit: LimitOpt = None,
    all_: Annotated[bool, typer.Option("--all", help="Include done and dropped items.")] = False,
    columns: ColumnsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    from storykit.services.query import ListQuery

    if mine and owner is not None:
        raise UsageError("give --owner or --mine, not both")
    filters = ListFilter(
        tuple(type_ or ()), tuple(status or ()), tuple(tag or ()), parent, owner, sprint, grep,
        all=all_,
    )  # fmt: skip
    shown = chosen_columns(columns, sort)
    _list(ListQuery(filters, mine, since, sort, limit, captured_by), as_json, shown)


def search(
    text: Annotated[str, typer.Argument(metavar="TEXT", help="The text to look for (any case).")],
    sort: SortOpt = "rank",
    limit: LimitOpt = None,
    columns: ColumnsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    from storykit.services.query import ListQuery

    if not text.strip():
        raise UsageError("give the text to search for")
    query = ListQuery(ListFilter(grep=text, all=True), sort=sort, limit=limit)
    if not _list(query, as_json, chosen_columns(columns, sort)):
        output.err(f"no item holds {text!r} (closed items were searched too)")


def _list(query: ListQuery, as_json: bool, shown: tuple[str, ...]) -> bool:
    """Print the items the query selects; whether there were any."""
    from storykit.services.query import list_items

    result = list_items(workspace(), query)
    found = result.matches if query.filters.grep is not None else None
    if as_json:
        envelope.print_json(answers.listing(result, query.filters.grep is not None))
    else:
        columns.render_list(result.items, result.overdue, found, shown, result.scores)
    if result.skipped:
        count = len(result.skipped)
        output.err(
            f"warning: {count} invalid file{'s' if count != 1 else ''} skipped "
            f"({', '.join(result.skipped[:3])}{', …' if count > 3 else ''}); "
            "run `storykit check` for details"
        )
    return bool(result.items)


def show(items: IdsArg, as_json: JsonOpt = False) -> None:
    from storykit.services.query import show_items

    found = show_items(workspace(), items)
    if as_json:
        envelope.print_json(answers.details(found))
        return
    for index, details in enumerate(found):
        if index:
            output.out("")
        output.render_item(details)


def next_(
    limit: Annotated[int, typer.Option(min=1, help="How many items to show.")] = 5,
    as_json: JsonOpt = False,
) -> None:
    from storykit.services.query import next_items

    items = next_items(workspace(), limit)
    if as_json:
        envelope.print_json(answers.items(items))
    elif items:
        columns.render_list(items)
    else:
        output.err("nothing is ready: no ready item has all its dependencies done")


def board(
    sprint: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help="A sprint's board: its items, the done column too.",
            autocompletion=complete_sprints,
        ),
    ] = None,
    owner: OwnerOpt = None,
    mine: MineOpt = False,
    type_: TypesOpt = None,
    tag: TagsOpt = None,
    all_: Annotated[bool, typer.Option("--all", help="Add the done and dropped columns.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """The stand-up's board: `storykit board --sprint "Sprint 9"`, `--mine`, `--owner`,
    `--type`, `--tag`."""
    from storykit.services.query import board as build_board

    if mine and owner is not None:
        raise UsageError("give --owner or --mine, not both")
    filters = ListFilter(
        types=tuple(type_ or ()), tags=tuple(tag or ()), owner=owner, sprint=sprint
    )
    result = build_board(workspace(), all_, filters, mine)
    if as_json:
        envelope.print_json(answers.board(result))
    else:
        columns.render_board(result)


def check(
    format_: Annotated[
        str,
        typer.Option("--format", help="Output: text, json or github.", metavar="text|json|github"),
    ] = "text",
    since: Annotated[
        str | None,
        typer.Option(metavar="REV", help="Only items changed since REV (e.g. origin/main)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    from storykit.services.check import check_backlog

    if format_ not in ("text", "json", "github"):
        raise UsageError(f"--format must be text, json or github, not {format_!r}")
    report = check_backlog(workspace(), since=since)
    if as_json or format_ == "json":
        envelope.print_json(answers.checked(report))
    elif format_ == "github":
        output.render_github_annotations(report.problems)
    else:
        output.render_diagnostics(report.problems)
    if format_ != "json" and not as_json:
        output.err(
            f"{report.files} file{'s' if report.files != 1 else ''} checked: "
            f"{report.errors} error{'s' if report.errors != 1 else ''}, "
            f"{report.warnings} warning{'s' if report.warnings != 1 else ''}"
        )
    if not report.ok:
        raise typer.Exit(1)


def schema(
    output_file: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write to FILE instead of stdout."),
    ] = None,
) -> None:
    from storykit.services.schema import schema_text

    text = schema_text(workspace().project.config)
    if output_file is None:
        sys.stdout.write(text)
        return
    write_output(output_file, text.encode("utf-8"))

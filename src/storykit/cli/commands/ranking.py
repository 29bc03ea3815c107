"""`storykit rank`: move one item, reorder in $EDITOR or from a file, rebalance keys."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from storykit.cli.lean.suggestion import render
from storykit.cli.options import (
    AfterOpt,
    BeforeOpt,
    BottomOpt,
    IncludeOpt,
    JsonOpt,
    NoCommitOpt,
    NoVerifyOpt,
    TopOpt,
    commit_options,
    complete_ids,
    placement_of,
    read_text_arg,
    workspace,
)
from storykit.cli.render import envelope, output
from storykit.errors import UsageError
from storykit.services import answers

if TYPE_CHECKING:
    from storykit.services.workspace import Workspace


def rank(
    items: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="ID",
            help="The items to move (several go together, in this order); without them, "
            "reorder everything.",
            autocompletion=complete_ids,
        ),
    ] = None,
    top: TopOpt = False,
    bottom: BottomOpt = False,
    before: BeforeOpt = None,
    after: AfterOpt = None,
    rebalance: Annotated[
        bool, typer.Option("--rebalance", help="Give every item a short, evenly spaced key.")
    ] = False,
    from_file: Annotated[
        str | None,
        typer.Option(
            "--from-file", metavar="FILE", help="Read the new order from FILE (- for stdin)."
        ),
    ] = None,
    suggest: Annotated[
        bool,
        typer.Option(
            "--suggest",
            help="List the open items whose place by rank and by score ([priority] score) "
            "differ most, and the items without a score.",
        ),
    ] = False,
    apply: Annotated[
        bool,
        typer.Option("--apply", help="With --suggest: re-rank the open backlog by score."),
    ] = False,
    limit: Annotated[
        int, typer.Option("--limit", metavar="N", help="With --suggest: at most N items.")
    ] = 10,
    as_json: JsonOpt = False,
    no_commit: NoCommitOpt = False,
    no_verify: NoVerifyOpt = False,
    include_changes: IncludeOpt = False,
) -> None:
    """Items: --top, --bottom, --before ID or --after ID (one file changes per item). No
    item: edit the order of the open items in $EDITOR, like `git rebase -i`. --suggest:
    where the score disagrees with the rank (--apply re-ranks)."""
    from storykit.services import ranking

    ws = workspace()
    options = commit_options(no_commit, no_verify, include_changes)
    placement = placement_of(top, bottom, before, after)
    if apply and not suggest:
        raise UsageError("--apply goes with --suggest")
    if suggest and (items or placement or rebalance or from_file):
        raise UsageError("--suggest takes no item and no other way of ranking")
    if suggest and not apply:
        _suggestions(ws, limit, as_json)
        return
    if suggest:
        from storykit.services.priority import apply_suggestion

        result = apply_suggestion(ws, options)
    elif items:
        if placement is None:
            raise UsageError(
                "say where it goes: --top, --bottom, --before ID or --after ID",
                hint=f"e.g. `storykit rank {items[0]} --top`",
            )
        if rebalance or from_file:
            raise UsageError("--rebalance and --from-file do not take an item")
        result = ranking.move_items(ws, items, placement, options)
    elif placement is not None:
        raise UsageError("--top, --bottom, --before and --after need the item to move")
    elif rebalance:
        if from_file:
            raise UsageError("give either --rebalance or --from-file")
        result = ranking.rebalance(ws, options)
    elif from_file is not None:
        text = read_text_arg(from_file)
        result = ranking.reorder(ws, options, text=text)
    else:
        result = ranking.reorder(ws, options)
    if as_json:
        envelope.print_json(answers.ranked(result))
    else:
        output.render_rank(result, rebalance=rebalance)


def _suggestions(ws: Workspace, limit: int, as_json: bool) -> None:
    from storykit.services.priority import suggest

    found = suggest(ws, limit, full=as_json)
    if as_json:
        envelope.print_json(answers.suggestions(found))
        return
    first = found.unscored[:limit]
    render(
        [(d.item.id, d.item.model.title, d.by_rank, d.by_score, d.score) for d in found.items],
        [(one.item.id, one.item.model.title, one.missing) for one in first],
        len(found.unscored),
        limit,
    )

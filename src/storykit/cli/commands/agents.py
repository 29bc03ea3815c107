"""`storykit agents`, `claim` and `unclaim`: instructions for coding agents, and taking
work, for people and agents alike."""

from __future__ import annotations

from typing import Annotated

import typer

from storykit.cli.commands.changing import show_change
from storykit.cli.options import (
    IdArg,
    JsonOpt,
    NoCommitOpt,
    NoVerifyOpt,
    commit_options,
    workspace,
)
from storykit.cli.render import envelope, output
from storykit.errors import UsageError
from storykit.services import answers


def agents(
    file: Annotated[
        str | None,
        typer.Argument(metavar="[FILE]", help="With --install: the file (default AGENTS.md)."),
    ] = None,
    install: Annotated[
        bool,
        typer.Option(
            "--install",
            help="Write it into FILE between marker comments (kept up to date, one commit).",
        ),
    ] = False,
    no_verify: NoVerifyOpt = False,
) -> None:
    """How to find, claim and record work with storykit, never editing item files by
    hand: to paste into AGENTS.md or CLAUDE.md, or `--install` it there."""
    from storykit.services.agents import DEFAULT_FILE, instructions
    from storykit.services.agents import install as write

    ws = workspace()
    if not install:
        if file is not None:
            raise UsageError(
                f"{file}: a file goes with --install", hint="storykit agents --install FILE"
            )
        output.out(instructions(ws).rstrip("\n"))
        return
    name = file or DEFAULT_FILE
    result = write(ws, name, commit_options(False, no_verify, False))
    if not result.changed:
        output.out(f"{name} already holds the current instructions")
    else:
        output.render_change(result, f"wrote the instructions in {name}")


def claim(
    item: Annotated[
        str | None,
        typer.Argument(metavar="[ID]", help="The item (default: the top of `storykit next`)."),
    ] = None,
    owner: Annotated[
        str | None,
        typer.Option(metavar="NAME", help="Who takes it (default: git's user.name)."),
    ] = None,
    push: Annotated[
        str | None,
        typer.Option(
            "--push",
            metavar="[REMOTE]",
            help="Push the claim (to REMOTE; default the branch's upstream, else origin). "
            "If the remote moved, the claim is made again on its tip; if someone claimed "
            "the item there, exit 75 (without an ID: the next item is tried).",
        ),
    ] = None,
    as_json: JsonOpt = False,
    no_verify: NoVerifyOpt = False,
) -> None:
    """Sets its owner and moves it to in-progress through the workflow's gates, in one
    commit. An item in progress with an owner is someone's already: refused with exit 75,
    naming them. Claims at once on one clone queue on the lock, and exactly one wins each
    item; with --push, one wins each item across every clone of the remote, and a loser's
    branch is left as it was."""
    from storykit.services.claims import claim as take
    from storykit.services.claims import claimant

    ws = workspace()
    options = commit_options(False, no_verify, False)
    if push is None:
        show_change(take(ws, item, claimant(ws, owner), options), "claim", as_json)
        return
    from storykit.services.claim_push import claim_and_push

    pushed = claim_and_push(ws, item, claimant(ws, owner), options, push or None)
    if as_json:
        envelope.print_json(answers.pushed_claim(pushed))
        return
    output.render_change(pushed.outcome, "claim")
    again = f" (try {pushed.tries}: the remote had moved)" if pushed.tries > 1 else ""
    output.out(f"pushed to {pushed.remote}{again}")


def unclaim(
    item: IdArg,
    as_json: JsonOpt = False,
    no_commit: NoCommitOpt = False,
    no_verify: NoVerifyOpt = False,
) -> None:
    """No owner, status ready again, one commit."""
    from storykit.services.claims import unclaim as give_back

    result = give_back(workspace(), item, commit_options(no_commit, no_verify, False))
    show_change(result, "unclaim", as_json)


def mcp() -> None:
    """For an agent client to start (see the README's "Coding agents"): list_items,
    next_items, show_item, create_item, update_item, claim_item, close_spike and check,
    each answering the JSON the command's --json prints, each change one commit through
    the same gates. Needs the optional extra: pip install 'storykit[mcp]'."""
    try:
        from storykit.mcpserver.server import serve
    except ImportError as exc:
        if not (exc.name or "").startswith("mcp"):
            raise  # a missing piece of storykit itself: a bug, said as one
        raise UsageError(
            "storykit mcp needs the MCP SDK (version 2), an optional extra",
            hint="pip install 'storykit[mcp]'",
        ) from None
    serve(workspace().project.root)

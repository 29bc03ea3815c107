"""`storykit sync`: the items commit messages close, moved to done (services/tracing.py)."""

from __future__ import annotations

from typing import Annotated

import typer

from storykit.cli.options import JsonOpt, NoVerifyOpt, commit_options, workspace
from storykit.cli.render import envelope, output
from storykit.services import answers


def sync(
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="REV",
            help="Only the commits after REV (default: the whole history of HEAD).",
        ),
    ] = None,
    as_json: JsonOpt = False,
    no_verify: NoVerifyOpt = False,
) -> None:
    """Reads the current branch's history for `Closes ID`, `Fixes ID`, `Resolves ID` (any
    case; the words are `[trace] close_keywords`) and moves each item named so that is not
    done yet to done, through the workflow's gates, in one commit naming the closing
    commits. An item the gates refuse is reported with the command that fixes it and left
    as it is (exit 1, after committing the others); run again, it changes nothing."""
    from storykit.services.tracing import sync as run

    report = run(workspace(), since, commit_options(False, no_verify, False))
    if as_json:
        envelope.print_json(answers.synced(report))
    else:
        for item_id in report.unknown:
            output.err(f"note: {item_id} is closed in a commit message, but no item has that ID")
        for _, message, hint in report.refused:
            output.err(f"refused: {message}" + (f"\n  fix: {hint}" if hint else ""))
        outcome = report.outcome
        for item in outcome.items:
            shas = ", ".join(c.sha[:8] for c in report.closed.get(item.id, []))
            output.out(f"{item.type} {item.id} → {item.model.status}: {item.model.title} "
                       f"(closed by {shas})")  # fmt: skip
        if outcome.commit:
            count = len(outcome.items)
            output.out(
                f"synced {count} item{'' if count == 1 else 's'}{output.commit_note(outcome)}"
            )
        elif not report.refused:
            output.out("nothing to do: every item a commit closes is done")
    if report.refused:
        raise typer.Exit(1)

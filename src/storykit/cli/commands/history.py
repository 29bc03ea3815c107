"""Commands that read history: `log` and `diff`."""

from __future__ import annotations

from typing import Annotated

import typer

from storykit.cli.options import (
    IdArg,
    JsonOpt,
    workspace,
)
from storykit.cli.render import envelope, output
from storykit.errors import UsageError
from storykit.locations import CUT_SHORT


def log(
    item: IdArg,
    code: Annotated[
        bool,
        typer.Option(
            "--code", help="Also the commits of code whose message names the item, by date."
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    from storykit.cli.render import review as report
    from storykit.services.history import item_log

    result = item_log(workspace(), item, code)
    if result.cut:
        output.err(
            f"warning: {CUT_SHORT}: older changes are not shown, and the oldest one shown "
            "may not be where the item began (`git fetch --unshallow` fetches the rest)"
        )
    if as_json:
        envelope.print_json(report.log_json(result))
    else:
        report.render_log_text(result)


def diff(
    base: Annotated[
        str | None,
        typer.Argument(
            metavar="A|A..B|A...B",
            help="From this revision (default: the merge-base of HEAD with origin/HEAD, main "
            "or master); A...B: from the merge-base of A and B to B, as a pull request shows.",
        ),
    ] = None,
    head: Annotated[
        str | None,
        typer.Argument(metavar="B", help="To this revision (default: the working tree)."),
    ] = None,
    against: Annotated[
        str | None,
        typer.Option(
            "--base", metavar="REF", help="From the merge-base of HEAD with REF (to the tree)."
        ),
    ] = None,
    format_: Annotated[
        str,
        typer.Option("--format", metavar="text|markdown|json", help="Output format."),
    ] = "text",
    exit_code: Annotated[
        bool, typer.Option("--exit-code", help="Exit 1 when there are differences.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    from storykit.cli.render import review as report
    from storykit.services.history import diff_backlog

    if format_ not in ("text", "markdown", "json"):
        raise UsageError(f"--format must be text, markdown or json, not {format_!r}")
    result = diff_backlog(workspace(), base, head, against)
    if as_json or format_ == "json":
        envelope.print_json(report.diff_json(result))
    elif format_ == "markdown":
        report.render_diff_markdown(result)
    else:
        report.render_diff_text(result)
    if exit_code and not result.empty:
        raise typer.Exit(1)

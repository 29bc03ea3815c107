"""`storykit spike start|close|extend|overdue`: the spike lifecycle."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer

from storykit.cli.commands import summary
from storykit.cli.options import (
    IncludeOpt,
    JsonOpt,
    NoCommitOpt,
    NoVerifyOpt,
    commit_options,
    complete_open_spikes,
    workspace,
)
from storykit.cli.render import columns, envelope, output
from storykit.model.records import date_text
from storykit.services import answers

if TYPE_CHECKING:
    from storykit.services.workspace import Outcome

SpikeArg = Annotated[
    str,
    typer.Argument(
        metavar="ID",
        help="The spike's ID (or a unique prefix).",
        autocompletion=complete_open_spikes,
    ),
]


def group(item_type: str) -> typer.Typer:
    """`spike new` (as every type has) and the spike's lifecycle commands."""
    from storykit.cli.commands.new import group as type_group

    commands = type_group(item_type)
    for name, command in (
        ("start", start),
        ("close", close),
        ("extend", extend),
        ("overdue", overdue),
    ):
        commands.command(name, short_help=summary(command.__doc__))(command)
    return commands


def _show(result: Outcome, what: str, as_json: bool) -> None:
    if as_json:
        closed = what == "closed"
        envelope.print_json(answers.closed_spike(result) if closed else answers.outcome(result))
        return
    if not result.changed or result.item is None:
        output.out("nothing to do: no change")
        return
    spike = result.item
    commit = output.commit_note(result)
    timebox = f" (timebox {getattr(spike.model, 'timebox', '')})" if what == "extended" else ""
    output.out(f"{what} spike {spike.id}{timebox}: {spike.model.title}{commit}")
    if result.items:
        landed = [m.after for m in result.moves if m.after is not None]
        where = (
            f" at #{landed[0]}" + (f" to #{landed[-1]}" if len(landed) > 1 else "")
            if landed
            else ""
        )
        output.out(f"follow-ups ({len(result.items)}), drafts{where} of the open backlog:")
        columns.render_list(result.items)
        first = result.items[0].id
        output.out(
            f"rank them where they belong: `storykit rank {first} --before ID` "
            "(or `storykit rank` to reorder in the editor)"
        )


def start(
    spike: SpikeArg, as_json: JsonOpt = False, no_commit: NoCommitOpt = False,
    no_verify: NoVerifyOpt = False,
    include_changes: IncludeOpt = False,
) -> None:  # fmt: skip
    """Start a spike: status in-progress, and the time it started is recorded."""
    from storykit.services.spikes import start_spike

    result = start_spike(workspace(), spike, commit_options(no_commit, no_verify, include_changes))
    _show(result, "started", as_json)


def close(
    spike: SpikeArg,
    outcome: Annotated[
        str | None,
        typer.Option(help="What was learned. Without it, $EDITOR opens on a template."),
    ] = None,
    decision: Annotated[str | None, typer.Option(help="What was decided.")] = None,
    follow_up: Annotated[
        list[str] | None,
        typer.Option(
            "--follow-up",
            metavar="TYPE: TITLE",
            help='An item the outcome produced, e.g. "story: Send emoji" (repeatable).',
        ),
    ] = None,
    follow_ups_at: Annotated[
        str,
        typer.Option(
            "--follow-ups-at",
            metavar="bottom|top|after-spike",
            help="Where the follow-ups go in the backlog (default: the bottom, as any new item).",
        ),
    ] = "bottom",
    as_json: JsonOpt = False,
    no_commit: NoCommitOpt = False,
    no_verify: NoVerifyOpt = False,
    include_changes: IncludeOpt = False,
) -> None:
    """Close a spike with its outcome; follow-ups are created in the same commit."""
    from storykit.services.spikes import close_spike

    result = close_spike(
        workspace(),
        spike,
        commit_options(no_commit, no_verify, include_changes),
        outcome=outcome,
        decision=decision,
        follow_ups=follow_up or [],
        place=follow_ups_at,
    )
    _show(result, "closed", as_json)


def extend(
    spike: SpikeArg,
    timebox: Annotated[str, typer.Option(help="Time to add: 4h, 1d, 1w.")],
    as_json: JsonOpt = False,
    no_commit: NoCommitOpt = False,
    no_verify: NoVerifyOpt = False,
    include_changes: IncludeOpt = False,
) -> None:
    """Extend a spike's timebox (recorded in git history like every change); says the new
    deadline and whether the spike is still overdue."""
    from storykit.services.spikes import deadline_of, extend_spike

    ws = workspace()
    result = extend_spike(ws, spike, timebox, commit_options(no_commit, no_verify, include_changes))
    if result.item is None:
        _show(result, "extended", as_json)
        return
    found = deadline_of(ws, result.item)
    if as_json:
        at = date_text(found.at) if found.at else None
        envelope.print_json(answers.outcome(result, deadline=at, overdue=found.overdue))
        return
    _show(result, "extended", as_json)
    if found.at is None:
        output.out("deadline: when the spike starts (`storykit spike start` records it)")
        return
    when = found.at.strftime("%Y-%m-%d %H:%M")
    if found.overdue:
        line = f"deadline {when}: still overdue; close it or extend it again"
        output.out(line, f"[bold red]{output.escape(line)}[/]")
    else:
        output.out(f"deadline {when}: {_left(found.left)} left, not overdue")


def _left(span: dt.timedelta) -> str:
    """`2d 3h`, `5h`, `under an hour`."""
    hours = int(span.total_seconds() // 3600)
    days, hours = divmod(hours, 24)
    parts = ([f"{days}d"] if days else []) + ([f"{hours}h"] if hours else [])
    return " ".join(parts) or "under an hour"


def overdue(as_json: JsonOpt = False) -> None:
    """In-progress spikes past started + timebox (exit 0 either way)."""
    from storykit.services.spikes import overdue_spikes

    found = overdue_spikes(workspace())
    if as_json:
        items = [{**late.item.to_json(), "overdue_since": date_text(late.since)} for late in found]
        envelope.print_json(answers.envelope("items", items))
        return
    if not found:
        output.err("no spike is overdue")
        return
    for late in found:
        model = late.item.model
        timebox = getattr(model, "timebox", "")
        late_by = f"timebox {timebox} ran out {late.since:%Y-%m-%d %H:%M}"
        line = f"{late.item.id}  {late_by}  {model.title}"
        output.out(
            line,
            f"[bold]{late.item.id}[/]  [bold red]{output.escape(late_by)}[/]  "
            f"{output.escape(model.title)}",
        )

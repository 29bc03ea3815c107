"""`storykit spike start|close|extend|overdue`: the spike lifecycle."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from storykit.cli import output
from storykit.cli.options import (
    IncludeOpt,
    JsonOpt,
    NoCommitOpt,
    NoVerifyOpt,
    commit_options,
    complete_ids,
    workspace,
)

SpikeArg = Annotated[
    str,
    typer.Argument(
        metavar="ID", help="The spike's ID (or a unique prefix).", autocompletion=complete_ids
    ),
]


def register(group: typer.Typer) -> None:
    group.command("start")(start)
    group.command("close")(close)
    group.command("extend")(extend)
    group.command("overdue")(overdue)


def _show(result: Any, what: str, as_json: bool) -> None:
    if as_json:
        data = output.json_items(
            result.created,
            spike=result.spike.to_json() if result.spike else None,
            commit=result.commit,
            changed=result.changed,
        )
        output.print_json(data)
        return
    if not result.changed or result.spike is None:
        output.out("nothing to do: no change")
        return
    spike = result.spike
    commit = f"  [{result.commit[:8]}]" if result.commit else "  (not committed)"
    timebox = f" (timebox {getattr(spike.model, 'timebox', '')})" if what == "extended" else ""
    output.out(f"{what} spike {spike.id}{timebox}: {spike.model.title}{commit}")
    if result.created:
        output.out(f"follow-ups ({len(result.created)}):")
        output.render_list(result.created)


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
    """Extend a spike's timebox (recorded in git history like every change)."""
    from storykit.services.spikes import extend_spike

    result = extend_spike(
        workspace(), spike, timebox, commit_options(no_commit, no_verify, include_changes)
    )
    _show(result, "extended", as_json)


def overdue(as_json: JsonOpt = False) -> None:
    """In-progress spikes past started + timebox (exit 0 either way)."""
    from storykit.services.spikes import overdue_spikes

    found = overdue_spikes(workspace())
    if as_json:
        data = output.json_items([o.item for o in found])
        for entry, late in zip(data["items"], found, strict=True):
            entry["overdue_since"] = late.since.isoformat()
        output.print_json(data)
        return
    if not found:
        output.err("no spike is overdue")
        return
    for late in found:
        model = late.item.model
        timebox = getattr(model, "timebox", "")
        line = (
            f"{late.item.id}  timebox {timebox} ran out {late.since:%Y-%m-%d %H:%M}  {model.title}"
        )
        output.out(line)

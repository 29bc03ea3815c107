"""`storykit sprint new|list|add|remove|plan|start|close|show`: sprints, one commit per
change (their reports: `cli/commands/reports.py`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from storykit.cli.commands import summary
from storykit.cli.commands.reports import (
    AtOpt,
    Format,
    FormatOpt,
    OutputOpt,
    drawn,
    figures_line,
    format_options,
    kept,
    width,
)
from storykit.cli.options import (
    ActiveSprintArg,
    IdsArg,
    IncludeOpt,
    JsonOpt,
    NoCommitOpt,
    NoVerifyOpt,
    commit_options,
    complete_sprints,
    read_text_arg,
    workspace,
)
from storykit.cli.render import charts, columns, envelope, output
from storykit.cli.render.style import styled
from storykit.model.points import number
from storykit.services import answers

if TYPE_CHECKING:
    from storykit.model.planning import Planning
    from storykit.services.reports import SprintReport
    from storykit.services.sprints import SprintOutcome

NameArg = Annotated[
    str,
    typer.Argument(metavar="NAME", help="The sprint's name.", autocompletion=complete_sprints),
]


def group(name: str) -> typer.Typer:
    """`storykit sprint …` (`name`: what the group is called)."""
    commands = typer.Typer(
        help="Sprints: plan them by capacity and balance, start and close them; their "
        "reports are computed from git history.",
        no_args_is_help=True,
    )
    for sub, command in (
        ("new", new),
        ("list", list_),
        ("add", add),
        ("remove", remove),
        ("plan", plan),
        ("start", start),
        ("close", close),
        ("show", show),
    ):
        commands.command(sub, short_help=summary(command.__doc__))(command)
    return commands


def new(
    name: NameArg,
    start: Annotated[str, typer.Option(metavar="DATE", help="The first day, like 2026-12-07.")],
    end: Annotated[
        str | None, typer.Option(metavar="DATE", help="The last day (included).")
    ] = None,
    length: Annotated[
        str | None,
        typer.Option(metavar="2w", help="Length in days or weeks (default: sprint_length)."),
    ] = None,
    goal: Annotated[str | None, typer.Option(help="What the sprint is for.")] = None,
    capacity: Annotated[
        float | None, typer.Option(metavar="N", help="Points the team can take on.")
    ] = None,
    as_json: JsonOpt = False,
    no_commit: NoCommitOpt = False,
    no_verify: NoVerifyOpt = False,
) -> None:
    """Create a sprint: one file in the backlog's sprints folder, one commit."""
    from storykit.services.sprints import new_sprint

    result = new_sprint(
        workspace(),
        name,
        commit_options(no_commit, no_verify),
        start=start,
        end=end,
        length=length,
        goal=goal,
        capacity=capacity,
    )
    _changed(result, "new", as_json)


def list_(at: AtOpt = None, as_json: JsonOpt = False) -> None:
    """Every sprint: dates, state (planned, active, closed), committed and completed points."""
    from storykit.services.reports import list_sprints

    ws = workspace()
    found = list_sprints(ws, at)
    with kept(ws, found.found, "sprint list", at=at, as_json=as_json):
        if as_json:
            envelope.print_json(answers.sprint_list(found.sprints))
        else:
            _list_text(found.sprints)


def _list_text(reports: list[SprintReport]) -> None:
    if not reports:
        output.out('no sprints yet: `storykit sprint new "Sprint 1" --start DATE` creates one')
        return
    width = max(len(r.sprint.name) for r in reports)
    for shown in reports:
        model, figures = shown.sprint.model, shown.burndown
        committed = f"committed {number(figures.committed)}" if figures.started else "not started"
        capacity = f"capacity {number(model.capacity)}" if model.capacity else ""
        line = (
            f"{shown.sprint.name:<{width}}  {model.start} → {model.end}  {shown.state:<7}  "
            f"{committed}  completed {number(figures.completed)}  {capacity}"
        ).rstrip()
        output.out(line)


def add(
    name: NameArg,
    items: IdsArg,
    as_json: JsonOpt = False,
    no_commit: NoCommitOpt = False,
    no_verify: NoVerifyOpt = False,
    include_changes: IncludeOpt = False,
) -> None:
    """Put items in a sprint (one commit for all of them)."""
    from storykit.services.sprints import add_items

    options = commit_options(no_commit, no_verify, include_changes)
    _changed(add_items(workspace(), name, items, options), "added to", as_json)


def remove(
    name: NameArg,
    items: IdsArg,
    as_json: JsonOpt = False,
    no_commit: NoCommitOpt = False,
    no_verify: NoVerifyOpt = False,
    include_changes: IncludeOpt = False,
) -> None:
    """Take items out of a sprint (one commit for all of them)."""
    from storykit.services.sprints import remove_items

    options = commit_options(no_commit, no_verify, include_changes)
    _changed(remove_items(workspace(), name, items, options), "removed from", as_json)


def plan(
    name: NameArg,
    from_file: Annotated[
        str | None,
        typer.Option(
            "--from-file", metavar="FILE", help="Read the kept lines from FILE (- for stdin)."
        ),
    ] = None,
    as_json: JsonOpt = False,
    no_commit: NoCommitOpt = False,
    no_verify: NoVerifyOpt = False,
    include_changes: IncludeOpt = False,
) -> None:
    """Choose a sprint's items in $EDITOR: the ready items in rank order with their points
    and a running total against capacity; the kept lines are the sprint."""
    from storykit.services.planning import plan_sprint
    from storykit.services.reports import planning_of

    text = read_text_arg(from_file) if from_file is not None else None
    ws = workspace()
    result = plan_sprint(ws, name, commit_options(no_commit, no_verify, include_changes), text)
    _, planning = planning_of(ws, result.sprint)
    if as_json:
        envelope.print_json(answers.sprint_outcome(result, planning=planning.to_json()))
        return
    _changed(result, "planned", False)
    _planning(planning)


def start(
    name: NameArg,
    as_json: JsonOpt = False,
    no_commit: NoCommitOpt = False,
    no_verify: NoVerifyOpt = False,
) -> None:
    """Start a sprint: the moment is recorded, and what it holds then is its commitment."""
    from storykit.services.sprints import start_sprint

    _changed(
        start_sprint(workspace(), name, commit_options(no_commit, no_verify)), "started", as_json
    )


def close(
    name: NameArg,
    carry_over: Annotated[
        str | None,
        typer.Option("--carry-over", metavar="NEXT", help="Move unfinished items to this sprint."),
    ] = None,
    as_json: JsonOpt = False,
    no_commit: NoCommitOpt = False,
    no_verify: NoVerifyOpt = False,
    include_changes: IncludeOpt = False,
) -> None:
    """Close a sprint: the moment is recorded; unfinished items move to NEXT (or leave the
    sprint) in the same commit."""
    from storykit.services.sprints import close_sprint

    options = commit_options(no_commit, no_verify, include_changes)
    _changed(close_sprint(workspace(), name, options, carry_over), "closed", as_json)


def show(
    name: ActiveSprintArg = None,
    at: AtOpt = None,
    as_json: JsonOpt = False,
    format_: FormatOpt = Format.text,
    output_file: OutputOpt = None,
) -> None:
    """A sprint: goal, dates, days left, capacity, committed, added, removed, completed,
    remaining, items by status, planning summary and the burndown chart."""
    from storykit.services.reports import show_sprint

    format_options(as_json, format_, output_file)
    found = show_sprint(workspace(), name, at)
    if as_json:
        envelope.print_json(answers.sprint_details(found))
        return
    shown = found.report
    if drawn(
        format_,
        output_file,
        lambda: charts.burndown_markdown(shown),
        lambda: charts.burndown_svg(shown),
    ):
        return
    model = shown.sprint.model
    left = _days_left(shown)
    output.out(
        f"{shown.sprint.name}  {shown.state}  {model.start} → {model.end}{left}",
        f"[bold]{output.escape(shown.sprint.name)}[/]  {shown.state}  {model.start} → "
        f"{model.end}[dim]{left}[/]",
    )
    if model.goal:
        output.out(f"goal: {model.goal}")
    figures_line(shown)
    counts = ", ".join(f"{status} {n}" for status, n in found.by_status.items() if n)
    output.out(f"items by status: {counts or 'none'}")
    _planning(found.planning)
    output.chart(charts.burndown_terminal(shown, width(), styled()))
    if found.items:
        columns.render_list(found.items)


def _days_left(shown: SprintReport) -> str:
    """`  (9 days left)`; a sprint not started yet says when it starts; a closed one
    nothing."""
    if shown.days_left is None:
        return ""
    if shown.state == "planned":
        today = shown.found.now.astimezone(shown.found.zone).date()
        days = (shown.sprint.model.start - today).days
        when = "starts today" if days <= 0 else f"starts in {days} day{'s' if days != 1 else ''}"
        return f"  ({when})"
    return f"  ({shown.days_left} day{'s' if shown.days_left != 1 else ''} left)"


def _changed(result: SprintOutcome, verb: str, as_json: bool) -> None:
    if as_json:
        envelope.print_json(answers.sprint_outcome(result))
        return
    if not result.outcome.changed:
        output.out("nothing to do: no change")
        return
    sprint = result.sprint
    note = output.commit_note(result.outcome)
    items = result.outcome.items
    if verb == "closed":
        output.out(f"closed sprint {sprint.name}{note}")
        if items:
            where = f"moved to {items[0].model.sprint}" if items[0].model.sprint else "left it"
            output.out(f"unfinished, {where}: {', '.join(item.id for item in items)}")
        return
    if verb in ("added to", "removed from"):
        moved = ", ".join(item.id for item in items)
        output.out(f"{verb} sprint {sprint.name}: {moved or 'nothing'}{note}")
        return
    model = sprint.model
    output.out(f"{verb} sprint {sprint.name} ({model.start} → {model.end}){note}")
    if items:
        columns.render_list(items)


def _planning(planning: Planning) -> None:
    capacity = f" of {number(planning.capacity)}" if planning.capacity else ""
    balance = ", ".join(
        f"{kind} {part['count']} ({round(part['share'] * 100)}%)"
        for kind, part in planning.balance.items()
        if part["count"]
    )
    output.out(f"planned: {number(planning.planned)}{capacity} points; {balance or 'no items'}")
    for warning in planning.warnings:
        output.out(
            f"warning: {warning.message} (`{warning.fix}`)",
            f"[yellow]warning:[/] {output.escape(warning.message)} "
            f"[dim](`{output.escape(warning.fix)}`)[/]",
        )

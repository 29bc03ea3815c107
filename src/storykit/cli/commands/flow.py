"""`storykit flow`: cycle time, lead time, throughput, aging work in progress and cumulative
flow from git history (services/flow.py), as text with terminal charts, Markdown with
Mermaid, an SVG file or JSON, with the sprint reports' formats (`reports.py`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from storykit.cli.commands.reports import (
    AtOpt,
    Format,
    FormatOpt,
    OutputOpt,
    drawn,
    format_options,
    kept,
    width,
)
from storykit.cli.options import JsonOpt, workspace
from storykit.cli.render import envelope, flow_charts, output
from storykit.cli.render.style import styled
from storykit.model.flow import ALL
from storykit.services import answers

if TYPE_CHECKING:
    from storykit.model.flow import Flow, Spread


def flow(
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="DATE|REV",
            help="Start of the window: a date (its first moment) or a revision (the moment it "
            "was committed). Default: the day the first item was captured.",
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", metavar="DATE", help="End of the window (that day included)."),
    ] = None,
    type_: Annotated[
        str | None,
        typer.Option("--type", metavar="TYPE", help="Only items of this type."),
    ] = None,
    at: AtOpt = None,
    as_json: JsonOpt = False,
    format_: FormatOpt = Format.text,
    output_file: OutputOpt = None,
) -> None:
    """Cycle time (first in progress to last done) and lead time (captured to done) as 50th,
    85th and 95th percentiles, overall and per type; items done per ISO week; each item in
    progress with its age, marked past the 85th percentile; and how many items stood in
    each status at the end of each day. Read from the commits, as of HEAD or --at REV."""
    from storykit.services.flow import flow_of

    format_options(as_json, format_, output_file)
    ws = workspace()
    found = flow_of(ws, since, until, type_, at)
    figures = found.flow
    dropped = ws.project.config.workflow.dropped
    title = f"flow of {found.only} items" if found.only else "flow"
    options = {"at": at, "as_json": as_json, "form": format_.value}
    asked = {"since": since, "until": until, "only": type_}
    with kept(ws, found, "flow", **options, **asked) as keeping:
        if as_json:
            envelope.print_json(answers.flow(found))
        elif not drawn(
            format_,
            output_file,
            lambda: flow_charts.flow_markdown(figures, dropped, title),
            lambda: flow_charts.flow_svg(figures, dropped, title),
            keeping,
        ):
            _text(figures, dropped, title)


def _text(found: Flow, dropped: str, title: str) -> None:
    output.out(f"{title}  {found.first_day} → {found.last_day}")
    output.out("")
    output.out(f"{'':<11} {'type':<8} {'items':>5} {'p50':>6} {'p85':>6} {'p95':>6}  (days)")
    _spreads("cycle time", found.cycle)
    _spreads("lead time", found.lead)
    output.out("")
    output.chart(flow_charts.throughput_terminal(found, width(), styled()))
    output.out("")
    p85 = found.cycle[ALL].p85
    if found.aging:
        limit = flow_charts.shown(p85)
        output.out(f"aging work in progress (85th percentile cycle time: {limit} days):")
        for item in found.aging:
            mark = "  over p85" if item.over_p85 else ""
            output.out(
                f"  {item.id:<9} {item.status:<12} {flow_charts.shown(item.age):>6} days"
                f"{mark}  {item.title}"
            )
    else:
        output.out("no work in progress")
    output.out("")
    output.chart(flow_charts.cfd_terminal(found, dropped, width(), styled()))


def _spreads(name: str, spreads: dict[str, Spread]) -> None:
    for index, (kind, s) in enumerate(spreads.items()):
        label = name if index == 0 else ""
        figures = [flow_charts.shown(value) for value in (s.p50, s.p85, s.p95)]
        output.out(f"{label:<11} {kind:<8} {s.count:>5} " + " ".join(f"{v:>6}" for v in figures))

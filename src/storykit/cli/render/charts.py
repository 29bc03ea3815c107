"""Charts of sprint reports: in the terminal (plotext), as Markdown with a Mermaid
`xychart-beta` block (hosting sites render it in a pull-request comment), and as a
standalone SVG file (matplotlib). The plotting libraries are imported only here, and
only when a chart is drawn."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from storykit.cli.render.comment import fit
from storykit.errors import UsageError
from storykit.model.points import number
from storykit.printable import printable

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from storykit.services.reports import SprintReport, Velocity

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def plain(value: float | None) -> str:
    shown = number(value)
    return "" if shown is None else str(shown)


def built(plt: Any, colour: bool) -> str:
    """plotext's drawing as text (without colour codes unless `colour`)."""
    text = str(plt.build())
    return text if colour else _ANSI.sub("", text)


def start_plot(width: int, height: int) -> Any:
    """plotext, cleared, with the plain theme and the size given."""
    import plotext as plt

    plt.clear_figure()
    plt.theme("clear")
    plt.plotsize(max(width, 40), height)
    return plt


def _known(report: SprintReport) -> list[tuple[int, float, float]]:
    """(day index, scope, remaining) of the days that have figures."""
    return [
        (index, day.scope, day.remaining)
        for index, day in enumerate(report.burndown.days)
        if day.scope is not None and day.remaining is not None
    ]


def burndown_terminal(report: SprintReport, width: int, colour: bool) -> str:
    """Remaining against the ideal line, with the scope line (its steps are scope change)."""
    days = report.burndown.days
    plt = start_plot(width, 16)
    x = list(range(1, len(days) + 1))
    marks = ("braille",) * 3 if colour else (".", "-", "*")  # told apart without colour
    plt.plot(x, [day.ideal for day in days], label="ideal", color="gray", marker=marks[0])
    known = _known(report)
    if known:
        at = [index + 1 for index, _, _ in known]
        scope = [scope for _, scope, _ in known]
        plt.plot(at, scope, label="scope", color="blue", marker=marks[1])
        left = [left for _, _, left in known]
        plt.plot(at, left, label="remaining", color="red", marker=marks[2])
    step = max(1, len(days) // 7)
    plt.xticks(x[::step], [day.date.strftime("%m-%d") for day in days][::step])
    plt.ylim(0, max([1.0] + [d.scope or 0 for d in days] + [days[0].ideal if days else 0]))
    plt.title(printable(f"{report.sprint.name}: burndown"))
    return built(plt, colour)


def velocity_terminal(found: Velocity, width: int, colour: bool) -> str:
    plt = start_plot(width, 14)
    names = [printable(r.sprint.name)[:12] for r in found.sprints]
    committed = [r.burndown.committed for r in found.sprints]
    completed = [r.burndown.completed for r in found.sprints]
    marks = ["sd", "sd"] if colour else ["#", "="]
    plt.multiple_bar(
        names, [committed, completed], labels=["committed", "completed"], marker=marks,
        color=["blue", "green"],
    )  # fmt: skip
    average = plain(found.average) or "-"
    plt.title(f"velocity (average of the last 3 closed sprints: {average})")
    return built(plt, colour)


def mermaid_text(text: str) -> str:
    return printable(text).replace('"', "'")


_WHOLE = "`--json` or the text form prints all of it"


def burndown_markdown(report: SprintReport) -> str:
    figures = report.burndown
    days = figures.days
    rows = [
        "| date | scope | completed | remaining | ideal |",
        "| --- | ---: | ---: | ---: | ---: |",
        *(
            f"| {d.date} | {plain(d.scope)} | {plain(d.completed)} | "
            f"{plain(d.remaining)} | {plain(d.ideal)} |"
            for d in days
        ),
    ]
    known = _known(report)
    top = max([1.0, figures.committed] + [scope for _, scope, _ in known])
    labels = ", ".join(f'"{d.date.strftime("%m-%d")}"' for d in days)
    chart = [
        "```mermaid",
        "xychart-beta",
        f'    title "{mermaid_text(report.sprint.name)}: burndown"',
        f"    x-axis [{labels}]",
        f'    y-axis "points" 0 --> {plain(top)}',
        f"    line [{', '.join(plain(d.ideal) for d in days)}]",
    ]
    if known:
        chart.append(f"    line [{', '.join(plain(left) for _, _, left in known)}]")
    chart.append("```")
    head = (
        f"**{printable(report.sprint.name)}** ({report.sprint.model.start} → "
        f"{report.sprint.model.end}): committed {plain(figures.committed)}, added "
        f"{plain(figures.added)}, removed {plain(figures.removed)}, completed "
        f"{plain(figures.completed)}, remaining {plain(figures.remaining)}"
    )
    return fit("\n".join([head, "", *rows, "", *chart]) + "\n", _WHOLE)


def velocity_markdown(found: Velocity) -> str:
    rows = [
        "| sprint | start | end | committed | completed |",
        "| --- | --- | --- | ---: | ---: |",
        *(
            f"| {printable(r.sprint.name).replace('|', '/')} | {r.sprint.model.start} | "
            f"{r.sprint.model.end} | {plain(r.burndown.committed)} | "
            f"{plain(r.burndown.completed)} |"
            for r in found.sprints
        ),
    ]
    names = ", ".join(f'"{mermaid_text(r.sprint.name)}"' for r in found.sprints)
    top = max([1.0] + [max(r.burndown.committed, r.burndown.completed) for r in found.sprints])
    chart = [
        "```mermaid",
        "xychart-beta",
        '    title "velocity: committed and completed points"',
        f"    x-axis [{names}]",
        f'    y-axis "points" 0 --> {plain(top)}',
        f"    bar [{', '.join(plain(r.burndown.committed) for r in found.sprints)}]",
        f"    bar [{', '.join(plain(r.burndown.completed) for r in found.sprints)}]",
        "```",
    ]
    average = f"average of the last 3 closed sprints: {plain(found.average) or '-'}"
    return fit("\n".join([*rows, "", average, "", *chart]) + "\n", _WHOLE)


SVG_EXTRA = (
    "install it beside storykit: `pipx inject storykit matplotlib`, "
    "`uv tool install 'storykit[svg]'` or `pip install 'storykit[svg]'`"
)


def new_figure(size: tuple[float, float] = (8, 4.5)) -> Figure:
    try:
        import matplotlib
    except ImportError:  # an optional extra: the base install stays slim
        raise UsageError(
            "--format svg draws with matplotlib, which is not installed", hint=SVG_EXTRA
        ) from None

    # The same chart, the same file, on every machine: matplotlib's own defaults (no
    # matplotlibrc of the user's or the repository's), and a fixed salt for SVG ids.
    matplotlib.rcdefaults()
    matplotlib.rcParams["svg.hashsalt"] = "storykit"
    from matplotlib.figure import Figure

    return Figure(figsize=size)


def burndown_svg(report: SprintReport) -> bytes:
    figure = new_figure()
    axes: Axes = figure.subplots()
    days = report.burndown.days
    labels = [day.date.strftime("%m-%d") for day in days]
    axes.plot(labels, [d.ideal for d in days], "--", color="gray", label="ideal")
    known = _known(report)
    if known:
        shown = [labels[index] for index, _, _ in known]
        axes.step(shown, [s for _, s, _ in known], where="post", color="tab:blue", label="scope")
        axes.plot(shown, [r for _, _, r in known], marker="o", color="tab:red", label="remaining")
    axes.set_title(f"{printable(report.sprint.name)}: burndown")
    axes.set_ylabel("points")
    axes.set_ylim(bottom=0)
    axes.tick_params(axis="x", labelrotation=45)
    axes.legend()
    return rendered(figure)


def velocity_svg(found: Velocity) -> bytes:
    figure = new_figure()
    axes: Axes = figure.subplots()
    names = [printable(r.sprint.name) for r in found.sprints]
    x = list(range(len(names)))
    committed = [r.burndown.committed for r in found.sprints]
    completed = [r.burndown.completed for r in found.sprints]
    axes.bar([i - 0.2 for i in x], committed, 0.4, label="committed", color="tab:blue")
    axes.bar([i + 0.2 for i in x], completed, 0.4, label="completed", color="tab:green")
    if found.average is not None:
        axes.axhline(found.average, linestyle="--", color="gray", label="average (last 3)")
    axes.set_xticks(x, names)
    axes.set_title("velocity")
    axes.set_ylabel("points")
    axes.legend()
    return rendered(figure)


def rendered(figure: Figure) -> bytes:
    """The chart as an SVG file's bytes."""
    import io

    figure.tight_layout()
    rendered = io.BytesIO()
    figure.savefig(rendered, format="svg", metadata={"Date": None})
    return rendered.getvalue()

"""Charts of `storykit flow`, drawn as the sprint reports' are (`charts.py`): throughput and
cumulative flow in the terminal, Markdown tables with Mermaid charts for a pull-request
comment, and one SVG file with four panels (cycle time, throughput, aging, cumulative flow).

The cumulative flow chart stacks the statuses from done up and leaves dropped out (its
count only grows); a long window is drawn with evenly sampled days, always ending on the
last, so the Markdown stays well inside a comment. Every figure is in `--json`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from storykit.cli.render.charts import built, mermaid_text, new_figure, rendered, start_plot
from storykit.cli.render.comment import fit
from storykit.model.flow import ALL, Spread, days
from storykit.printable import printable

if TYPE_CHECKING:
    from storykit.model.flow import Flow

CHART_POINTS = 90  # at most this many days or weeks in one Mermaid chart
_WHOLE = "`--json` or the text form prints all of it"


def shown(value: int | None) -> str:
    """A duration in days with one decimal, or `-`."""
    found = days(value)
    return "-" if found is None else f"{found:.1f}"


def sampled(count: int, most: int) -> list[int]:
    """Up to `most` indexes of `count` points, evenly spread, the last always among them."""
    if count <= most:
        return list(range(count))
    step = count / most
    picked = sorted({min(count - 1, round(count - 1 - k * step)) for k in range(most)})
    return picked


def stacked_statuses(found: Flow, dropped: str) -> list[str]:
    """The cumulative flow chart's bands, bottom first: the workflow backwards, no dropped."""
    return [s for s in reversed(found.statuses) if s != dropped]


def throughput_terminal(found: Flow, width: int, colour: bool) -> str:
    plt = start_plot(width, 12)
    weeks = found.throughput[-max(4, (width - 10) // 6) :]
    plt.bar([w[5:] for w, _ in weeks], [n for _, n in weeks], marker="sd" if colour else "#")
    plt.title("throughput: items done per ISO week")
    return built(plt, colour)


def cfd_terminal(found: Flow, dropped: str, width: int, colour: bool) -> str:
    plt = start_plot(width, 16)
    bands = stacked_statuses(found, dropped)
    picked = sampled(len(found.cfd), max(8, (width - 10) // 3))
    labels = [found.cfd[i][0].strftime("%m-%d") for i in picked]
    values = [[found.cfd[i][1].get(status, 0) for i in picked] for status in bands]
    marks = ["sd"] * len(bands) if colour else ["#", "=", ".", "+", "o", "x", "*"][: len(bands)]
    plt.stacked_bar(labels, values, labels=bands, marker=marks)
    plt.title("cumulative flow: items per status at the end of each day")
    return built(plt, colour)


def _spread_rows(name: str, spreads: dict[str, Spread]) -> list[str]:
    return [
        f"| {name} | {kind} | {s.count} | {shown(s.p50)} | {shown(s.p85)} | {shown(s.p95)} |"
        for kind, s in spreads.items()
    ]


def flow_markdown(found: Flow, dropped: str, title: str) -> str:
    p85 = found.cycle[ALL].p85
    head = (
        f"**{printable(title)}** {found.first_day} → {found.last_day}: "
        f"{found.cycle[ALL].count} items done"
    )
    figures = [
        "| measure | type | items | p50 (days) | p85 | p95 |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
        *_spread_rows("cycle time", found.cycle),
        *_spread_rows("lead time", found.lead),
    ]
    weeks = [found.throughput[i] for i in sampled(len(found.throughput), CHART_POINTS)]
    top = max([1] + [n for _, n in weeks])
    names = ", ".join(f'"{week}"' for week, _ in weeks)
    throughput = [
        "```mermaid",
        "xychart-beta",
        '    title "throughput: items done per ISO week"',
        f"    x-axis [{names}]",
        f'    y-axis "items" 0 --> {top}',
        f"    bar [{', '.join(str(n) for _, n in weeks)}]",
        "```",
    ]
    aging = [
        f"Aging work in progress (85th percentile cycle time: {shown(p85)} days):",
        "",
        "| item | status | days | over p85 | title |",
        "| --- | --- | ---: | --- | --- |",
        *(
            f"| {a.id} | {a.status} | {shown(a.age)} | {'yes' if a.over_p85 else ''} | "
            f"{printable(a.title).replace('|', '/')} |"
            for a in found.aging
        ),
    ]
    if not found.aging:
        aging = ["No work in progress."]
    return fit(
        "\n".join(
            [head, "", *figures, "", *throughput, "", *_cfd_mermaid(found, dropped), "", *aging,
             "", *_cfd_table(found)]
        ) + "\n",
        _WHOLE,
    )  # fmt: skip


def _cfd_mermaid(found: Flow, dropped: str) -> list[str]:
    bands = stacked_statuses(found, dropped)
    picked = [found.cfd[i] for i in sampled(len(found.cfd), CHART_POINTS)]
    labels = ", ".join(f'"{day.strftime("%m-%d")}"' for day, _ in picked)
    lines, total = [], [0] * len(picked)
    for status in bands:
        total = [t + counts.get(status, 0) for t, (_, counts) in zip(total, picked, strict=True)]
        lines.append(f"    line [{', '.join(str(n) for n in total)}]")
    top = max([1, *total])
    order = ", ".join(mermaid_text(s) for s in bands)
    return [
        "```mermaid",
        "xychart-beta",
        f'    title "cumulative flow, stacked from the bottom: {order}"',
        f"    x-axis [{labels}]",
        f'    y-axis "items" 0 --> {top}',
        *lines,
        "```",
    ]


def _cfd_table(found: Flow) -> list[str]:
    names = [printable(s) for s in found.statuses]
    return [
        f"| date | {' | '.join(names)} |",
        f"| --- |{' ---: |' * len(names)}",
        *(
            f"| {day} | {' | '.join(str(counts.get(s, 0)) for s in found.statuses)} |"
            for day, counts in found.cfd
        ),
    ]


def flow_svg(found: Flow, dropped: str, title: str) -> bytes:
    figure = new_figure((11, 8))
    (cycle, weekly), (aging, cfd) = figure.subplots(2, 2)
    figure.suptitle(f"{printable(title)}: {found.first_day} → {found.last_day}")
    finished = [f for f in found.finished if f.cycle is not None]
    when = [dt.datetime.fromtimestamp(f.done, found.zone).date() for f in finished]
    cycle.scatter(when, [days(f.cycle) for f in finished], color="tab:blue", s=12)
    spread = found.cycle[ALL]
    for name, value, style in (("p50", spread.p50, ":"), ("p85", spread.p85, "--"),
                               ("p95", spread.p95, "-.")):  # fmt: skip
        if value is not None:
            label = f"{name} {shown(value)}"
            cycle.axhline(days(value), linestyle=style, color="gray", label=label)
    cycle.set_title("cycle time (days)")
    cycle.set_ylim(bottom=0)
    if spread.p50 is not None:
        cycle.legend(fontsize="small")
    cycle.tick_params(axis="x", labelrotation=30, labelsize="small")
    weeks = found.throughput
    weekly.bar([w[5:] for w, _ in weeks], [n for _, n in weeks], color="tab:green")
    weekly.set_title("throughput: done per ISO week")
    weekly.yaxis.get_major_locator().set_params(integer=True)
    step = max(1, len(weeks) // 10)
    weekly.set_xticks(range(0, len(weeks), step), [w[5:] for w, _ in weeks][::step])
    oldest = found.aging[:20]
    aging.barh(
        [a.id for a in oldest][::-1],
        [days(a.age) for a in oldest][::-1],
        color=["tab:red" if a.over_p85 else "tab:orange" for a in oldest][::-1],
    )
    if spread.p85 is not None:
        aging.axvline(days(spread.p85), linestyle="--", color="gray", label="p85 cycle time")
        aging.legend(fontsize="small")
    aging.set_title("aging work in progress (days)")
    bands = stacked_statuses(found, dropped)
    dates = [day for day, _ in found.cfd]
    cfd.stackplot(
        dates, [[counts.get(s, 0) for _, counts in found.cfd] for s in bands], labels=bands
    )
    cfd.set_title("cumulative flow")
    cfd.yaxis.get_major_locator().set_params(integer=True)
    cfd.legend(loc="upper left", fontsize="small")
    cfd.tick_params(axis="x", labelrotation=30, labelsize="small")
    return rendered(figure)

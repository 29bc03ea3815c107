"""`storykit burndown` and `storykit velocity`, and what `sprint show` shares with them:
the output formats (a chart in the terminal, Markdown with Mermaid, an SVG file)."""

from __future__ import annotations

import contextlib
import io
import shutil
import sys
from collections.abc import Callable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Protocol

import typer

from storykit.cli.options import ActiveSprintArg, JsonOpt, workspace, write_output
from storykit.cli.render import charts, envelope, output
from storykit.cli.render.style import styled
from storykit.errors import UsageError
from storykit.model.points import number
from storykit.services import answers

if TYPE_CHECKING:
    from storykit.services.reports import SprintReport, Velocity
    from storykit.services.workspace import Workspace

AtOpt = Annotated[
    str | None,
    typer.Option("--at", metavar="REV", help="Compute it as of this revision (default: HEAD)."),
]


class Format(StrEnum):
    text = "text"
    markdown = "markdown"
    svg = "svg"


FormatOpt = Annotated[
    Format,
    typer.Option(
        "--format",
        help="text (a chart in the terminal), markdown (a table and a Mermaid chart) or svg "
        "(a chart file: needs --output).",
    ),
]
OutputOpt = Annotated[
    Path | None, typer.Option("--output", metavar="FILE", help="Where --format svg writes.")
]


def burndown(
    sprint: ActiveSprintArg = None,
    at: AtOpt = None,
    as_json: JsonOpt = False,
    format_: FormatOpt = Format.text,
    output_file: OutputOpt = None,
) -> None:
    from storykit.services.reports import burndown_of

    format_options(as_json, format_, output_file)
    ws = workspace()
    shown = burndown_of(ws, sprint, at)
    options = {"sprint": sprint, "at": at, "as_json": as_json, "form": format_.value}
    with kept(ws, shown.found, "burndown", **options) as keeping:
        if as_json:
            envelope.print_json(answers.burndown(shown))
        elif not drawn(
            format_,
            output_file,
            lambda: charts.burndown_markdown(shown),
            lambda: charts.burndown_svg(shown),
            keeping,
        ):
            model = shown.sprint.model
            output.out(f"{shown.sprint.name}  {shown.state}  {model.start} → {model.end}")
            figures_line(shown)
            output.chart(charts.burndown_terminal(shown, width(), styled()))


def velocity(
    last: Annotated[int, typer.Option(metavar="N", help="Show the last N closed sprints.")] = 6,
    at: AtOpt = None,
    as_json: JsonOpt = False,
    format_: FormatOpt = Format.text,
    output_file: OutputOpt = None,
) -> None:
    from storykit.services.reports import velocity as compute

    format_options(as_json, format_, output_file)
    ws = workspace()
    found = compute(ws, last, at)
    options = {"at": at, "as_json": as_json, "form": format_.value, "last": last}
    with kept(ws, found.found, "velocity", **options) as keeping:
        if as_json:
            envelope.print_json(answers.velocity(found))
        elif not drawn(
            format_,
            output_file,
            lambda: charts.velocity_markdown(found),
            lambda: charts.velocity_svg(found),
            keeping,
        ):
            _velocity_text(found)


def _velocity_text(found: Velocity) -> None:
    if not found.sprints:
        output.out("no closed sprint yet: `storykit sprint close NAME` closes one")
        return
    for shown in found.sprints:
        figures = shown.burndown
        output.out(
            f"{shown.sprint.name}  {shown.sprint.model.start} → {shown.sprint.model.end}  "
            f"committed {number(figures.committed)}  completed {number(figures.completed)}"
        )
    output.out(f"average (last 3 closed sprints): {number(found.average)}")
    output.chart(charts.velocity_terminal(found, width(), styled()))


def figures_line(shown: SprintReport) -> None:
    figures = shown.burndown
    capacity = (
        f"capacity {number(shown.sprint.model.capacity)}, " if shown.sprint.model.capacity else ""
    )
    output.out(
        f"{capacity}committed {number(figures.committed)}, added {number(figures.added)}, "
        f"removed {number(figures.removed)}, completed {number(figures.completed)}, "
        f"remaining {number(figures.remaining)}"
        + (f" (completed late: {number(figures.late)})" if figures.late else "")
    )


def format_options(as_json: bool, format_: Format, output_file: Path | None) -> None:
    if as_json and format_ is not Format.text:
        raise UsageError("give either --json or --format, not both")
    if format_ is Format.svg and output_file is None:
        raise UsageError("--format svg writes a file: give --output FILE")
    if output_file is not None and format_ is not Format.svg:
        raise UsageError("--output goes with --format svg")


def drawn(
    format_: Format,
    path: Path | None,
    markdown: Callable[[], str],
    svg: Callable[[], bytes],
    keeping: Keeping | None = None,
) -> bool:
    """Markdown or SVG output, if asked for (True: done)."""
    if format_ is Format.markdown:
        sys.stdout.write(markdown())
        return True
    if format_ is Format.svg and path is not None:
        drawing = svg()
        write_output(path, drawing)  # a failure never leaves half a chart
        if keeping is not None:
            keeping.written = drawing.decode()
        return True
    return False


class Keeping:
    """What a report wrote besides its output (an SVG chart), to keep with it."""

    written: str | None = None


def width() -> int:
    return min(shutil.get_terminal_size((80, 24)).columns, 100) - 2


class _Tee(io.TextIOBase):
    """stdout, with a copy of what is written (a terminal stays a terminal)."""

    def __init__(self, real: io.TextIOBase) -> None:
        self.real, self.copy = real, io.StringIO()

    def write(self, text: str) -> int:
        self.copy.write(text)
        return self.real.write(text)

    def flush(self) -> None:
        self.real.flush()

    def isatty(self) -> bool:
        return self.real.isatty()

    def fileno(self) -> int:
        return self.real.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.real, "encoding", "utf-8")


@contextlib.contextmanager
def captured() -> Iterator[tuple[io.StringIO, io.StringIO]]:
    """stdout and stderr as they are, with a copy of what is written to each."""
    real_out, real_err = sys.stdout, sys.stderr
    out, err = _Tee(real_out), _Tee(real_err)  # type: ignore[arg-type]
    sys.stdout, sys.stderr = out, err
    try:
        yield out.copy, err.copy
    finally:
        sys.stdout, sys.stderr = real_out, real_err


class Computed(Protocol):
    """A report computed as of a commit, and the window of "now" its answer holds for."""

    commit: str

    def window(self) -> tuple[float, float, float] | None: ...


@contextlib.contextmanager
def kept(ws: Workspace, found: Computed, command: str, **options: object) -> Iterator[Keeping]:
    """Print a report and keep what was printed (and drawn) for the lean path
    (`reportcache.py`)."""
    from storykit.cli.lean.kept_reports import report_request
    from storykit.history.reportcache import ReportCache

    keeping = Keeping()
    wanted = report_request(command, **options)  # type: ignore[arg-type]
    git_dir = ws.project.git_dir
    if wanted is None or git_dir is None:
        yield keeping
        return
    cache = ReportCache(ws.project.root, git_dir)
    with captured() as (out, _):
        yield keeping
    key = cache.key(found.commit, wanted)
    if key is not None:
        cache.put(key, out.getvalue(), found.window(), keeping.written)

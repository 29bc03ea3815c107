"""Everything storykit prints. The only module that imports Rich (lazily, terminals only).

On a terminal: styled lines. Piped: plain text. `NO_COLOR` is honoured. Long lists are
streamed line by line, never built as one giant table.
"""

from __future__ import annotations

import os
import sys
import traceback
from functools import cache
from typing import TYPE_CHECKING

from storykit.cli.render.style import format_points, status_style, styled, type_style
from storykit.errors import BUG_HINT, EXIT_INTERRUPTED, Diagnostic, StorykitError, error_text
from storykit.locations import CUT_SHORT
from storykit.printable import printable, printable_lines

if TYPE_CHECKING:
    from rich.console import Console

    from storykit.model.diffs import FieldDiff
    from storykit.services.query import ItemDetails
    from storykit.services.workspace import Outcome


@cache
def _console(stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True, emoji=False)


def _esc(text: str) -> str:
    """Text made literal inside Rich markup (which is printed only when styled: otherwise
    the markup is never shown, and Rich is not imported for it); control characters are
    shown as escapes either way."""
    text = printable_lines(text)
    if not styled():
        return text
    from rich.markup import escape

    return escape(text)


def escape(text: str) -> str:
    """Text made literal inside the markup given to `out`."""
    return _esc(text)


def out(plain: str, markup: str | None = None) -> None:
    """One line on stdout: `markup` (Rich) on a terminal, `plain` otherwise. Whatever a
    value holds, no control character but newline and tab reaches the terminal."""
    if markup is not None and styled():
        _console().print(printable_lines(markup))
    else:
        sys.stdout.write(printable_lines(plain) + "\n")


def chart(text: str) -> None:
    """A chart drawn by a plotting library (cli/render/charts.py), written as it is: its colour
    codes are the library's own, and every label in it went through `printable`."""
    sys.stdout.write(text.rstrip("\n") + "\n")


def err(text: str) -> None:
    sys.stderr.write(printable_lines(text) + "\n")


def print_error(exc: StorykitError) -> None:
    for line in exc.lines():
        err(line)


def report_failure(exc: BaseException) -> int:
    """Say on stderr what went wrong, without a traceback, and return the exit code.
    Notes added on the way (where typed text was kept) come last, as `note:` lines."""
    code = _report(exc)
    for note in getattr(exc, "__notes__", ()):
        err(f"note: {note}")
    return code


def _report(exc: BaseException) -> int:
    if isinstance(exc, StorykitError):
        print_error(exc)
        return exc.exit_code
    if isinstance(exc, KeyboardInterrupt):
        err(f"error: {error_text(exc)}")
        return EXIT_INTERRUPTED
    if isinstance(exc, BrokenPipeError):
        return 0
    if os.environ.get("STORYKIT_DEBUG"):
        traceback.print_exception(exc)
    err(f"error: {error_text(exc)}")
    err(f"hint: {BUG_HINT}")
    return 1


def status_markup(status: str) -> str:
    """A status in Rich markup, coloured as `list` colours it."""
    style = status_style(status)
    return f"[{style}]{_esc(status)}[/]" if style else _esc(status)


def change_markup(change: FieldDiff) -> str:
    """A field change in Rich markup: a status change coloured as `list` colours it."""
    if change.field == "status" and change.kind == "changed":
        return f"status: {status_markup(str(change.old))} → {status_markup(str(change.new))}"
    return _esc(change.text())


def diff_line_markup(line: str) -> str:
    """A line of a text's change (`FieldDiff.lines`): gone in red, come in green."""
    style = {"-": "red", "+": "green"}.get(line[:1])
    return f"[{style}]{_esc(line)}[/]" if style else _esc(line)


def render_item(details: ItemDetails) -> None:
    """`show`: the item's story first, every field that is set, then its children."""
    from storykit.model.records import date_text

    item = details.item
    model = item.model
    data = item.to_json()
    out(
        f"{item.id}  {item.type}  {model.status}",
        f"[bold]{item.id}[/]  [{type_style(item.type)}]{item.type}[/]  "
        f"[{status_style(model.status)}]{_esc(model.status)}[/]",
    )
    out(model.title, f"[bold]{_esc(model.title)}[/]")
    if details.overdue_since is not None:
        since = details.overdue_since.strftime("%Y-%m-%d %H:%M")
        line = f"OVERDUE: the {data['timebox']} timebox ran out at {since}"
        out(line, f"[bold red]{_esc(line)}[/]")
    if item.type == "story" and data["as_a"] and data["i_want"] and data["so_that"]:
        sentence = f"As a {data['as_a']}, I want {data['i_want']} so that {data['so_that']}."
        out("")
        out(sentence, _esc(sentence))
    out("")
    skip = {"id", "type", "title", "status", "path", "as_a", "i_want", "so_that"}
    width = max(len(k) for k in data)

    def named(value: object) -> str:
        linked = details.linked.get(str(value))
        return f"{value}  {linked.model.title}" if linked else str(value)

    for key, value in data.items():
        if key in skip or value in (None, [], ""):
            continue
        if isinstance(value, list):
            out(f"{key}:", f"[bold]{_esc(key)}:[/]")
            for entry in value:
                out(f"  - {named(entry)}", f"  - {_esc(named(entry))}")
        elif isinstance(value, str) and "\n" in value.strip():
            out(f"{key}:", f"[bold]{_esc(key)}:[/]")
            for line in value.rstrip("\n").splitlines():
                out(f"  {line}", f"  {_esc(line)}")
        else:
            label = f"{key}:".ljust(width + 1)
            out(f"{label} {named(value)}", f"[bold]{_esc(label)}[/] {_esc(named(value))}")
    if details.score is not None:
        label = "score:".ljust(width + 1)
        shown = format_points(round(details.score, 2))
        out(f"{label} {shown}", f"[bold]{_esc(label)}[/] {shown}")
    if details.captured is not None or details.history_cut:
        if details.captured is not None:
            who, when = details.captured
            line = f"{who}, {date_text(when.replace(microsecond=0))}"
        else:
            line = f"unknown: {CUT_SHORT} (`git fetch --unshallow`)"
        label = "captured:".ljust(width + 1)
        out(f"{label} {line}", f"[bold]{_esc(label)}[/] {_esc(line)}")
    file_line = f"{'file:'.ljust(width + 1)} {printable(item.rel)}"
    out(file_line, f"[dim]{_esc(file_line)}[/]")
    _render_code(details)
    if details.children:
        progress = details.progress
        out("")
        out(f"children ({len(details.children)}):", f"[bold]children ({len(details.children)}):[/]")
        from storykit.cli.render.columns import render_list

        render_list(details.children)
        if progress is not None:
            counts = ", ".join(f"{n} {s}" for s, n in progress.by_status.items() if n)
            done, total = format_points(progress.points_done), format_points(progress.points_total)
            line = f"progress: {counts}; {done} of {total} points done"
            out(line, f"[bold]progress:[/] {_esc(line.removeprefix('progress: '))}")


def _render_code(details: ItemDetails) -> None:
    """The commits that name the item (newest first) and the branches that hold its ID."""
    code = details.code
    if code is None or not (code.commits or code.branches):
        return
    out("")
    count = f"{len(code.commits)} commit{'' if len(code.commits) == 1 else 's'}"
    out(f"code ({count}):", f"[bold]code ({count}):[/]")
    for commit in code.commits:
        where = f"{commit.sha[:8]}  {commit.date[:10]}"
        said = f"{commit.author}  {commit.subject}"
        out(f"  {where}  {said}", f"  [dim]{where}[/]  {_esc(said)}")
    for branch in code.branches:
        out(f"  branch {branch}", f"  branch [bold]{_esc(branch)}[/]")


def commit_note(result: Outcome) -> str:
    """`  [1a2b3c4d]` after what a change did, or `  (not committed)`."""
    return f"  [{result.commit[:8]}]" if result.commit else "  (not committed)"


def tell_notes(result: Outcome) -> None:
    """What a change found worth telling beside its answer (`note: …`), on stderr."""
    for note in result.notes:
        err(note)


def render_change(result: Outcome, verb: str) -> None:
    """A line per item saying what happened, and the commit if one was made: `new story
    SK-7K2M: …`, or for a status change `story SK-7K2M → ready: …`."""
    tell_notes(result)
    if not result.changed:
        out("nothing to do: no change")
        return
    items = [result.item] if result.item is not None else result.items
    where = commit_note(result)
    if not items:
        out(verb + where, _esc(verb) + f"[dim]{_esc(where)}[/]")
    for index, item in enumerate(items):
        last = where if index == len(items) - 1 else ""
        head = f"{item.type} {item.id}"
        head_markup = f"[{type_style(item.type)}]{item.type}[/] [bold]{item.id}[/]"
        if verb == "status":
            status = item.model.status
            label = f"{head} → {status}: {item.model.title}"
            markup = (
                f"{head_markup} → [{status_style(status)}]{_esc(status)}[/]: "
                f"{_esc(item.model.title)}"
            )
        else:
            label = f"{verb} {head}: {item.model.title}"
            markup = f"{verb} {head_markup}: {_esc(item.model.title)}"
        out(label + last, markup + f"[dim]{_esc(last)}[/]")


def render_removal(result: Outcome) -> None:
    """`rm`: each item removed, the items whose references to them went, the commit."""
    where = commit_note(result)
    removed = [result.item] if result.item is not None else result.items
    lines = [f"removed {item.type} {item.id}: {item.model.title}" for item in removed]
    if not removed:  # an invalid file: no item to name, only its path
        lines = [f"removed {path}" for path in result.paths if path not in
                 {other.rel for other in result.others}]  # fmt: skip
    lines += [f"updated {item.type} {item.id}: references removed" for item in result.others]
    for index, line in enumerate(lines):
        out(line + (where if index == len(lines) - 1 else ""))


def render_diagnostics(diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        style = "red" if diagnostic.severity == "error" else "yellow"
        line = diagnostic.format()
        out(line, f"[{style}]{_esc(line)}[/]")


def render_rank(result: Outcome, rebalance: bool = False) -> None:
    from storykit.model.rank import place_text

    if not result.changed:
        out("nothing to do: the order is unchanged")
        return
    where = commit_note(result)
    if result.item is not None:
        (move,) = result.moves
        item = move.item
        label = f"rank {item.type} {item.id}: {place_text(move.before)} → {place_text(move.after)}"
        out(label + where, _esc(label) + f"[dim]{_esc(where)}[/]")
        return
    count = len(result.moves)
    if rebalance:
        out(f"rebalanced {count} rank key{'s' if count != 1 else ''}{where}")
        return
    out(f"ranked {count} item{'s' if count != 1 else ''}{where}")
    for move in result.moves:
        places = f"{place_text(move.before)} → {place_text(move.after)}"
        line = f"  {move.item.id}  {places}  {move.item.model.title}"
        out(line, _esc(line))


def render_github_annotations(diagnostics: list[Diagnostic]) -> None:
    """GitHub Actions workflow commands: `::error file=…,line=…,col=…::message`."""
    for d in diagnostics:
        level = "error" if d.severity == "error" else "warning"
        props = f"file={_gh(d.path, True)},line={d.line},col={d.col},title=storykit check"
        sys.stdout.write(f"::{level} {props}::{_gh(d.message, False)}\n")


def _gh(text: str, prop: bool) -> str:
    text = printable(text)
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text

"""Everything storykit prints. The only module that imports Rich (lazily, terminals only).

On a terminal: styled lines. Piped: plain text. `NO_COLOR` is honoured. Long lists are
streamed line by line, never built as one giant table.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from storykit.errors import EXIT_INTERRUPTED, Diagnostic, InvalidDataError, StorykitError
from storykit.model.catalogue import TYPES
from storykit.printable import printable, printable_lines

if TYPE_CHECKING:
    from rich.console import Console

    from storykit.model.selection import Match
    from storykit.services.query import Board, ItemDetails
    from storykit.services.workspace import Outcome
    from storykit.store import StoredItem

_STATUS_STYLE = {
    "draft": "dim",
    "ready": "cyan",
    "in-progress": "yellow",
    "done": "green",
    "dropped": "dim strike",
}
_TYPE_STYLE = {item_type: spec.style for item_type, spec in TYPES.items()}


def styled() -> bool:
    """Colours on a terminal, unless NO_COLOR is set or the terminal is `dumb`."""
    return (
        sys.stdout.isatty()
        and "NO_COLOR" not in os.environ
        and os.environ.get("TERM", "") != "dumb"
    )


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


def out(plain: str, markup: str | None = None) -> None:
    """One line on stdout: `markup` (Rich) on a terminal, `plain` otherwise. Whatever a
    value holds, no control character but newline and tab reaches the terminal."""
    if markup is not None and styled():
        _console().print(printable_lines(markup))
    else:
        sys.stdout.write(printable_lines(plain) + "\n")


def err(text: str) -> None:
    sys.stderr.write(printable_lines(text) + "\n")


def print_error(exc: StorykitError) -> None:
    if isinstance(exc, InvalidDataError):
        for diagnostic in exc.diagnostics:
            err(diagnostic.format())
    err(f"error: {exc.message}")
    if exc.hint:
        err(f"hint: {exc.hint}")


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
        err("error: interrupted; nothing was changed")
        return EXIT_INTERRUPTED
    if isinstance(exc, BrokenPipeError):
        return 0
    if os.environ.get("STORYKIT_DEBUG"):
        traceback.print_exception(exc)
    err(f"error: internal error: {type(exc).__name__}: {exc}")
    err(
        "hint: this is a bug in storykit; please report it with the command you ran "
        "(set STORYKIT_DEBUG=1 to see the traceback)"
    )
    return 1


def _points(item: StoredItem) -> str:
    return format_points(item.model.points)


Row = tuple[str, str, str, str, str, str, bool]  # id, type, status, points, owner, title, late
OVERDUE_MARK = "[overdue]"


# SGR codes for the few styles a long list uses, written directly: Rich's per-line
# rendering costs more than a millisecond a line, and would turn `:smile:` in a title
# into an emoji.
_SGR = {"bold": "1", "dim": "2", "strike": "9", "red": "31", "green": "32", "yellow": "33",
        "blue": "34", "magenta": "35", "cyan": "36", "white": "37"}  # fmt: skip


def _sgr(style: str, text: str) -> str:
    codes = ";".join(_SGR[word] for word in style.split() if word in _SGR)
    return f"\x1b[{codes}m{text}\x1b[0m" if codes else text


def _unstyled(style: str, text: str) -> str:
    return text


def terminal_width() -> int | None:
    """The terminal's width when stdout is one (COLUMNS wins), else None: piped output is
    never cut."""
    if not sys.stdout.isatty():
        return None
    import shutil

    return shutil.get_terminal_size((80, 24)).columns


def fit(text: str, width: int) -> str:
    """`text` cut to `width` characters, ending in … when cut."""
    return text if len(text) <= width else text[: max(0, width - 1)].rstrip() + "…"


def list_lines(rows: list[Row], colours: bool = False, width: int | None = None) -> list[str]:
    """The lines of `list`: ID, type, status, points, owner (when any row has one) and
    title, aligned; with `colours`, for a terminal (the same columns, the same text); with
    `width`, titles are cut with … to fit, never wrapped under the ID. Shared by the lean
    path in `cli/fastlist.py`, so both print the same."""
    if not rows:
        return []
    paint = _sgr if colours else _unstyled
    id_width = max(len(row[0]) for row in rows)
    status_width = max(len(row[2]) for row in rows)
    owner_width = max(len(printable(row[4])) for row in rows)
    lines = []
    for item_id, kind, status, points, owner, title, late in rows:
        head = (
            f"{paint('bold', item_id.ljust(id_width))}  "
            f"{paint(_TYPE_STYLE.get(kind, ''), kind.ljust(5))}  "
            f"{paint(status_style(status), status.ljust(status_width))}  "
            f"{points.rjust(3)}  "
        )
        used = id_width + 5 + status_width + 3 + 8
        if owner_width:
            head += (paint("dim", printable(owner)) if owner else "") + " " * (
                owner_width - len(printable(owner)) + 2
            )
            used += owner_width + 2
        mark = f"  {paint('bold red', OVERDUE_MARK)}" if late else ""
        text = printable(title)
        if width is not None:
            text = fit(text, max(10, width - used - (len(OVERDUE_MARK) + 2 if late else 0)))
        lines.append(head + text + mark)
    return lines


def status_style(status: str) -> str:
    return _STATUS_STYLE.get(status, "")


def format_points(points: float | None) -> str:
    if points is None:
        return ""
    return str(int(points)) if float(points).is_integer() else str(points)


def list_row(get: Callable[[str], Any], late: bool) -> Row:
    """The row of `list` for an item, from its field values (a model's or a payload's)."""
    return (
        get("id"),
        get("type"),
        get("status"),
        format_points(get("points")),
        get("owner") or "",
        get("title"),
        late,
    )


def render_list(
    items: list[StoredItem],
    overdue: set[str] | None = None,
    matches: dict[str, list[Match]] | None = None,
) -> None:
    """One line per item: ID, type, status, points, owner, title — aligned, streamed; with
    `matches` (search), the lines that matched under each item."""
    overdue = overdue or set()
    rows = [list_row(item.field, item.id in overdue) for item in items]
    render_lines(rows, [matches.get(item.id, []) for item in items] if matches else None)


def render_lines(rows: list[Row], found: list[list[Match]] | None = None) -> None:
    """`list`'s lines (the lean path prints through this too); `found`, row by row: the
    lines `--grep` matched, up to three under each item."""
    width = terminal_width()
    paint = _sgr if styled() else _unstyled
    lines = list_lines(rows, colours=styled(), width=width)
    if found is not None:
        shown = []
        for line, matched in zip(lines, found, strict=True):
            shown.append(line)
            for match in matched[:3]:
                text = printable(match.line)
                if width is not None:
                    text = fit(text, max(10, width - len(match.field) - 6))
                shown.append(f"    {paint('dim', match.field + ':')} {text}")
            if len(matched) > 3:
                shown.append("    " + paint("dim", f"(and {len(matched) - 3} more)"))
        lines = shown
    sys.stdout.write("".join(line + "\n" for line in lines))


def render_item(details: ItemDetails) -> None:
    """`show`: the item's story first, every field that is set, then its children."""
    item = details.item
    model = item.model
    data = item.to_json()
    out(
        f"{item.id}  {item.type}  {model.status}",
        f"[bold]{item.id}[/]  [{_TYPE_STYLE.get(item.type, '')}]{item.type}[/]  "
        f"[{_STATUS_STYLE.get(model.status, '')}]{_esc(model.status)}[/]",
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
    file_line = f"{'file:'.ljust(width + 1)} {printable(item.rel)}"
    out(file_line, f"[dim]{_esc(file_line)}[/]")
    if details.children:
        progress = details.progress
        out("")
        out(f"children ({len(details.children)}):", f"[bold]children ({len(details.children)}):[/]")
        render_list(details.children)
        if progress is not None:
            counts = ", ".join(f"{n} {s}" for s, n in progress.by_status.items() if n)
            done, total = format_points(progress.points_done), format_points(progress.points_total)
            line = f"progress: {counts}; {done} of {total} points done"
            out(line, f"[bold]progress:[/] {_esc(line.removeprefix('progress: '))}")


def render_change(result: Outcome, verb: str) -> None:
    """A line per item saying what happened, and the commit if one was made: `new story
    SK-7K2M: …`, or for a status change `story SK-7K2M → ready: …`."""
    if not result.changed:
        out("nothing to do: no change")
        return
    items = [result.item] if result.item is not None else result.items
    where = f"  [{result.commit[:8]}]" if result.commit else "  (not committed)"
    if not items:
        out(verb + where, _esc(verb) + f"[dim]{_esc(where)}[/]")
    for index, item in enumerate(items):
        last = where if index == len(items) - 1 else ""
        head = f"{item.type} {item.id}"
        head_markup = f"[{_TYPE_STYLE.get(item.type, '')}]{item.type}[/] [bold]{item.id}[/]"
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
    where = f"  [{result.commit[:8]}]" if result.commit else "  (not committed)"
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
    if not result.changed:
        out("nothing to do: the order is unchanged")
        return
    where = f"  [{result.commit[:8]}]" if result.commit else "  (not committed)"
    if result.item is not None:
        (move,) = result.moves
        item = move.item
        label = f"rank {item.type} {item.id}: #{move.before} → #{move.after}"
        out(label + where, _esc(label) + f"[dim]{_esc(where)}[/]")
        return
    count = len(result.moves)
    if rebalance:
        out(f"rebalanced {count} rank key{'s' if count != 1 else ''}{where}")
        return
    out(f"ranked {count} item{'s' if count != 1 else ''}{where}")
    for move in result.moves:
        line = f"  {move.item.id}  #{move.before} → #{move.after}  {move.item.model.title}"
        out(line, _esc(line))


def render_board(board: Board, width: int | None = None) -> None:
    """Columns side by side, plain lines (no giant table); fits the terminal, 80 by default."""
    if width is None:
        import shutil

        width = shutil.get_terminal_size((80, 24)).columns if styled() else 80
    count = max(1, len(board.columns))
    column_width = max(12, (width - 2 * (count - 1)) // count)
    cells = [_board_cells(column.items, board.overdue, column_width) for column in board.columns]
    headers = [f"{c.status} ({len(c.items)})" for c in board.columns]
    out("  ".join(h[:column_width].ljust(column_width) for h in headers).rstrip())
    out("  ".join(("-" * column_width) for _ in headers))
    for row in range(max((len(c) for c in cells), default=0)):
        line = "  ".join(
            (c[row] if row < len(c) else "").ljust(column_width) for c in cells
        ).rstrip()
        out(line)


def _board_cells(items: list[StoredItem], overdue: set[str], width: int) -> list[str]:
    lines: list[str] = []
    for item in items:
        head = f"{item.id} {item.type}"
        points = _points(item)
        if points:
            head += f" {points}p"
        if item.id in overdue:
            head += " OVERDUE"
        lines.append(head[:width])
        title = item.model.title
        lines.append(title if len(title) <= width else title[: width - 1].rstrip() + "…")
    return lines


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

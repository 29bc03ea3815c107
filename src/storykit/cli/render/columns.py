"""The aligned lines of `list`, `search` and `board`: the same columns in a pipe and on a
terminal, coloured there with SGR codes written directly (Rich's per-line rendering costs
more than a millisecond a line), cut to the terminal's width and never cut in a pipe. The
lean `list` prints through these too, so both paths print the same."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from storykit.cli.render.style import format_points, status_style, styled, type_style
from storykit.printable import printable

if TYPE_CHECKING:
    from storykit.model.selection import Match
    from storykit.services.query import Board
    from storykit.storage.store import StoredItem

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
    path in `cli/lean/listing.py`, so both print the same."""
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
            f"{paint(type_style(kind), kind.ljust(5))}  "
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


def render_board(board: Board, width: int | None = None) -> None:
    """Columns side by side, in bands that fit the width (the terminal's, 80 when piped).
    Headers, counts and markers are never cut; on a terminal a long title is cut with …,
    piped it wraps, so that everything is shown."""
    terminal = terminal_width()
    width = width or terminal or 80
    paint = _sgr if styled() else _unstyled
    headers = [f"{column.status} ({len(column.items)})" for column in board.columns]
    needed = max([12, *(len(header) for header in headers)])
    per_band = max(1, min(len(headers), (width + 2) // (needed + 2)))
    column_width = max(needed, (width - 2 * (per_band - 1)) // per_band)
    lines: list[str] = []
    for start in range(0, len(board.columns), per_band):
        band = board.columns[start : start + per_band]
        if lines:
            lines.append("")
        heads = [
            (header, paint(f"bold {status_style(column.status)}", header))
            for header, column in zip(headers[start : start + per_band], band, strict=True)
        ]
        lines.append(_board_row(heads, column_width))
        lines.append(_board_row([("-" * column_width,) * 2 for _ in band], column_width))
        cells = [
            _board_cells(column.items, board.overdue, column_width, paint, cut=terminal is not None)
            for column in band
        ]
        for row in range(max((len(c) for c in cells), default=0)):
            lines.append(
                _board_row([c[row] if row < len(c) else ("", "") for c in cells], column_width)
            )
    sys.stdout.write("".join(line + "\n" for line in lines))


Cell = tuple[str, str]  # (plain text, the same painted for a terminal)


def _board_row(cells: list[Cell], width: int) -> str:
    """Cells side by side, each padded to `width` by its plain text."""
    padded = [painted + " " * (width - len(plain)) for plain, painted in cells]
    return "  ".join(padded).rstrip()


def _board_cells(
    items: list[StoredItem],
    overdue: set[str],
    width: int,
    paint: Callable[[str, str], str],
    cut: bool,
) -> list[Cell]:
    """Each card: its ID, type, points, OVERDUE and owner (wrapped by word, never cut),
    then its title (cut with … on a terminal, wrapped when piped)."""
    import textwrap

    lines: list[Cell] = []
    for item in items:
        words = [
            (item.id, paint("bold", item.id)),
            (item.type, paint(type_style(item.type), item.type)),
        ]
        points = format_points(item.model.points)
        if points:
            words.append((f"{points}p", f"{points}p"))
        if item.id in overdue:
            words.append(("OVERDUE", paint("bold red", "OVERDUE")))
        if item.model.owner:
            owner = printable(item.model.owner)
            words.append((owner, paint("dim", owner)))
        line: list[Cell] = []
        for word in words:
            if line and len(" ".join(w[0] for w in [*line, word])) > width:
                lines.append(_joined(line))
                line = []
            line.append(word)
        lines.append(_joined(line))
        title = printable(item.model.title)
        if cut:
            lines.append((fit(title, width),) * 2)
        else:
            lines.extend((part, part) for part in textwrap.wrap(title, width) or [""])
    return lines


def _joined(words: list[Cell]) -> Cell:
    return " ".join(w[0] for w in words), " ".join(w[1] for w in words)

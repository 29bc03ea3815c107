"""The aligned lines of `list`, `search` and `board`: the same columns in a pipe and on a
terminal, coloured there with SGR codes written directly (Rich's per-line rendering costs
more than a millisecond a line), cut to the terminal's width and never cut in a pipe. The
lean `list` prints through these too, so both paths print the same."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from storykit.cli.render.style import format_points, status_style, styled, type_style
from storykit.printable import printable

if TYPE_CHECKING:
    from storykit.model.selection import Match
    from storykit.services.query import Board
    from storykit.storage.store import StoredItem

Getter = Callable[[str], Any]


class Column(NamedTuple):
    """A column `list` may show between an item's status and its title."""

    cell: Callable[[Getter, float | None], str]  # (the item's fields, its score) → the text
    right: bool = False  # numbers align right
    least: int = 0  # its narrowest width; a column of empty cells is left out unless > 0
    style: str = ""


def _text(name: str) -> Callable[[Getter, float | None], str]:
    return lambda get, score: str(get(name) or "")


def _number(name: str) -> Callable[[Getter, float | None], str]:
    return lambda get, score: format_points(get(name))


# Every column `list --columns` offers, by name (ID, type, status and title always show).
COLUMNS: dict[str, Column] = {
    "points": Column(_number("points"), right=True, least=3),
    "score": Column(lambda get, score: format_points(score), right=True),
    "value": Column(_number("value"), right=True),
    "risk": Column(_number("risk"), right=True),
    "owner": Column(_text("owner"), style="dim"),
    "sprint": Column(_text("sprint")),
    "parent": Column(_text("parent")),
    "tags": Column(lambda get, score: ",".join(get("tags") or ())),
}
DEFAULT_COLUMNS = ("points", "owner")


def chosen_columns(requested: str | None, sort: str = "rank") -> tuple[str, ...]:
    """The columns asked for (`score,tags`: any of COLUMNS, comma-separated), else the
    default: points and owner, and the score when sorting by it."""
    if requested is None:
        return ("points", "score", "owner") if sort == "score" else DEFAULT_COLUMNS
    names = [name.strip().casefold() for name in requested.split(",") if name.strip()]
    unknown = [name for name in names if name not in COLUMNS]
    if unknown or not names:
        from storykit.errors import UsageError  # the lean `list` never gets here

        raise UsageError(
            f"no column named {unknown[0]!r}" if unknown else "give at least one column",
            hint=f"columns: {', '.join(COLUMNS)} (ID, type, status and title always show)",
        )
    return tuple(dict.fromkeys(names))


class Row(NamedTuple):
    """One line of `list`: the fixed columns, the chosen ones' cells (printable), the
    title."""

    id: str
    type: str
    status: str
    cells: tuple[str, ...]
    title: str
    late: bool


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


def list_lines(
    rows: list[Row],
    columns: tuple[str, ...] = DEFAULT_COLUMNS,
    colours: bool = False,
    width: int | None = None,
) -> list[str]:
    """The lines of `list`: ID, type, status, the chosen columns (one whose cells are all
    empty left out, points always shown) and the title, aligned; with `colours`, for a
    terminal (the same columns, the same text); with `width`, titles are cut with … to
    fit, never wrapped under the ID. Shared by the lean path in `cli/lean/listing.py`, so
    both print the same."""
    if not rows:
        return []
    paint = _sgr if colours else _unstyled
    id_width = max(len(row.id) for row in rows)
    status_width = max(len(row.status) for row in rows)
    shown = []  # (index, width, right, style) of each column with something in it
    for at, name in enumerate(columns):
        spec = COLUMNS[name]
        cell_width = max(spec.least, *(len(r.cells[at]) for r in rows))
        if cell_width:
            shown.append((at, cell_width, spec.right, spec.style))
    used = id_width + 5 + status_width + 6 + sum(cell_width + 2 for _, cell_width, _, _ in shown)
    lines = []
    for row in rows:
        head = (
            f"{paint('bold', row.id.ljust(id_width))}  "
            f"{paint(type_style(row.type), row.type.ljust(5))}  "
            f"{paint(status_style(row.status), row.status.ljust(status_width))}  "
        )
        for at, cell_width, right, style in shown:
            text = row.cells[at]
            pad = " " * (cell_width - len(text))
            painted = paint(style, text) if style and text else text
            head += (pad + painted if right else painted + pad) + "  "
        mark = f"  {paint('bold red', OVERDUE_MARK)}" if row.late else ""
        text = printable(row.title)
        if width is not None:
            text = fit(text, max(10, width - used - (len(OVERDUE_MARK) + 2 if row.late else 0)))
        lines.append(head + text + mark)
    return lines


def list_row(
    get: Getter, late: bool, columns: tuple[str, ...] = DEFAULT_COLUMNS, score: float | None = None
) -> Row:
    """The row of `list` for an item, from its field values (a model's or a payload's)."""
    cells = tuple(printable(cell(get, score)) for cell in _cells(columns))
    return Row(get("id"), get("type"), get("status"), cells, get("title"), late)


@functools.cache
def _cells(columns: tuple[str, ...]) -> tuple[Callable[[Getter, float | None], str], ...]:
    return tuple(COLUMNS[name].cell for name in columns)


def render_list(
    items: list[StoredItem],
    overdue: set[str] | None = None,
    matches: dict[str, list[Match]] | None = None,
    columns: tuple[str, ...] = DEFAULT_COLUMNS,
    scores: dict[str, float | None] | None = None,
) -> None:
    """One line per item: ID, type, status, the columns, title — aligned, streamed; with
    `matches` (search), the lines that matched under each item."""
    overdue, scores = overdue or set(), scores or {}
    rows = [
        list_row(item.field, item.id in overdue, columns, scores.get(item.id)) for item in items
    ]
    found = [matches.get(item.id, []) for item in items] if matches else None
    render_lines(rows, found, columns)


def render_lines(
    rows: list[Row],
    found: list[list[Match]] | None = None,
    columns: tuple[str, ...] = DEFAULT_COLUMNS,
) -> None:
    """Print `list`'s lines (see `lines_text`)."""
    sys.stdout.write(lines_text(rows, found, columns))


def lines_text(
    rows: list[Row],
    found: list[list[Match]] | None = None,
    columns: tuple[str, ...] = DEFAULT_COLUMNS,
) -> str:
    """`list`'s lines as printed on this stdout (the lean path prints these too); `found`,
    row by row: the lines `--grep` matched, up to three under each item."""
    width = terminal_width()
    paint = _sgr if styled() else _unstyled
    lines = list_lines(rows, columns, colours=styled(), width=width)
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
    return "".join(line + "\n" for line in lines)


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
    then its title indented (cut with … on a terminal, wrapped when piped), so that only a
    card's first line starts at the column's edge."""
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
            lines.append(("  " + fit(title, width - 2),) * 2)
        else:
            parts = textwrap.wrap(title, max(1, width - 2)) or [""]
            lines.extend(("  " + part, "  " + part) for part in parts)
    return lines


def _joined(words: list[Cell]) -> Cell:
    return " ".join(w[0] for w in words), " ".join(w[1] for w in words)

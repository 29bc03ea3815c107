"""Text from files, git or the command line made safe to print.

Item values, keys, file names and commit subjects can hold newlines and escape
characters (YAML's `"\\e"` escapes, a file named with a newline). Printed as they are, they
could forge a line of output — a `::error` workflow command in CI, a Markdown heading — or
drive the terminal. Every line storykit prints passes through here: control characters
are shown as escapes (`\\n`, `\\x1b`), never sent.
"""

from __future__ import annotations

import re

# C0 controls, DEL, C1 controls and the Unicode line and paragraph separators.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_UNSAFE_KEEP_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """One line: every control character (newlines included) written as an escape."""
    return _UNSAFE.sub(_escape, text)


def printable_lines(text: str) -> str:
    """Several lines: newlines and tabs kept, every other control character escaped."""
    return _UNSAFE_KEEP_LINES.sub(_escape, text)


def has_control(text: str, *, lines: bool = False) -> str | None:
    """The first control character in `text` (newlines and tabs allowed with `lines`)."""
    match = (_UNSAFE_KEEP_LINES if lines else _UNSAFE).search(text)
    return match.group() if match else None


def aligned(rows: list[list[str]], right: tuple[int, ...] = ()) -> list[str]:
    """Rows of cells as lines whose columns line up however long a cell grows (the
    columns in `right` aligned to the right), cells made printable, two spaces apart."""
    shown = [[printable(cell) for cell in row] for row in rows]
    widths = [max((len(row[at]) for row in shown if at < len(row)), default=0) for at in
              range(max((len(row) for row in shown), default=0))]  # fmt: skip
    lines = []
    for row in shown:
        cells = [
            cell.rjust(widths[at]) if at in right else cell.ljust(widths[at])
            for at, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
    return lines

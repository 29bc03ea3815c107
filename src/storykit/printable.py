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

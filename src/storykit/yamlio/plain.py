"""The fastest reader: the plain subset of YAML that storykit writes, read line by line.

A file of top-level `key: value` lines, block lists of scalars and literal text blocks —
what `storykit new` and every edit write — is read here in plain Python, several times
faster than ruamel's C loader (whose constructors run in Python). Anything outside that
subset, or any scalar whose type YAML 1.2 might read differently (numbers other than plain
counts, `true`, `null`, quotes with escapes, comments after a value, flow collections, a
text continued on the next line…), makes `plain_load` decline, and the caller reads the
file with the next reader. `tests/test_fast_loader.py` checks with Hypothesis that what
it accepts, it reads exactly as the round-trip reader does.
`plain_dump` writes the same subset, byte for byte as the round-trip writer would (a new
file of thousands that an import makes need not pay for ruamel's emitter), and declines
whatever it cannot write so; `tests/test_plain_dump.py` checks it against ruamel.
See docs/architecture.md, "Reading an item file".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

# Tabs and the line breaks YAML 1.1 and 1.2 disagree on: readers differ about them.
_ODD_SPACE = re.compile(r"[\t\x85\u2028\u2029]")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,200}")
_INT = re.compile(r"0|[1-9][0-9]{0,17}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MOMENT = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[ T]([0-9]{2}):([0-9]{2}):([0-9]{2})"
    r"(Z|([-+])([0-9]{2}):([0-9]{2}))?"
)
_SPAN = re.compile(r"[1-9][0-9]{0,5}[a-z]{1,8}")  # a timebox such as `2d`: no number reads so
# A plain scalar may not start with an indicator; digits, signs, dots, `~`, `=` and `<`
# may start a number, a date, a null, YAML 1.1's value or a merge key: all declined.
_NOT_FIRST = frozenset("-?:,[]{}#&*!|>'\"%@`0123456789+.~=< ")
_NOT_STRINGS = frozenset(("true", "false", "null"))  # any case: the resolver's words
_LITERALS = {"|": "\n", "|-": ""}  # literal block, clipped or stripped
# Keys and scalars repeat from file to file (`status: draft`): their readings are kept.
_REMEMBER = 20_000
_KEYS: dict[str, bool] = {}
_SEEN: dict[str, Any] = {}


class _Decline(Exception):
    """The text is outside the subset: another reader must read it."""


def plain_load(text: str) -> dict[str, Any] | None:
    """The mapping in `text` (LF line ends, already through the reading rules' checks),
    or None when it is outside the plain subset."""
    if not text.endswith("\n") or _ODD_SPACE.search(text):
        return None
    try:
        return _mapping(text.split("\n")[:-1])
    except _Decline:
        return None


def _mapping(lines: list[str]) -> dict[str, Any] | None:
    data: dict[str, Any] = {}
    count = len(lines)
    at = 0
    while at < count:
        line = lines[at]
        at += 1
        if not line or line[0] == "#":
            continue
        key, colon, rest = line.partition(":")
        if not colon or key in data or not _plain_key(key):
            raise _Decline
        if not rest:
            data[key], at = _under_key(lines, at)
            continue
        if rest[0] != " ":
            raise _Decline
        rest = rest.lstrip(" ")
        if rest in _LITERALS:
            data[key], at = _literal(lines, at, _LITERALS[rest])
        else:
            value = _SEEN.get(rest)
            data[key] = _scalar(rest) if value is None else value
    return data or None


def _plain_key(key: str) -> bool:
    """Whether `key` is a plain key YAML reads as this very string (remembered)."""
    known = _KEYS.get(key)
    if known is None:
        known = bool(_KEY.fullmatch(key)) and key.lower() not in _NOT_STRINGS
        if len(_KEYS) < _REMEMBER:
            _KEYS[key] = known
    return known


def _under_key(lines: list[str], at: int) -> tuple[Any, int]:
    """What follows `key:` on the next lines: a block list of scalars, or nothing (null)."""
    if at >= len(lines):
        return None, at
    first = lines[at]
    indent = len(first) - len(first.lstrip(" "))
    if not first.startswith("- ", indent):
        return None, at  # the main loop reads the next line: a key, a comment, blank
    items = []
    prefix = first[: indent + 2]
    while at < len(lines) and lines[at].startswith(prefix):
        text = lines[at][indent + 2 :]
        value = _SEEN.get(text)
        items.append(_scalar(text) if value is None else value)
        at += 1
    return items, at


def _literal(lines: list[str], at: int, chomp: str) -> tuple[str, int]:
    """A literal block (`|` or `|-`) whose lines start at `at`: its text and the next line."""
    if at >= len(lines) or not lines[at].startswith(" "):
        raise _Decline
    first = lines[at]
    indent = len(first) - len(first.lstrip(" "))
    if indent == len(first):
        raise _Decline  # a line of spaces only: YAML's rules for those are subtle
    margin = " " * indent
    body: list[str] = []
    while at < len(lines):
        line = lines[at]
        if line.startswith(margin):
            if not line.strip(" "):
                raise _Decline
            body.append(line[indent:])
        elif not line:
            body.append("")
        elif line[0] == " ":
            raise _Decline  # less indented than the block, yet indented
        else:
            break
        at += 1
    while body and not body[-1]:
        body.pop()
    return "\n".join(body) + chomp, at


def _scalar(text: str) -> Any:
    """One scalar on one line: a plain count, a date, a string (plain or simply quoted)."""
    value = _read_scalar(text)
    if len(_SEEN) < _REMEMBER and len(text) < 40:
        _SEEN[text] = value  # immutable values only: str, int, date, datetime
    return value


def _read_scalar(text: str) -> Any:
    if not text:
        raise _Decline
    first = text[0]
    if first == "'":
        inner = text[1:-1]
        if len(text) < 2 or text[-1] != "'" or "'" in inner.replace("''", ""):
            raise _Decline
        return inner.replace("''", "'")
    if first == '"':
        inner = text[1:-1]
        if len(text) < 2 or text[-1] != '"' or '"' in inner or "\\" in inner:
            raise _Decline
        return inner
    if first in _NOT_FIRST:
        if _INT.fullmatch(text):
            return int(text)
        try:
            if _DATE.fullmatch(text):
                return dt.date(int(text[:4]), int(text[5:7]), int(text[8:]))
            moment = _MOMENT.fullmatch(text)
            if moment:
                return _moment(moment)
        except ValueError:  # no such day or time: the round-trip reader says so
            raise _Decline from None
        if _SPAN.fullmatch(text):
            return text
        raise _Decline
    if (
        text[-1] in " :"
        or ": " in text
        or " #" in text
        or (len(text) <= 5 and text.lower() in _NOT_STRINGS)
    ):
        raise _Decline
    return text


def _moment(match: re.Match[str]) -> dt.datetime:
    """A timestamp as ruamel builds it (its offset keeps the text it was written as)."""
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    zone, sign, hours, minutes = match.groups()[6:]
    tzinfo = None
    if zone == "Z":
        tzinfo = dt.timezone(dt.timedelta(0), "Z")
    elif zone:
        offset = dt.timedelta(hours=int(hours), minutes=int(minutes))
        tzinfo = dt.timezone(-offset if sign == "-" else offset, zone)
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=tzinfo)


def plain_dump(fields: dict[str, Any], header: str = "") -> str | None:
    """The text the round-trip writer makes of a new file holding `fields` (top-level
    keys, scalars, lists of scalars, texts of several lines as literal blocks) after the
    comment line `header`; None for anything else, which the round-trip writer writes."""
    out = [f"# {header}\n"] if header else []
    if "\n" in header or _ODD_SPACE.search(header) or not _printable(header):
        return None
    for key, value in fields.items():
        if not isinstance(key, str) or not _plain_key(key):
            return None
        if isinstance(value, list):
            written = [_plain_scalar(entry) for entry in value]
            if not written or None in written:
                return None
            out.append(f"{key}:\n" + "".join(f"  - {text}\n" for text in written))
        elif isinstance(value, str) and type(value).__name__ == "LiteralScalarString":
            block = _block(value)
            if block is None:
                return None
            out.append(f"{key}: |\n{block}")
        else:
            text = _plain_scalar(value)
            if text is None:
                return None
            out.append(f"{key}: {text}\n")
    return "".join(out) if fields else None


def _plain_scalar(value: Any) -> str | None:
    """One scalar as the writer puts it on a line, when it is plain and reads back as
    itself; else None."""
    if type(value) is int:
        text = str(value)
        return text if _INT.fullmatch(text) else None
    if type(value) is dt.date:
        return value.isoformat()
    if type(value) is not str or not value or len(value) > 1000 or not _printable(value):
        return None
    if _ODD_SPACE.search(value) or "\n" in value or value[0] in _NOT_FIRST:
        return None
    try:
        return value if _read_scalar(value) == value else None
    except _Decline:
        return None


def _block(text: str) -> str | None:
    """A literal block's lines (indented two spaces), for a text ending in one line break
    whose lines neither start the block indented or empty, nor end in a space."""
    if not text.endswith("\n") or text.endswith("\n\n") or text[0] in " \n":
        return None
    if _ODD_SPACE.search(text):
        return None
    out = []
    for line in text[:-1].split("\n"):
        if line.endswith(" ") or not _printable(line):
            return None
        out.append(f"  {line}\n" if line else "\n")
    return "".join(out)


def _printable(text: str) -> bool:
    """Whether every character is one the writer prints as it is (else it quotes)."""
    return (text.isascii() and text.isprintable()) or all(map(_prints, text))


def _prints(c: str) -> bool:
    """The emitter's own test of a character it need not escape (Unicode allowed)."""
    return " " <= c <= "~" or (
        c != "\ufeff"
        and (
            "\xa0" <= c <= "\ud7ff" or "\ue000" <= c <= "\ufffd" or "\U00010000" <= c < "\U0010ffff"
        )
    )


def plain_position(
    text: str, loc: Sequence[str | int], *, key: bool = False
) -> tuple[int, int] | None:
    """1-based (line, col) of a top-level field's value (or key), or of an entry of its
    list, in a text of the plain subset: where the round-trip reader's
    `Document.position` puts it, without building its tree. None when the text is outside
    the subset or the place is anything else (the caller asks the round-trip reader)."""
    if not loc or not isinstance(loc[0], str) or len(loc) > 2 or plain_load(text) is None:
        return None
    name = loc[0]
    lines = text.split("\n")
    at = next((n for n, line in enumerate(lines) if line.partition(":")[0] == name), None)
    if at is None:
        return None
    if key and len(loc) == 1:
        return at + 1, 1
    rest = lines[at][len(name) + 1 :]
    if rest:
        column = len(name) + 1 + len(rest) - len(rest.lstrip(" "))
        return (at + 1, column + 1) if len(loc) == 1 else None
    following = lines[at + 1] if at + 1 < len(lines) else ""
    indent = len(following) - len(following.lstrip(" "))
    if not following.startswith("- ", indent):
        return None  # null: the round-trip reader places it oddly (at the next token)
    if len(loc) == 1:
        return at + 2, indent + 1
    index = loc[1]
    marker = following[: indent + 2]
    after = lines[at + 1 :]
    count = next((n for n, line in enumerate(after) if not line.startswith(marker)), len(after))
    if not isinstance(index, int) or not 0 <= index < count:
        return None
    return at + 2 + index, indent + 3

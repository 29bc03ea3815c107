"""Strict reading of item-file bytes: decoding and the YAML 1.2 parse under storykit's
reading rules (docs/architecture.md, "Reading an item file"). Anything refused is an
InvalidDataError located at `path:line:col`. Nesting is bounded while composing, before the
parser recurses.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from storykit.errors import Diagnostic, InvalidDataError

if TYPE_CHECKING:
    from ruamel.yaml import YAML

MAX_FILE_BYTES = 256 * 1024
MAX_DEPTH = 20
BOM = "\ufeff"
CONFLICT_MARKER = "merge conflict marker"
_CONFLICT_RE = re.compile(r"^(<{7}|={7}|>{7}|\|{7})(?: |$)", re.MULTILINE)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\ufffe\uffff]")
_DIRECTIVE_RE = re.compile(r"^%(\S+)[ \t]*(\S*)", re.MULTILINE)
# Any of the three above, or a carriage return: one pass finds that a text has none.
_ANY_RULE_RE = re.compile(
    "|".join((_CONFLICT_RE.pattern, _CONTROL_RE.pattern, r"\r", r"^%")), re.MULTILINE
)


@dataclass
class Parsed:
    """Item-file bytes read strictly: the round-trip tree and how the bytes were laid out."""

    data: Any  # ruamel CommentedMap
    text: str  # LF-normalised, without BOM
    bom: bool
    newline: str  # the ending most lines have
    original: str  # without BOM, each line with its own ending


def parse(raw: bytes, path: str) -> Parsed:
    """Parse item-file bytes under the reading rules, or raise InvalidDataError."""
    text, bom, newline = decode_text(raw, path)
    original = raw.decode("utf-8").removeprefix(BOM)
    yaml = _yaml_reader()
    from ruamel.yaml.constructor import DuplicateKeyError
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        data = yaml.load(text)
    except _Refused as exc:
        raise _invalid(path, exc.line, exc.col, exc.message) from None
    except DuplicateKeyError as exc:
        mark = exc.problem_mark
        key = re.search(r'found duplicate key "([^"]*)"', str(exc))
        name = key.group(1) if key else "a key"
        raise _invalid(path, mark.line + 1, mark.column + 1, f"duplicate key '{name}'") from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if "expected a single document" in str(exc):
            problem = "more than one YAML document; an item file holds exactly one"
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise _invalid(path, line, col, f"invalid YAML: {problem}") from None
    except (YAMLError, RecursionError, ValueError) as exc:
        raise _invalid(path, 1, 1, f"invalid YAML: {exc}") from None
    if data is None:
        raise _invalid(path, 1, 1, "file is empty: expected a mapping of fields like `id: SK-7K2M`")
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        raise _invalid(path, 1, 1, f"expected a mapping of fields at the top level, found {kind}")
    for key in data:
        if not isinstance(key, str):
            line, col = lines_and_columns(data).key(key)
            raise _invalid(path, line + 1, col + 1, f"key {key!r} must be a string")
        if key == "<<":
            line, col = lines_and_columns(data).key(key)
            raise _invalid(path, line + 1, col + 1, "merge keys (<<) are not allowed")
    return Parsed(data=data, text=text, bom=bom, newline=newline, original=original)


def decode_text(raw: bytes, path: str) -> tuple[str, bool, str]:
    """Strict UTF-8 → (LF text without BOM, had BOM, newline), refusing what the reading
    rules refuse: size, UTF-16, invalid UTF-8, conflict markers, control characters, a
    stray CR, directives."""
    if len(raw) > MAX_FILE_BYTES:
        raise _invalid(path, 1, 1, f"file is {len(raw)} bytes; item files are at most 256 KiB")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _invalid(path, 1, 1, "file is UTF-16; item files must be UTF-8")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _byte_position(raw, exc.start)
        raise _invalid(path, line, col, "invalid UTF-8 (item files must be UTF-8)") from None
    bom = text.startswith(BOM)
    if bom:
        text = text[1:]
    if not _ANY_RULE_RE.search(text):
        return text, bom, "\n"  # the usual file: nothing below applies
    crlf = text.count("\r\n")
    newline = "\r\n" if crlf and crlf * 2 >= text.count("\n") else "\n"
    text = text.replace("\r\n", "\n")
    checks: list[tuple[re.Pattern[str], str]] = [
        (
            _CONFLICT_RE,
            f"{CONFLICT_MARKER}: settle the conflict (`storykit resolve ID FIELD=VALUE`, or "
            "`--ours FIELD` / `--theirs FIELD`), or edit the file and `git add` it",
        ),
    ]
    for pattern, message in checks:
        match = pattern.search(text)
        if match:
            line, col = _text_position(text, match.start())
            raise _invalid(path, line, col, message)
    control = _CONTROL_RE.search(text)
    if control:
        line, col = _text_position(text, control.start())
        char = text[control.start()]
        what = "NUL byte" if char == "\x00" else f"control character U+{ord(char):04X}"
        if char == "\r":
            what = "stray carriage return (mixed line endings)"
        raise _invalid(path, line, col, f"{what} is not allowed")
    for match in _DIRECTIVE_RE.finditer(text):
        line, col = _text_position(text, match.start())
        if match.group(1) == "YAML" and match.group(2) != "1.2":
            raise _invalid(path, line, col, f"%YAML {match.group(2)} is not supported; use 1.2")
        if match.group(1) != "YAML":
            raise _invalid(path, line, col, f"directive %{match.group(1)} is not allowed")
    return text, bom, newline


def to_plain(value: Any) -> Any:
    """ruamel's round-trip types → plain Python (str, int, float, bool, date, list, dict)."""
    if value is None or type(value) in (str, int, float, bool, dt.date):
        return value
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if type(value).__name__ == "TaggedScalar":
        # ruamel tags a lone `=` with YAML 1.1's "value" type; in YAML 1.2 it is a string.
        return str(value.value)
    if isinstance(value, dt.datetime):
        return dt.datetime(
            value.year,
            value.month,
            value.day,
            value.hour,
            value.minute,
            value.second,
            value.microsecond,
            value.tzinfo,
        )
    return value


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


class _Refused(Exception):
    def __init__(self, message: str, line: int, col: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col


def _invalid(path: str, line: int, col: int, message: str) -> InvalidDataError:
    return InvalidDataError(
        f"{path} is not a valid item file", [Diagnostic(path, line, col, message)]
    )


@cache
def _strict_composer() -> Any:
    from ruamel.yaml.composer import Composer
    from ruamel.yaml.events import AliasEvent, NodeEvent, ScalarEvent
    from ruamel.yaml.nodes import MappingNode

    class StrictComposer(Composer):
        """Refuses aliases, anchors, tags, deep nesting (no alias bombs) and keys that are
        lists or mappings (`? [a]: b`: Python cannot hold them) while composing."""

        def compose_node(self, parent: Any, index: Any) -> Any:
            event = self.parser.peek_event()
            mark = event.start_mark
            composing_key = isinstance(parent, MappingNode) and index is None
            if composing_key and not isinstance(event, ScalarEvent | AliasEvent):
                raise _Refused(
                    "a key must be a plain value, not a list or a mapping",
                    mark.line + 1,
                    mark.column + 1,
                )
            if isinstance(event, AliasEvent):
                raise _Refused("aliases (*name) are not allowed", mark.line + 1, mark.column + 1)
            if isinstance(event, NodeEvent) and event.anchor is not None:
                raise _Refused("anchors (&name) are not allowed", mark.line + 1, mark.column + 1)
            tag = getattr(event, "ctag", None)
            if tag is not None and str(tag) != "!":
                raise _Refused(f"tags ({tag}) are not allowed", mark.line + 1, mark.column + 1)
            if self.depth >= MAX_DEPTH:
                raise _Refused(
                    f"nesting deeper than {MAX_DEPTH} levels", mark.line + 1, mark.column + 1
                )
            return super().compose_node(parent, index)

    return StrictComposer


@cache
def _strict_scanner() -> type:
    from ruamel.yaml.scanner import RoundTripScanner, ScannerError

    class StrictScanner(RoundTripScanner):
        """ruamel's scanner with its simple-key bookkeeping in constant time per token.

        ruamel walks every pending simple key at every token: on a line of many flow
        brackets that is quadratic (a minute for one 200 KB file). Pending keys are kept in
        the order they were seen (by position and token number), so the stale ones are
        the first ones and the next one is the first one: the same answers, sooner.
        """

        def next_possible_simple_key(self) -> Any:
            for key in self.possible_simple_keys.values():
                return key.token_number
            return None

        def stale_possible_simple_keys(self) -> None:
            keys = self.possible_simple_keys
            reader = self.reader
            while keys:
                level, key = next(iter(keys.items()))
                if key.line == reader.line and reader.index - key.index <= 1024:
                    return
                if key.required:
                    raise ScannerError(
                        "while scanning a simple key",
                        key.mark,
                        "could not find expected ':'",
                        reader.get_mark(),
                    )
                del keys[level]

    return StrictScanner


def lines_and_columns(node: Any) -> Any:
    """ruamel's line/column record of a mapping or sequence."""
    return node.lc


def _yaml_reader() -> YAML:
    # A fresh instance per file: ruamel's composer keeps state after an error.
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt", pure=True)
    yaml.Scanner = _strict_scanner()
    yaml.Composer = _strict_composer()
    yaml.preserve_quotes = True
    yaml.allow_duplicate_keys = False
    return yaml


def _text_position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, col


def _byte_position(raw: bytes, offset: int) -> tuple[int, int]:
    before = raw[:offset]
    line = before.count(b"\n") + 1
    start = before.rfind(b"\n") + 1
    col = len(before[start:].decode("utf-8", errors="replace")) + 1
    return line, col

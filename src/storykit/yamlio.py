"""YAML 1.2 in and out. The only module that imports ruamel.yaml (imported lazily).

Reading is strict (DESIGN §6); writing is round-trip, and a save maps every line the
change did not touch back to the original bytes, so a one-field edit is a one-field diff.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from storykit.errors import Diagnostic, InvalidDataError

if TYPE_CHECKING:
    from ruamel.yaml import YAML

MAX_FILE_BYTES = 256 * 1024
MAX_DEPTH = 20
BOM = "\ufeff"
_CONFLICT_RE = re.compile(r"^(<{7}|={7}|>{7}|\|{7})(?: |$)", re.MULTILINE)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\ufffe\uffff]")
_DIRECTIVE_RE = re.compile(r"^%(\S+)[ \t]*(\S*)", re.MULTILINE)
_SEQ_ITEM_RE = re.compile(
    r"^([ ]*)[^\s#-][^:\n]*:[ \t]*(?:#.*)?\n(?:[ \t]*(?:#.*)?\n)*([ ]*)- ", re.M
)
_WIDTH = 1_000_000


@dataclass
class Document:
    """One parsed item file: the round-trip tree plus how its bytes were laid out."""

    data: Any  # ruamel CommentedMap
    text: str  # LF-normalised text without BOM, as read
    bom: bool = False
    newline: str = "\n"  # for new lines: the ending most lines of the file have
    seq_offset: int = 2
    original: str = ""  # the text as read (without BOM), each line with its own ending

    def keys(self) -> list[str]:
        return [str(key) for key in self.data]

    def get(self, key: str) -> Any:
        return to_plain(self.data.get(key))

    def __contains__(self, key: str) -> bool:
        return key in self.data

    def to_plain(self) -> dict[str, Any]:
        plain = to_plain(self.data)
        assert isinstance(plain, dict)
        return plain

    def set(self, key: str, value: Any, order: Sequence[str]) -> None:
        """Set a field in place, or insert it where the canonical order puts it."""
        node = _to_node(value)
        if key in self.data:
            old = self.data[key]
            if isinstance(old, list) and isinstance(node, list) and old == node:
                return
            trailing = _pop_trailing(self.data, key)
            if trailing is not None and _is_block_scalar(old) != _is_block_scalar(node):
                # A block scalar ends with its own newline; a plain value does not.
                text = trailing.value
                trailing.value = text.lstrip("\n") if _is_block_scalar(node) else "\n" + text
            self.data[key] = node
            _attach_trailing(self.data, key, trailing)
            return
        position = len(self.data)
        if key in order:
            rank = order.index(key)
            existing = list(self.data)
            position = 0
            for index, name in enumerate(existing):
                if name in order and order.index(name) < rank:
                    position = index + 1
        self.data.insert(position, key, node)

    def delete(self, key: str) -> None:
        if key not in self.data:
            return
        block = _is_block_scalar(self.data[key])
        slot = _lc_ca(self.data).items.get(key)
        before = slot[1] if slot and len(slot) > 1 and slot[1] else []
        trailing = _pop_trailing(self.data, key)
        keys = list(self.data)
        previous = keys[keys.index(key) - 1] if keys.index(key) > 0 else None
        del self.data[key]
        # Comment lines around the deleted field are kept, attached to the field before it.
        text = "".join(token.value for token in before)
        if trailing is not None:
            after = "\n" + trailing.value if block else trailing.value
            if not after.startswith("\n"):  # the first line was the field's inline comment
                after = "\n" + after.split("\n", 1)[1] if "\n" in after else ""
            text += after.lstrip("\n")
        if previous is not None and text.strip():
            from ruamel.yaml.error import CommentMark
            from ruamel.yaml.tokens import CommentToken

            value = text if _is_block_scalar(self.data[previous]) else "\n" + text
            _attach_trailing(self.data, previous, CommentToken(value, CommentMark(0), None))

    def list_append(self, key: str, value: Any, order: Sequence[str]) -> None:
        current = self.data.get(key)
        if current is None:
            self.set(key, [value], order)
        else:
            current.append(_to_node(value))

    def list_remove(self, key: str, value: Any) -> bool:
        current = self.data.get(key)
        if not current or value not in [to_plain(v) for v in current]:
            return False
        index = [to_plain(v) for v in current].index(value)
        last = len(current) - 1
        slot = current.ca.items.pop(last, None) if index == last else None
        del current[index]
        if slot and slot[0] is not None:
            if len(current):
                _merge_slot(current.ca.items, len(current) - 1, 0, slot[0])
            else:
                _merge_slot(self.data.ca.items, key, 2, slot[0])
        return True

    def position(self, loc: Sequence[str | int], *, key: bool = False) -> tuple[int, int]:
        """1-based (line, col) of the value (or key) at `loc`; the nearest known place."""
        node = self.data
        line, col = 0, 0
        for depth, part in enumerate(loc):
            last = depth == len(loc) - 1
            try:
                if isinstance(part, int) and isinstance(node, list):
                    line, col = _lc(node).item(part)
                    node = node[part]
                elif isinstance(node, dict) and part in node:
                    line, col = _lc(node).key(part) if (key and last) else _lc(node).value(part)
                    node = node[part]
                else:
                    break
            except (AttributeError, KeyError, IndexError, TypeError):
                break
        return line + 1, col + 1

    def dump(self) -> bytes:
        """Serialise; lines the change did not touch keep their original bytes."""
        fresh = _dump_text(self.data, self.seq_offset)
        text = fresh.replace("\n", self.newline)
        if self.text:
            original_lines = _lines(self.original or self.text)
            baseline = _dump_text(read_document(self._raw(), "<baseline>").data, self.seq_offset)
            base_lines = _lines(baseline)
            if len(base_lines) == len(original_lines):
                new_lines = _lines(fresh)
                out: list[str] = []
                matcher = difflib.SequenceMatcher(None, base_lines, new_lines, autojunk=False)
                for op, i1, i2, j1, j2 in matcher.get_opcodes():
                    if op == "equal":  # untouched: the original bytes, line ending and all
                        out.extend(original_lines[i1:i2])
                    else:
                        out.extend(line.replace("\n", self.newline) for line in new_lines[j1:j2])
                text = "".join(out)
        return ((BOM if self.bom else "") + text).encode("utf-8")

    def _raw(self) -> bytes:
        return self.text.encode("utf-8")


def new_document(fields: dict[str, Any], header: str = "", newline: str = "\n") -> Document:
    """A fresh document holding `fields` in the given order, after an optional comment,
    to be written with `newline` line endings."""
    from ruamel.yaml.comments import CommentedMap

    data = CommentedMap()
    for key, value in fields.items():
        data[key] = _to_node(value)
    if header:
        data.yaml_set_start_comment(header.removeprefix("# "))
    return Document(data=data, text="", seq_offset=2, newline=newline)


def read_document(raw: bytes, path: str) -> Document:
    """Parse item-file bytes under the strict rules of DESIGN §6, or raise InvalidDataError."""
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
            line, col = _lc(data).key(key)
            raise _invalid(path, line + 1, col + 1, f"key {key!r} must be a string")
        if key == "<<":
            line, col = _lc(data).key(key)
            raise _invalid(path, line + 1, col + 1, "merge keys (<<) are not allowed")
    return Document(
        data=data,
        text=text,
        bom=bom,
        newline=newline,
        seq_offset=_seq_offset(text),
        original=original,
    )


# What the fast loader leaves to the round-trip path: anything that may be an anchor, alias
# or tag (&, *, ! starting a token), merge keys, tabs, Unicode line breaks YAML 1.1 and 1.2
# disagree on, and directives. Declining is always safe; it only costs speed.
_FAST_DECLINE_RE = re.compile(r"(?:^|[\s\[\]{},:?-])[&*!]|<<|[\t\x85\u2028\u2029]|^%", re.M)
_FAST_MAX_DEPTH = 12
_FAST_MAX_BOUND = 1000


def fast_load(raw: bytes) -> dict[str, Any] | None:
    """The file's data read with ruamel's C safe loader (about 5x faster), or None when
    that loader might read it differently from `read_document`, or when it is not a valid
    mapping at all: the caller then takes the round-trip path, which reports the errors.

    `tests/test_fast_loader.py` checks with Hypothesis that a non-None result always
    equals `read_document(raw).to_plain()`.
    """
    try:
        text, _bom, _newline = decode_text(raw, "")
    except InvalidDataError:
        return None
    if _FAST_DECLINE_RE.search(text) or not fast_loader_available():
        return None
    if nesting_bound(text) > _FAST_MAX_BOUND:
        return None  # ruamel's C composer recurses once per level: it crashes at ~30,000
    loader = _fast_loader_class()(text)
    try:
        data = loader.get_single_data()
    except Exception:  # any problem at all: the round-trip path explains it
        return None
    finally:
        loader.dispose()
    if not isinstance(data, dict) or not all(isinstance(key, str) for key in data):
        return None
    if _deeper_than(data, _FAST_MAX_DEPTH):
        return None
    plain = to_plain(data)  # the same normalisation as the round-trip path (nested keys)
    assert isinstance(plain, dict)
    return plain


_INDENT_RE = re.compile(r"^ +", re.M)
_MARKER_RUN_RE = re.compile(r"(?:[-?:](?: +|$))+", re.M)


def nesting_bound(text: str) -> int:
    """A cheap upper bound of how deep the YAML in `text` can nest, without parsing it.

    Each level of nesting takes an open flow bracket, a column of indentation, or a block
    marker (`- `, `? `, `: `) in a run on one line. Quotes, comments and block scalars are
    not told apart, so this over-estimates; it never under-estimates.
    """
    brackets = text.count("[") + text.count("{")
    indent = max((len(m) for m in _INDENT_RE.findall(text)), default=0)
    markers = max((len(m) for m in _MARKER_RUN_RE.findall(text)), default=0)
    return brackets + indent + markers + 1


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether plain data nests deeper than `limit` (iterative: any depth is safe)."""
    stack = [(value, 1)]
    while stack:
        node, level = stack.pop()
        children = node.values() if isinstance(node, dict) else node
        if isinstance(node, dict | list):
            if level > limit:
                return True
            stack.extend((child, level + 1) for child in children)
    return False


@cache
def _fast_loader_class() -> Any:
    """ruamel's C parser with its safe constructor and YAML 1.2 resolver, assembled once.

    This is what `YAML(typ="safe", pure=False).load` builds on every call, minus its two
    costs at 10,000 files: a new class per load, and looking the YAML version up again for
    every scalar (files with directives never reach this loader, so it is always 1.2).
    """
    from ruamel.yaml.constructor import SafeConstructor
    from ruamel.yaml.main import CParser  # type: ignore[attr-defined]
    from ruamel.yaml.resolver import VersionedResolver

    class Resolver12(VersionedResolver):
        table: Any = None

        @property
        def processing_version(self) -> Any:
            return (1, 2)

        @property
        def versioned_resolver(self) -> Any:
            if Resolver12.table is None:
                Resolver12.table = super().versioned_resolver
            return Resolver12.table

    class FastLoader(CParser, SafeConstructor, Resolver12):  # type: ignore[misc]
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            self._parser = self._composer = self
            SafeConstructor.__init__(self, loader=self)
            self.allow_duplicate_keys = False
            Resolver12.__init__(self, version=None, loadumper=self)

    return FastLoader


@cache
def fast_loader_available() -> bool:
    """True when ruamel's safe loader has its C parser (package ruamel.yaml.clib)."""
    import ruamel.yaml.main

    return getattr(ruamel.yaml.main, "CParser", None) is not None


def decode_text(raw: bytes, path: str) -> tuple[str, bool, str]:
    """Strict UTF-8 → (LF text without BOM, had BOM, newline); refuses what §6 refuses."""
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
    crlf = text.count("\r\n")
    newline = "\r\n" if crlf and crlf * 2 >= text.count("\n") else "\n"
    text = text.replace("\r\n", "\n")
    checks: list[tuple[re.Pattern[str], str]] = [
        (_CONFLICT_RE, "merge conflict marker; resolve the conflict first"),
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
    from ruamel.yaml.events import AliasEvent, NodeEvent

    class StrictComposer(Composer):
        """Refuses aliases, anchors, tags and deep nesting while composing (no alias bombs)."""

        def compose_node(self, parent: Any, index: Any) -> Any:
            event = self.parser.peek_event()
            mark = event.start_mark
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


def _pop_trailing(parent: Any, key: str) -> Any:
    """Detach the comment token that ruamel keeps after `key`'s value (None if none)."""
    value = parent[key]
    if isinstance(value, list) and len(value):
        slot = _lc_ca(value).items.get(len(value) - 1)
        if slot and slot[0] is not None:
            token = slot[0]
            slot[0] = None
            return token
    if isinstance(value, dict) and len(value):
        slot = _lc_ca(value).items.get(list(value)[-1])
        if slot and len(slot) > 2 and slot[2] is not None:
            token = slot[2]
            slot[2] = None
            return token
    slot = _lc_ca(parent).items.get(key)
    if slot and len(slot) > 2 and slot[2] is not None:
        token = slot[2]
        slot[2] = None
        return token
    return None


def _attach_trailing(parent: Any, key: str, token: Any) -> None:
    if token is None:
        return
    value = parent[key]
    if isinstance(value, list) and len(value) and not _is_flow(value):
        _merge_slot(_lc_ca(value).items, len(value) - 1, 0, token)
    elif isinstance(value, dict) and len(value) and not _is_flow(value):
        _merge_slot(_lc_ca(value).items, list(value)[-1], 2, token)
    else:
        _merge_slot(_lc_ca(parent).items, key, 2, token)


def _merge_slot(items: dict[Any, Any], key: Any, index: int, token: Any) -> None:
    slot = items.setdefault(key, [None, None, None, None])
    if slot[index] is None:
        slot[index] = token
    else:
        slot[index].value = slot[index].value.rstrip("\n") + "\n" + token.value.lstrip("\n")


def _is_block_scalar(value: Any) -> bool:
    return isinstance(value, str) and type(value).__name__ in (
        "LiteralScalarString",
        "FoldedScalarString",
    )


def _lc_ca(node: Any) -> Any:
    return node.ca


def _is_flow(node: Any) -> bool:
    return bool(node.fa.flow_style())


def _lc(node: Any) -> Any:
    """ruamel's line/column record of a mapping or sequence."""
    return node.lc


def _yaml_reader() -> YAML:
    # A fresh instance per file: ruamel's composer keeps state after an error.
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt", pure=True)
    yaml.Composer = _strict_composer()
    yaml.preserve_quotes = True
    yaml.allow_duplicate_keys = False
    return yaml


def _yaml_writer(seq_offset: int) -> YAML:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt", pure=True)
    yaml.preserve_quotes = True
    yaml.width = _WIDTH
    yaml.indent(mapping=2, sequence=seq_offset + 2, offset=seq_offset)
    return yaml


def _dump_text(data: Any, seq_offset: int) -> str:
    import io

    stream = io.StringIO()
    _yaml_writer(seq_offset).dump(data, stream)
    return stream.getvalue()


def _to_node(value: Any) -> Any:
    from ruamel.yaml.comments import CommentedSeq
    from ruamel.yaml.scalarstring import LiteralScalarString

    if isinstance(value, str):
        # One kind of line break inside values: a pasted CRLF never makes a file of mixed
        # endings (the file's own ending is applied when it is written).
        value = nfc(value).replace("\r\n", "\n").replace("\r", "\n")
        if "\n" in value:
            return LiteralScalarString(value if value.endswith("\n") else value + "\n")
        return value
    if isinstance(value, list | tuple):
        seq = CommentedSeq()
        seq.extend(_to_node(v) for v in value)
        return seq
    return value


def _lines(text: str) -> list[str]:
    """Lines with their endings, split at LF only (`str.splitlines` also splits at
    characters YAML keeps inside values, such as U+2028)."""
    return _LINE_RE.findall(text)


_LINE_RE = re.compile(r"[^\n]*\n|[^\n]+\Z")


def _seq_offset(text: str) -> int:
    match = _SEQ_ITEM_RE.search(text)
    if not match:
        return 2
    return max(0, len(match.group(2)) - len(match.group(1)))


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

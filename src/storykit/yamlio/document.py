"""Round-trip editing of an item file: set, delete and append fields in the parsed tree,
and write it back so that every line the change did not touch keeps its original bytes
(line ending included): a one-field change is a one-field diff. Comments attached to a
replaced or deleted value are carried over.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from storykit.yamlio.plain import plain_dump
from storykit.yamlio.strict import BOM, lines_and_columns, nfc, parse, to_plain

if TYPE_CHECKING:
    from ruamel.yaml import YAML

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
    header: str = ""  # a new file's first comment line (without `# `)

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
                    line, col = lines_and_columns(node).item(part)
                    node = node[part]
                elif isinstance(node, dict) and part in node:
                    line, col = (
                        lines_and_columns(node).key(part)
                        if (key and last)
                        else lines_and_columns(node).value(part)
                    )
                    node = node[part]
                else:
                    break
            except (AttributeError, KeyError, IndexError, TypeError):
                break
        return line + 1, col + 1

    def dump(self) -> bytes:
        """Serialise; lines the change did not touch keep their original bytes. A new
        file in the plain subset is written without ruamel's (slow) emitter, to the byte."""
        fresh = self._plain_dump() if not self.text else None
        if fresh is None:
            fresh = _dump_text(self.data, self.seq_offset)
        text = fresh.replace("\n", self.newline)
        if self.text:
            original_lines = lines(self.original or self.text)
            base_lines = _baseline(self.text, self.seq_offset)
            if len(base_lines) == len(original_lines):
                new_lines = lines(fresh)
                out: list[str] = []
                matcher = difflib.SequenceMatcher(None, base_lines, new_lines, autojunk=False)
                for op, i1, i2, j1, j2 in matcher.get_opcodes():
                    if op == "equal":  # untouched: the original bytes, line ending and all
                        out.extend(original_lines[i1:i2])
                    else:
                        out.extend(line.replace("\n", self.newline) for line in new_lines[j1:j2])
                text = "".join(out)
        return ((BOM if self.bom else "") + text).encode("utf-8")

    def _plain_dump(self) -> str | None:
        data = self.data
        if data.ca.items or any(isinstance(v, list) and _lc_ca(v).items for v in data.values()):
            return None  # comments: the round-trip writer places them
        return plain_dump(data, self.header)


@functools.lru_cache(maxsize=4)
def _baseline(text: str, seq_offset: int) -> list[str]:
    """The lines the writer makes of a file's text unchanged (which line of a changed file
    is whose: see `Document.dump`). Kept for the last few texts: a merge dumps one twice."""
    return lines(_dump_text(read_document(text.encode("utf-8"), "<baseline>").data, seq_offset))


def new_document(fields: dict[str, Any], header: str = "", newline: str = "\n") -> Document:
    """A fresh document holding `fields` in the given order, after an optional comment,
    to be written with `newline` line endings."""
    from ruamel.yaml.comments import CommentedMap

    data = CommentedMap()
    for key, value in fields.items():
        data[key] = _to_node(value)
    if header:
        data.yaml_set_start_comment(header.removeprefix("# "))
    return Document(
        data=data, text="", seq_offset=2, newline=newline, header=header.removeprefix("# ")
    )


def read_document(raw: bytes, path: str) -> Document:
    """Item-file bytes as an editable document, read under the reading rules (`strict`)."""
    parsed = parse(raw, path)
    return Document(
        data=parsed.data,
        text=parsed.text,
        bom=parsed.bom,
        newline=parsed.newline,
        seq_offset=_seq_offset(parsed.text),
        original=parsed.original,
    )


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


def lines(text: str) -> list[str]:
    """Lines with their endings, split at LF only (`str.splitlines` also splits at
    characters YAML keeps inside values, such as U+2028)."""
    return _LINE_RE.findall(text)


_LINE_RE = re.compile(r"[^\n]*\n|[^\n]+\Z")


def _seq_offset(text: str) -> int:
    match = _SEQ_ITEM_RE.search(text)
    if not match:
        return 2
    return max(0, len(match.group(2)) - len(match.group(1)))

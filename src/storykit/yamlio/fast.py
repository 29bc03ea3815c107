"""The fast path of reading: ruamel's C safe loader, used only where it reads exactly as
the strict reader does (`tests/test_fast_loader.py` checks it with Hypothesis); anything it
might read differently, or that may nest deeply, is declined and read strictly.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from storykit.errors import InvalidDataError
from storykit.yamlio.plain import plain_load
from storykit.yamlio.strict import decode_text, to_plain

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
    plain = plain_load(text)
    if plain is not None:
        return plain
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

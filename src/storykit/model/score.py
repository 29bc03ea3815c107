"""The priority score: an arithmetic expression over numeric item fields, parsed by a small
recursive-descent parser (never `eval`) into a tree of tuples, and evaluated without
raising. Standard library only: the lean `list` scores items too.

Grammar: expr = term (("+" | "-") term)*; term = factor (("*" | "/") factor)*;
factor = ("+" | "-") factor | NUMBER | NAME | "(" expr ")". A name is a field of the item.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

PRESETS = {
    "wsjf": "(value + risk) / points",
    "value": "value",
    "value+risk": "value + risk",
}
DEFAULT = "wsjf"
_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(.))")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
MAX_LENGTH = 200
MAX_DEPTH = 20

Expr = tuple[Any, ...]  # ("num", 3.0) | ("name", "value") | ("neg", e) | (op, left, right)


class ScoreError(ValueError):
    """A bad expression; `column` (1-based) is where in the text."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(message)
        self.column = column


def expression_of(setting: str) -> str:
    """A preset's expression, or the setting itself."""
    return PRESETS.get(setting.strip(), setting)


def parse(text: str) -> Expr:
    """The expression's tree, or ScoreError saying what and where."""
    if len(text) > MAX_LENGTH:
        raise ScoreError(f"must be at most {MAX_LENGTH} characters", MAX_LENGTH + 1)
    tokens: list[tuple[str, str, int]] = []  # (kind, text, column)
    for match in _TOKEN.finditer(text):
        number, name, other = match.groups()
        column = match.start(match.lastindex or 0) + 1
        if number is not None:
            tokens.append(("num", number, column))
        elif name is not None:
            tokens.append(("name", name, column))
        elif other is not None:
            if other not in "+-*/()":
                allowed = "only + - * / ( ), numbers and field names"
                raise ScoreError(f"{other!r} is not allowed ({allowed})", column)
            tokens.append(("op", other, column))
    parser = _Parser(tokens, len(text) + 1)
    tree = parser.expr(0)
    if parser.index < len(tokens):
        _, word, column = tokens[parser.index]
        raise ScoreError(f"unexpected {word!r}", column)
    return tree


def names(tree: Expr) -> set[str]:
    """The fields an expression reads."""
    if tree[0] == "name":
        return {tree[1]}
    if tree[0] == "num":
        return set()
    return set().union(*(names(part) for part in tree[1:]))


def evaluate(tree: Expr, get: Callable[[str], Any]) -> float | None:
    """The score of an item (`get`: a field's value by name), or None when a field it reads
    is unset or not a number, or the result is not a finite number (a division by 0)."""
    try:
        value = _eval(tree, get)
    except (ZeroDivisionError, OverflowError, _Missing):
        return None
    return value if math.isfinite(value) else None


class _Missing(Exception):
    pass


def _eval(tree: Expr, get: Callable[[str], Any]) -> float:
    kind = tree[0]
    if kind == "num":
        return float(tree[1])
    if kind == "name":
        value = get(tree[1])
        if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
            return float(value)  # a custom field set on the command line is text: "10"
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _Missing
        return float(value)
    if kind == "neg":
        return -_eval(tree[1], get)
    left, right = _eval(tree[1], get), _eval(tree[2], get)
    if kind == "+":
        return left + right
    if kind == "-":
        return left - right
    if kind == "*":
        return left * right
    return left / right


class _Parser:
    def __init__(self, tokens: list[tuple[str, str, int]], end: int) -> None:
        self.tokens, self.index, self.end = tokens, 0, end

    def _peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def _deeper(self, depth: int) -> int:
        if depth >= MAX_DEPTH:
            found = self._peek()
            raise ScoreError("nested too deeply", found[2] if found else self.end)
        return depth + 1

    def expr(self, depth: int) -> Expr:
        depth = self._deeper(depth)
        tree = self.term(depth)
        while (found := self._peek()) is not None and found[1] in "+-" and found[0] == "op":
            self.index += 1
            tree = (found[1], tree, self.term(depth))
        return tree

    def term(self, depth: int) -> Expr:
        tree = self.factor(depth)
        while (found := self._peek()) is not None and found[1] in "*/" and found[0] == "op":
            self.index += 1
            tree = (found[1], tree, self.factor(depth))
        return tree

    def factor(self, depth: int) -> Expr:
        depth = self._deeper(depth)
        found = self._peek()
        if found is None:
            raise ScoreError("the expression ends too early", self.end)
        kind, word, column = found
        self.index += 1
        if kind == "num":
            return ("num", float(word))
        if kind == "name":
            after = self._peek()
            if after is not None and after[1] == "(" and after[0] == "op":
                raise ScoreError(f"{word}(…): calls are not allowed", after[2])
            return ("name", word)
        if word in "+-":
            inner = self.factor(depth)
            return inner if word == "+" else ("neg", inner)
        if word == "(":
            tree = self.expr(depth)
            close = self._peek()
            if close is None or close[1] != ")":
                raise ScoreError("missing )", close[2] if close else self.end)
            self.index += 1
            return tree
        raise ScoreError(f"unexpected {word!r}", column)


ASIDE = ("epic",)  # a goal that groups work: ranked by hand, never by score, never "ready"


def order_by_score(ranked: list[str], scores: dict[str, float | None]) -> list[str]:
    """The open backlog re-ordered by score: the scored items, highest first (ties keep
    their rank order), take the places scored items hold; items without a score keep
    theirs."""
    scored = [i for i in ranked if scores.get(i) is not None]
    best = iter(sorted(scored, key=lambda i: -float(scores[i] or 0)))  # sorted() is stable
    return [next(best) if scores.get(i) is not None else i for i in ranked]


class Disagreements(NamedTuple):
    """Where the score's order and the rank's differ: (ID, place by rank, place by score,
    score) of the items that would move, largest moves first; (ID, fields it lacks) of
    the items without a score; and the whole order by score."""

    moved: list[tuple[str, int, int, float]]
    unscored: list[tuple[str, list[str]]]
    order: list[str]


def disagreements(
    rows: Sequence[tuple[str, Callable[[str], Any]]], expression: str
) -> Disagreements:
    """`rows`: (ID, a getter of its fields) of the open items in rank order. Items of the
    types set `ASIDE` are never scored: they keep their places and are not counted as
    lacking a score. Places are places in the open backlog, as `list` numbers them."""
    tree = parse(expression)
    aside = {item_id for item_id, get in rows if get("type") in ASIDE}
    scores = {item_id: None if item_id in aside else evaluate(tree, get) for item_id, get in rows}
    ranked = [item_id for item_id, _ in rows]
    order = order_by_score(ranked, scores)
    place = {item_id: index + 1 for index, item_id in enumerate(order)}
    moved = [
        (i, index + 1, place[i], float(scores[i] or 0))
        for index, i in enumerate(ranked)
        if scores[i] is not None and place[i] != index + 1
    ]
    moved.sort(key=lambda m: (-abs(m[1] - m[2]), m[1]))
    wanted = sorted(names(tree))
    unscored = [
        (item_id, [n for n in wanted if evaluate(("name", n), get) is None])
        for item_id, get in rows
        if scores[item_id] is None and item_id not in aside
    ]
    return Disagreements(moved, unscored, order)

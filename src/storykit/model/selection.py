"""Which items `list` shows, in which order, and which spikes are overdue: pure rules over
field values, shared by the full command (models) and the lean one (cache payloads)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any, NamedTuple, TypeVar

from storykit.errors import UsageError
from storykit.model.catalogue import FIELDS, ITEM_TYPES
from storykit.model.records import dated
from storykit.model.score import evaluate, parse
from storykit.model.timebox import deadline

Getter = Callable[[str], Any]  # a field's value by name (None when unset)
T = TypeVar("T")

SORTS = ("rank", "score", "created", "points", "status", "title")
# The fields `search` and `--grep` read: every field of text (the title, the acceptance
# criteria, owner, sprint…), the tags, and the IDs an item refers to (parent, dependencies…).
TEXT_FIELDS = tuple(
    name for name, spec in FIELDS.items() if spec.kind in ("line", "text", "tag") or spec.refers
)


class ListFilter(NamedTuple):
    """What `list` was asked for. Several values of one option mean "any of them"; every
    option given must match."""

    types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    parent: str | None = None  # a full ID
    owner: str | None = None
    sprint: str | None = None
    grep: str | None = None
    only: frozenset[str] | None = None  # these IDs only (`--since`)
    all: bool = False


class Match(NamedTuple):
    """A line of an item that `--grep` found its text in."""

    field: str
    line: str

    def to_json(self) -> dict[str, str]:
        return {"field": self.field, "line": self.line}


def selects(
    get: Getter, filters: ListFilter, closed: Collection[str], extras: dict[str, Any] | None = None
) -> bool:
    """Whether `list` with `filters` shows the item: open ones unless `all` or a status is
    asked for; then every filter given must match (`extras`: the user's own keys, which
    `--grep` reads too)."""
    status = get("status")
    return (
        (filters.all or bool(filters.statuses) or status not in closed)
        and (not filters.types or get("type") in filters.types)
        and (not filters.statuses or status in filters.statuses)
        and (not filters.tags or any(_folded(tag) in filters.tags for tag in get("tags") or ()))
        and (filters.parent is None or get("parent") == filters.parent)
        and (filters.owner is None or _folded(get("owner")) == filters.owner)
        and (filters.sprint is None or _folded(get("sprint")) == filters.sprint)
        and (filters.only is None or get("id") in filters.only)
        and (filters.grep is None or bool(matches(get, extras or {}, filters.grep, first=True)))
    )


def matches(get: Getter, extras: dict[str, Any], text: str, first: bool = False) -> list[Match]:
    """The lines of an item's text fields (and the user's own keys) holding `text`, case
    ignored; with `first`, at most one."""
    needle = text.casefold()
    found: list[Match] = []
    values: Iterable[tuple[str, Any]] = [(name, get(name)) for name in TEXT_FIELDS]
    for name, value in [*values, *extras.items()]:
        for line in _lines(value):
            if needle in line.casefold():
                found.append(Match(name, line.strip()))
                if first:
                    return found
    return found


def _lines(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield from value.splitlines()
    elif isinstance(value, list):
        for entry in value:
            yield from _lines(entry)
    elif isinstance(value, dict):
        for entry in value.values():
            yield from _lines(entry)


def _folded(value: Any) -> str | None:
    return value.casefold() if isinstance(value, str) else None


def canonical(
    filters: ListFilter, statuses: Sequence[str], tags: Callable[[], Collection[str]]
) -> ListFilter:
    """The filter with types and statuses spelled as the workflow spells them, tags, owner
    and sprint case-folded; an unknown type, status or tag is a usage error naming the
    valid ones (`tags` gives the tags in use, asked only when a tag was given)."""
    types = tuple(one_of(value, ITEM_TYPES, "type") for value in filters.types)
    chosen = tuple(one_of(value, statuses, "status") for value in filters.statuses)
    wanted: tuple[str, ...] = ()
    if filters.tags:
        in_use = {tag.casefold() for tag in tags()}
        for tag in filters.tags:
            if tag.casefold() not in in_use:
                known = ", ".join(sorted(in_use)) or "none yet"
                raise UsageError(f"no item has the tag {tag!r}", hint=f"tags in use: {known}")
        wanted = tuple(tag.casefold() for tag in filters.tags)
    return filters._replace(
        types=types,
        statuses=chosen,
        tags=wanted,
        owner=_folded(filters.owner),
        sprint=_folded(filters.sprint),
    )


def one_of(value: str, valid: Sequence[str], what: str) -> str:
    for name in valid:
        if name.casefold() == value.strip().casefold():
            return name
    raise UsageError(f"{value!r} is not a {what}", hint=f"the {what}s: {', '.join(valid)}")


def sort_key(
    by: str, statuses: Sequence[str], score: Callable[[Getter], float | None] | None = None
) -> Callable[[Getter], tuple[Any, ...]]:
    """The order `list --sort BY` gives: by that field (unset last), then by rank; by
    `score`, highest first (`score`: the project's scoring, items without one last)."""
    if by not in SORTS:
        raise UsageError(f"cannot sort by {by!r}", hint=f"sort by {', '.join(SORTS)}")
    place = {status: index for index, status in enumerate(statuses)}

    def key(get: Getter) -> tuple[Any, ...]:
        rank = (get("rank"), get("id"))
        if by == "rank":
            return rank
        if by == "score":
            found = score(get) if score is not None else None
            return (found is None, -found if found is not None else 0, *rank)
        value = get(by)
        if by == "status":
            return (place.get(value, len(place)), *rank)
        if by == "title":
            return (value.casefold(), *rank)
        if by == "created" and isinstance(value, str):  # a cache payload's ISO text
            value = dt.date.fromisoformat(value)
        return (value is None, value if value is not None else 0, *rank)

    return key


def choose(
    records: Sequence[T],
    get: Callable[[T], Getter],
    extras: Callable[[T], dict[str, Any]],
    filters: ListFilter,
    closed: Collection[str],
    order: Callable[[Getter], tuple[Any, ...]],
    limit: int | None,
) -> list[T]:
    """What `list` prints, in its order: the records `filters` selects (canonical ones),
    sorted by `order`, at most `limit` of them. The full and lean paths both call this."""
    chosen = [r for r in records if selects(get(r), filters, closed, extras(r))]
    chosen.sort(key=lambda record: order(get(record)))
    return chosen if limit is None else chosen[:limit]


def with_extras(get: Getter, extras: dict[str, Any]) -> Getter:
    """A getter that also reads the user's own keys (custom fields a score may use)."""

    def found(name: str) -> Any:
        value = get(name)
        return extras.get(name) if value is None else value

    return found


def scorer(expression: str) -> Callable[[Getter], float | None]:
    """An item's score by the project's expression (None: it has none)."""
    tree = parse(expression)
    return lambda get: evaluate(tree, get)


def overdue_since(get: Getter, in_progress: str, now: dt.datetime) -> dt.datetime | None:
    """When an in-progress spike's timebox ran out, if it has (calendar time)."""
    return past(runs_out(get, in_progress, now.tzinfo), now)


def past(end: dt.datetime | None, now: dt.datetime) -> dt.datetime | None:
    """`end` (when a timebox runs out) once "now" is past it: overdue since then."""
    return end if end is not None and now > end else None


def plain_runs_out(
    fields: dict[str, Any], in_progress: str, tz: dt.tzinfo | None
) -> dt.datetime | None:
    """`runs_out` of an item's plain fields (dates as files write them: the read cache's)."""
    return runs_out(dated(fields), in_progress, tz)


def runs_out(get: Getter, in_progress: str, tz: dt.tzinfo | None) -> dt.datetime | None:
    """When an in-progress spike's timebox runs out (None for anything else): the moment
    it becomes overdue."""
    if get("type") != "spike" or get("status") != in_progress:
        return None
    return deadline(get("started"), get("timebox"), tz)

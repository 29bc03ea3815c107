"""Items as plain data (the cache's payloads, JSON): light enough for the lean paths,
which share these functions with the full path.

A payload's `item` holds only the fields that are set; `complete` gives every field of the
type in the catalogue's order, unset ones as null or an empty list, as JSON shows them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from storykit.model.catalogue import FIELDS, type_fields

DATE_FIELDS = tuple(name for name, spec in FIELDS.items() if spec.kind in ("date", "datetime"))


def complete(fields: dict[str, Any]) -> dict[str, Any]:
    """Every field of the item's type, in order; unset ones as null or []."""
    return {
        name: fields.get(name, [] if FIELDS[name].many else None)
        for name in type_fields(fields["type"])
    }


def item_json(fields: dict[str, Any], extras: dict[str, Any], rel: str) -> dict[str, Any]:
    """An item as JSON shows it: every field, then the user's own keys, then the path."""
    data = complete(fields)
    data.update(extras)
    data["path"] = rel
    return data


def with_dates(fields: dict[str, Any]) -> dict[str, Any]:
    """The date fields of plain data (ISO text) as dates and date-times."""
    for name in fields.keys() & DATE_FIELDS:  # the few an item has
        fields[name] = _date_of(fields[name])
    return fields


def dated(fields: dict[str, Any]) -> Callable[[str], Any]:
    """A reader of plain data's fields that gives date fields as dates (`with_dates`), one
    field as it is asked for: nothing copied, nothing parsed that is not read."""
    return lambda name: _date_of(fields.get(name)) if name in DATE_FIELDS else fields.get(name)


def _date_of(value: Any) -> Any:
    """ISO text as a date (10 characters) or a date-time; anything else as it is."""
    if isinstance(value, str):
        parse = dt.date.fromisoformat if len(value) == 10 else dt.datetime.fromisoformat
        return parse(value)
    return value


def date_text(value: dt.date | dt.datetime) -> str:
    """A date or a moment as item files write it, and so as storykit prints it everywhere
    (text and JSON): `2026-11-21`, `2026-11-21 14:30:00+00:00`."""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return value.isoformat()


def jsonable(value: Any) -> Any:
    """Plain data with dates as files write them (`date_text`), as JSON and the cache
    keep them."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return date_text(value)
    return value

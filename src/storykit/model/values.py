"""Command-line text → typed field values (`points=5`, `created=2026-11-21`, `tags=a,b`),
by each field's kind in the catalogue."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from storykit.model.catalogue import FIELDS


class ValueProblem(ValueError):
    """A value that cannot be read as its field's type."""


def parse_scalar(field: str, text: str) -> Any:
    """One value of `field` from text; lists take one element. Unknown fields (`x-` keys,
    custom fields) are text."""
    spec = FIELDS.get(field)
    kind = spec.kind if spec is not None else "text"
    text = text if kind == "text" else text.strip()
    if kind == "number":
        if re.fullmatch(r"-?[0-9]+", text):
            return int(text)
        try:
            return float(text)
        except ValueError:
            raise ValueProblem(f"{field}: {text!r} is not a number") from None
    if kind == "score":
        if not re.fullmatch(r"-?[0-9]+", text):
            raise ValueProblem(f"{field}: {text!r} is not a whole number")
        return int(text)
    if kind == "date":
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise ValueProblem(f"{field}: {text!r} is not a date like 2026-11-21") from None
    if kind == "datetime":
        try:
            if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
                return dt.date.fromisoformat(text)
            return dt.datetime.fromisoformat(text)
        except ValueError:
            raise ValueProblem(
                f"{field}: {text!r} is not a date or date-time like 2026-11-21T10:00:00"
            ) from None
    if spec is not None and spec.choices and text not in spec.choices:
        raise ValueProblem(f"{field}: {spec.message}")
    if kind == "id":
        return text.upper()
    return text


def parse_value(field: str, text: str) -> Any:
    """A whole value of `field`: lists are comma-separated (`tags=ux,api`)."""
    if is_list_field(field):
        return [parse_scalar(field, part) for part in text.split(",") if part.strip()]
    return parse_scalar(field, text)


def is_list_field(field: str) -> bool:
    spec = FIELDS.get(field)
    return spec is not None and spec.many

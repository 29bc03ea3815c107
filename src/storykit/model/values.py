"""Command-line text → typed field values (`points=5`, `created=2026-11-21`, `tags=a,b`)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from storykit.model.fields import CHOICES, FIELD_KINDS, LIST_KINDS


class ValueProblem(ValueError):
    """A value that cannot be read as its field's type."""


def parse_scalar(field: str, text: str) -> Any:
    """One value of `field` from text; lists take one element."""
    kind = FIELD_KINDS.get(field, "text")
    text = text.strip() if kind not in ("text",) else text
    if kind == "number":
        if re.fullmatch(r"-?[0-9]+", text):
            return int(text)
        try:
            return float(text)
        except ValueError:
            raise ValueProblem(f"{field}: {text!r} is not a number") from None
    if kind == "int":
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
    if kind == "choice" and field in CHOICES and text not in CHOICES[field]:
        raise ValueProblem(f"{field}: must be one of {', '.join(CHOICES[field])}")
    if kind in ("id", "id-list"):
        return text.upper()
    return text


def parse_value(field: str, text: str) -> Any:
    """A whole value of `field`: lists are comma-separated (`tags=ux,api`)."""
    if FIELD_KINDS.get(field) in LIST_KINDS:
        return [parse_scalar(field, part) for part in text.split(",") if part.strip()]
    return parse_scalar(field, text)


def is_list_field(field: str) -> bool:
    return FIELD_KINDS.get(field) in LIST_KINDS

"""The board's HTML: Jinja2 templates with autoescaping on for every template, so item
text (a title holding `<script>`) is always shown as text — in pages, in the fragments
live updates fetch, and in the export."""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from storykit.model.points import number

STATIC = ("board.css", "board.js", "Sortable.min.js")  # the assets a page may ask for


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("storykit.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["shown"] = shown
    return env


def page(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


@cache
def asset(name: str) -> str:
    """A vendored or own static file's text (only the names in STATIC)."""
    if name not in STATIC:
        raise KeyError(name)
    return (resources.files("storykit.web") / "static" / name).read_text("utf-8")


def shown(value: Any) -> str:
    """A field's value as one piece of text (lists joined, numbers without `.0`)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float | int):
        return str(number(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(shown(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {shown(v)}" for k, v in value.items())
    return str(value)

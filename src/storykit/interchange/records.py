"""What an importer reads from another tool, before storykit makes items of it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from storykit.printable import has_control

# What a source's status means, whatever it calls it: storykit's workflow has a status for
# each (services/importing.py maps them).
OPEN, IN_PROGRESS, DONE, DROPPED = "open", "in_progress", "done", "dropped"
# What a status means by its name (case and `-`/`_` aside), for sources that do not say.
STATUS_ROLES = {
    **dict.fromkeys(("draft", "to do", "todo", "open", "new", "backlog", "ready"), OPEN),
    **dict.fromkeys(
        ("in progress", "in review", "in development", "in testing", "doing", "review"),
        IN_PROGRESS,
    ),
    **dict.fromkeys(("done", "closed", "resolved", "completed", "complete"), DONE),
    **dict.fromkeys(("dropped", "won't do", "cancelled", "canceled", "rejected"), DROPPED),
}


def role_by_name(status: str) -> str | None:
    """What a status means by its name alone (`In Progress`, `in-progress`), if known."""
    return STATUS_ROLES.get(" ".join(status.casefold().replace("-", " ").replace("_", " ").split()))


@dataclass
class Foreign:
    """One item of another tool."""

    source: str  # where it came from, stored as `x-source`: `github:owner/repo#12`
    where: str  # where it was read, for messages: `issues.json: entry 3`, `jira.csv:14`
    type: str  # storykit's type for it
    title: str
    status: str  # the source's own name for its status (`In Review`)
    role: str  # what that status means: OPEN, IN_PROGRESS, DONE or DROPPED
    fields: dict[str, Any] = field(default_factory=dict)  # storykit fields it holds
    parent: str | None = None  # the source key of its parent
    depends_on: list[str] = field(default_factory=list)  # source keys
    sprint: str | None = None  # a milestone or sprint: a sprint where one exists, else a tag


@dataclass(frozen=True)
class Skipped:
    """A source row that cannot be made an item, and why."""

    where: str
    reason: str


@dataclass
class Read:
    """Everything one source held."""

    records: list[Foreign] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    # The storykit fields the source holds: on a second import its values win for these,
    # and whatever else was added to the item since stays.
    holds: tuple[str, ...] = ()


def line_text(value: Any, limit: int = 200) -> str:
    """A one-line field (a title): whitespace runs made one space, controls dropped, cut at
    `limit` characters with `…`."""
    text = " ".join(_no_controls(str(value or "")).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def block_text(value: Any) -> str | None:
    """A text field (a description): line endings made `\\n`, other controls dropped,
    trailing space trimmed; None when nothing is left."""
    text = str(value or "").replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(line.rstrip() for line in _no_controls(text, keep="\n\t").split("\n"))
    return text.strip("\n") or None


def tag(value: Any) -> str | None:
    """A label as a tag: no spaces or commas (made `-`), at most 50 characters."""
    text = re.sub(r"[\s,]+", "-", _no_controls(str(value or "")).strip()).strip("-")
    return text[:50] or None


def tags(values: list[Any]) -> list[str]:
    found: list[str] = []
    for value in values:
        made = tag(value)
        if made and made not in found:
            found.append(made)
    return found


def _no_controls(text: str, keep: str = "") -> str:
    if has_control(text) is None:
        return text
    return "".join(c for c in text if c in keep or has_control(c) is None)

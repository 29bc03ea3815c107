"""GitHub issues, as `gh issue list --state all --json number,title,body,labels,state,
stateReason,assignees,milestone,url` writes them: a JSON list of objects."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from storykit.interchange.records import (
    DONE,
    DROPPED,
    OPEN,
    Foreign,
    Read,
    Skipped,
    block_text,
    line_text,
    tags,
)

# Labels that say an issue's type (`--type-label` adds to them and wins); the rest: story.
TYPE_LABELS = {
    "spike": "spike",
    "tech-debt": "tech",
    "technical": "tech",
    "refactor": "tech",
    "epic": "epic",
}
_URL = re.compile(r"https?://[^/]+/([^/]+/[^/]+)/(?:issues|pull)/(\d+)")


# The storykit fields this source holds (a re-import updates these only).
HOLDS = ("title", "status", "description", "tags", "owner", "sprint")


def read(path: Path, type_labels: dict[str, str]) -> Read:
    name = path.name
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return Read(skipped=[Skipped(name, f"not the JSON `gh issue list --json` writes: {exc}")])
    if not isinstance(entries, list):
        return Read(skipped=[Skipped(name, "not a JSON list of issues (`gh issue list --json`)")])
    labels = {**TYPE_LABELS, **{k.casefold(): v for k, v in type_labels.items()}}
    found = Read(holds=HOLDS)
    for index, entry in enumerate(entries, 1):
        where = f"{name}: entry {index}"
        record = _record(entry, where, labels)
        if isinstance(record, Skipped):
            found.skipped.append(record)
        else:
            found.records.append(record)
    return found


def _record(entry: Any, where: str, type_labels: dict[str, str]) -> Foreign | Skipped:
    if not isinstance(entry, dict):
        return Skipped(where, "not an issue (an object)")
    number, title = entry.get("number"), line_text(entry.get("title"))
    if not isinstance(number, int) or not title:
        return Skipped(where, "an issue needs its number and title")
    where = f"{where} (#{number})"
    matched = _URL.match(str(entry.get("url") or ""))
    source = f"github:{matched.group(1)}#{number}" if matched else f"github:#{number}"
    names = [str(label.get("name", "")) for label in _objects(entry.get("labels"))]
    kinds = [type_labels[n.casefold()] for n in names if n.casefold() in type_labels]
    state = str(entry.get("state") or "").upper()
    reason = str(entry.get("stateReason") or "").upper()
    if state not in ("OPEN", "CLOSED"):
        return Skipped(where, f"state {entry.get('state')!r} is neither OPEN nor CLOSED")
    role = OPEN if state == "OPEN" else DROPPED if reason == "NOT_PLANNED" else DONE
    fields: dict[str, Any] = {}
    description = block_text(entry.get("body"))
    if description:
        fields["description"] = description
    kept = tags([n for n in names if n.casefold() not in type_labels])
    if kept:
        fields["tags"] = kept
    owners = [str(a.get("login")) for a in _objects(entry.get("assignees")) if a.get("login")]
    if owners:
        fields["owner"] = line_text(owners[0])
    milestone = entry.get("milestone")
    sprint = line_text(milestone.get("title")) if isinstance(milestone, dict) else None
    status = state.lower() if role != DROPPED else "closed (not planned)"
    return Foreign(source, where, kinds[0] if kinds else "story", title, status, role, fields,
                   sprint=sprint or None)  # fmt: skip


def _objects(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []

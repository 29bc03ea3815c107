"""Jira's CSV export: columns found by their header, in any order, Jira's repeated columns
(several `Labels`, several `Sprint`) read together; parents linked by key or issue id,
whatever the row order."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path
from typing import Any

from storykit.interchange.records import (
    DONE,
    DROPPED,
    IN_PROGRESS,
    OPEN,
    Foreign,
    Read,
    Skipped,
    block_text,
    line_text,
    role_by_name,
    tags,
)

# The storykit fields this source holds (a re-import updates these only).
HOLDS = ("title", "status", "description", "points", "tags", "owner", "sprint", "parent")

# storykit's types as Jira's issue types (what `export csv` writes); read back, with the
# other issue types Jira knows.
WRITTEN_TYPES = {"epic": "Epic", "story": "Story", "tech": "Task", "task": "Sub-task",
                 "spike": "Spike"}  # fmt: skip
TYPES = {name.casefold(): kind for kind, name in WRITTEN_TYPES.items()} | {
    "subtask": "task",
    "bug": "story",
    "improvement": "story",
    "new feature": "story",
}
CATEGORIES = {"to do": OPEN, "in progress": IN_PROGRESS, "done": DONE}
DROPPING = {"won't do", "won't fix", "duplicate", "cannot reproduce", "declined", "rejected"}
POINTS = ("story points", "custom field (story points)", "custom field (story point estimate)")
PARENTS = ("parent", "parent id", "parent key", "custom field (epic link)")


def read(path: Path) -> Read:
    name = path.name
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        return Read(skipped=[Skipped(name, f"not a readable CSV file: {exc}")])
    if not rows:
        return Read(skipped=[Skipped(name, "empty: a Jira export starts with its header row")])
    columns: dict[str, list[int]] = defaultdict(list)
    for index, header in enumerate(rows[0]):
        columns[" ".join(header.split()).casefold()].append(index)
    missing = [c for c in ("issue key", "summary", "issue type", "status") if c not in columns]
    if missing:
        return Read(skipped=[Skipped(f"{name}:1", f"no {', '.join(missing)} column")])
    found = Read(holds=HOLDS)
    ids: dict[str, str] = {}  # Jira's numeric issue id → its key
    for line, row in enumerate(rows[1:], 2):
        if not any(cell.strip() for cell in row):
            continue
        cells = _Cells(row, columns)
        record = _record(cells, f"{name}:{line}")
        if isinstance(record, Skipped):
            found.skipped.append(record)
            continue
        found.records.append(record)
        if cells.one("issue id"):
            ids[cells.one("issue id")] = cells.one("issue key")
    for record in found.records:  # a parent named by its id: by its key, as the others
        if record.parent in ids:
            record.parent = f"jira:{ids[record.parent]}"
    return found


class _Cells:
    """One row's cells by header name; a repeated column's non-empty cells in order."""

    def __init__(self, row: list[str], columns: dict[str, list[int]]) -> None:
        self.row, self.columns = row, columns

    def all(self, name: str) -> list[str]:
        cells = (self.row[i] for i in self.columns.get(name, ()) if i < len(self.row))
        return [cell.strip() for cell in cells if cell.strip()]

    def one(self, *names: str) -> str:
        for name in names:
            found = self.all(name)
            if found:
                return found[-1]  # Jira lists sprints oldest first: the last is current
        return ""


def _record(cells: _Cells, where: str) -> Foreign | Skipped:
    key, title = cells.one("issue key"), line_text(cells.one("summary"))
    if not key or not title:
        return Skipped(where, "a row needs its Issue key and Summary")
    where = f"{where} ({key})"
    kind = cells.one("issue type")
    item_type = TYPES.get(kind.casefold())
    if item_type is None:
        return Skipped(where, f"issue type {kind!r} has no storykit type ({', '.join(TYPES)})")
    status = cells.one("status")
    category = cells.one("status category").casefold()
    role = CATEGORIES.get(category) or role_by_name(status) or OPEN
    if role == DONE and cells.one("resolution").casefold() in DROPPING:
        role = DROPPED
    fields: dict[str, Any] = {}
    description = block_text(cells.one("description"))
    if description:
        fields["description"] = description
    labels = tags(cells.all("labels"))
    if labels:
        fields["tags"] = labels
    if cells.one("assignee"):
        fields["owner"] = line_text(cells.one("assignee"))
    points = cells.one(*POINTS)
    if points:
        try:
            number = float(points)
        except ValueError:
            return Skipped(where, f"story points {points!r} is not a number")
        fields["points"] = int(number) if number.is_integer() else number
    parent = cells.one(*PARENTS)
    return Foreign(f"jira:{key}", where, item_type, title, status, role, fields,
                   parent=(f"jira:{parent}" if "-" in parent else parent) or None,
                   sprint=line_text(cells.one("sprint")) or None)  # fmt: skip

"""The backlog written for other tools: a CSV that Jira imports, and a Backlog.md folder.
Each reads back through its importer (`interchange/jira.py`, `interchange/backlog_md.py`)
to the fields the format holds; `tests/test_export.py` makes both round trips.

Items come as their JSON shapes (`StoredItem.to_json`), in rank order.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from storykit import yamlio
from storykit.interchange.backlog_md import SECTIONS
from storykit.interchange.backlog_md import WRITTEN_TYPES as BACKLOG_MD_TYPES
from storykit.interchange.jira import WRITTEN_TYPES as JIRA_TYPES
from storykit.model.naming import slugify


def parents_first(items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items in rank order, each after its parent (epics, then their children, …)."""
    by_id = {item["id"]: item for item in items}

    def depth(item: dict[str, Any]) -> int:
        seen: set[str] = set()
        while item.get("parent") in by_id and item["id"] not in seen:
            seen.add(item["id"])
            item = by_id[item["parent"]]
        return len(seen)

    depths = {item["id"]: depth(item) for item in items}
    return sorted(items, key=lambda item: depths[item["id"]])  # stable: rank order kept


def jira_csv(items: Sequence[dict[str, Any]]) -> str:
    """One row per item, parents before children: the columns Jira's CSV importer maps
    (Summary, Issue Type, Status, Story Points, Labels, Description, Parent, Sprint,
    Assignee), the storykit ID as the Issue key, one `Labels` column per label."""
    ordered = parents_first(items)
    labels = max((len(item.get("tags") or []) for item in ordered), default=0) or 1
    header = ["Issue key", "Summary", "Issue Type", "Status", "Story Points",
              *["Labels"] * labels, "Description", "Parent", "Sprint", "Assignee"]  # fmt: skip
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for item in ordered:
        tags = list(item.get("tags") or [])
        points = item.get("points")
        writer.writerow([
            item["id"], item["title"], JIRA_TYPES[item["type"]], item["status"],
            "" if points is None else points, *(tags + [""] * (labels - len(tags))),
            (item.get("description") or "").rstrip("\n"), item.get("parent") or "",
            item.get("sprint") or "",
            item.get("owner") or "",
        ])  # fmt: skip
    return out.getvalue()


def backlog_md_files(
    items: Sequence[dict[str, Any]], statuses: Sequence[str], initial: str, name: str
) -> dict[str, str]:
    """A Backlog.md folder as {path inside it: text}: `config.yml` with the workflow's
    statuses, epics as milestones, the other items as tasks in rank order (`ordinal`), a
    `task` under its story as a subtask (`TASK-3.1`)."""
    epics = [item for item in items if item["type"] == "epic"]
    milestones = {item["id"]: f"m-{n}" for n, item in enumerate(epics)}
    ids: dict[str, str] = {}
    count, subtasks = 0, dict[str, int]()
    for item in parents_first([i for i in items if i["type"] != "epic"]):
        parent = ids.get(item.get("parent") or "")
        if item["type"] == "task" and parent:
            subtasks[parent] = subtasks.get(parent, 0) + 1
            ids[item["id"]] = f"{parent}.{subtasks[parent]}"
        else:
            count += 1
            ids[item["id"]] = f"TASK-{count}"
    files = {"config.yml": _config(statuses, initial, name)}
    for item in epics:
        key = milestones[item["id"]]
        front = {"id": key, "title": item["title"]}
        body = f"## Description\n\n{item.get('description') or 'Milestone: ' + item['title']}\n"
        files[_file_name("milestones", key, item)] = _markdown(front, body)
    ordinal = 0
    for item in items:
        if item["type"] == "epic":
            continue
        ordinal += 1000
        key = ids[item["id"]]
        front = _task_front(item, key, ids, milestones, ordinal)
        files[_file_name("tasks", key.lower(), item)] = _markdown(front, _body(item))
    return files


def _file_name(folder: str, key: str, item: dict[str, Any]) -> str:
    """`tasks/task-3 - send-emojis.md`: Backlog.md's naming, the slug storykit's own."""
    return f"{folder}/{key} - {slugify(item['title']) or 'item'}.md"


def _task_front(
    item: dict[str, Any], key: str, ids: dict[str, str], milestones: dict[str, str], ordinal: int
) -> dict[str, Any]:
    owner = item.get("owner")
    front: dict[str, Any] = {
        "id": key, "title": item["title"], "status": item["status"],
        "assignee": [owner if owner.startswith("@") else f"@{owner}"] if owner else [],
        "labels": list(item.get("tags") or []),
    }  # fmt: skip
    if item.get("created"):
        front["created_date"] = item["created"]
    if item.get("parent") in milestones:
        front["milestone"] = milestones[item["parent"]]
    front["dependencies"] = [ids[d] for d in item.get("depends_on") or [] if d in ids]
    if "." in key:
        front["parent_task_id"] = key.rsplit(".", 1)[0]
    elif item["type"] in BACKLOG_MD_TYPES:
        front["type"] = BACKLOG_MD_TYPES[item["type"]]
    front["ordinal"] = ordinal
    return front


def _body(item: dict[str, Any]) -> str:
    """The sections Backlog.md writes, between its markers."""
    parts = []
    if item.get("description"):
        parts.append(_section("DESCRIPTION", item["description"]))
    criteria = item.get("acceptance_criteria") or []
    if criteria:
        entries = "\n".join(f"- [ ] #{n} {text}" for n, text in enumerate(criteria, 1))
        parts.append(f"## Acceptance Criteria\n<!-- AC:BEGIN -->\n{entries}\n<!-- AC:END -->")
    if item.get("notes"):
        parts.append(_section("NOTES", item["notes"]))
    if item.get("outcome"):
        parts.append(_section("FINAL_SUMMARY", item["outcome"]))
    return "\n\n".join(parts) + ("\n" if parts else "")


def _section(marker: str, text: str) -> str:
    return (
        f"## {SECTIONS[marker]}\n\n<!-- SECTION:{marker}:BEGIN -->\n{text.rstrip()}\n"
        f"<!-- SECTION:{marker}:END -->"
    )


def _markdown(front: dict[str, Any], body: str) -> str:
    yaml = yamlio.new_document(front).dump().decode("utf-8")
    return f"---\n{yaml}---\n\n{body}"


def _config(statuses: Sequence[str], initial: str, name: str) -> str:
    data = {
        "project_name": name, "default_status": initial, "statuses": list(statuses),
        "labels": [], "date_format": "yyyy-mm-dd", "task_prefix": "task",
    }  # fmt: skip
    return yamlio.new_document(data).dump().decode("utf-8")

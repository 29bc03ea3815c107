"""The same backlog in Backlog.md's on-disk format (npm package `backlog.md`), for comparison.

Each storykit item becomes `backlog/tasks/task-N - Title.md`: YAML front matter (id, title,
status, labels, dependencies, priority, ordinal in rank order) and Markdown sections for the
description and acceptance criteria, as `backlog task create` writes them.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

STATUS = {"draft": "To Do", "ready": "To Do", "in-progress": "In Progress", "done": "Done",
          "dropped": "Done"}  # fmt: skip

CONFIG = """\
project_name: "Messaging app"
default_status: "To Do"
statuses: ["To Do", "In Progress", "Done"]
labels: []
date_format: yyyy-mm-dd
max_column_width: 20
auto_open_browser: false
default_port: 6420
remote_operations: false
auto_commit: true
filesystem_only: false
bypass_git_hooks: false
check_active_branches: true
active_branch_days: 30
task_prefix: "task"
"""


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def write_peer(storykit_root: Path, out: Path) -> list[str]:
    """Convert the generated storykit backlog into a Backlog.md repository; return task IDs."""
    yaml = YAML(typ="safe")
    items: list[dict[str, Any]] = [
        yaml.load(path.read_text())
        for path in sorted((storykit_root / "backlog").glob("SK-*.yaml"))
    ]
    items.sort(key=lambda item: (str(item["rank"]), item["id"]))
    task_of = {item["id"]: f"TASK-{n}" for n, item in enumerate(items, start=1)}
    out.mkdir(parents=True, exist_ok=True)
    _git(out, "init", "-q", "-b", "main")
    _git(out, "config", "user.name", "Bench Mark")
    _git(out, "config", "user.email", "bench@example.com")
    _git(out, "config", "commit.gpgsign", "false")
    folder = out / "backlog"
    for sub in ("tasks", "drafts", "completed", "archive", "docs", "decisions", "milestones"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
        (folder / sub / ".gitkeep").write_text("")
    (folder / "config.yml").write_text(CONFIG)
    for n, item in enumerate(items, start=1):
        task_id = task_of[item["id"]]
        labels = [item["type"], *item.get("tags", [])]
        deps = [task_of[d] for d in item.get("depends_on", []) if d in task_of]
        front = [
            "---",
            f"id: {task_id}",
            f"title: {_quote(item['title'])}",
            f"status: {STATUS[item['status']]}",
            "assignee: []",
            f"created_date: '{item.get('created', '2026-11-01')} 09:00'",
            "labels:" + ("" if labels else " []"),
            *[f"  - {label}" for label in labels],
            "dependencies:" + ("" if deps else " []"),
            *[f"  - {dep}" for dep in deps],
            f"priority: {('low', 'medium', 'high')[n % 3]}",
            f"ordinal: {n * 1000}",
            "---",
            "",
        ]
        body = ["## Description", "", "<!-- SECTION:DESCRIPTION:BEGIN -->", _description(item),
                "<!-- SECTION:DESCRIPTION:END -->", ""]  # fmt: skip
        criteria = item.get("acceptance_criteria") or []
        if criteria:
            body += ["## Acceptance Criteria", "<!-- AC:BEGIN -->"]
            body += [f"- [ ] #{i} {text}" for i, text in enumerate(criteria, start=1)]
            body += ["<!-- AC:END -->", ""]
        slug = re.sub(r"[^A-Za-z0-9]+", "-", item["title"]).strip("-")
        (folder / "tasks" / f"task-{n} - {slug}.md").write_text("\n".join(front + body))
    _git(out, "add", "-A")
    _git(out, "commit", "-qm", f"generated Backlog.md backlog of {len(items)} tasks")
    return [task_of[item["id"]] for item in items]


def _description(item: dict[str, Any]) -> str:
    if item["type"] == "story" and item.get("as_a"):
        return f"As a {item['as_a']}, I want {item['i_want']} so that {item['so_that']}."
    return str(item.get("why") or item.get("question") or item.get("goal") or item["title"])


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'" if re.search(r"[:#'\"\[\]{}]", text) else text

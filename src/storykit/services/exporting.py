"""`storykit export csv|json|backlog-md`: the backlog for the tools others use.

`csv` is what Jira's CSV importer maps, `json` the whole backlog in the shapes `--json`
gives, `backlog-md` a Backlog.md folder; the writers live in `interchange/writers.py`.
Nothing in the repository changes. See docs/architecture.md, "Import and export".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from storykit.errors import UsageError
from storykit.services import answers
from storykit.services.workspace import Workspace

FORMATS = ("backlog-md", "csv", "json")


@dataclass
class Export:
    """What `export` writes: one text (`csv`, `json`) or a folder's files (`backlog-md`),
    and the files it left out (invalid ones)."""

    text: str = ""
    files: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


def export_backlog(ws: Workspace, fmt: str) -> Export:
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}", hint=f"one of {', '.join(FORMATS)}")
    from storykit.interchange import writers

    backlog = ws.store.load_all()
    shapes = [item.to_json() for item in backlog.items]
    found = Export(skipped=list(backlog.invalid))
    if fmt == "csv":
        found.text = writers.jira_csv(shapes)
    elif fmt == "json":
        from storykit.storage.sprint_files import SprintStore

        sprints = SprintStore(ws.project).load_all()
        found.skipped += [p.path for p in sprints.problems]
        data = answers.exported(shapes, [s.to_json() for s in sprints.sprints], found.skipped)
        found.text = answers.json_text(data)
    else:
        workflow = ws.project.config.workflow
        name = ws.project.root.name
        found.files = writers.backlog_md_files(shapes, workflow.statuses, workflow.initial, name)
    return found

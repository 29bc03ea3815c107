"""`storykit export csv|json|backlog-md`: the backlog for the tools others use.

`csv` is what Jira's CSV importer maps, `json` the whole backlog in the shapes `--json`
gives, `backlog-md` a Backlog.md folder; the writers live in `interchange/writers.py`.
Nothing in the repository changes. See docs/architecture.md, "Import and export".
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

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


def write_folder(files: dict[str, str], out: Path) -> None:
    """`files` ({path inside: text}) as the folder `out`, which must be new or empty: all
    of it or nothing. They are written into a temporary folder beside it, renamed into
    place once whole; a failure (a full disk) removes it and leaves `out` as it was."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(
            f"{out} is not an empty folder: storykit writes a new one",
            hint="give a folder that does not exist yet, or an empty one",
        )
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        temp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    except OSError as exc:
        raise UsageError(f"cannot write {out}: {exc.strerror}") from None
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o777 & ~umask)  # as a folder made by mkdir, not mkdtemp's 0700
        for rel, text in files.items():
            path = temp / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        if out.exists():
            out.rmdir()
        os.rename(temp, out)
    except OSError as exc:
        shutil.rmtree(temp, ignore_errors=True)
        raise UsageError(f"cannot write {out}: {exc.strerror}") from None

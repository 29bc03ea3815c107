"""A Backlog.md project folder, read: `config.yml`, `tasks/`, `drafts/`, `completed/` and
`milestones/`, each task a Markdown file with YAML front matter and marked sections.

Statuses mean what their names say (`In Progress`), else what their place in the
configured list says (the first open, the last done, the others in progress); a task in
`completed/` is done, a draft open. Milestones are epics, a task's milestone its parent,
a subtask (`parent_task_id`) a task under its parent. The board's order (`ordinal`) is the
order the items are ranked in. See docs/architecture.md, "Import and export".
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from storykit import yamlio
from storykit.errors import InvalidDataError
from storykit.interchange.records import (
    DONE,
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
from storykit.storage.atomic import read_regular

# The storykit fields this source holds (a re-import updates these only).
HOLDS = ("title", "status", "description", "acceptance_criteria", "notes", "outcome",
         "tags", "owner", "parent", "depends_on")  # fmt: skip

SOURCE = "backlog.md"
# storykit's types as Backlog.md's task types (what `export backlog-md` writes).
WRITTEN_TYPES = {"story": "feature", "tech": "task", "spike": "spike"}
# Backlog.md's task types (its configured ones, by default) as storykit's; the rest: story.
TYPES = {name: kind for kind, name in WRITTEN_TYPES.items()} | {
    "epic": "epic", "chore": "tech", "docs": "tech", "refactor": "tech", "technical": "tech",
    "tech": "tech",
}  # fmt: skip
FOLDERS = ("tasks", "drafts", "completed")
# Sections between Backlog.md's markers: `<!-- SECTION:NOTES:BEGIN -->` … `END -->`.
SECTIONS = {"DESCRIPTION": "Description", "PLAN": "Implementation Plan",
            "NOTES": "Implementation Notes", "FINAL_SUMMARY": "Final Summary"}  # fmt: skip
_MARKED = re.compile(r"<!-- SECTION:([A-Z_]+):BEGIN -->\n(.*?)\n?<!-- SECTION:\1:END -->", re.S)
_CHECKLIST = re.compile(r"<!-- (AC|DOD):BEGIN -->\n(.*?)<!-- \1:END -->", re.S)
_HEADING = re.compile(r"^## +(.+?) *$", re.M)
_ENTRY = re.compile(r"^- \[[ xX]\] +(?:#\d+ +)?(.*)$")
_NUMBER = re.compile(r"\d+")


def project_folder(path: Path) -> tuple[Path, Path | None] | None:
    """The Backlog.md folder at `path` (a repository or the folder itself) and its config
    file, if there is one: `backlog.config.yml` at the root names its folder
    (`backlog_directory`), else `config.yml` sits in `backlog/`, `.backlog/` or `path`."""
    root_config = path / "backlog.config.yml"
    if root_config.is_file():
        data = _front(root_config, whole=True, skipped=[]) or {}
        folder = path / str(data.get("backlog_directory") or "backlog")
        if folder.is_dir():
            return folder, root_config
    for folder in (path, path / "backlog", path / ".backlog"):
        if (folder / "config.yml").is_file() and any((folder / f).is_dir() for f in FOLDERS):
            return folder, folder / "config.yml"
    if any((path / f).is_dir() for f in FOLDERS):  # its config at the root, or none
        above = path.parent / "backlog.config.yml"
        return path, above if above.is_file() else None
    return None


def read(path: Path) -> Read:
    located = project_folder(path)
    if located is None:
        reason = "not a Backlog.md folder (no tasks/, drafts/ or completed/ with a config)"
        return Read(skipped=[Skipped(path.name, reason)])
    folder, config_file = located
    found = Read(holds=HOLDS)
    config = _front(config_file, whole=True, skipped=found.skipped) if config_file else None
    statuses = [str(s) for s in (config or {}).get("statuses") or [] if isinstance(s, str)]
    epics: dict[str, str] = {}  # a milestone's id and title → its source key
    for file in sorted((folder / "milestones").glob("*.md")):
        record = _milestone(file, folder, found.skipped)
        if record is not None:
            found.records.append(record)
            key = record.source.removeprefix(f"{SOURCE}:")
            epics[key] = epics[record.title.casefold()] = record.source
    tasks: list[tuple[tuple[Any, ...], Foreign]] = []
    for where in FOLDERS:
        for file in sorted((folder / where).glob("*.md")):
            made = _task(file, folder, where, statuses, epics, found.skipped)
            if made is not None:
                tasks.append(made)
    found.records += [record for _, record in sorted(tasks, key=lambda pair: pair[0])]
    return found


def _front(
    file: Path, folder: Path | None = None, *, whole: bool = False, skipped: list[Skipped]
) -> dict[str, Any] | None:
    """The YAML of a file's front matter (or, `whole`, of the whole file), or None with
    why in `skipped`. A Markdown file's body is kept under the key `""`."""
    rel = file.relative_to(folder).as_posix() if folder else file.name
    try:  # a link is not followed: a folder from elsewhere may point anywhere
        raw = read_regular(file, follow=False)
        text = raw.decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n")
    except OSError as exc:
        reason = "a symbolic link, not read" if file.is_symlink() else exc.strerror
        skipped.append(Skipped(rel, f"cannot read: {reason}"))
        return None
    except UnicodeDecodeError as exc:
        skipped.append(Skipped(rel, f"cannot read: not UTF-8 text ({exc.reason})"))
        return None
    body, offset = "", 0
    if not whole:
        head, sep, rest = text.partition("\n---\n") if text.startswith("---\n") else ("", "", "")
        if not sep:
            skipped.append(Skipped(f"{rel}:1", "no front matter between `---` lines"))
            return None
        text, body, offset = head[4:] + "\n", rest, 1
    encoded = text.encode("utf-8")
    # The fast reader (read exactly as the round-trip one, or declined), else the
    # round-trip reader, whose errors carry the line and column.
    data = yamlio.fast_load(encoded) if text.strip() else {}
    try:
        data = yamlio.read_document(encoded, rel).to_plain() if data is None else data
    except InvalidDataError as exc:
        first = exc.diagnostics[0] if exc.diagnostics else None
        where = f"{rel}:{first.line + offset}:{first.col}" if first else rel
        skipped.append(Skipped(where, first.message if first else exc.message))
        return None
    if not isinstance(data, dict):
        skipped.append(Skipped(rel, "its front matter is not a mapping of fields"))
        return None
    data[""] = body
    return data


def _key(value: Any) -> str:
    return f"{SOURCE}:{str(value).strip().lower()}"


def _milestone(file: Path, folder: Path, skipped: list[Skipped]) -> Foreign | None:
    data = _front(file, folder, skipped=skipped)
    if data is None:
        return None
    rel = file.relative_to(folder).as_posix()
    title = line_text(data.get("title"))
    if not data.get("id") or not title:
        skipped.append(Skipped(rel, "a milestone needs its id and title"))
        return None
    fields: dict[str, Any] = {}
    sections = _sections(data[""])
    description = sections.get("Description")
    if description and description != f"Milestone: {title}":  # Backlog.md's own filler
        fields["description"] = description
    return Foreign(_key(data["id"]), rel, "epic", title, "", OPEN, fields)


def _task(
    file: Path,
    folder: Path,
    where: str,
    statuses: list[str],
    epics: dict[str, str],
    skipped: list[Skipped],
) -> tuple[tuple[Any, ...], Foreign] | None:
    data = _front(file, folder, skipped=skipped)
    if data is None:
        return None
    rel = file.relative_to(folder).as_posix()
    name_id = file.name.split(" - ", 1)[0]
    item_id = str(data.get("id") or name_id)
    title = line_text(data.get("title"))
    if not title:
        skipped.append(Skipped(rel, "a task needs its title"))
        return None
    rel = f"{rel} ({item_id.upper()})"
    status = line_text(data.get("status")) or ("Draft" if where == "drafts" else "")
    role = _role(status, statuses, where)
    kind = str(data.get("type") or "").casefold()
    parent = data.get("parent_task_id") or data.get("parent")
    item_type = "task" if parent else TYPES.get(kind, "story")
    fields: dict[str, Any] = {}
    sections = _sections(data[""])
    if sections.get("Description"):
        fields["description"] = sections["Description"]
    criteria = _checklist(data[""], "AC", "Acceptance Criteria")
    if criteria:
        fields["acceptance_criteria"] = criteria
    # The implementation notes as the notes (an export writes the notes there), then the
    # plan, a summary (a spike's is its outcome) and the definition of done under headings.
    notes = [sections[SECTIONS["NOTES"]]] if sections.get(SECTIONS["NOTES"]) else []
    if sections.get(SECTIONS["PLAN"]):
        notes.append(f"## {SECTIONS['PLAN']}\n\n{sections[SECTIONS['PLAN']]}")
    summary = sections.get(SECTIONS["FINAL_SUMMARY"])
    if summary and item_type == "spike":
        fields["outcome"] = summary
    elif summary:
        notes.append(f"## {SECTIONS['FINAL_SUMMARY']}\n\n{summary}")
    done = _checklist(data[""], "DOD", "Definition of Done")
    if done:
        notes.append("## Definition of Done\n\n" + "\n".join(f"- {d}" for d in done))
    if notes:
        fields["notes"] = "\n\n".join(notes)
    labels = tags(_many(data.get("labels")))
    if labels:
        fields["tags"] = labels
    owners = [line_text(a).lstrip("@") for a in _many(data.get("assignee"))]
    if owners and owners[0]:
        fields["owner"] = owners[0]
    created = _date(data.get("created_date"))
    if created is not None:
        fields["created"] = created
    milestone = str(data.get("milestone") or "").strip()
    epic = epics.get(milestone.lower()) or epics.get(milestone.casefold())
    record = Foreign(
        _key(item_id), rel, item_type, title, status, role, fields,
        parent=_key(parent) if parent else epic,
        depends_on=[_key(d) for d in _many(data.get("dependencies"))],
    )  # fmt: skip
    ordinal = data.get("ordinal")
    numbers = tuple(int(n) for n in _NUMBER.findall(item_id))
    order = (where == "drafts", not isinstance(ordinal, int | float), ordinal or 0, numbers)
    return order, record


def _role(status: str, statuses: list[str], where: str) -> str:
    """By the folder (completed: done; drafts: open), the name, then the place in the
    configured list (first: open; last: done; between: in progress)."""
    if where == "completed":
        return DONE
    if where == "drafts":
        return OPEN
    by_name = role_by_name(status)
    if by_name is not None:
        return by_name
    folded = [s.casefold() for s in statuses]
    if status.casefold() not in folded or len(folded) < 2:
        return OPEN
    at = folded.index(status.casefold())
    return OPEN if at == 0 else DONE if at == len(folded) - 1 else IN_PROGRESS


def _sections(body: str) -> dict[str, str]:
    """The body's sections by heading: the marked ones, else the text under `## Heading`."""
    found: dict[str, str] = {}
    for match in _MARKED.finditer(body):
        text = block_text(match.group(2))
        if match.group(1) in SECTIONS and text:
            found[SECTIONS[match.group(1)]] = text
    headings = list(_HEADING.finditer(body))
    for at, heading in enumerate(headings):
        name = heading.group(1)
        if name in found or name not in SECTIONS.values():
            continue
        end = headings[at + 1].start() if at + 1 < len(headings) else len(body)
        text = block_text(body[heading.end() : end])
        if text:
            found[name] = text
    return found


def _checklist(body: str, marker: str, heading: str) -> list[str]:
    """The entries of a marked checklist (`- [ ] #1 text`), else of the `## heading` list."""
    block = next((m.group(2) for m in _CHECKLIST.finditer(body) if m.group(1) == marker), None)
    if block is None:
        match = re.search(rf"^## +{re.escape(heading)} *\n(.*?)(?=^## |\Z)", body, re.M | re.S)
        block = match.group(1) if match else ""
    entries = []
    for line in block.split("\n"):
        entry = _ENTRY.match(line.strip()) or re.match(r"^[-*] +(.*)$", line.strip())
        text = line_text(entry.group(1)) if entry else ""
        if text:
            entries.append(text)
    return entries


def _many(value: Any) -> list[str]:
    """A list field, or one value given alone; empty entries left out."""
    values = value if isinstance(value, list) else [value] if value else []
    return [str(v) for v in values if v is not None and str(v).strip()]


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "")[:10])
    except ValueError:
        return None

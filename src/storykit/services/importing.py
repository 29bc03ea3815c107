"""`storykit import SOURCE PATH`: another tool's backlog made storykit items, in one commit.

Each item carries where it came from in `x-source` (`github:owner/repo#12`), so running the
import again updates the items it made and creates only the new ones. A status the
workflow knows by name is kept; otherwise its meaning (open, in progress, done, dropped)
picks the workflow's status: closed work never shows up as open. What a status needs and
the source never held (a story's "as a … I want … so that …", acceptance criteria) is left
empty, never made up: `check` warns about it instead (storage/validate.py, SOURCE_KEY). A
row that cannot be an item is reported with where it was read and skipped; the others are
written together or not at all (docs/architecture.md, "Import and export").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storykit import clock
from storykit.errors import InvalidDataError, StorykitError, UsageError
from storykit.interchange.records import (
    DONE,
    DROPPED,
    IN_PROGRESS,
    OPEN,
    Foreign,
    Read,
    Skipped,
    tag,
)
from storykit.model.catalogue import type_fields
from storykit.model.ids import mint_id
from storykit.model.rank import keys_between
from storykit.model.relations import wrong_parent
from storykit.services.workspace import CommitOptions, Plan, Workspace
from storykit.storage.atomic import Changeset
from storykit.storage.store import StoredItem
from storykit.storage.validate import SOURCE_KEY

SOURCES = ("backlog-md", "github", "jira")
POINTS_KEY = "x-source-points"  # points off the project's scale, kept as the source said


@dataclass
class ImportReport:
    """What an import did (or, with `--dry-run`, would do)."""

    source: str
    created: list[StoredItem] = field(default_factory=list)
    updated: list[StoredItem] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    commit: str | None = None


def read_source(source: str, path: Path, type_labels: dict[str, str]) -> Read:
    """The records of `path` in the format `source` names."""
    if source not in SOURCES:
        raise UsageError(f"unknown source {source!r}", hint=f"one of {', '.join(SOURCES)}")
    if not path.exists():
        raise UsageError(f"{path}: no such file or folder")
    if source == "github":
        from storykit.interchange import github

        return github.read(path, type_labels)
    if source == "jira":
        from storykit.interchange import jira

        return jira.read(path)
    from storykit.interchange import backlog_md

    return backlog_md.read(path)


def import_items(
    ws: Workspace,
    source: str,
    path: Path,
    options: CommitOptions,
    *,
    dry_run: bool = False,
    type_labels: dict[str, str] | None = None,
) -> ImportReport:
    read = read_source(source, path, type_labels or {})
    if dry_run:
        return _Import(ws, source, read).report
    made: list[_Import] = []

    def build() -> Plan | None:  # under the lock: IDs and ranks are settled there
        done = _Import(ws, source, read)
        made.append(done)
        report = done.report
        count = len(report.created) + len(report.updated)
        if not count:
            return None
        what = f"{len(report.created)} created, {len(report.updated)} updated"
        subject = f"import {count} item{'s' if count != 1 else ''} from {source} ({what})"
        items = report.created + report.updated
        return Plan(done.changes, "import", None, subject=subject, items=items)

    outcome = ws.apply(build, options)
    made[-1].report.commit = outcome.commit
    return made[-1].report


class _Import:
    """The items a read makes, and the file changes that write them."""

    def __init__(self, ws: Workspace, source: str, read: Read) -> None:
        self.ws = ws
        self.config = ws.project.config
        self.report = ImportReport(source, skipped=list(read.skipped))
        self.holds = read.holds
        self.changes = Changeset()  # filled by _build
        backlog = ws.store.load_all()
        self.known = {
            str(item.extras[SOURCE_KEY]): item
            for item in backlog.items
            if isinstance(item.extras.get(SOURCE_KEY), str)
        }
        from storykit.storage.sprint_files import SprintStore

        self.sprints = {s.name for s in SprintStore(ws.project).load_all().sprints}
        records = _unique(read.records, self.report.skipped)
        taken = {i.upper() for i in ws.store.ids(fresh=True)}
        self.ids: dict[str, str] = {}
        for record in records:
            existing = self.known.get(record.source)
            self.ids[record.source] = existing.id if existing else self._mint(taken)
        self.types = {r.source: r.type for r in records}
        self.types.update({key: item.type for key, item in self.known.items()})
        order = ws.store.order()
        fresh = [r for r in records if r.source not in self.known]
        self.ranks = dict(
            zip(
                (r.source for r in fresh),
                keys_between(order[-1][0] if order else None, None, len(fresh)),
                strict=True,
            )
        )
        self.today = clock.today()
        workflow = self.config.workflow
        self.statuses = set(workflow.statuses)
        self.by_role = {
            OPEN: workflow.initial,
            IN_PROGRESS: workflow.in_progress,
            DONE: workflow.done,
            DROPPED: workflow.dropped,
        }
        self.meaning = {status: role for role, status in self.by_role.items()}
        self.meaning[workflow.ready] = OPEN
        self._build(records)

    def _mint(self, taken: set[str]) -> str:
        new_id = mint_id(self.config.prefix, taken, upper=True)
        taken.add(new_id)
        return new_id

    def _build(self, records: list[Foreign]) -> None:
        """Every record made an item; one that cannot be is skipped, and the records that
        link to it are made again without the link (which would dangle), until nothing
        more is skipped. Then the changes and the report, in the source's order."""
        made: dict[str, _Made] = {}
        dropped: set[str] = set()
        todo = records
        while todo:
            lost: set[str] = set()
            for record in todo:
                result = self._one(record, dropped)
                if isinstance(result, str):
                    self.report.skipped.append(Skipped(record.where, result))
                    lost.add(record.source)
                    made.pop(record.source, None)
                else:
                    made[record.source] = result
            dropped |= lost
            todo = [
                r for r in records
                if r.source in made and (r.parent in lost or not lost.isdisjoint(r.depends_on))
            ]  # fmt: skip
        for record in records:
            done = made.get(record.source)
            if done is None:
                continue
            self.report.notes += [f"{record.where}: {note}" for note in done.notes]
            if done.item is None:
                self.report.unchanged += 1
                continue
            fresh = done.expected is None
            (self.report.created if fresh else self.report.updated).append(done.item)
            if done.renamed_from is not None:
                self.changes.rename(done.renamed_from, done.path, done.content, done.expected)
            else:
                self.changes.write(done.path, done.content, expected=done.expected)

    def _one(self, record: Foreign, dropped: set[str]) -> _Made | str:
        """The record's item made (or updated); or what stops it."""
        notes: list[str] = []
        fields = self._fields(record, dropped, notes.append)
        if isinstance(fields, str):
            return fields
        existing = self.known.get(record.source)
        try:
            if existing is None:
                done = self._create(record, fields)
            else:
                done = self._update(existing, fields)
        except InvalidDataError as exc:
            said = [line.strip() for line in exc.message.splitlines()[1:]]
            return "; ".join([d.message for d in exc.diagnostics] + said) or exc.message
        except StorykitError as exc:
            return exc.message
        done.notes = notes
        return done

    def _fields(
        self, record: Foreign, dropped: set[str], note: Callable[[str], None]
    ) -> dict[str, Any] | str:
        item_id = self.ids[record.source]
        values: dict[str, Any] = {"title": record.title, "status": self._status(record)}
        values.update(record.fields)
        points = values.get("points")
        if points is not None and points not in self.config.points:
            del values["points"]
            values[POINTS_KEY] = points
            note(f"{points} points is not on the project's scale: kept in {POINTS_KEY}")
        if record.sprint:
            if record.sprint in self.sprints:
                values["sprint"] = record.sprint
            else:
                made = tag(record.sprint)
                if made and made not in values.setdefault("tags", []):
                    values["tags"] = [*values["tags"], made]
        if record.parent is not None:
            parent = self._link(record.parent, dropped)
            wrong = (
                wrong_parent(record.type, parent, self.types[record.parent])
                if parent is not None and record.parent in self.types
                else None
            )
            if parent is None or wrong:
                if record.type == "task":
                    return wrong or f"its parent {record.parent} is not imported"
                note(wrong or f"its parent {record.parent} is not imported: no parent")
            else:
                values["parent"] = parent
        elif record.type == "task":
            return "a task needs a parent (a story or technical story)"
        links = [self._link(key, dropped) for key in record.depends_on]
        if None in links:
            note("a dependency that is not imported was left out")
        values["depends_on"] = [link for link in links if link is not None]
        values["id"] = item_id
        return values

    def _link(self, key: str, dropped: set[str]) -> str | None:
        if key in dropped:
            return None
        return self.ids.get(key) or (self.known[key].id if key in self.known else None)

    def _status(self, record: Foreign) -> str:
        """The workflow's status of that name, else the one its meaning picks. A custom
        status of the workflow is taken by name whatever the source's meaning; one of its
        own only when it means the same (Jira's "Done" as Won't Do is dropped)."""
        wanted = "-".join(record.status.casefold().replace("_", " ").split())
        if wanted in self.statuses and self.meaning.get(wanted, record.role) == record.role:
            return wanted
        return self.by_role[record.role]

    def _create(self, record: Foreign, values: dict[str, Any]) -> _Made:
        fields = {
            "type": record.type,
            "rank": self.ranks[record.source],
            "created": self.today,
            **{k: v for k, v in values.items() if v not in (None, [])},
            SOURCE_KEY: record.source,
        }
        path, content, item = self.ws.new_item(fields, record.source, newline="\n")
        return _Made(item, path, content)

    def _update(self, item: StoredItem, values: dict[str, Any]) -> _Made:
        """The source's values for the imported fields; anything else stays as it is."""
        changed = {
            name: values.get(name)
            for name in self.holds
            if _plain(item.model, name) != _given(values.get(name))
        }
        if "points" in self.holds and values.get(POINTS_KEY) != item.extras.get(POINTS_KEY):
            changed[POINTS_KEY] = values.get(POINTS_KEY)
        if not changed:
            return _Made(None)
        loaded = self.ws.store.read(item.path)
        document, order = loaded.document, type_fields(item.type)
        for name, value in changed.items():
            if value in (None, []):
                if name in document:
                    document.delete(name)
            else:
                document.set(name, value, order)
        path = self.ws.store.path_for(item.id, str(values["title"]))
        updated = self.ws.store.validate_document(document, path)
        renamed = item.path if path != item.path else None
        return _Made(updated, path, document.dump(), loaded.raw, renamed)


@dataclass
class _Made:
    """One record's item as the import leaves it (None: unchanged) and the file that
    holds it: new (`expected` None), rewritten, or renamed from `renamed_from`."""

    item: StoredItem | None
    path: Path = Path()
    content: bytes = b""
    expected: bytes | None = None
    renamed_from: Path | None = None
    notes: list[str] = field(default_factory=list)


def _plain(model: Any, name: str) -> Any:
    return _given(getattr(model, name, None))


def _given(value: Any) -> Any:
    """A value as compared: an empty list or text counts as unset, and a text's final line
    break (a YAML block keeps one) does not count."""
    if isinstance(value, str):
        value = value.rstrip("\n")
    return None if value in (None, "", []) else value


def _unique(records: list[Foreign], skipped: list[Skipped]) -> list[Foreign]:
    """The records in source order, a source key read twice skipped the second time."""
    seen: set[str] = set()
    kept = []
    for record in records:
        if record.source in seen:
            skipped.append(Skipped(record.where, f"{record.source} was read already"))
            continue
        seen.add(record.source)
        kept.append(record)
    return kept

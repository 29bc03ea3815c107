"""`storykit check`: every file, and the backlog as a whole."""

from __future__ import annotations

import itertools
import os
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storykit import clock, collector
from storykit.errors import Diagnostic, InvalidDataError
from storykit.locations import base_name, is_item_file
from storykit.model.catalogue import REFERENCE_FIELDS
from storykit.model.naming import id_from_file_name
from storykit.model.rank import LONG_KEY, is_valid_key
from storykit.model.records import item_json
from storykit.model.relations import (
    RANK_FIX,
    cycle_message,
    dangling,
    dependency_cycles,
    invalid_rank,
    wrong_parent,
)
from storykit.model.selection import past, plain_runs_out
from storykit.model.workflow import gate_problems_of
from storykit.services.workspace import Workspace
from storykit.storage.validate import SOURCE_KEY, missing_past_draft
from storykit.yamlio import CONFLICT_MARKER, Document, decode_text, plain_position


class Row:
    """A valid item file as `check` reads it: its plain fields from the read cache. No
    model is built for it (at 100,000 items that was half of `check`'s time); `--json`
    shapes items from the same fields (`records.item_json`)."""

    __slots__ = ("extras", "fields", "id", "rel", "root")

    def __init__(self, root: Path, rel: str, payload: dict[str, Any]) -> None:
        self.root = root
        self.rel = rel
        self.fields: dict[str, Any] = payload["item"]
        self.extras: dict[str, Any] = payload.get("extras", {})
        self.id = str(self.fields["id"])

    @property
    def path(self) -> Path:  # only a file with a problem is read again (to place it)
        return self.root / self.rel

    @property
    def type(self) -> str:
        return str(self.fields["type"])

    def get(self, name: str) -> Any:
        return self.fields.get(name)

    def to_json(self) -> dict[str, Any]:
        return item_json(self.fields, self.extras, self.rel)


@dataclass
class CheckReport:
    items: list[Row]  # the valid items, in backlog order
    problems: list[Diagnostic] = field(default_factory=list)
    files: int = 0

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for p in self.problems if p.severity == "warning")

    @property
    def ok(self) -> bool:
        return self.errors == 0


def check_backlog(ws: Workspace, since: str | None = None) -> CheckReport:
    """Check everything; with `since`, report only the files changed since that revision
    (whole-backlog rules such as references still see every item)."""
    report = _check_all(ws)
    if since is None:
        return report
    from storykit.repository.history import History

    changed = History(ws.project.root).changed_paths(since, ws.project.config.backlog_dir)
    report.problems = [p for p in report.problems if p.path in changed]
    report.items = [item for item in report.items if item.rel in changed]
    report.files = len({p for p in changed if is_item_file(base_name(p))})
    return report


def _check_all(ws: Workspace) -> CheckReport:
    rows, problems, invalid = _read_all(ws)
    report = CheckReport(rows, problems, len(rows) + len(invalid))
    locate = _Locator(ws)

    known = {row.id for row in rows}
    known |= {i for i in (id_from_file_name(base_name(rel)) for rel in invalid) if i}

    seen: dict[str, Row] = {}
    for row in sorted(rows, key=lambda r: r.rel):
        if row.id in seen:
            line, col = locate(row, ["id"])
            report.problems.append(
                Diagnostic(
                    row.rel,
                    line,
                    col,
                    f"id: duplicate id {row.id}, also used by {seen[row.id].rel}",
                    code="duplicate-id",
                )
            )
        else:
            seen[row.id] = row

    workflow = ws.project.config.workflow
    for row in rows:
        fields = row.fields
        for name in REFERENCE_FIELDS & fields.keys():
            value = fields[name]
            refs = [value] if isinstance(value, str) else list(value or [])
            for index, ref in enumerate(refs):
                if ref in known:
                    continue
                loc: list[str | int] = [name] if isinstance(value, str) else [name, index]
                line, col = locate(row, loc)
                where = name if isinstance(value, str) else f"{name}[{index}]"
                report.problems.append(
                    Diagnostic(row.rel, line, col, dangling(where, ref), code="dangling-reference")
                )
        source = row.extras.get(SOURCE_KEY)
        for gate in gate_problems_of(fields.get, fields["status"], workflow):
            line, col = locate(row, ["status"])
            report.problems.append(_gap(row, line, col, f"status: {gate.message}", gate.fix))
        if source is not None:  # what its source never held is told, not refused
            for name in missing_past_draft(fields, ws.project.config):
                fix = f"storykit set {row.id} {name}=…"
                report.problems.append(_gap(row, 1, 1, f"{name}: missing", fix))

    report.problems = _conflicts_told(ws, report.problems)
    report.problems.extend(_name_clashes([row.rel for row in rows] + invalid))
    report.problems.extend(_rank_warnings(rows, locate))
    report.problems.extend(_parent_types(rows, locate))
    now = clock.now()
    for row in rows:
        since = past(plain_runs_out(row.fields, workflow.in_progress, now.tzinfo), now)
        if since is not None:
            line, col = locate(row, ["started"])
            report.problems.append(
                Diagnostic(
                    row.rel,
                    line,
                    col,
                    f"started: spike overdue: its {row.get('timebox') or ''} timebox "
                    f"ran out at {since:%Y-%m-%d %H:%M} (`storykit spike close {row.id} "
                    f"--outcome …` or `storykit spike extend {row.id} --timebox 1d`)",
                    "warning",
                    "overdue",
                )
            )

    graph = {row.id: row.fields["depends_on"] for row in rows if row.fields.get("depends_on")}
    for cycle in dependency_cycles(graph):
        first = next(row for row in rows if row.id == cycle[0])
        line, col = locate(first, ["depends_on"])
        report.problems.append(
            Diagnostic(
                first.rel,
                line,
                col,
                cycle_message(cycle),
                code="cycle",
            )
        )
    sprint_problems, sprint_files = _sprints(ws, rows, locate)
    report.problems.extend(sprint_problems)
    report.files += sprint_files
    report.problems.extend(_stale_schema(ws))
    report.problems.extend(_missing_driver(ws))
    report.problems.sort(key=lambda d: (d.path, d.line, d.col))
    return report


def _gap(row: Row, line: int, col: int, message: str, fix: str) -> Diagnostic:
    """What an item's status needs and lacks: an error; a warning when imported (SOURCE_KEY)."""
    source = row.extras.get(SOURCE_KEY)
    if source is None:
        return Diagnostic(row.rel, line, col, f"{message} (`{fix}`)", code="gate")
    told = f"{message}: imported from {source}, which did not hold it (`{fix}`)"
    return Diagnostic(row.rel, line, col, told, "warning", "imported-gap")


def _read_all(ws: Workspace) -> tuple[list[Row], list[Diagnostic], list[str]]:
    """The valid items in backlog order, the problems of the others, and their files."""
    records, problems, invalid = ws.store.read_all()
    with collector.paused():
        rows = [Row(ws.project.root, rel, payload) for rel, payload in records]
        rows.sort(key=lambda row: (str(row.fields["rank"]), row.id))
    return rows, problems, invalid


def _sprints(ws: Workspace, rows: list[Row], locate: _Locator) -> tuple[list[Diagnostic], int]:
    """Every sprint file (and how many there are), and every item's `sprint:` naming one
    of them."""
    from storykit.model.sprints import unknown_sprint
    from storykit.storage.sprint_files import SprintStore

    loaded = SprintStore(ws.project).load_all()
    found = list(loaded.problems)
    names = {sprint.name for sprint in loaded.sprints}
    for row in rows:
        name = row.get("sprint")
        if name is None or name in names:
            continue
        line, col = locate(row, ["sprint"])
        message = unknown_sprint(row.id, name, names)
        found.append(Diagnostic(row.rel, line, col, message, code="unknown-sprint"))
    return found, loaded.files


def _stale_schema(ws: Workspace) -> list[Diagnostic]:
    """The editor schema, when configured, must say what the settings say now."""
    name = ws.project.config.editor_schema
    if not name:
        return []
    from storykit.services.schema import schema_text

    path = ws.project.backlog_dir / name
    current = path.read_bytes() if path.is_file() else None
    if current == schema_text(ws.project.config).encode("utf-8"):
        return []
    what = "is missing" if current is None else "does not match .storykit.toml"
    return [
        Diagnostic(
            ws.project.rel(path),
            1,
            1,
            f"editor schema {what}, so editors check item files against old rules "
            "(`storykit init --editor-schema` writes it anew, in a commit)",
            "warning",
            "stale-schema",
        )
    ]


def _missing_driver(ws: Workspace) -> list[Diagnostic]:
    """`.gitattributes` sends item files to the merge driver, but this clone has none: git
    would merge them as text, and conflict where the driver would not. Not said in CI
    (`CI` set, as CI services do), whose fresh clones check and never merge."""
    from storykit.services.clone import (
        ATTRIBUTES_FILE,
        DRIVER_KEY,
        SET_UP_COMMAND,
        attributes_text,
        driver_problem,
        names_driver,
    )

    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        return []
    if ws.project.git_dir is None or not names_driver(attributes_text(ws.project.root)):
        return []
    configured = ws.repo.settings().get(DRIVER_KEY)
    wrong = driver_problem(configured, deep=True)
    if wrong is None:
        return []
    problem = (
        f"this clone's merge driver {wrong} ({configured}), so git cannot merge backlog "
        "files safely"
        if configured
        else "this clone has no merge driver for backlog files, so git merges them as text"
    )
    return [
        Diagnostic(
            ATTRIBUTES_FILE,
            1,
            1,
            f"{problem} (`{SET_UP_COMMAND}` sets it up)",
            "warning",
            "no-merge-driver",
        )
    ]


def _conflicts_told(ws: Workspace, problems: list[Diagnostic]) -> list[Diagnostic]:
    """A file with conflict markers during a merge, rebase or cherry-pick: each conflict
    in words, with the command that settles it, instead of the marker alone."""
    marked = {p.path for p in problems if p.message.startswith(CONFLICT_MARKER)}
    if not marked or ws.project.git_dir is None:
        return problems
    from storykit.services.resolve import conflicts_told

    told = conflicts_told(ws)
    out = []
    for problem in problems:
        if problem.path not in marked or problem.path not in told:
            out.append(problem)
            continue
        for line, settle in told.pop(problem.path):
            message = f"in conflict: {line} (settle: {settle})"
            out.append(
                Diagnostic(problem.path, problem.line, problem.col, message, code="conflict")
            )
    return out


def _name_clashes(rels: list[str]) -> list[Diagnostic]:
    """Files whose names are equal after case-folding or Unicode normalisation: one and the
    same file on macOS and Windows, so a checkout there would lose one of them."""
    first: dict[str, str] = {}
    problems = []
    for rel in sorted(rels):
        key = unicodedata.normalize("NFC", rel).casefold()
        if key in first:
            problems.append(
                Diagnostic(
                    rel,
                    1,
                    1,
                    f"file name clashes with {first[key]}: they differ only in case or Unicode "
                    "normalisation, so they are one file on macOS and Windows",
                    code="name-clash",
                )
            )
        else:
            first[key] = rel
    return problems


def _parent_types(rows: list[Row], locate: _Locator) -> list[Diagnostic]:
    by_id = {row.id: row for row in rows}
    found = []
    for row in rows:
        parent = by_id.get(row.get("parent") or "")
        message = wrong_parent(row.type, parent.id, parent.type) if parent else None
        if message:
            line, col = locate(row, ["parent"])
            found.append(Diagnostic(row.rel, line, col, message, code="parent-type"))
    return found


def _rank_warnings(rows: list[Row], locate: _Locator) -> list[Diagnostic]:
    """Equal keys (two branches inserted at one spot), over-long and invalid keys; `rows`
    in backlog order."""
    found: list[Diagnostic] = []
    fix = RANK_FIX

    def warn(row: Row, code: str, message: str) -> None:
        line, col = locate(row, ["rank"])
        found.append(Diagnostic(row.rel, line, col, f"rank: {message} ({fix})", "warning", code))

    for previous, row in itertools.pairwise(rows):
        if previous.fields["rank"] == row.fields["rank"]:
            warn(row, "equal-rank", f"same key as {previous.id}, so the ID decides their order")
    for row in rows:
        key = str(row.fields["rank"])
        if len(key) > LONG_KEY:
            warn(row, "long-rank", f"key is {len(key)} characters long, over {LONG_KEY}")
        elif not is_valid_key(key):
            found.append(
                Diagnostic(row.rel, *locate(row, ["rank"]), invalid_rank(key), "warning",
                           "invalid-rank")
            )  # fmt: skip
    return found


class _Locator:
    """Finds line:col of a field by reading the (rare) files that have a problem, once
    each: a file storykit wrote is placed by the plain reader, any other by the round-trip
    reader (both place it alike: tests/test_fast_loader.py)."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.texts: dict[str, str | None] = {}
        self.documents: dict[str, Document | None] = {}

    def __call__(self, item: Row, loc: Sequence[str | int]) -> tuple[int, int]:
        if item.rel not in self.texts:
            try:
                raw = self.ws.store.read_raw(item.path, item.rel)
                self.texts[item.rel] = decode_text(raw, item.rel)[0]
            except (InvalidDataError, OSError):
                self.texts[item.rel] = None
        text = self.texts[item.rel]
        found = plain_position(text, loc) if text is not None else None
        if found is not None:
            return found
        if item.rel not in self.documents:
            try:
                self.documents[item.rel] = self.ws.store.read(item.path).document
            except (InvalidDataError, OSError):
                self.documents[item.rel] = None
        document = self.documents[item.rel]
        return document.position(loc) if document is not None else (1, 1)

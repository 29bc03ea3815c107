"""SprintStore: the sprint files (`<backlog>/sprints/*.yaml`, one per sprint) — listing,
reading with located problems, finding a sprint by name, and new sprint documents.

Sprint files are read under the same rules as item files (`yamlio.strict`) and validated
against the catalogue's sprint fields; one field per line, so two branches that change
different fields of a sprint merge with git's own text merge.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storykit import yamlio
from storykit.errors import Diagnostic, InvalidDataError, RepoStateError, UnknownItemError
from storykit.locations import SPRINT_FOLDER, backlog_folder_problem, is_item_file
from storykit.model.catalogue import SPRINT_ORDER
from storykit.model.sprints import Sprint, sprint_file_name
from storykit.project import Project
from storykit.storage.atomic import read_regular
from storykit.storage.validate import Locator, validate_sprint


@dataclass
class Sprints:
    """Every sprint file read: the valid sprints by start date, and what was wrong."""

    sprints: list[Sprint] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)
    files: int = 0  # how many sprint files were read

    def named(self, name: str) -> Sprint | None:
        return next((s for s in self.sprints if s.name == name), None)


@dataclass
class LoadedSprint:
    """One sprint file read for changing."""

    path: Path
    rel: str
    raw: bytes
    document: yamlio.Document
    sprint: Sprint


class SprintStore:
    def __init__(self, project: Project) -> None:
        self.project = project
        self.folder = project.backlog_dir / SPRINT_FOLDER

    def paths(self) -> list[Path]:
        """The sprint files; a sprints folder reached through a symbolic link is refused,
        never followed (as the backlog folder is: a link could lead outside the repository)."""
        config = self.project.config
        problem = backlog_folder_problem(self.project.root, f"{config.backlog_dir}/{SPRINT_FOLDER}")
        if problem is not None:
            raise RepoStateError(
                problem, hint=f"make {config.backlog_dir}/{SPRINT_FOLDER} a real folder"
            )
        try:
            with os.scandir(self.folder) as scan:
                return sorted(self.folder / e.name for e in scan if is_item_file(e.name))
        except (FileNotFoundError, NotADirectoryError):
            return []

    def load_all(self) -> Sprints:
        paths = self.paths()
        found = Sprints(files=len(paths))
        for path in paths:
            rel = self.project.rel(path)
            try:
                raw = _read_bytes(path, rel)
            except InvalidDataError as exc:
                found.problems.extend(exc.diagnostics)
                continue
            sprint = parse_sprint(raw, rel, found.problems)
            if sprint is not None:
                found.sprints.append(sprint)
        found.problems.extend(duplicate_names(found.sprints))
        found.sprints.sort(key=lambda s: (s.model.start, s.model.end, s.name))
        return found

    def read(self, path: Path) -> LoadedSprint:
        rel = self.project.rel(path)
        raw = _read_bytes(path, rel)
        document = yamlio.read_document(raw, rel)
        sprint = _validated(document.to_plain(), rel, _locator(document))
        return LoadedSprint(path, rel, raw, document, sprint)

    def find(self, name: str) -> LoadedSprint:
        """The sprint of that name (exactly, else in any case), read for changing."""
        loaded = self.load_all()
        sprint = loaded.named(name) or _folded(loaded.sprints, name)
        if sprint is None:
            bad = [p for p in loaded.problems if p.severity == "error"]
            if bad:
                raise InvalidDataError(
                    f"no valid sprint {name!r}: {len(bad)} problem(s) in sprint files", bad
                )
            known = ", ".join(s.name for s in loaded.sprints[-5:]) or "none yet"
            raise UnknownItemError(
                f"no sprint {name!r} (sprints: {known})",
                hint=f'`storykit sprint new "{name}" --start DATE` creates it',
            )
        return self.read(self.project.root / sprint.rel)

    def path_for(self, name: str) -> Path:
        return self.folder / sprint_file_name(name)

    def new_document(self, fields: dict[str, Any], newline: str) -> yamlio.Document:
        ordered = {key: fields[key] for key in SPRINT_ORDER if fields.get(key) is not None}
        return yamlio.new_document(ordered, newline=newline)

    def validate_document(self, document: yamlio.Document, path: Path) -> Sprint:
        return _validated(document.to_plain(), self.project.rel(path), _locator(document))


def _read_bytes(path: Path, rel: str) -> bytes:
    """A sprint file's bytes: a symbolic link or anything but a regular file is refused."""
    if path.is_symlink():
        problem = Diagnostic(rel, 1, 1, "sprint files must not be symbolic links")
        raise InvalidDataError(f"{rel} is a symbolic link", [problem])
    try:
        return read_regular(path)
    except OSError as exc:
        problem = Diagnostic(rel, 1, 1, f"cannot read: {exc.strerror}")
        raise InvalidDataError(f"{rel} cannot be read", [problem]) from None


def parse_sprint(raw: bytes, rel: str, problems: list[Diagnostic]) -> Sprint | None:
    """A sprint file's bytes → the sprint, or None with its problems added (the fast
    loader first; anything it declines or that is invalid is read again, located)."""
    data = yamlio.fast_load(raw)
    if data is not None:
        try:
            return _validated(data, rel, _unlocated)
        except InvalidDataError:
            pass
    try:
        document = yamlio.read_document(raw, rel)
        return _validated(document.to_plain(), rel, _locator(document))
    except InvalidDataError as exc:
        problems.extend(exc.diagnostics or [Diagnostic(rel, 1, 1, exc.message)])
        return None


def duplicate_names(sprints: Sequence[Sprint]) -> list[Diagnostic]:
    seen: dict[str, Sprint] = {}
    found = []
    for sprint in sorted(sprints, key=lambda s: s.rel):
        key = sprint.name.casefold()
        if key in seen:
            message = f"name: {sprint.name!r} is also the name of {seen[key].rel}"
            found.append(Diagnostic(sprint.rel, 1, 1, message, code="duplicate-sprint"))
        else:
            seen[key] = sprint
    return found


def _validated(data: Any, rel: str, locate: Locator) -> Sprint:
    if not isinstance(data, dict):
        raise InvalidDataError(
            f"{rel} is not a sprint file",
            [Diagnostic(rel, 1, 1, "must be a mapping of sprint fields (name: …, start: …)")],
        )
    result = validate_sprint(data, rel, locate)
    if result.model is None or result.diagnostics:
        raise InvalidDataError(f"{rel} is not a valid sprint file", result.diagnostics)
    return Sprint(result.model, rel)  # type: ignore[arg-type]


def _locator(document: yamlio.Document) -> Locator:
    def locate(loc: Sequence[str | int], key: bool) -> tuple[int, int]:
        return document.position(loc, key=key)

    return locate


def _unlocated(loc: Sequence[str | int], key: bool) -> tuple[int, int]:
    return 1, 1


def _folded(sprints: Sequence[Sprint], name: str) -> Sprint | None:
    matches = [s for s in sprints if s.name.casefold() == name.casefold()]
    return matches[0] if len(matches) == 1 else None

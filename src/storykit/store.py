"""ItemStore: the backlog folder as items — listing, loading, resolving IDs, saving."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storykit import __version__, yamlio
from storykit.cache import ItemCache, signature_of
from storykit.errors import Diagnostic, InvalidDataError, RepoStateError, UnknownItemError
from storykit.model.ids import looks_like_query, normalise_query
from storykit.model.items import MODELS, ItemBase
from storykit.model.naming import file_name, id_from_file_name
from storykit.project import Project
from storykit.validate import validate_item


@dataclass(frozen=True)
class StoredItem:
    """A valid item and where it lives."""

    model: ItemBase
    extras: dict[str, Any]
    path: Path
    rel: str

    @property
    def id(self) -> str:
        return self.model.id

    @property
    def type(self) -> str:
        return str(self.model.type)

    def to_json(self) -> dict[str, Any]:
        """All fields (unset ones as null), then the user's own keys, then the path."""
        data: dict[str, Any] = self.model.model_dump(mode="json")
        data.update(_jsonable(self.extras))
        data["path"] = self.rel
        return data

    def sort_key(self) -> tuple[str, str]:
        return (self.model.rank, self.model.id)


@dataclass
class Backlog:
    """Every item file read: the valid items in backlog order, and what was wrong."""

    items: list[StoredItem] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)

    def by_id(self) -> dict[str, StoredItem]:
        return {item.id: item for item in self.items}


@dataclass
class LoadedFile:
    """One file read for changing: its bytes, round-trip document and validated item."""

    path: Path
    rel: str
    raw: bytes
    document: yamlio.Document
    item: StoredItem


class ItemStore:
    """The backlog folder of one project."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.folder = project.backlog_dir

    def files(self) -> list[Path]:
        """Item files in the backlog folder (flat), sorted by name."""
        if self.folder.is_symlink():
            raise RepoStateError(
                f"{self.project.rel(self.folder)} is a symbolic link; storykit does not follow it",
                hint="make the backlog folder a real folder inside the repository",
            )
        if not self.folder.is_dir():
            return []
        return sorted(
            path
            for path in self.folder.iterdir()
            if path.suffix in (".yaml", ".yml") and not path.name.startswith(".")
        )

    def ids(self) -> dict[str, Path]:
        """IDs named by file names (no parsing)."""
        found: dict[str, Path] = {}
        for path in self.files():
            item_id = id_from_file_name(path.name)
            if item_id:
                found.setdefault(item_id, path)
        return found

    def resolve(self, query: str) -> Path:
        """Find an item file by full ID, CODE, or unique CODE prefix, in any case."""
        if not looks_like_query(query):
            raise UnknownItemError(
                f"{query!r} is not an item ID",
                hint=f"IDs look like {self.project.config.prefix}-7K2M; `storykit list` shows them",
            )
        code = normalise_query(query, self.project.config.prefix)
        ids = self.ids()
        exact = [i for i in ids if i.split("-", 1)[1] == code]
        matches = exact or [i for i in ids if i.split("-", 1)[1].startswith(code)]
        if not matches:
            raise UnknownItemError(
                f"no item {query!r} in {self.project.config.backlog_dir}/",
                hint="`storykit list --all` shows every item",
            )
        if len(matches) > 1:
            shown = ", ".join(sorted(matches)[:5])
            raise UnknownItemError(
                f"{query!r} is ambiguous: it matches {shown}",
                hint="type more characters of the ID",
            )
        return ids[matches[0]]

    def ids_for(self, query: str) -> str:
        """The full ID that `query` names (see `resolve`)."""
        item_id = id_from_file_name(self.resolve(query).name)
        assert item_id is not None
        return item_id

    def read(self, path: Path) -> LoadedFile:
        """Read and validate one file; every problem raises InvalidDataError."""
        rel = self.project.rel(path)
        if path.is_symlink():
            raise InvalidDataError(
                f"{rel} is a symbolic link",
                [Diagnostic(rel, 1, 1, "item files must not be symbolic links")],
            )
        raw = path.read_bytes()
        document = yamlio.read_document(raw, rel)
        item = self._validate(document, path, rel)
        return LoadedFile(path=path, rel=rel, raw=raw, document=document, item=item)

    def _validate(self, document: yamlio.Document, path: Path, rel: str) -> StoredItem:
        data = document.to_plain()

        def locate(loc: Sequence[str | int], key: bool) -> tuple[int, int]:
            return document.position(loc, key=key)

        result = validate_item(data, self.project.config, rel, locate)
        problems = list(result.diagnostics)
        name_id = id_from_file_name(path.name)
        file_id = data.get("id")
        if name_id is None:
            problems.append(
                Diagnostic(
                    rel, 1, 1, "file name must be <ID>-<slug>.yaml, like SK-7K2M-send-emojis.yaml"
                )
            )
        elif isinstance(file_id, str) and file_id != name_id:
            line, col = document.position(["id"])
            problems.append(
                Diagnostic(
                    rel, line, col, f"id: {file_id} does not match the file name ({name_id})"
                )
            )
        if problems or result.model is None:
            problems.sort(key=lambda d: (d.line, d.col))
            raise InvalidDataError(f"{rel} is not a valid item file", problems)
        return StoredItem(model=result.model, extras=result.extras, path=path, rel=rel)

    def validate_document(self, document: yamlio.Document, path: Path) -> StoredItem:
        return self._validate(document, path, self.project.rel(path))

    def load_all(self) -> Backlog:
        """Every item file, served from the read cache where a file is unchanged."""
        cache = self._open_cache()
        backlog = Backlog()
        names: set[str] = set()
        for path in self.files():
            rel = self.project.rel(path)
            names.add(path.name)
            try:
                stat = path.lstat()
            except OSError as exc:
                backlog.problems.append(Diagnostic(rel, 1, 1, f"cannot read: {exc.strerror}"))
                backlog.invalid.append(rel)
                continue
            signature = signature_of(stat)
            payload = cache.get(path.name, signature) if cache else None
            if payload is None:
                payload = self._parse_for_cache(path)
                if cache is not None and not path.is_symlink():
                    cache.put(path.name, signature, payload)
            if "item" in payload:
                backlog.items.append(_item_from_payload(payload, path, rel))
            else:
                backlog.problems.extend(Diagnostic(**d) for d in payload["problems"])
                backlog.invalid.append(rel)
        if cache is not None:
            cache.keep_only(names)
            cache.save()
        backlog.items.sort(key=StoredItem.sort_key)
        return backlog

    def _parse_for_cache(self, path: Path) -> dict[str, Any]:
        try:
            item = self.read(path).item
        except InvalidDataError as exc:
            return {"problems": [d.to_json() for d in exc.diagnostics]}
        except OSError as exc:
            rel = self.project.rel(path)
            return {"problems": [Diagnostic(rel, 1, 1, f"cannot read: {exc.strerror}").to_json()]}
        return {"item": item.model.model_dump(mode="json"), "extras": _jsonable(item.extras)}

    def parse_bytes(self, raw: bytes, rel: str) -> dict[str, Any]:
        """Validate file content read from anywhere (a blob of some commit) into a payload."""
        path = self.project.root / rel
        try:
            document = yamlio.read_document(raw, rel)
            item = self._validate(document, path, rel)
        except InvalidDataError as exc:
            return {"problems": [d.to_json() for d in exc.diagnostics]}
        return {"item": item.model.model_dump(mode="json"), "extras": _jsonable(item.extras)}

    def item_from_payload(self, payload: dict[str, Any], rel: str) -> StoredItem:
        return _item_from_payload(payload, self.project.root / rel, rel)

    def cache_key(self) -> str:
        return f"{__version__}:{self.project.config.fingerprint()}:{self.project.config_path}"

    def _open_cache(self) -> ItemCache | None:
        try:
            state = self.project.state_dir
        except RepoStateError:
            return None
        return ItemCache.open(state / "items-cache.json", self.cache_key())

    def path_for(self, item_id: str, title: str) -> Path:
        return self.folder / file_name(item_id, title)


_DATE_FIELDS = ("created", "started")


def _item_from_payload(payload: dict[str, Any], path: Path, rel: str) -> StoredItem:
    """Rebuild an item validated earlier: no second validation, dates parsed back."""
    data = dict(payload["item"])
    for name in _DATE_FIELDS:
        value = data.get(name)
        if isinstance(value, str):
            data[name] = (
                dt.date.fromisoformat(value)
                if len(value) == 10
                else dt.datetime.fromisoformat(value)
            )
    model = MODELS[data["type"]].model_construct(**data)
    return StoredItem(model=model, extras=payload.get("extras", {}), path=path, rel=rel)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value

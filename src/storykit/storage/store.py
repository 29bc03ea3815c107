"""ItemStore: the backlog folder as items — listing, loading, resolving IDs, saving."""

from __future__ import annotations

import dataclasses
import errno
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storykit import collector, yamlio
from storykit.errors import Diagnostic, InvalidDataError, RepoStateError, UnknownItemError
from storykit.locations import backlog_folder_problem, is_item_file
from storykit.model.ids import looks_like_query, normalise_query
from storykit.model.items import ItemModel, model_from_plain
from storykit.model.naming import file_name, id_from_file_name, ids_in_names
from storykit.model.records import item_json, jsonable
from storykit.project import Project
from storykit.storage.atomic import read_regular
from storykit.storage.cached_reads import CachedReads, ids_of
from storykit.storage.validate import Locator, file_name_problems, validate_item


@dataclass(frozen=True)
class StoredItem:
    """A valid item and where it lives (`rel`: repository-relative POSIX path)."""

    model: ItemModel
    extras: dict[str, Any]
    root: Path
    rel: str

    @property
    def path(self) -> Path:
        return self.root / self.rel

    @property
    def id(self) -> str:
        return str(self.model.id)  # a plain property: a cached one costs more than it saves

    @property
    def type(self) -> str:
        return str(self.model.type)

    def to_json(self) -> dict[str, Any]:
        """All fields (unset ones as null), then the user's own keys, then the path."""
        return item_json(self.model.model_dump(mode="json"), jsonable(self.extras), self.rel)

    def field(self, name: str) -> Any:
        """A field's value by name (None when the item's type has no such field)."""
        return getattr(self.model, name, None)

    def sort_key(self) -> tuple[str, str]:
        return (self.model.rank, self.model.id)


@dataclass
class Backlog:
    """Every item file read: the valid items in backlog order, and what was wrong."""

    items: list[StoredItem] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)


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
        self._ids: dict[str, str] | None = None
        self._duplicates: dict[str, list[str]] = {}  # ID → its file names, when several
        # STORYKIT_NO_FAST_YAML=1 forces the round-trip reader everywhere (for comparisons).
        self.fast = not os.environ.get("STORYKIT_NO_FAST_YAML")
        self.reads = CachedReads(self)

    def check_folder(self) -> None:
        """Refuse a backlog folder reached through a symbolic link or inside the git dir,
        before anything is read or created there."""
        problem = backlog_folder_problem(self.project.root, self.project.config.backlog_dir)
        if problem is not None:
            raise RepoStateError(
                problem,
                hint="make the backlog folder a real folder inside the repository "
                "(backlog_dir in .storykit.toml)",
            )

    def entries(self) -> list[os.DirEntry[str]]:
        """Directory entries of the item files, sorted by name (stat comes with them)."""
        self.check_folder()
        try:
            with os.scandir(self.folder) as scan:
                entries = [entry for entry in scan if is_item_file(entry.name)]
        except (FileNotFoundError, NotADirectoryError):
            return []
        entries.sort(key=lambda entry: entry.name)
        return entries

    def ids(self, fresh: bool = False) -> dict[str, str]:
        """{ID: file name} from the file names (no parsing, no stat); listed once per
        command unless `fresh`."""
        if fresh or self._ids is None:
            self.check_folder()
            try:
                names = sorted(os.listdir(self.folder))
            except (FileNotFoundError, NotADirectoryError):
                names = []
            self._ids, self._duplicates = ids_of(ids_in_names(names))
        return self._ids

    def path_of(self, item_id: str) -> Path:
        """The file of an ID that `ids()` lists; an ID that several files claim is refused
        (after a merge, say): storykit will not guess which one is meant."""
        name = self.ids()[item_id]
        names = self._duplicates.get(item_id)
        if names:
            rels = [f"{self.project.rel(self.folder)}/{n}" for n in names]
            raise InvalidDataError(
                f"{item_id} is in {len(rels)} files: {', '.join(rels)}",
                [Diagnostic(rel, 1, 1, f"id: duplicate id {item_id}") for rel in rels],
                hint="keep one: delete or merge the others by hand, then commit; "
                "`storykit check` lists every duplicate",
            )
        return self.folder / name

    def find(self, query: str) -> Path:
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
        return self.path_of(matches[0])

    def find_each(self, queries: Sequence[str]) -> dict[Path, str]:
        """The files several queries name, each once in the order given, with the first
        query that named it (for messages)."""
        found: dict[Path, str] = {}
        for query in queries:
            found.setdefault(self.find(query), query)
        return found

    def ids_for(self, query: str) -> str:
        """The full ID that `query` names (see `find`)."""
        item_id = id_from_file_name(self.find(query).name)
        assert item_id is not None
        return item_id

    def read(self, path: Path) -> LoadedFile:
        """Read and validate one file; every problem raises InvalidDataError."""
        rel = self.project.rel(path)
        raw = self.read_raw(path, rel)
        document = yamlio.read_document(raw, rel)
        item = self._validate(document, rel)
        return LoadedFile(path=path, rel=rel, raw=raw, document=document, item=item)

    def read_raw(self, path: Path, rel: str | None = None) -> bytes:
        """The bytes of an item file; a symbolic link or anything but a regular file (a
        folder, a FIFO…) is refused, never followed or waited on."""
        try:
            return read_regular(path, follow=False)
        except OSError as exc:
            if isinstance(exc, FileNotFoundError):
                raise
            rel = rel or self.project.rel(path)
            if exc.errno == errno.ELOOP and path.is_symlink():
                problems = [_symlink_problem(rel)]
                raise InvalidDataError(f"{rel} is a symbolic link", problems) from None
            problem = Diagnostic(rel, 1, 1, f"cannot read: {exc.strerror}")
            raise InvalidDataError(f"{rel} cannot be read", [problem]) from None

    def _validate(self, document: yamlio.Document, rel: str) -> StoredItem:
        def locate(loc: Sequence[str | int], key: bool) -> tuple[int, int]:
            return document.position(loc, key=key)

        return self._validate_data(document.to_plain(), rel, locate)

    def _validate_data(self, data: dict[str, Any], rel: str, locate: Locator) -> StoredItem:
        result = validate_item(data, self.project.config, rel, locate)
        problems = list(result.diagnostics) + file_name_problems(data, rel, locate)
        if problems or result.model is None:
            problems.sort(key=lambda d: (d.line, d.col))
            raise InvalidDataError(f"{rel} is not a valid item file", problems)
        return StoredItem(result.model, result.extras, self.project.root, rel)

    def validate_document(self, document: yamlio.Document, path: Path) -> StoredItem:
        return self._validate(document, self.project.rel(path))

    def load_all(self) -> Backlog:
        """Every item file, in backlog order (unchanged files from the read cache)."""
        records, problems, invalid = self.read_all()
        with collector.paused():
            items = [self.item_from_payload(payload, rel) for rel, payload in records]
            return Backlog(sorted(items, key=StoredItem.sort_key), problems, invalid)

    def read_all(self) -> tuple[list[tuple[str, dict[str, Any]]], list[Diagnostic], list[str]]:
        """Every item file through the read cache: (rel, payload) of each valid one, the
        problems of the others, and their files; no model is built."""
        records: list[tuple[str, dict[str, Any]]] = []
        problems: list[Diagnostic] = []
        invalid: list[str] = []
        with collector.paused():  # many small dicts, no cycles (collector.py)
            for rel, payload in self.reads.payloads():
                if "item" in payload:
                    records.append((rel, payload))
                else:
                    problems.extend(Diagnostic(**d) for d in payload["problems"])
                    invalid.append(rel)
        return records, problems, invalid

    def records(self) -> list[tuple[str, dict[str, Any]]]:
        """(rel, plain fields) of every valid item, from the cache: cheap to filter, and
        `item_from_payload` turns the few that are needed into items."""
        return self.read_all()[0]

    def order(self) -> list[tuple[str, str]]:
        """(rank, id) of every valid item, in backlog order: all that ranking needs.
        The folder is listed afresh, so `ids()` is fresh afterwards too."""
        return sorted((rank, item_id) for _, item_id, rank in self.reads.indexed("order"))

    def named_alike(self, name: str) -> list[dict[str, Any]]:
        """The fields of each valid item whose file name has the slug `name` has after its
        ID (`SK-7K2M-send-emojis.yaml`: `-send-emojis.yaml`), among the files of the last
        listing of the folder; only those files are read."""
        tail = name[len(id_from_file_name(name) or "") :]
        found = []
        for item_id, other in self.ids().items():
            if other != name and other[len(item_id) :] == tail:
                payload = self.parse_file(self.folder / other)
                if "item" in payload:
                    found.append(payload["item"])
        return found

    def summaries(self) -> dict[str, dict[str, Any]]:
        """{ID: the fields `list` shows} of every valid item, from the summary index (the
        folder listed afresh, so `ids()` is fresh afterwards too): what placing an item
        needs, with its status, type and title besides."""
        return {item_id: summary for _, item_id, summary in self.reads.indexed("summary")}

    def cache_key(self) -> str:
        return self.reads.key()

    def remember_ids(self, ids: dict[str, str], duplicates: dict[str, list[str]]) -> None:
        """The IDs a fresh listing of the folder found (see `ids`)."""
        self._ids, self._duplicates = ids, duplicates

    def parse_file(self, path: Path, rel: str | None = None) -> dict[str, Any]:
        """One item file as a cache payload: the item's plain fields, or its problems."""
        rel = rel or self.project.rel(path)
        try:
            raw = self.read_raw(path, rel)
        except InvalidDataError as exc:
            return {"problems": [d.to_json() for d in exc.diagnostics]}
        except OSError as exc:
            return {"problems": [Diagnostic(rel, 1, 1, f"cannot read: {exc.strerror}").to_json()]}
        return self.parse_bytes(raw, rel)

    def parse_bytes(self, raw: bytes, rel: str) -> dict[str, Any]:
        """Validate file content (from the work tree or a blob of some commit) into a payload.

        Valid files are read with the fast loader when it accepts them; anything else goes
        through the round-trip reader, whose diagnostics carry exact positions.
        """
        data = yamlio.fast_load(raw) if self.fast else None
        if data is not None:
            try:
                item = self._validate_data(data, rel, _unlocated)
            except InvalidDataError:
                pass  # read again below, for located diagnostics
            else:
                return _payload_of(item)
        try:
            document = yamlio.read_document(raw, rel)
            item = self._validate(document, rel)
        except InvalidDataError as exc:
            return {"problems": [d.to_json() for d in exc.diagnostics]}
        return _payload_of(item)

    def check_readable(self, path: Path, content: bytes) -> dict[str, Any] | None:
        """Refuse to write bytes that storykit's own reader would refuse: validating the
        model is not enough, the serialised file must pass too (control characters, line
        endings, size). Item files only (their fields are returned); anything else is not
        read back."""
        if path.parent != self.folder or not is_item_file(path.name):
            return None
        rel = self.project.rel(path)
        payload = self.parse_bytes(content, rel)
        if "problems" in payload:
            raise InvalidDataError(
                f"nothing was written: {rel} would break the rules item files are read by",
                [Diagnostic(**problem) for problem in payload["problems"]],
            )
        return dict(payload["item"])

    def item_from_payload(self, payload: dict[str, Any], rel: str) -> StoredItem:
        """Rebuild an item validated earlier: no second validation, dates parsed back."""
        model = model_from_plain(dict(payload["item"]))
        return StoredItem(model, payload.get("extras", {}), self.project.root, rel)

    def renamed_for_title(self, item: StoredItem) -> StoredItem:
        """The same item at the file name its ID and title give (a retitle renames)."""
        path = self.path_for(item.id, item.model.title)
        return dataclasses.replace(item, rel=self.project.rel(path))

    def path_for(self, item_id: str, title: str) -> Path:
        return self.folder / file_name(item_id, title)


def order_of(summaries: dict[str, dict[str, Any]]) -> list[tuple[str, str]]:
    """(rank, ID) of the summarised items, in backlog order."""
    return sorted((str(summary["rank"]), item_id) for item_id, summary in summaries.items())


def _symlink_problem(rel: str) -> Diagnostic:
    return Diagnostic(rel, 1, 1, "item files must not be symbolic links")


def _unlocated(loc: Sequence[str | int], key: bool) -> tuple[int, int]:
    return 1, 1


def _payload_of(item: StoredItem) -> dict[str, Any]:
    """Cacheable plain data: only the fields that are set (defaults are filled on rebuild)."""
    dump = item.model.model_dump(mode="json", exclude_none=True)
    fields = {key: value for key, value in dump.items() if value != []}
    return {"item": fields, "extras": jsonable(item.extras)}

"""Where items stand in the open list at a revision: what a rank key means to a person
(a rank conflict is told as `rank: #1 on HEAD, #21 on origin/main`, never as keys). Reads
the backlog folder's blobs at the commit with the fast loader (the strict reader when it
declines); a file that reads as neither has no place."""

from __future__ import annotations

from typing import Any

from storykit import yamlio
from storykit.errors import InvalidDataError
from storykit.locations import base_name, is_item_file
from storykit.model.naming import id_from_file_name
from storykit.model.rank import places
from storykit.repository.history import History


def open_places(
    history: History, folder: str, commit: str, closed: tuple[str, ...]
) -> dict[str, int]:
    """{item ID: its 1-based place among the open items} at `commit`, by (rank, ID)."""
    files = {
        path: sha
        for path, sha in history.tree_files(commit, folder).items()
        if is_item_file(base_name(path))
    }
    blobs = history.read_blobs(sorted(set(files.values())))
    entries, shut = [], set()
    for path, sha in files.items():
        item_id = id_from_file_name(base_name(path))
        data = _fields(blobs.get(sha, b""), path)
        rank = data.get("rank")
        if item_id and isinstance(rank, str):
            entries.append((rank, item_id))
            if data.get("status") in closed:
                shut.add(item_id)
    return places(entries, shut)


def _fields(raw: bytes, path: str) -> dict[str, Any]:
    data = yamlio.fast_load(raw)
    if data is None:
        try:
            data = yamlio.read_document(raw, path).to_plain()
        except InvalidDataError:
            return {}
    return data if isinstance(data, dict) else {}

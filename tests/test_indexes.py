"""The indexes beside the read cache (order, summary) never change an order, a list or a show."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from storykit.services.workspace import Workspace
from storykit.storage import cached_reads
from tests.helpers import SCRIPT, Repo

STATE = Path(".git") / "storykit"
INDEX = STATE / "items-order.json"
SUMMARY = STATE / "items-summary.json"
CACHE_FILES = ("items-cache.json", "items-order.json", "items-summary.json")


def _order(repo: Repo) -> list[tuple[str, str]]:
    return Workspace.open(repo.root).store.order()


def _truth(repo: Repo) -> list[tuple[str, str]]:
    """The order read from the files themselves, with no cache and no index."""
    for name in CACHE_FILES:
        (repo.root / ".git" / "storykit" / name).unlink(missing_ok=True)
    backlog = Workspace.open(repo.root).store.load_all()
    for name in CACHE_FILES:
        (repo.root / ".git" / "storykit" / name).unlink(missing_ok=True)
    return [(item.model.rank, item.id) for item in backlog.items]


def _set_rank(repo: Repo, item_id: str, rank: str) -> None:
    path = repo.item_path(item_id)
    text = path.read_text()
    old = next(line for line in text.splitlines() if line.startswith("rank: "))
    path.write_text(text.replace(old, f"rank: {rank}"))


def test_index_is_written_with_the_cache_and_read_back(repo: Repo) -> None:
    ids = [repo.new_story(f"Story {n}") for n in range(4)]
    (repo.root / "backlog" / "SK-BAD1-broken.yaml").write_text("id: SK-BAD1\ntype: story\n")
    repo.age_files()
    expected = _truth(repo)
    repo.ok("list")
    index = json.loads((repo.root / INDEX).read_text())
    assert len(index["entries"]) == 5 * 5  # the broken file is indexed as having no rank
    assert index["entries"][index["entries"].index("SK-BAD1-broken.yaml") + 4] is None
    summary = json.loads((repo.root / SUMMARY).read_text())
    assert summary["settings"]["closed"] == ["done", "dropped"]
    assert sorted(s["id"] for s in summary["entries"][4::5] if s) == sorted(ids)
    assert _order(repo) == expected
    assert [item_id for _, item_id in expected] == ids


def test_files_changed_after_the_index_are_read_from_disk(repo: Repo) -> None:
    ids = [repo.new_story(f"Story {n}") for n in range(3)]
    repo.age_files()
    repo.ok("list")
    _set_rank(repo, ids[0], "h10000000")  # hand-edited to the bottom after the index was written
    os.utime(repo.item_path(ids[0]), (time.time() - 30, time.time() - 30))
    (repo.root / "backlog" / "SK-BAD2-broken.yaml").write_text("id: SK-BAD2\n")
    assert _order(repo)[-1] == ("h10000000", ids[0])
    assert _order(repo) == _truth(repo)
    newest = repo.new_story("Placed below the hand-edited one", "--bottom")
    assert [item_id for _, item_id in _truth(repo)][-2:] == [ids[0], newest]


def test_many_changed_files_rebuild_cache_and_index(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [repo.new_story(f"Story {n}") for n in range(5)]
    repo.age_files()
    repo.ok("list")
    monkeypatch.setattr(cached_reads, "INDEX_MISSES", 2)
    for n, item_id in enumerate(ids):
        _set_rank(repo, item_id, f"a{9 - n}")
    repo.age_files(30)
    got = _order(repo)  # more misses than allowed: the whole cache is read, both rewritten
    index = json.loads((repo.root / INDEX).read_text())
    assert sorted(index["entries"][4::5]) == [f"a{n}" for n in range(5, 10)]
    assert got == _truth(repo) == sorted((f"a{9 - n}", i) for n, i in enumerate(ids))


def test_corrupt_or_foreign_index_is_ignored(repo: Repo) -> None:
    for n in range(3):
        repo.new_story(f"Story {n}")
    repo.age_files()
    expected = _truth(repo)
    repo.ok("list")
    index = repo.root / INDEX
    good = index.read_text()
    for junk in ("", "{", '{"format": 2, "key": "other", "entries": {}}', "[1, 2]"):
        index.write_text(junk)
        assert _order(repo) == expected
    data = json.loads(good)
    data["entries"][4] = 7  # a rank of the wrong type cannot poison the order
    index.write_text(json.dumps(data))
    assert _order(repo) == expected
    data["entries"] = data["entries"][:-1]  # nor a truncated list
    index.write_text(json.dumps(data))
    assert _order(repo) == expected
    data["entries"] = {"a": [1]}  # nor another shape
    index.write_text(json.dumps(data))
    assert _order(repo) == expected


def test_a_corrupt_summary_changes_no_list(repo: Repo) -> None:
    """The lean `list` reads the summary index; anything odd in it, and the full command
    answers instead, the same."""
    for n in range(3):
        repo.new_story(f"Story {n}", "--tag", "ux")
    repo.age_files()
    repo.ok("list")

    def lean_list() -> str:
        result = subprocess.run(
            [str(SCRIPT), "list", "--tag", "ux"],
            cwd=repo.root,
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout

    expected = lean_list()
    assert expected.count("Story") == 3
    summary = repo.root / SUMMARY
    good = json.loads(summary.read_text())
    for entry in range(4, len(good["entries"]), 5):
        for bad_value in ({"id": 1}, {"id": "SK-0000"}, [], "x", 7):
            bad = json.loads(json.dumps(good))
            bad["entries"][entry] = bad_value
            summary.write_text(json.dumps(bad))
            assert lean_list() == expected
    for junk in ("", "{", "[]"):
        summary.write_text(junk)
        assert lean_list() == expected


def test_show_is_the_same_from_the_cache_and_the_files(repo: Repo) -> None:
    epic = repo.ok("epic", "new", "Emoji support", "--goal", "g", "--json").json()["item"]["id"]  # type: ignore[index]
    first = repo.new_story("Story 0", "--parent", epic, "--points", "3")
    children = [first] + [
        repo.new_story(f"Story {n}", "--parent", epic, "--depends-on", first) for n in range(1, 5)
    ]
    repo.age_files()
    repo.ok("list")  # fills the cache and the index

    def show_all() -> list[str]:
        return [
            repo.ok("show", item, *json).stdout
            for item in (epic, children[2])
            for json in ((), ("--json",))
        ]

    shown = show_all()
    _truth(repo)  # no cache, no index: everything read from the files
    assert show_all() == shown
    assert all(child in shown[0] for child in children)
    assert "Story 0" in shown[2] and "Emoji support" in shown[2]  # its links, by title


def test_a_missing_index_is_written_by_the_next_full_read(repo: Repo) -> None:
    for n in range(3):
        repo.new_story(f"Story {n}")
    repo.age_files()
    repo.ok("list")
    for index in (repo.root / INDEX, repo.root / SUMMARY):
        written = index.read_bytes()
        index.unlink()
        repo.ok("check")  # a full read with nothing else to save
        assert index.read_bytes() == written

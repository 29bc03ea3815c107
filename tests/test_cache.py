"""The read cache is a speed-up only: it never changes what storykit prints."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import Repo

CACHE = Path(".git") / "storykit" / "items-cache.json"


def _outputs(repo: Repo) -> tuple[str, str, str, int]:
    listed = repo.run("list", "--all", "--json")
    checked = repo.run("check", "--format", "json")
    return listed.stdout, listed.stderr, checked.stdout, checked.exit_code


def _backlog_with_problems(repo: Repo) -> None:
    story = repo.new_story("Send emojis", "--tag", "ux", "--points", "5")
    spike = repo.new_spike()
    repo.ok("start", spike)
    repo.ok("set", story, "x-due=2026-12-01")
    (repo.root / "backlog" / "SK-BAD1-broken.yaml").write_text("id: SK-BAD1\ntype: story\n")


def test_cold_warm_and_deleted_cache_print_the_same(repo: Repo) -> None:
    _backlog_with_problems(repo)
    repo.age_files()
    cold = _outputs(repo)
    cache = repo.root / CACHE
    assert cache.exists()
    cached = json.loads(cache.read_text())
    assert len(cached["entries"]) == 3
    warm = _outputs(repo)
    assert warm == cold
    cache.unlink()
    assert _outputs(repo) == cold
    assert cold[3] == 1 and "SK-BAD1" in cold[1]


def test_corrupt_cache_is_rebuilt_silently(repo: Repo) -> None:
    _backlog_with_problems(repo)
    repo.age_files()
    expected = _outputs(repo)
    cache = repo.root / CACHE
    for junk in (b"", b"{not json", b'{"format": 1, "key": 3, "entries": []}', b"\x00\xff"):
        cache.write_bytes(junk)
        assert _outputs(repo) == expected
    cache.write_text(json.dumps({"format": 1, "key": "x", "entries": {"a": [1]}}))
    assert _outputs(repo) == expected
    # The right format and key, entries of every wrong shape: each file is parsed again.
    _outputs(repo)
    good = json.loads(cache.read_text())
    names = sorted(good["entries"])
    wrong: list[object] = ["text", 3, [1, 2, 3], [1, 2, 3, "payload"], None]
    for name, junk in zip(names, wrong, strict=False):
        good["entries"][name] = junk
    good["entries"]["SK-GONE-gone.yaml"] = [1, 2, 3, {"item": {"id": "SK-GONE"}}]
    cache.write_text(json.dumps(good))
    assert _outputs(repo) == expected


def test_changed_files_are_parsed_again(repo: Repo) -> None:
    story = repo.new_story("Send emojis")
    repo.age_files()
    repo.ok("list")
    path = repo.item_path(story)
    path.write_text(path.read_text().replace("Send emojis", "Send emoji!"))
    repo.age_files(30)  # same size, different mtime
    assert "Send emoji!" in repo.ok("list").stdout
    path.write_text(path.read_text().replace("status: draft", "status: bogus"))
    repo.age_files(20)
    result = repo.run("check")
    assert result.exit_code == 1
    assert "status: must be one of" in result.stdout


def test_config_change_invalidates_the_cache(repo: Repo) -> None:
    story = repo.new_story("Send emojis", "--points", "5")
    repo.age_files()
    assert repo.run("check").exit_code == 0
    config = repo.root / ".storykit.toml"
    config.write_text(config.read_text().replace("[1, 2, 3, 5, 8, 13]", "[1, 2, 4, 8]"))
    result = repo.run("check")
    assert result.exit_code == 1
    assert "points: must be one of 1, 2, 4, 8" in result.stdout
    assert story in result.stdout


def test_fresh_files_are_not_cached(repo: Repo) -> None:
    repo.new_story()
    repo.ok("list")
    cache = repo.root / CACHE
    entries = json.loads(cache.read_text())["entries"] if cache.exists() else {}
    assert entries == {}


def test_an_equals_sign_is_a_string_and_caches(repo: Repo) -> None:
    path = repo.root / "backlog" / "SK-EQ11-t.yaml"
    path.write_text(
        "id: SK-EQ11\ntype: epic\ntitle: =\nstatus: draft\nrank: a0\ngoal: g\nx-sign: =\n"
    )
    repo.age_files()
    first = _outputs(repo)
    assert first[3] == 0
    data = repo.ok("show", "SK-EQ11", "--json").json()
    assert isinstance(data, dict)
    assert data["item"]["title"] == "=" and data["item"]["x-sign"] == "="
    assert _outputs(repo) == first  # now from the cache


def test_json_keys_keep_the_model_order_from_the_cache(repo: Repo) -> None:
    story = repo.new_story("Send emojis", "--points", "3")
    repo.age_files()
    repo.ok("list")
    item = repo.ok("show", story, "--json").json()
    assert isinstance(item, dict)
    keys = list(item["item"])
    assert keys[:6] == ["id", "type", "title", "status", "rank", "created"]
    listed = repo.ok("list", "--json").json()
    assert isinstance(listed, dict)
    assert list(listed["items"][0])[:6] == keys[:6]


def test_cache_files_are_written_in_pieces_with_json_dumps_bytes() -> None:
    import json

    from storykit.storage.atomic import json_pieces

    many = {
        f"SK-{n:05d}-x.yaml": [n, n * 2, n * 3, {"item": {"title": f"é {n}"}}] for n in range(1234)
    }
    big = {"format": 8, "entries": many, "flat": list(range(1001))}
    for data in ({}, {"a": 1}, [1, 2], "x", big, {"a": {"x": [1, 2]}, "b": [], "c": {}}):
        assert b"".join(json_pieces(data)) == json.dumps(data, separators=(",", ":")).encode()

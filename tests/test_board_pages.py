"""The board's pages over HTTP (a real server process): long columns, bad addresses and
bad files get a page that says what is wrong, never a traceback."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from tests.board_support import Server, demo_backlog, start_server
from tests.helpers import Repo


def many_items(repo: Repo, count: int) -> list[str]:
    """`count` technical stories written as files (faster than `count` commands), ranked
    in the order of their numbers, committed."""
    ids = []
    for n in range(count):
        item_id = f"SK-X{n:03d}"
        (repo.root / "backlog" / f"{item_id}-cache-emoji-glyph-{n}.yaml").write_text(
            f"id: {item_id}\ntype: tech\ntitle: Cache emoji glyph {n}\nstatus: draft\n"
            f"rank: b{n:03d}\ncreated: 2026-11-20\nwhy: faster pickers\n"
        )
        ids.append(item_id)
    repo.git("add", "-A")
    repo.git("commit", "-qm", "many items")
    return ids


def card_ids(html: str) -> list[str]:
    return re.findall(r'data-id="([^"]+)"', html)


def test_a_long_column_shows_its_top_cards_and_more_on_asking(repo: Repo) -> None:
    ids = many_items(repo, 130)
    server = start_server(repo)
    try:
        status, html = server.request("/")
        assert status == 200
        assert card_ids(html) == ids[:100]
        more = re.search(r'href="(/\?[^"]*)">show 30 more<', html)
        assert more, "no 'show more' link"
        assert card_ids(server.request(more.group(1).replace("&amp;", "&"))[1]) == ids
        status, html = server.request("/backlog")
        assert card_ids(html) == ids[:100]
        assert "show 30 more" in html
        assert card_ids(server.request("/backlog?limit=400")[1]) == ids
    finally:
        assert server.stop() in (0, 130)


def test_bad_addresses_and_bad_files_get_a_page_that_says_so(repo: Repo) -> None:
    ids = demo_backlog(repo)
    broken = repo.item_path(ids["react"])
    broken.write_text(broken.read_text().replace("status: draft", "status: [nope"))
    server = start_server(repo)
    try:
        checks = {
            "/item/SK-NOPE": (404, "no item"),
            "/item/not-an-id": (404, "is not an item ID"),
            "/sprint/Sprint%2099": (400, "sprint"),
            "/new/bogus": (404, "no item type"),
            f"/item/{ids['react']}": (400, "storykit check"),
            "/static/nothing.js": (404, "not found"),
        }
        for path, (code, says) in checks.items():
            status, body = server.request(path)
            assert (status, says in body) == (code, True), (path, status, body[-400:])
            assert "Traceback" not in body
        status, html = server.request("/")
        assert status == 200 and "1 invalid file(s) not shown" in html
        token = re.search(r'csrf-token" content="([^"]+)"', html)
        assert token
        headers = {"X-CSRF-Token": token.group(1), "Content-Type": "application/json"}
        for body in (b"{not json", b"[]", json.dumps({"id": 5}).encode()):
            assert server.request("/api/rank", body, headers)[0] == 400
        move = json.dumps({"id": ids["send"], "status": "done"}).encode()
        assert server.request("/api/anything", move, headers)[0] == 404
        status, text = server.request(
            "/api/rank", json.dumps({"id": ids["send"], "before": "SK-NOPE"}).encode(), headers
        )
        assert status == 422 and "SK-NOPE" in json.loads(text)["error"]
        status, text = server.request(
            "/api/status", json.dumps({"id": ids["send"], "status": "shipped"}).encode(), headers
        )
        assert status == 422 and "shipped" in json.loads(text)["error"]
    finally:
        assert server.stop() in (0, 130)


def test_the_export_names_what_it_left_out_and_escapes_everything(repo: Repo) -> None:
    ids = demo_backlog(repo)
    broken = repo.item_path(ids["react"])
    broken.write_text("id: [\n")
    repo.ok("export", "html")
    html = (repo.root / "backlog.html").read_text()
    assert "1 invalid file(s) left out" in html
    assert "<script" not in html and "&lt;script&gt;" in html
    assert set(card_ids(html)) == {i for k, i in ids.items() if k != "react"}
    result = repo.run("export", "html")
    assert "note: 1 invalid file(s) left out" in result.stderr
    # Writing where it cannot is a clear error, and nothing is left behind.
    result = repo.run("export", "html", "--output", str(repo.root / "no" / "such" / "x.html"))
    assert result.exit_code != 0 and "cannot write" in result.stderr


def test_a_server_serves_its_assets(repo: Repo) -> None:
    demo_backlog(repo)
    server: Server = start_server(repo)
    try:
        for name in ("board.css", "board.js", "Sortable.min.js"):
            status, body = server.request(f"/static/{name}")
            assert status == 200 and len(body) > 500
    finally:
        assert server.stop() in (0, 130)


def test_an_export_from_a_shallow_clone_says_what_it_left_out(repo: Repo, tmp_path: Path) -> None:
    demo_backlog(repo)
    repo.ok("sprint", "new", "Sprint 1", "--start", "2026-11-16", "--end", "2026-11-27")
    shallow = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", repo.root.as_uri(), str(shallow)], check=True
    )
    result = subprocess.run(
        [sys.executable, "-m", "storykit", "export", "html"],
        cwd=shallow,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "note: sprint burndowns left out" in result.stderr
    assert "shallow" in result.stderr
    assert 'id="sprints"' not in (shallow / "backlog.html").read_text()


def test_broken_settings_under_a_running_server_get_an_answer_not_a_crash(repo: Repo) -> None:
    ids = demo_backlog(repo)
    server = start_server(repo)
    try:
        token = re.search(r'csrf-token" content="([^"]+)"', server.request("/")[1])
        assert token
        (repo.root / ".storykit.toml").write_text("prefix = [unclosed\n")
        head = repo.head()
        status, body = server.request("/")
        assert status == 400 and "error:" in body and "Traceback" not in body
        headers = {"X-CSRF-Token": token.group(1), "Content-Type": "application/json"}
        move = json.dumps({"id": ids["send"], "before": ids["picker"]}).encode()
        status, body = server.request("/api/rank", move, headers)
        assert status == 422 and ".storykit.toml" in json.loads(body)["error"]
        form = f"csrf_token={token.group(1)}&version=x&owner=dana".encode()
        status, body = server.request(f"/item/{ids['send']}", form)
        assert status == 400 and "Internal Server Error" not in body
        assert repo.head() == head
    finally:
        assert server.stop() in (0, 130)

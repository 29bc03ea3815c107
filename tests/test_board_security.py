"""The board's server is safe by default: loopback only, its own Host, its own Origin,
the token on every change, nothing outside the project, a clean stop on Ctrl-C."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time

import pytest

from tests.board_support import Server, demo_backlog, start_server
from tests.helpers import Repo


@pytest.fixture
def server(repo: Repo) -> Server:
    demo_backlog(repo)
    return start_server(repo)


def token_of(server: Server) -> str:
    status, body = server.request("/")
    assert status == 200
    found = re.search(r'name="csrf-token" content="([^"]+)"', body)
    assert found
    return found.group(1)


def status_move(server: Server, item_id: str, headers: dict[str, str]) -> tuple[int, str]:
    body = json.dumps({"id": item_id, "status": "dropped"}).encode()
    return server.request("/api/status", body, {"Content-Type": "application/json", **headers})


def test_changes_need_the_token_and_the_servers_own_origin_and_host(
    server: Server, repo: Repo
) -> None:
    try:
        item_id = order_first(repo)
        token = token_of(server)
        own = f"http://127.0.0.1:{server.port}"
        head, files = repo.head(), repo.files()
        refused = [
            status_move(server, item_id, {"Origin": own}),  # no token
            status_move(server, item_id, {"Origin": own, "X-CSRF-Token": "guess"}),
            status_move(server, item_id, {"Origin": "http://evil.example", "X-CSRF-Token": token}),
            status_move(server, item_id, {"Origin": "null", "X-CSRF-Token": token}),
            status_move(
                server, item_id, {"Host": f"evil.example:{server.port}", "X-CSRF-Token": token}
            ),
            status_move(
                server, item_id, {"Host": f"127.0.0.1:{server.port + 1}", "X-CSRF-Token": token}
            ),
        ]
        assert [status for status, _ in refused] == [403] * 6, refused
        assert all("refused" in body for _, body in refused)
        # A form without its token field changes nothing either.
        status, body = server.request(
            f"/item/{item_id}", b"title=Hijacked&version=x", {"Origin": own}
        )
        assert status == 403 and "refused" in body
        cross = {"Sec-Fetch-Site": "cross-site", "X-CSRF-Token": token}
        assert status_move(server, item_id, cross)[0] == 403
        # A link followed from elsewhere (a pull request, a chat) opens the page.
        followed = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"}
        assert server.request(f"/item/{item_id}", headers=followed)[0] == 200
        # A page asked for under a rebound name is not served.
        assert server.request("/", headers={"Host": f"rebind.example:{server.port}"})[0] == 403
        assert repo.head() == head and repo.files() == files
        # With the token, from its own origin: done.
        status, body = status_move(server, item_id, {"Origin": own, "X-CSRF-Token": token})
        assert status == 200, body
        assert repo.head() != head
    finally:
        assert server.stop() in (0, 130)


def order_first(repo: Repo) -> str:
    return repo.ok("list").stdout.split()[0]


def test_no_request_reaches_a_file_outside_the_project(server: Server, repo: Repo) -> None:
    try:
        for path in (
            "/static/..%2F__init__.py",
            "/static/../../../../etc/passwd",
            "/item/..%2F..%2F.storykit.toml",
            "/item/%2Fetc%2Fpasswd",
            "/sprint/..%2F..%2F..%2Fetc%2Fpasswd",
        ):
            status, body = server.request(path)
            assert status in (400, 404), (path, status)
            assert "root:" not in body and "Traceback" not in body and "prefix" not in body
    finally:
        assert server.stop() in (0, 130)


def test_it_listens_on_loopback_only(server: Server) -> None:
    try:
        listening = subprocess.run(
            ["ss", "-ltnp"], capture_output=True, text=True, check=False
        ).stdout
        mine = [line for line in listening.splitlines() if f":{server.port} " in line]
        if mine:  # `ss` may be missing: then the address the server printed is the check
            assert all(("127.0.0.1:" in line or "[::1]:" in line) for line in mine), mine
        assert server.url.startswith("http://127.0.0.1:")
        outside = socket.gethostbyname(socket.gethostname())
        if not outside.startswith("127."):
            with pytest.raises(OSError):
                socket.create_connection((outside, server.port), timeout=1).close()
    finally:
        assert server.stop() in (0, 130)


def test_ctrl_c_stops_it_cleanly_even_with_a_page_listening(server: Server, repo: Repo) -> None:
    stream = socket.create_connection(("127.0.0.1", server.port))
    stream.sendall(f"GET /events HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n\r\n".encode())
    assert b"text/event-stream" in stream.recv(4096)
    time.sleep(0.2)
    started = time.monotonic()
    assert server.stop() in (0, 130)
    assert time.monotonic() - started < 5
    stream.close()
    assert not list((repo.root / "backlog").glob("*.tmp*"))
    assert repo.status() == ""


def test_a_port_in_use_is_a_clear_error(server: Server, repo: Repo) -> None:
    try:
        result = subprocess.run(
            [sys.executable, "-m", "storykit", "serve", "--no-open", "--port", str(server.port)],
            cwd=repo.root,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert result.returncode == 2
        assert f"error: port {server.port} is already in use" in result.stderr
        assert "Traceback" not in result.stderr
    finally:
        assert server.stop() in (0, 130)


def test_serve_outside_a_backlog_says_so(bare_repo: Repo) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "storykit", "serve", "--no-open", "--port", "0"],
        cwd=bare_repo.root,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode != 0
    assert "error:" in result.stderr and "Traceback" not in result.stderr

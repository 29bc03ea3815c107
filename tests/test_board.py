"""The browser board (`storykit serve`) in a real browser: Debian's chromium, driven by
Playwright with its mouse, against a real server process on a real repository."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from tests.board_support import Server, demo_backlog, drag, start_server
from tests.helpers import Repo


@pytest.fixture
def served(repo: Repo) -> Iterator[tuple[Server, dict[str, str]]]:
    ids = demo_backlog(repo)
    server = start_server(repo)
    yield server, ids
    code = server.stop()
    assert code in (0, 130), server.process.stdout.read() if server.process.stdout else code


def order(repo: Repo) -> list[str]:
    return [line.split()[0] for line in repo.ok("list").stdout.splitlines() if line.strip()]


def test_the_board_shows_every_status_and_the_cards_in_rank_order(
    served: tuple[Server, dict[str, str]], page: Page, repo: Repo
) -> None:
    server, ids = served
    page.goto(server.url)
    statuses = page.locator("[data-status]").evaluate_all("els => els.map(e => e.dataset.status)")
    assert statuses == ["draft", "ready", "in-progress", "done", "dropped"]
    shown = page.locator("[data-status=draft] [data-id]").evaluate_all(
        "els => els.map(e => e.dataset.id)"
    )
    assert shown == order(repo)
    card = page.locator(f"[data-id={ids['picker']}]")
    expect(card).to_contain_text("Pick an emoji from a picker")
    expect(card).to_contain_text("3")  # its points
    # Every element with data-id is a card.
    assert page.locator("[data-id]").count() == page.locator(".card").count() == 5


def test_an_html_title_is_shown_as_text(served: tuple[Server, dict[str, str]], page: Page) -> None:
    server, ids = served
    for path in ("/", "/backlog", f"/item/{ids['evil']}"):
        page.goto(server.url.rstrip("/") + path)
        title = page.locator(f"[data-id={ids['evil']}] .card-title, .details h1").first
        expect(title).to_contain_text("<script>alert('owned')</script><b>bold</b>")
        assert page.locator("main b").count() == 0
    assert page.dialogs == []  # type: ignore[attr-defined]


def test_dragging_within_a_column_ranks_with_one_commit_of_one_file(
    served: tuple[Server, dict[str, str]], page: Page, repo: Repo
) -> None:
    server, _ids = served
    page.goto(server.url)
    before = repo.commit_count()
    first, last = order(repo)[0], order(repo)[-1]
    drag(page, page.locator(f"[data-id={last}]"), page.locator(f"[data-id={first}]"), "top")
    expect(page.locator("#message")).to_contain_text("rank", timeout=5000)
    assert order(repo)[0] == last
    assert repo.commit_count() == before + 1
    assert repo.last_commit_files() == [repo.item_path(last).relative_to(repo.root).as_posix()]
    expect(page.locator("[data-status=draft] [data-id]").first).to_have_attribute("data-id", last)


def test_dragging_to_another_column_passes_the_gates_or_is_refused_with_their_message(
    served: tuple[Server, dict[str, str]], page: Page, repo: Repo
) -> None:
    server, ids = served
    page.goto(server.url)
    head, files = repo.head(), repo.files()
    # A spike cannot be done without its outcome: refused, the card goes back.
    drag(page, page.locator(f"[data-id={ids['spike']}]"), page.locator("[data-status=done]"))
    message = page.locator("#message")
    expect(message).to_contain_text("a spike needs an outcome to be done", timeout=5000)
    expect(message).to_contain_text("storykit spike close")
    expect(page.locator(f"[data-status=draft] [data-id={ids['spike']}]")).to_have_count(1)
    assert repo.head() == head and repo.files() == files
    # A story with points and acceptance criteria may be ready: one commit, one file.
    drag(page, page.locator(f"[data-id={ids['send']}]"), page.locator("[data-status=ready]"))
    expect(message).to_contain_text(f"{ids['send']} → ready", timeout=5000)
    expect(page.locator(f"[data-status=ready] [data-id={ids['send']}]")).to_have_count(1)
    assert repo.commit_count() == 1 + int(repo.git("rev-list", "--count", head))
    assert repo.last_commit_files() == [
        repo.item_path(ids["send"]).relative_to(repo.root).as_posix()
    ]
    assert "status: ready" in repo.item_path(ids["send"]).read_text()


def test_an_invalid_edit_shows_the_fields_error_and_changes_nothing(
    served: tuple[Server, dict[str, str]], page: Page, repo: Repo
) -> None:
    server, ids = served
    page.goto(f"{server.url}item/{ids['picker']}")
    head, files = repo.head(), repo.files()
    page.locator("[data-field=points]").fill("4")
    page.locator("[data-action=save]").click()
    error = page.locator("[data-error-for=points]")
    expect(error).to_contain_text("points")
    expect(error).to_contain_text("1, 2, 3, 5, 8, 13")
    assert repo.head() == head and repo.files() == files
    # A valid value: saved in one commit, the page shows it.
    page.locator("[data-field=points]").fill("8")
    page.locator("[data-field=owner]").fill("dana")
    page.locator("[data-action=save]").click()
    expect(page.locator(".details")).to_contain_text("dana")
    assert repo.commit_count() == 1 + int(repo.git("rev-list", "--count", head))
    text = repo.item_path(ids["picker"]).read_text()
    assert "points: 8" in text and "owner: dana" in text


def test_a_change_made_with_the_cli_appears_in_the_open_page(
    served: tuple[Server, dict[str, str]], page: Page, repo: Repo
) -> None:
    server, ids = served
    page.goto(server.url)
    card = page.locator(f"[data-id={ids['react']}]")
    expect(card).to_contain_text("React to a message")
    subprocess.run(
        [sys.executable, "-m", "storykit", "set", ids["react"], "title=React with a heart"],
        cwd=repo.root,
        check=True,
        capture_output=True,
    )
    expect(card).to_contain_text("React with a heart", timeout=2000)
    # And a move of HEAD (a checkout of the commit before) too.
    repo.git("checkout", "-q", "HEAD~1")
    expect(page.locator(f"[data-id={ids['react']}]")).to_contain_text(
        "React to a message", timeout=2000
    )


def test_a_stale_save_is_refused_and_loses_nothing(
    served: tuple[Server, dict[str, str]], page: Page, repo: Repo
) -> None:
    server, ids = served
    page.goto(f"{server.url}item/{ids['react']}")
    repo.ok("set", ids["react"], "owner=sam")  # someone else, meanwhile
    head, files = repo.head(), repo.files()
    page.locator("[data-field=notes]").fill("from the page")
    page.locator("[data-action=save]").click()
    expect(page.locator(".form-error")).to_contain_text("changed on disk")
    expect(page.locator(".form-error a.reload")).to_have_count(1)
    assert repo.head() == head and repo.files() == files


def test_the_sprint_view_has_its_own_address_board_and_burndown(repo: Repo, page: Page) -> None:
    ids = demo_backlog(repo)
    name = "Sprint 1 / emoji"
    repo.ok("sprint", "new", name, "--start", "2026-11-16", "--end", "2026-11-27")
    repo.ok("set", ids["picker"], f"sprint={name}")
    server = start_server(repo)
    try:
        page.goto(server.url + "sprints")
        page.get_by_role("link", name=name).click()
        assert page.url.endswith("/sprint/" + quote(name, safe=""))
        sprint = page.locator("[data-sprint]")
        expect(sprint).to_have_attribute("data-sprint", name)
        expect(sprint.locator(f"[data-id={ids['picker']}]")).to_have_count(1)
        expect(sprint.locator("svg.burndown polyline.ideal")).to_have_count(1)
    finally:
        assert server.stop() in (0, 130)


def test_create_and_close_a_spike_from_the_page(
    served: tuple[Server, dict[str, str]], page: Page, repo: Repo
) -> None:
    server, _ids = served
    page.goto(server.url + "new/spike")
    page.locator("[data-field=title]").fill("Emoji skin tones")
    page.locator("[data-field=question]").fill("Do all platforms render the modifiers?")
    page.locator("[data-field=timebox]").fill("1d")
    page.locator("[data-action=create]").click()
    expect(page.locator(".details h1")).to_contain_text("Emoji skin tones")
    new_id = re.search(r"/item/([A-Z]+-[0-9A-Z]+)", page.url)
    assert new_id is not None
    page.locator("[data-close=outcome]").fill("All but one render them.")
    page.locator("[data-close=follow_ups]").fill("story: Fall back to plain emoji")
    page.locator("[data-action=close]").click()
    expect(page.locator(".status-line")).to_contain_text("done")
    text = repo.item_path(new_id.group(1)).read_text()
    assert "outcome: All but one render them." in text
    assert "Fall back to plain emoji" in repo.ok("list").stdout


def test_filters_live_in_the_address(served: tuple[Server, dict[str, str]], page: Page) -> None:
    server, ids = served
    page.goto(server.url + "?type=spike")
    assert page.locator("[data-id]").count() == 1
    page.goto(server.url + "?q=picker")
    shown = page.locator("[data-id]").evaluate_all("els => els.map(e => e.dataset.id)")
    assert shown == [ids["picker"]]


def test_the_export_opens_offline_with_every_open_item(repo: Repo, page: Page) -> None:
    ids = demo_backlog(repo)
    repo.ok("drop", ids["react"])
    out = repo.root / "site" / "backlog.html"
    out.parent.mkdir()
    repo.ok("export", "html", "--output", str(out))
    requests: list[str] = []
    page.context.set_offline(True)
    page.on("request", lambda request: requests.append(request.url))
    page.goto(out.as_uri())
    for key, item_id in ids.items():
        cards = page.locator(f"#backlog [data-id={item_id}]")
        expect(cards).to_have_count(0 if key == "react" else 1)
    expect(page.locator(f"#item-{ids['react']}")).to_contain_text("dropped")
    expect(page.locator(f"#item-{ids['evil']} h2")).to_contain_text("<script>")
    assert page.dialogs == []  # type: ignore[attr-defined]
    assert [url for url in requests if not url.startswith("file:")] == []
    assert Path(out).read_text().count("<script") == 0


def test_the_ranked_backlog_is_ranked_by_dragging_too(
    served: tuple[Server, dict[str, str]], page: Page, repo: Repo
) -> None:
    server, _ = served
    page.goto(server.url + "backlog")
    listed = page.locator("#ranked [data-id]").evaluate_all("els => els.map(e => e.dataset.id)")
    assert listed == order(repo)
    before = repo.commit_count()
    drag(page, page.locator(f"[data-id={listed[3]}]"), page.locator(f"[data-id={listed[1]}]"))
    expect(page.locator("#message")).to_contain_text("rank", timeout=5000)
    assert order(repo) == [listed[0], listed[3], listed[1], listed[2], *listed[4:]]
    assert repo.commit_count() == before + 1


def test_playwrights_own_drag_works_too(
    served: tuple[Server, dict[str, str]], page: Page, repo: Repo
) -> None:
    server, ids = served
    page.goto(server.url)
    first, last = order(repo)[0], order(repo)[-1]
    page.locator(f"[data-id={last}]").drag_to(page.locator(f"[data-id={first}]"))
    expect(page.locator("#message")).to_contain_text(f"{last} #5 → #1", timeout=5000)
    assert order(repo)[0] == last
    page.locator(f"[data-id={ids['send']}]").drag_to(page.locator("[data-status=ready]"))
    expect(page.locator("#message")).to_contain_text(f"{ids['send']} → ready", timeout=5000)
    assert "status: ready" in repo.item_path(ids["send"]).read_text()


def test_another_site_in_the_browser_is_refused_and_changes_nothing(
    served: tuple[Server, dict[str, str]], page: Page, repo: Repo
) -> None:
    """A page on another origin tries a cross-site form post and a fetch; the board's own
    page tries a change without its token: all refused, nothing written."""
    server, ids = served
    head, files = repo.head(), repo.files()
    target = ids["picker"]
    attacker = HTTPServer(("127.0.0.1", 0), _AttackerPage)
    _AttackerPage.html = (
        f'<form id="f" method="post" action="{server.url}item/{target}">'
        '<input name="title" value="Hijacked"><input name="version" value="x"></form>'
        "<script>fetch(" + json.dumps(f"{server.url}api/status") + ", {method: 'POST', "
        "mode: 'no-cors', body: JSON.stringify({id: "
        + json.dumps(target)
        + ", status: 'dropped'})}).finally(() => document.getElementById('f').submit());"
        "</script>"
    )
    thread = threading.Thread(target=attacker.serve_forever, daemon=True)
    thread.start()
    try:
        page.goto(f"http://127.0.0.1:{attacker.server_address[1]}/")
        page.wait_for_url(f"{server.url}item/{target}")
        expect(page.locator("body")).to_contain_text("refused")
    finally:
        attacker.shutdown()
    page.goto(server.url)
    answer = page.evaluate(
        "id => fetch('/api/status', {method: 'POST', headers: {'Content-Type': "
        "'application/json'}, body: JSON.stringify({id: id, status: 'dropped'})})"
        ".then(r => r.status)",
        target,
    )
    assert answer == 403
    assert repo.head() == head and repo.files() == files


class _AttackerPage(BaseHTTPRequestHandler):
    html = ""

    def do_GET(self) -> None:
        body = self.html.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass

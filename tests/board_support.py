"""The browser board's test fixtures: a real `storykit serve` process on a real repository,
and Debian's chromium driven by Playwright. Chromium missing is a failure, never a skip
(`.ci/run` installs it). A failed test leaves a screenshot in `artifacts/screenshots/`."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, sync_playwright

from tests.helpers import Repo

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail(
        "no chromium on PATH: the board's tests need a real browser "
        "(`apt-get install chromium`; .ci/run installs it)"
    )


@dataclass
class Server:
    url: str
    process: subprocess.Popen[str]
    repo: Repo

    @property
    def port(self) -> int:
        return int(self.url.rstrip("/").rsplit(":", 1)[1])

    def stop(self) -> int:
        """Ctrl-C, as a person at the terminal stops it: the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise AssertionError("the server did not stop within 10 s of Ctrl-C") from None
        return self.process.returncode

    def request(
        self, path: str, data: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, str]:
        """(status, body) of one HTTP request, the headers as given."""
        req = urllib.request.Request(self.url.rstrip("/") + path, data=data, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()


def start_server(repo: Repo, *args: str) -> Server:
    process = subprocess.Popen(
        [sys.executable, "-m", "storykit", "serve", "--no-open", "--port", "0", *args],
        cwd=repo.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=os.environ.copy(),
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:\d+/", line)
    if not match:
        process.kill()
        rest = process.stdout.read()
        raise AssertionError(f"serve printed no address: {line!r} {rest!r}")
    server = Server(match.group(0), process, repo)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # listening as soon as uvicorn started
        try:
            if server.request("/static/board.css")[0] == 200:
                return server
        except OSError:
            time.sleep(0.05)
    raise AssertionError("the server did not answer within 10 s")


def demo_backlog(repo: Repo) -> dict[str, str]:
    """The seeds' messaging app: emoji support, as stories, a spike and a task."""
    ids = {
        "picker": repo.new_story("Pick an emoji from a picker", "--points", "3"),
        "send": repo.new_story("Send emoji in messages", "--points", "5"),
        "react": repo.new_story("React to a message with an emoji"),
        "spike": repo.new_spike("Which emoji library renders on every platform?"),
        "evil": repo.new_story("<script>alert('owned')</script><b>bold</b>"),
    }
    repo.ok("set", ids["send"], "acceptance_criteria+=Emoji arrive on Android, iOS and the web")
    return ids


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = chromium_path()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable)
        yield launched
        launched.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    setattr(item, "report_" + report.when, report)


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    opened = context.new_page()
    dialogs: list[str] = []
    opened.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    opened.dialogs = dialogs  # type: ignore[attr-defined]
    yield opened
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        opened.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()


def drag(page: Page, card: Locator, target: Locator, where: str = "top") -> None:
    """Drag with the mouse, as a person does: press on the card, move in steps, release
    on the upper part of the target (`top`) or its middle (`center`)."""
    source = card.bounding_box()
    goal = target.bounding_box()
    assert source is not None and goal is not None
    x, y = source["x"] + source["width"] / 2, source["y"] + source["height"] / 2
    to_x = goal["x"] + goal["width"] / 2
    to_y = goal["y"] + (goal["height"] * 0.25 if where == "top" else goal["height"] / 2)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 5, y + 5, steps=3)
    page.mouse.move(to_x, to_y, steps=15)
    page.mouse.move(to_x, to_y + 1, steps=2)
    page.mouse.up()

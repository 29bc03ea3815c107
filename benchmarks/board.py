"""Time the browser board (`storykit serve`) on a generated backlog, in Debian's chromium.

    python benchmarks/board.py                       # 1,000 and 10,000 items
    python benchmarks/board.py --items 1000 --runs 9 --idle 60

Not a test: CI does not run it. For each size: the server's start (process start to the
first answer), the board's HTML served (first and asked again), the board ready in the
browser (navigation to SortableJS set up on every column) and its first contentful paint,
a drag-to-rank round trip with the mouse (the drop to the server's answer shown, commit
included, and to the page redrawn from the server) and the same move through the HTTP
action alone; then, at the first size, the server's CPU over `--idle` seconds with one page
open.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate

STORYKIT = str(Path(sys.executable).parent / "storykit")
TICKS = os.sysconf("SC_CLK_TCK")


def start(root: Path) -> tuple[subprocess.Popen[str], str, float]:
    began = time.perf_counter()
    process = subprocess.Popen(
        [STORYKIT, "serve", "--no-open", "--port", "0"],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    url = re.search(r"http://127\.0\.0\.1:\d+/", process.stdout.readline())
    assert url, "serve printed no address"
    while True:
        try:
            urllib.request.urlopen(url.group(0) + "static/board.css", timeout=5).read()
            break
        except OSError:
            time.sleep(0.01)
    return process, url.group(0), time.perf_counter() - began


def fetch(url: str) -> float:
    began = time.perf_counter()
    urllib.request.urlopen(url, timeout=30).read()
    return time.perf_counter() - began


def ready(page: Page, url: str) -> tuple[float, float]:
    """(navigation to every column set up for dragging, first contentful paint), seconds."""
    began = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_function(
        "document.querySelectorAll('[data-status]').length > 0 && "
        "[...document.querySelectorAll('[data-status]')].every(c => c.dataset.sortable)"
    )
    took = time.perf_counter() - began
    paint = page.evaluate(
        "performance.getEntriesByName('first-contentful-paint').map(e => e.startTime)[0] || 0"
    )
    return took, paint / 1000


def drag_round_trip(page: Page) -> tuple[float, float]:
    """The eighth card of the first column (on screen) dragged above the first, with the
    mouse: (release to the server's answer shown, commit included; release to the page
    fetched again and redrawn)."""
    cards = page.locator("[data-status=draft] .card")
    source, target = cards.nth(min(cards.count(), 8) - 1), cards.nth(0)
    box, goal = source.bounding_box(), target.bounding_box()
    assert box and goal
    page.evaluate("document.getElementById('message').hidden = true")
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2  # not on the ID's link
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 5, y + 5, steps=2)
    page.mouse.move(x, goal["y"] + goal["height"] * 0.25, steps=8)
    began = time.perf_counter()
    page.mouse.up()
    page.wait_for_function("!document.getElementById('message').hidden", polling=5)
    answered = time.perf_counter() - began
    page.wait_for_function("!document.body.dataset.busy", polling=5)
    return answered, time.perf_counter() - began


def rank_action(url: str, token: str, item_id: str, before: str) -> float:
    body = f'{{"id": "{item_id}", "before": "{before}"}}'.encode()
    request = urllib.request.Request(
        url + "api/rank",
        data=body,
        headers={"Content-Type": "application/json", "X-CSRF-Token": token},
    )
    began = time.perf_counter()
    urllib.request.urlopen(request, timeout=30).read()
    return time.perf_counter() - began


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def line(name: str, values: list[float]) -> None:
    print(
        f"  {name:<38} median {statistics.median(values):.3f} s  "
        f"min {min(values):.3f}  max {max(values):.3f}  (n={len(values)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--idle", type=float, default=60)
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "the board benchmark needs chromium (apt-get install chromium)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium)
        for n, items in enumerate(args.items):
            root = Path(tempfile.mkdtemp(prefix="storykit-board-"))
            try:
                generate(root, items)
                print(f"{items} items ({root})")
                starts, served, again, readies, paints = [], [], [], [], []
                drags, redraws, actions = [], [], []
                for _ in range(args.runs):
                    process, url, took = start(root)
                    starts.append(took)
                    served.append(fetch(url))
                    again.append(fetch(url))
                    page = browser.new_page(viewport={"width": 1500, "height": 1000})
                    took, paint = ready(page, url)
                    readies.append(took)
                    if paint:  # chromium reports no paint entry for some loads
                        paints.append(paint)
                    answered, redrawn = drag_round_trip(page)
                    drags.append(answered)
                    redraws.append(redrawn)
                    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
                    ids = page.locator("[data-status=draft] .card").evaluate_all(
                        "cards => cards.slice(0, 60).map(c => c.dataset.id)"
                    )
                    actions.append(rank_action(url, token or "", ids[-1], ids[0]))
                    if n == 0 and _ == args.runs - 1 and args.idle > 0:
                        time.sleep(2)
                        before = cpu_seconds(process.pid)
                        time.sleep(args.idle)
                        used = cpu_seconds(process.pid) - before
                        print(
                            f"  idle, one page open: {used:.2f} s of CPU in {args.idle:.0f} s "
                            f"= {100 * used / args.idle:.2f} % of a core"
                        )
                    page.close()
                    process.send_signal(signal.SIGINT)
                    process.wait(timeout=15)
                line("server start (to first answer)", starts)
                line("board HTML served (first)", served)
                line("board HTML served (again)", again)
                line("board ready in the browser", readies)
                if paints:
                    line("first contentful paint", paints)
                line("drag to rank: drop to answer shown", drags)
                line("drag to rank: drop to page redrawn", redraws)
                line("rank action alone (HTTP, commit)", actions)
            finally:
                shutil.rmtree(root, ignore_errors=True)
        browser.close()


if __name__ == "__main__":
    main()

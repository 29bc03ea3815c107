"""Time sprint reports on a long history: `burndown`, `velocity` and `sprint list`, whole
process: cold (no cache), with the history cached (`timeline-cache.json`: the answer is
computed again) and with the answer kept (`reports-cache.json`: asked again, unchanged).

    python benchmarks/sprints.py                     # 1,000 items, 3,000 backlog commits
    python benchmarks/sprints.py --items 1000 --commits 3000 --runs 7

Not a test: CI does not run it. The history is written with `git fast-import`: ten
two-week sprints (each file created at its start, with `started`, and closed at its end)
and, spread over the twenty weeks, commits that each change one item — its status, its
points, its sprint or its rank — as a team's daily edits would.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate

STORYKIT = str(Path(sys.executable).parent / "storykit")
START = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
SPRINTS = 10


def history(root: Path, commits: int, seed: int = 7) -> None:
    """Append `commits` item changes and the sprints' files to main, dated over 20 weeks."""
    rng = random.Random(seed)
    files = {p.name: p.read_text() for p in sorted((root / "backlog").glob("*.yaml"))}
    names = list(files)
    stream: list[bytes] = []
    span = dt.timedelta(weeks=2 * SPRINTS).total_seconds()
    events: list[tuple[float, str, str]] = []  # (time, path, content)
    planned: dict[int, list[str]] = {}  # sprint → the items put in it
    for k in range(SPRINTS):
        first = START + dt.timedelta(weeks=2 * k)
        last = first + dt.timedelta(days=13)
        body = f"name: Sprint {k + 1}\nstart: {first.date()}\nend: {last.date()}\ncapacity: 40\n"
        started = body + f"started: {first.isoformat(sep=' ')}\n"
        closing = last + dt.timedelta(hours=8)
        path = f"backlog/sprints/sprint-{k + 1}.yaml"
        events.append((first.timestamp(), path, started))
        events.append(
            (closing.timestamp(), path, started + f"closed: {closing.isoformat(sep=' ')}\n")
        )
    for n in range(commits):
        when = START.timestamp() + span * n / commits
        sprint = min(SPRINTS, int((when - START.timestamp()) // (14 * 86400)) + 1)
        action = rng.choices(["status", "points", "sprint", "rank"], [40, 20, 30, 10])[0]
        current = planned.setdefault(sprint, [])
        # Most status changes are the sprint's own work moving on.
        busy = action == "status" and current and rng.random() < 0.7
        name = rng.choice(current) if busy else rng.choice(names)
        if action == "sprint":
            current.append(name)
        text = files[name]
        if action == "status":
            new = rng.choice(["ready", "in-progress", "done"])
            text = re.sub(r"^status: .*$", f"status: {new}", text, count=1, flags=re.M)
        elif action == "points":
            value = rng.choice([1, 2, 3, 5, 8])
            if "\npoints: " in text:
                text = re.sub(r"^points: .*$", f"points: {value}", text, count=1, flags=re.M)
            else:
                text = text.replace("\ncreated:", f"\npoints: {value}\ncreated:", 1)
        elif action == "sprint":
            line = f"sprint: Sprint {sprint}"
            if "\nsprint: " in text:
                text = re.sub(r"^sprint: .*$", line, text, count=1, flags=re.M)
            else:
                text = text.rstrip("\n") + f"\n{line}\n"
        if action == "rank" or text == files[name]:  # every commit changes something
            text = re.sub(r"^rank: (.*)$", r"rank: \g<1>V", text, count=1, flags=re.M)
        files[name] = text
        events.append((when, f"backlog/{name}", text))
    events.sort(key=lambda e: e[0])
    for mark, (when, path, content) in enumerate(events, start=1):
        data = content.encode()
        message = f"backlog: change {path}".encode()
        stamp = f"{int(when)} +0000"
        stream += [
            b"commit refs/heads/main\n",
            f"mark :{mark}\n".encode(),
            f"author Bench Mark <bench@example.com> {stamp}\n".encode(),
            f"committer Bench Mark <bench@example.com> {stamp}\n".encode(),
            f"data {len(message)}\n".encode() + message + b"\n",
            b"from refs/heads/main^0\n" if mark == 1 else f"from :{mark - 1}\n".encode(),
            f"M 100644 inline {path}\n".encode(),
            f"data {len(data)}\n".encode() + data + b"\n",
        ]
    subprocess.run(
        ["git", "fast-import", "--quiet", "--force"], cwd=root, input=b"".join(stream), check=True
    )
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=root, check=True)


def timed(root: Path, argv: list[str], runs: int, before: object = None) -> list[float]:
    found = []
    for _ in range(runs):
        if callable(before):
            before()
        began = time.perf_counter()
        result = subprocess.run(argv, cwd=root, capture_output=True, check=False)
        found.append(time.perf_counter() - began)
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed: {result.stderr.decode()}")
    return found


def three_ways(root: Path, argv: list[str], runs: int) -> tuple[list[float], ...]:
    """`argv` timed cold (a fresh clone: no `.git/storykit/` at all), with the history
    cached (the answer computed again) and with the answer kept (asked again)."""
    state = root / ".git" / "storykit"
    cold = timed(root, argv, runs, lambda: shutil.rmtree(state, ignore_errors=True))
    timed(root, argv, 1)
    middle = timed(root, argv, runs, lambda: (state / "reports-cache.json").unlink(missing_ok=True))
    timed(root, argv, 1)
    return cold, middle, timed(root, argv, runs)


def report_table(root: Path, cases: dict[str, list[str]], runs: int) -> None:
    """Each case timed three ways (`three_ways`), one row of medians (and maxima) each."""
    print(f"{'case':<24} {'fresh clone':>11} {'history cached':>15} {'answer kept':>12}")
    for label, argv in cases.items():
        cold, middle, kept = three_ways(root, argv, runs)
        print(
            f"{label:<24} {statistics.median(cold):>10.2f}s "
            f"{statistics.median(middle):>14.2f}s {statistics.median(kept):>11.2f}s"
            f"  (max {max(cold):.2f} / {max(middle):.2f} / {max(kept):.2f})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--commits", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="storykit-sprints-"))
    try:
        generate(root, args.items)
        history(root, args.commits)
        count = subprocess.run(
            ["git", "rev-list", "--count", "HEAD", "--", "backlog/"],
            cwd=root, capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        print(f"{args.items} items, {count} commits touching backlog/ ({root})")
        files = sorted((root / "backlog").glob("*.yaml"))
        item = files[len(files) // 2]
        item_id = item.name[: item.name.index("-", 3)]
        chart = str(root.parent / f"{root.name}-burndown.svg")
        cases = {
            "burndown (Sprint 9)": [STORYKIT, "burndown", "Sprint 9", "--json"],
            "burndown --format svg": [
                *(STORYKIT, "burndown", "Sprint 9", "--format", "svg", "--output", chart)
            ],
            "velocity": [STORYKIT, "velocity", "--json"],
            "sprint list": [STORYKIT, "sprint", "list", "--json"],
            "show ID (captured by)": [STORYKIT, "show", item_id],
            "log ID": [STORYKIT, "log", item_id],
        }
        report_table(root, cases, args.runs)
        figures = json.loads(
            subprocess.run(cases["burndown (Sprint 9)"], cwd=root, capture_output=True,
                           check=True).stdout
        )  # fmt: skip
        shown = ", ".join(f"{k} {figures[k]}" for k in ("committed", "added", "completed"))
        print(f"(Sprint 9: {shown})")
        # One more commit after a warm report: only that commit is read.
        subprocess.run([STORYKIT, "burndown", "Sprint 9", "--json"], cwd=root, check=True,
                       capture_output=True)  # fmt: skip
        item = sorted((root / "backlog").glob("*.yaml"))[0]
        item.write_text(item.read_text() + "notes: one more\n")
        subprocess.run(["git", "commit", "-qam", "one more"], cwd=root, check=True)
        once = timed(root, cases["burndown (Sprint 9)"], 1)
        print(f"{'burndown, 1 new commit':<24} {'':>11} {once[0]:>14.2f}s")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()

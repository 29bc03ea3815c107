"""Time `storykit show ID` with its code links over a long history, and `storykit sync`
over many new commits (issue 29's budgets: show warm ≤ 0.5 s at 10,000 commits, sync over
1,000 new commits ≤ 2 s).

    python benchmarks/codelinks.py                     # 10,000 commits, 1,000 new
    python benchmarks/codelinks.py --commits 3000 --new 500 --runs 3

Not a test: CI does not run it. A generated project of 1,000 items; the history is written
with `git fast-import` (one code file changed per commit, a third of the messages naming
an item, some closing one). Then, with the installed `storykit`: `show` cold (no cache)
and warm; `sync` after `--new` more commits, whole process.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from generate import generate

STORYKIT = str(Path(sys.executable).parent / "storykit")


def git(root: Path, *args: str, stdin: bytes | None = None) -> str:
    done = subprocess.run(["git", *args], cwd=root, input=stdin, capture_output=True, check=True)
    return done.stdout.decode()


def project(work: Path, items: int) -> tuple[Path, list[str]]:
    """The messaging app's generated backlog (`generate.py`): every type and status."""
    root = work / "repo"
    ids = generate(root, items)
    subprocess.run([STORYKIT, "init"], cwd=root, check=True, capture_output=True)
    return root, ids


def add_commits(root: Path, count: int, ids: list[str], rng: random.Random) -> None:
    """`count` commits on main, each changing src/code.txt, through git fast-import."""
    head = git(root, "rev-parse", "HEAD").strip()
    stamp = int(time.time()) - count * 60
    parts = []
    for n in range(count):
        roll = rng.random()
        item = rng.choice(ids)
        if roll < 0.05:
            message = f"Finish emoji work\n\nCloses {item}"
        elif roll < 0.33:
            message = f"Work on {item.lower()}: step {n}"
        else:
            message = f"Refactor step {n}"
        data = message.encode()
        content = f"{n}\n".encode()
        parts.append(
            b"commit refs/heads/main\n"
            + f"committer Bench Mark <bench@example.com> {stamp + n * 60} +0000\n".encode()
            + f"data {len(data)}\n".encode()
            + data
            + b"\n"
            + (f"from {head}\n".encode() if n == 0 else b"")
            + f"M 100644 inline src/code.txt\ndata {len(content)}\n".encode()
            + content
            + b"\n"
        )
    git(root, "fast-import", "--quiet", stdin=b"".join(parts))
    git(root, "reset", "-q", "--hard", "main")


def timed(root: Path, *args: str) -> float:
    began = time.perf_counter()
    done = subprocess.run([STORYKIT, *args], cwd=root, capture_output=True, text=True)
    took = time.perf_counter() - began
    assert done.returncode in (0, 1), done.stderr
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--commits", type=int, default=10_000)
    parser.add_argument("--new", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    cold, warm, syncs = [], [], []
    for run in range(options.runs):
        work = Path(tempfile.mkdtemp(prefix="sk-links-"))
        try:
            rng = random.Random(run)
            root, ids = project(work, 1000)
            add_commits(root, options.commits, ids, rng)
            subprocess.run([STORYKIT, "list"], cwd=root, capture_output=True)  # item cache
            cold.append(timed(root, "show", ids[0]))
            warm.append(min(timed(root, "show", ids[0]) for _ in range(3)))
            subprocess.run([STORYKIT, "sync"], cwd=root, capture_output=True)  # up to date
            add_commits(root, options.new, ids, rng)
            syncs.append(timed(root, "sync"))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    print(
        f"{options.commits} commits: show cold median {statistics.median(cold):.2f} s, "
        f"warm median {statistics.median(warm):.2f} s (max {max(warm):.2f}); "
        f"sync over {options.new} new commits median {statistics.median(syncs):.2f} s "
        f"(max {max(syncs):.2f})"
    )


if __name__ == "__main__":
    main()

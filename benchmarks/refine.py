"""Time refinement on a big backlog: `refine`, `rank --suggest`, and `list --sort score`
beside `list`, warm (caches filled), whole process.

    python benchmarks/refine.py                      # 10,000 items, 3,000 backlog commits
    python benchmarks/refine.py --items 10000 --commits 3000 --runs 7

Not a test: CI does not run it. The backlog is `generate.py`'s, with value and risk given
to most items, and the history `sprints.py`'s (items changed one per commit).
"""

from __future__ import annotations

import argparse
import os
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
from sprints import history, timed

STORYKIT = str(Path(sys.executable).parent / "storykit")


def scores(root: Path, seed: int = 7) -> None:
    """Value and risk on four items in five, committed with plain git."""
    rng = random.Random(seed)
    for path in sorted((root / "backlog").glob("*.yaml")):
        if rng.random() < 0.8:
            text = path.read_text()
            extra = f"value: {rng.randint(1, 10)}\nrisk: {rng.randint(1, 10)}\n"
            path.write_text(re.sub(r"(?m)^(created: .*\n)", r"\1" + extra, text, count=1))
    subprocess.run(["git", "commit", "-qam", "value and risk"], cwd=root, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=10000)
    parser.add_argument("--commits", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="storykit-refine-"))
    try:
        generate(root, args.items)
        scores(root)
        history(root, args.commits)
        subprocess.run(["git", "reset", "-q", "--hard"], cwd=root, check=True)
        past = time.time() - 60  # the read cache never serves files changed in the last 2 s
        for path in (root / "backlog").rglob("*.yaml"):
            os.utime(path, (past, past))
        cases = {
            "list": [STORYKIT, "list"],
            "list --sort score": [STORYKIT, "list", "--sort", "score"],
            "rank --suggest": [STORYKIT, "rank", "--suggest"],
            "refine": [STORYKIT, "refine"],
            "refine --json": [STORYKIT, "refine", "--json"],
        }
        for argv in cases.values():  # warm up: the read cache, the timeline
            subprocess.run(argv, cwd=root, capture_output=True, check=False)
        print(f"{args.items} items, {args.commits} item commits ({root})")
        print(f"{'case':<20} {'median':>8} {'min':>7} {'max':>7}")
        found: dict[str, list[float]] = {label: [] for label in cases}
        for _ in range(args.runs):  # interleaved, so that the machine's drift hits all alike
            for label, argv in cases.items():
                found[label] += timed(root, argv, 1)
        for label, runs in found.items():
            print(
                f"{label:<20} {statistics.median(runs):>7.2f}s {min(runs):>6.2f}s "
                f"{max(runs):>6.2f}s"
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Time whole storykit commands on generated backlogs: medians and spread, after a warm-up.

    python benchmarks/run.py                      # 1,000 items, every case
    python benchmarks/run.py --items 1000 10000 --runs 9 --only rank list

Not a test: CI does not run it. Each case runs the installed `storykit` as a separate
process, the way a person does. Files are aged first so the read cache can serve them
(files modified in the last 2 s are never cached); "cold" cases delete the cache first.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate

STORYKIT = str(Path(sys.executable).parent / "storykit")


@dataclass
class Case:
    name: str
    argv: Callable[[int], list[str]]  # run number -> arguments
    before: Callable[[], None] | None = None  # untimed set-up before each run


def run_case(root: Path, case: Case, runs: int) -> list[float]:
    times: list[float] = []
    for number in range(runs + 1):  # the first run is a warm-up
        if case.before:
            case.before()
        argv = case.argv(number)
        start = time.perf_counter()
        result = subprocess.run([STORYKIT, *argv], cwd=root, capture_output=True, check=False)
        elapsed = time.perf_counter() - start
        if result.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(argv)} failed: {result.stderr.decode()}")
        if number:
            times.append(elapsed)
    return times


def peak_memory_mb(root: Path, argv: list[str]) -> float:
    code = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], capture_output=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, STORYKIT, *argv], cwd=root, capture_output=True, text=True
    )
    return int(out.stdout.strip()) / 1024


def age(root: Path) -> None:
    past = time.time() - 3600
    for path in (root / "backlog").iterdir():
        os.utime(path, (past, past))


def make_history(root: Path, item: str, ids: list[str], commits: int = 50) -> None:
    """`commits` storykit commits that all change `item`: field edits and rank moves."""
    for n in range(commits):
        if n % 5 == 4:
            argv = ["rank", item, "--before", ids[(n * 37) % len(ids)]]
        else:
            argv = ["set", item, f"notes=Refinement note {n}", f"points={(1, 2, 3, 5)[n % 4]}"]
        subprocess.run([STORYKIT, *argv], cwd=root, capture_output=True, check=True)


def cases(root: Path, ids: list[str], rng: random.Random) -> list[Case]:
    cache = root / ".git" / "storykit" / "items-cache.json"
    blobs = root / ".git" / "storykit" / "blobs-cache.json"

    def drop_cache() -> None:
        cache.unlink(missing_ok=True)

    def drop_blob_cache() -> None:
        blobs.unlink(missing_ok=True)

    def move(_: int) -> list[str]:
        mover, target = rng.sample(ids, 2)
        return ["rank", mover, "--before", target]

    return [
        Case("--help", lambda n: ["--help"]),
        Case("list (warm cache)", lambda n: ["list"]),
        Case("list (cold cache)", lambda n: ["list"], drop_cache),
        Case("show ID", lambda n: ["show", ids[n % len(ids)]]),
        Case("check (warm cache)", lambda n: ["check"]),
        Case("check (cold cache)", lambda n: ["check"], drop_cache),
        Case(
            "spike new + commit",
            lambda n: [
                "spike",
                "new",
                f"Research emoji skin tones {n}",
                "--question",
                "Which?",
                "--timebox",
                "2d",
            ],
        ),
        Case("set + commit", lambda n: ["set", ids[0], f"points={(1, 2)[n % 2]}"]),
        Case("rank --before + commit", move),
        Case("diff 50 commits apart", lambda n: ["diff", "HEAD~50", "HEAD"]),
        Case("diff (cold blob cache)", lambda n: ["diff", "HEAD~50", "HEAD"], drop_blob_cache),
        Case("log ID (50 commits)", lambda n: ["log", ids[1]]),
        Case("log ID (cold blob cache)", lambda n: ["log", ids[1]], drop_blob_cache),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, nargs="+", default=[1000])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", nargs="*", help="run only cases whose name contains these")
    parser.add_argument("--keep", action="store_true", help="keep the generated repositories")
    args = parser.parse_args()
    print(f"storykit: {STORYKIT}; {os.cpu_count()} cores; {args.runs} runs after 1 warm-up\n")
    print(f"{'items':>6}  {'case':<24} {'median':>8} {'min':>8} {'max':>8}")
    for items in args.items:
        workdir = Path(tempfile.mkdtemp(prefix=f"storykit-bench-{items}-"))
        root = workdir / "repo"
        ids = generate(root, items)
        if not args.only or any(w in ("diff", "log") for w in args.only):
            make_history(root, ids[1], ids)
        age(root)
        rng = random.Random(items)
        for case in cases(root, ids, rng):
            if args.only and not any(word in case.name for word in args.only):
                continue
            times = run_case(root, case, args.runs)
            print(
                f"{items:>6}  {case.name:<24} {statistics.median(times):>7.3f}s "
                f"{min(times):>7.3f}s {max(times):>7.3f}s",
                flush=True,
            )
            age(root)
        if not args.only or any("memory" in word for word in args.only):
            print(f"{items:>6}  {'list peak memory':<24} {peak_memory_mb(root, ['list']):>6.1f}MB")
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"        kept: {root}")


if __name__ == "__main__":
    main()

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
from peer import write_peer

STORYKIT = str(Path(sys.executable).parent / "storykit")


PEER = shutil.which("backlog")


@dataclass
class Case:
    name: str
    argv: Callable[[int], list[str]]  # run number -> arguments
    before: Callable[[], None] | None = None  # untimed set-up before each run
    peer: Callable[[int], list[str]] | None = None  # the same work with Backlog.md
    env: dict[str, str] | None = None  # more environment (shell completion)
    program: str = STORYKIT  # what runs (a reference floor runs Python itself)


def run_case(
    root: Path,
    program: str,
    argv_of: Callable[[int], list[str]],
    runs: int,
    before: Callable[[], None] | None = None,
    env: dict[str, str] | None = None,
) -> list[float]:
    times: list[float] = []
    environment = {**os.environ, **(env or {})}
    for number in range(runs + 1):  # the first run is a warm-up
        if before:
            before()
        argv = argv_of(number)
        start = time.perf_counter()
        result = subprocess.run(
            [program, *argv], cwd=root, env=environment, capture_output=True, check=False
        )
        elapsed = time.perf_counter() - start
        if result.returncode not in (0, 1):
            raise SystemExit(f"{program} {' '.join(argv)} failed: {result.stderr.decode()}")
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
        [sys.executable, "-c", code, *argv], cwd=root, capture_output=True, text=True
    )
    return int(out.stdout.strip()) / 1024


def age(root: Path) -> None:
    """Files written in the last minute made an hour old; older ones are left as they are
    (a new mtime would make every cache miss them, as a checkout does)."""
    now = time.time()
    for path in (root / "backlog").iterdir():
        if path.stat().st_mtime > now - 60:
            os.utime(path, (now - 3600, now - 3600))


def make_history(root: Path, item: str, ids: list[str], commits: int = 50) -> None:
    """`commits` storykit commits that all change `item`: field edits and rank moves."""
    for n in range(commits):
        if n % 5 == 4:
            argv = ["rank", item, "--before", ids[(n * 37) % len(ids)]]
        else:
            argv = ["set", item, f"notes=Refinement note {n}", f"points={(1, 2, 3, 5)[n % 4]}"]
        subprocess.run([STORYKIT, *argv], cwd=root, capture_output=True, check=True)


def completing(line: str) -> dict[str, str]:
    """The environment bash's completion script gives `storykit` for `line` (the cursor at
    its end)."""
    words = line.split()
    index = len(words) if line.endswith(" ") else len(words) - 1
    return {"_STORYKIT_COMPLETE": "complete_bash", "COMP_WORDS": line, "COMP_CWORD": str(index)}


def cases(root: Path, ids: list[str], rng: random.Random) -> list[Case]:
    state = root / ".git" / "storykit"
    blobs = state / "blobs-cache.json"

    def drop_cache() -> None:  # the read cache, its indexes and kept answers: a fresh clone
        for path in state.glob("items-*.json"):
            path.unlink()
        shutil.rmtree(state / "kept", ignore_errors=True)

    def warm() -> None:  # the read cache as a day's work leaves it (untimed)
        if not (state / "items-summary.json").exists():
            subprocess.run([STORYKIT, "list"], cwd=root, capture_output=True, check=True)

    edited = sorted((root / "backlog").glob("*.yaml"))[len(ids) // 2]

    def change_one() -> None:  # one item edited by hand since the last list (untimed)
        text = edited.read_text()
        mark = "x-bench: edited\n"
        edited.write_text(text.replace(mark, "") if mark in text else text + mark)
        past = time.time() - 60
        os.utime(edited, (past, past))

    def drop_blob_cache() -> None:
        blobs.unlink(missing_ok=True)

    def move(_: int) -> list[str]:
        mover, target = rng.sample(ids, 2)
        return ["rank", mover, "--before", target]

    def task(n: int) -> str:  # the Backlog.md task holding the same content as ids[n]
        return f"TASK-{n % len(ids) + 1}"

    def peer_list(n: int) -> list[str]:
        return ["task", "list", "--plain"]

    def spike_new(n: int) -> list[str]:
        title = f"Research emoji skin tones {n}"
        return ["spike", "new", title, "--question", "Which?", "--timebox", "2d"]

    def peer_create(n: int) -> list[str]:
        return ["task", "create", f"Research emoji skin tones {n}", "-d", "Which?"]

    def peer_edit(n: int) -> list[str]:
        return ["task", "edit", "TASK-1", "--priority", ("low", "high")[n % 2]]

    return [
        Case("--help", lambda n: ["--help"], peer=lambda n: ["--help"]),
        Case("import typer, rich", lambda n: ["-c", "import typer, rich"], program=sys.executable),
        Case("list (warm cache)", lambda n: ["list"], peer=peer_list),
        Case("list (cold cache)", lambda n: ["list"], drop_cache, peer=peer_list),
        Case("list (one file changed)", lambda n: ["list"], change_one, peer=peer_list),
        Case(
            "show ID",
            lambda n: ["show", ids[n % len(ids)]],
            peer=lambda n: ["task", "view", task(n), "--plain"],
        ),
        Case("check (warm cache)", lambda n: ["check"]),
        Case("check (cold cache)", lambda n: ["check"], drop_cache),
        *(
            Case(f"complete {name}", lambda n: [], warm, env=completing(line))
            for name, line in (
                ("ID", "storykit show sk-"),
                ("status", f"storykit status {ids[0]} "),
                ("--tag", "storykit list --tag "),
                ("spike close", "storykit spike close "),
            )
        ),
        Case("spike new + commit", spike_new, peer=peer_create),
        Case("set + commit", lambda n: ["set", ids[0], f"points={(1, 2)[n % 2]}"], peer=peer_edit),
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
    parser.add_argument("--no-peer", action="store_true", help="skip Backlog.md even if found")
    parser.add_argument(
        "--peer-up-to", type=int, default=10_000, help="skip the peer above this many items"
    )
    args = parser.parse_args()
    print(f"storykit: {STORYKIT}; {os.cpu_count()} cores; {args.runs} runs after 1 warm-up")
    if PEER and not args.no_peer:
        peer = PEER
        version = subprocess.run([peer, "--version"], capture_output=True, text=True).stdout
        print(f"peer: Backlog.md {version.strip()} ({peer}), same content, auto_commit on")
    else:
        peer = None
        why = "--no-peer" if args.no_peer else "not on PATH (npm install -g backlog.md)"
        print(f"peer: Backlog.md {why}; storykit only")
    print(
        f"\n{'items':>6}  {'case':<24} {'median':>8} {'min':>8} {'max':>8}"
        + (f"  {'peer median':>11} {'speed-up':>9}" if peer else "")
    )
    for items in args.items:
        workdir = Path(tempfile.mkdtemp(prefix=f"storykit-bench-{items}-"))
        root = workdir / "repo"
        ids = generate(root, items)
        peer_root = workdir / "peer"
        peer = PEER if not args.no_peer and items <= args.peer_up_to else None
        if peer:
            write_peer(root, peer_root)
        rng = random.Random(items)
        chosen = [
            case
            for case in cases(root, ids, rng)
            if not args.only or any(word in case.name for word in args.only)
        ]
        if any(case.name.startswith(("diff", "log")) for case in chosen):
            make_history(root, ids[1], ids)
        age(root)
        for case in chosen:
            times = run_case(root, case.program, case.argv, args.runs, case.before, case.env)
            line = (
                f"{items:>6}  {case.name:<24} {statistics.median(times):>7.3f}s "
                f"{min(times):>7.3f}s {max(times):>7.3f}s"
            )
            if peer and case.peer:
                peer_runs = max(3, args.runs // 2) if items >= 10_000 else args.runs
                peer_times = run_case(peer_root, peer, case.peer, peer_runs)
                ratio = statistics.median(peer_times) / statistics.median(times)
                line += f"  {statistics.median(peer_times):>10.3f}s {ratio:>8.1f}x"
            print(line, flush=True)
            age(root)
        if not args.only or any("memory" in word for word in args.only):
            for label, drop in (("list peak memory (cold)", True), ("list peak memory", False)):
                if drop:
                    for path in (root / ".git" / "storykit").glob("items-*.json"):
                        path.unlink()
                    shutil.rmtree(root / ".git" / "storykit" / "kept", ignore_errors=True)
                memory = peak_memory_mb(root, [STORYKIT, "list"])
                line = f"{items:>6}  {label:<24} {memory:>6.1f}MB"
                if peer:
                    peer_memory = peak_memory_mb(peer_root, [peer, "task", "list", "--plain"])
                    line += f"{'':<20}{peer_memory:>10.1f}MB"
                print(line)
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"        kept: {root}")


if __name__ == "__main__":
    main()

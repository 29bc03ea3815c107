"""Time merging branches: the merge driver per file, `git merge` of two branches that each
changed 200 items, and `storykit resolve` of 200 conflicted files.

    python benchmarks/merge.py                    # 1,000 items, 200 changed on each side
    python benchmarks/merge.py --items 10000 --changed 200 --runs 21

Not a test: CI does not run it. One branch drops the chosen items (their `status` line),
the other moves them to the top (their `rank` line, right below): git's text merge
conflicts on every one of them, the driver merges every one. The script checks that each
merged item holds both changes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate

from storykit.merging import helper as merge_server

STORYKIT = str(Path(sys.executable).parent / "storykit")


def run(root: Path, *argv: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    result = subprocess.run(argv, cwd=root, capture_output=True, check=False)
    if check and result.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {result.stderr.decode()}")
    return result


def prepare(root: Path, items: int, changed: int) -> list[str]:
    """A backlog with the driver set up, `feature` dropping and `main` moving the items."""
    ids = generate(root, items)
    run(root, STORYKIT, "init")
    chosen = ids[-changed:]  # the bottom of the backlog: `--top` moves every one
    run(root, "git", "switch", "-q", "-c", "feature")
    run(root, STORYKIT, "drop", *chosen)
    run(root, "git", "switch", "-q", "main")
    run(root, STORYKIT, "rank", *chosen, "--top")
    return chosen


def status_and_rank(root: Path, item_id: str) -> tuple[str, int]:
    (path,) = (root / "backlog").glob(f"{item_id}-*.yaml")
    text = path.read_text()
    status = next(line for line in text.splitlines() if line.startswith("status:"))
    return status.split(":", 1)[1].strip(), text.count("<<<<<<<")


def check_merged(root: Path, chosen: list[str]) -> None:
    order = run(root, STORYKIT, "list", "--all").stdout.decode().splitlines()
    top = {line.split()[0] for line in order[: len(chosen)]}
    for item_id in chosen:
        status, markers = status_and_rank(root, item_id)
        if status != "dropped" or markers or item_id not in top:
            raise SystemExit(f"{item_id}: not merged as both sides meant ({status}, {markers})")


def driver_per_file(root: Path, item_id: str, runs: int, env: dict[str, str]) -> list[float]:
    """`storykit merge-driver` on one item's three versions, as git starts it."""
    (path,) = (root / "backlog").glob(f"{item_id}-*.yaml")
    rel = path.relative_to(root).as_posix()
    work = Path(tempfile.mkdtemp(prefix="storykit-driver-"))
    base, theirs = work / "base", work / "theirs"
    base.write_bytes(run(root, "git", "show", f"main~1:{rel}").stdout)
    theirs.write_bytes(run(root, "git", "show", f"feature:{rel}").stdout)
    ours_content = run(root, "git", "show", f"main:{rel}").stdout
    times = []
    for number in range(runs + 1):
        ours = work / "ours"
        ours.write_bytes(ours_content)
        start = time.perf_counter()
        argv = [STORYKIT, "merge-driver", str(base), str(ours), str(theirs), "7", rel]
        result = subprocess.run(argv, cwd=root, env=env, capture_output=True, check=False)
        if number:
            times.append(time.perf_counter() - start)
        if result.returncode != 0:
            raise SystemExit(f"the driver did not merge {rel}")
    shutil.rmtree(work)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--changed", type=int, default=200)
    parser.add_argument("--runs", type=int, default=21, help="runs of the driver on one file")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="storykit-merge-")) / "repo"
    chosen = prepare(root, args.items, args.changed)
    before = run(root, "git", "rev-parse", "HEAD").stdout.decode().strip()
    print(f"{args.items} items, {len(chosen)} changed on both branches (status vs rank)")

    for name, env in (
        ("merge-driver, one file:     ", {**os.environ}),
        ("  without the merge helper: ", {**os.environ, "STORYKIT_MERGE_SERVER": "0"}),
    ):
        times = driver_per_file(root, chosen[0], args.runs, env)
        print(
            f"{name} median {statistics.median(times):.3f}s  "
            f"min {min(times):.3f}s  max {max(times):.3f}s  ({args.runs} runs)"
        )

    for name, helper in (("git merge with the driver:", "1"), ("  without the merge helper:", "0")):
        time.sleep(merge_server.IDLE_SECONDS + 1)  # no helper left from the runs before
        os.environ["STORYKIT_MERGE_SERVER"] = helper
        start = time.perf_counter()
        merged = run(root, "git", "merge", "--no-edit", "feature", check=False)
        elapsed = time.perf_counter() - start
        conflicts = merged.stdout.decode().count("CONFLICT")
        check_merged(root, chosen)
        print(
            f"{name:<28} {elapsed:.1f}s  ({elapsed / len(chosen):.3f}s per file), "
            f"{conflicts} conflicts, every item has both changes"
        )
        run(root, "git", "reset", "-q", "--hard", before)
    del os.environ["STORYKIT_MERGE_SERVER"]

    run(root, "git", "config", "--remove-section", "merge.storykit")
    start = time.perf_counter()
    text = run(root, "git", "merge", "--no-edit", "feature", check=False)
    elapsed = time.perf_counter() - start
    conflicts = text.stdout.decode().count("CONFLICT")
    print(f"git merge without it:        {elapsed:.1f}s, {conflicts} conflicted files")

    start = time.perf_counter()
    resolved = run(root, STORYKIT, "resolve", check=False)
    elapsed = time.perf_counter() - start
    lines = resolved.stdout.decode().splitlines()
    merged_count = sum(line.endswith(": merged") for line in lines)
    if resolved.returncode != 0:
        raise SystemExit(resolved.stdout.decode() + resolved.stderr.decode())
    run(root, "git", "commit", "-q", "--no-edit")
    check_merged(root, chosen)
    print(f"storykit resolve:            {elapsed:.2f}s, {merged_count} files merged and staged")
    shutil.rmtree(root.parent, ignore_errors=True)


if __name__ == "__main__":
    main()

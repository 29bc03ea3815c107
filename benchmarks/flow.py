"""Time `storykit flow` on a long history, whole process: cold (no cache: a fresh clone),
with the history cached (`timeline-cache.json`: the figures computed again) and with the
answer kept (`reports-cache.json`: asked again, nothing changed).
Issue 29's budget: 3,000 commits and 1,000 items, cold ≤ 3 s, warm ≤ 0.5 s.

    python benchmarks/flow.py                        # 1,000 items, 3,000 backlog commits
    python benchmarks/flow.py --items 1000 --commits 3000 --runs 7

Not a test: CI does not run it. The history is `sprints.py`'s: ten two-week sprints and
commits that each change one item's status, points, sprint or rank, as a team's daily
edits would, so items start, finish, and are reopened.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate
from sprints import STORYKIT, history, report_table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--commits", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="storykit-flow-"))
    try:
        # The backlog is captured before the history starts (2026-06-01), as a team's is.
        before = "2026-05-25T09:00:00+00:00"
        with mock.patch.dict(os.environ, GIT_AUTHOR_DATE=before, GIT_COMMITTER_DATE=before):
            generate(root, args.items)
        history(root, args.commits)
        count = subprocess.run(
            ["git", "rev-list", "--count", "HEAD", "--", "backlog/"],
            cwd=root, capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        print(f"{args.items} items, {count} commits touching backlog/ ({root})")
        window = ["--since", "2026-06-01"]  # the whole generated history (20 weeks)
        cases = {
            "flow --json": [STORYKIT, "flow", "--json", *window],
            "flow (text, charts)": [STORYKIT, "flow", *window],
            "flow --format markdown": [STORYKIT, "flow", "--format", "markdown", *window],
        }
        report_table(root, cases, args.runs)
        figures = json.loads(
            subprocess.run(cases["flow --json"], cwd=root, capture_output=True,
                           check=True).stdout
        )  # fmt: skip
        done = figures["cycle_time"]["all"]
        print(
            f"(window {figures['window']['from']} → {figures['window']['to']}: "
            f"{done['count']} items with a cycle time, p85 {done['p85']} days; "
            f"{len(figures['aging'])} in progress; {len(figures['cfd'])} days)"
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()

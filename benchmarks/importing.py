"""Time `storykit import` of 5,000 GitHub issues and 5,000 Jira rows (issue 28's budgets).

    python benchmarks/importing.py                   # 5,000 of each
    python benchmarks/importing.py --items 5000 --runs 3

Not a test: CI does not run it. For each source, in a fresh project: the first import
(every item created, one commit), then the same file again (nothing changed: no commit),
whole process, with the installed `storykit`. The sources are generated, seeded: a
messaging app's issues with labels, assignees, milestones and bodies; Jira rows with
epics, stories, sub-tasks (after their parents or before), points and sprints.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STORYKIT = str(Path(sys.executable).parent / "storykit")
WORDS = [
    "emoji",
    "picker",
    "reaction",
    "message",
    "thread",
    "search",
    "upload",
    "avatar",
    "notification",
    "chat",
]


def github_issues(count: int, rng: random.Random) -> list[dict[str, object]]:
    issues = []
    for number in range(1, count + 1):
        closed = rng.random() < 0.4
        labels = rng.sample(["enhancement", "bug", "tech-debt", "spike", "ux", "api"], 2)
        issues.append(
            {
                "number": number,
                "title": f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} {number}",
                "body": f"Users ask for {rng.choice(WORDS)}.\n\n- [ ] {rng.choice(WORDS)}",
                "labels": [{"name": name} for name in labels],
                "state": "CLOSED" if closed else "OPEN",
                "stateReason": rng.choice(["COMPLETED", "NOT_PLANNED"]) if closed else "",
                "assignees": [{"login": rng.choice(["alice", "bob", "dana"])}],
                "milestone": {"title": f"Sprint {rng.randrange(1, 9)}"},
                "url": f"https://github.com/acme/chat/issues/{number}",
            }
        )
    return issues


def jira_rows(count: int, rng: random.Random) -> list[list[str]]:
    header = ["Summary", "Issue key", "Issue id", "Issue Type", "Status", "Status Category",
              "Assignee", "Labels", "Labels", "Sprint", "Custom field (Story Points)",
              "Description", "Parent"]  # fmt: skip
    rows: list[list[str]] = []
    epics = max(1, count // 50)
    stories: list[int] = []
    for n in range(1, count + 1):
        kind = "Epic" if n <= epics else rng.choice(["Story", "Story", "Task", "Bug", "Sub-task"])
        if kind == "Sub-task" and not stories:
            kind = "Story"
        parent = ""
        if kind == "Sub-task":
            parent = str(10000 + rng.choice(stories))
        elif kind != "Epic":
            parent = str(10000 + rng.randrange(1, epics + 1))
        if kind in ("Story", "Bug"):
            stories.append(n)
        status, category = rng.choice(
            [("To Do", "To Do"), ("In Progress", "In Progress"), ("Done", "Done")]
        )
        rows.append([
            f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} {n}", f"MSG-{n}",
            str(10000 + n), kind, status, category, rng.choice(["Alice", "Bob", ""]),
            rng.choice(WORDS), rng.choice(["ux", ""]), f"Sprint {rng.randrange(1, 9)}",
            rng.choice(["1", "2", "3", "5", "8", ""]), f"About {rng.choice(WORDS)}", parent,
        ])  # fmt: skip
    rng.shuffle(rows)  # parents after their children too
    return [header, *rows]


def project(work: Path) -> Path:
    root = work / "repo"
    root.mkdir()
    for args in (["init", "-q", "-b", "main"], ["config", "user.name", "Bench Mark"],
                 ["config", "user.email", "bench@example.com"],
                 ["config", "commit.gpgsign", "false"]):  # fmt: skip
        subprocess.run(["git", *args], cwd=root, check=True)
    subprocess.run([STORYKIT, "init"], cwd=root, check=True, capture_output=True)
    return root


def timed(root: Path, *args: str) -> float:
    began = time.perf_counter()
    done = subprocess.run([STORYKIT, *args], cwd=root, capture_output=True, text=True)
    took = time.perf_counter() - began
    assert done.returncode == 0, done.stderr
    return took


def commits(root: Path) -> int:
    out = subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=root, capture_output=True,
                         text=True, check=True)  # fmt: skip
    return int(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    for source in ("github", "jira"):
        first, again = [], []
        for run in range(options.runs):
            work = Path(tempfile.mkdtemp(prefix="sk-import-"))
            try:
                rng = random.Random(run)
                data = work / ("issues.json" if source == "github" else "export.csv")
                if source == "github":
                    data.write_text(json.dumps(github_issues(options.items, rng)))
                else:
                    with data.open("w", newline="") as handle:
                        csv.writer(handle).writerows(jira_rows(options.items, rng))
                root = project(work)
                before = commits(root)
                first.append(timed(root, "import", source, str(data)))
                assert commits(root) == before + 1
                again.append(timed(root, "import", source, str(data)))
                assert commits(root) == before + 1  # unchanged: no commit
            finally:
                shutil.rmtree(work, ignore_errors=True)
        print(
            f"{options.items} {source:<6}  import median {statistics.median(first):.2f} s "
            f"(max {max(first):.2f}), again unchanged median {statistics.median(again):.2f} s "
            f"(max {max(again):.2f}), one commit, then none"
        )


if __name__ == "__main__":
    main()

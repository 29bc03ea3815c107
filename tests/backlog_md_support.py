"""A Backlog.md project made by the real `backlog.md` npm package's own commands (`.ci/run`
installs it): the tests never hand-write what they claim Backlog.md writes."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.helpers import make_repo

VERSION = "1.52.0"


def backlog(cwd: Path, *args: str) -> str:
    """`backlog ARGS` in `cwd`; a missing tool fails the test (it is not skipped)."""
    tool = shutil.which("backlog")
    assert tool, f"the Backlog.md CLI is missing: npm install -g backlog.md@{VERSION}"
    done = subprocess.run(
        [tool, *args], cwd=cwd, capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(cwd), "NO_COLOR": "1",
             "TERM": "dumb"},
    )  # fmt: skip
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done.stdout


def messaging_app(root: Path) -> Path:
    """The messaging app's backlog kept with Backlog.md: a milestone, a story in progress
    with acceptance criteria, a subtask, a spike that depends on the story, a bug done with
    notes and a summary, a draft, and one task moved to completed/ (where `backlog
    cleanup`, which only asks on a terminal, puts done work). Returns the repository."""
    make_repo(root)
    backlog(root, "init", "Chat", "--defaults", "--integration-mode", "none",
            "--auto-open-browser", "false")  # fmt: skip
    backlog(root, "config", "set", "remoteOperations", "false")
    backlog(root, "milestone", "add", "Emoji release")
    backlog(root, "task", "create", "Emoji support", "--type", "feature",
            "-d", "Users want emoji in chats.\n\nKeep it fast.", "--ac", "Picker opens",
            "--ac", "Emoji render in messages", "-l", "ux,emoji", "-a", "@alice",
            "-s", "In Progress", "-m", "Emoji release", "--ordinal", "2000")  # fmt: skip
    backlog(root, "task", "create", "Emoji picker", "-p", "TASK-1", "-d", "A grid of emoji.",
            "-a", "@bob", "--ordinal", "3000")  # fmt: skip
    backlog(root, "task", "create", "Spike: emoji rendering libraries", "--type", "spike",
            "-d", "Which library renders emoji on Android?", "-l", "research",
            "--dep", "TASK-1", "--ordinal", "1000")  # fmt: skip
    backlog(root, "task", "create", "Fix crash on long messages", "--type", "bug",
            "-s", "Done", "--ordinal", "4000")  # fmt: skip
    backlog(root, "task", "edit", "3", "--notes", "Found the overflow", "--final-summary",
            "Fixed by truncating", "--plan", "1. Reproduce")  # fmt: skip
    backlog(root, "task", "edit", "2", "--final-summary", "Use the platform's emoji font.")
    backlog(root, "task", "create", "Old idea: stickers", "--draft", "-d", "Maybe later")
    backlog(root, "task", "create", "Typing indicator", "-s", "Done", "--ordinal", "5000")
    done = root / "backlog" / "tasks"
    (root / "backlog" / "completed").mkdir(exist_ok=True)
    (moved,) = done.glob("task-4 - *.md")
    moved.rename(root / "backlog" / "completed" / moved.name)
    return root

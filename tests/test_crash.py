"""SIGKILL at random moments while storykit writes and commits: nothing is ever torn.

After every kill: each item file is either its old or its new version (never a mix, never
two copies of a renamed item), the repository passes `git fsck`, HEAD moved by at most the
one commit, and the next storykit command works (the killed process's lock is taken over).
STORYKIT_CRASH_RUNS and STORYKIT_CRASH_SEED change the number of kills and their timing.
"""

from __future__ import annotations

import collections
import os
import random
import signal
import subprocess
import time
from collections.abc import Callable

from storykit.model.naming import id_from_file_name
from storykit.services.workspace import Workspace
from tests.helpers import SCRIPT, Repo

RUNS = int(os.environ.get("STORYKIT_CRASH_RUNS", "120"))
SEED = int(os.environ.get("STORYKIT_CRASH_SEED", "20261121"))
STORY = ["--as-a", "user", "--i-want", "to send emojis", "--so-that", "I can express emotions"]


def _files(repo: Repo) -> dict[str, bytes]:
    folder = repo.root / "backlog"
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.suffix == ".yaml"}


def _without(content: bytes, key: str) -> list[bytes]:
    return [line for line in content.splitlines() if not line.startswith(key.encode() + b":")]


def _file_of(files: dict[str, bytes], item_id: str) -> list[str]:
    return [name for name in files if id_from_file_name(name) == item_id]


def _assert_old_or_new(
    before: dict[str, bytes], after: dict[str, bytes], item_id: str | None, key: str
) -> None:
    """Only the command's own item may differ, and only in the field it changes."""
    untouched = {
        n: c for n, c in before.items() if item_id is None or id_from_file_name(n) != item_id
    }
    if item_id is None:  # `new`: at most one file more, complete
        added = sorted(set(after) - set(before))
        assert len(added) <= 1, added
        assert {n: after[n] for n in before} == before
        return
    assert {n: c for n, c in after.items() if id_from_file_name(n) != item_id} == untouched
    (old_name,) = _file_of(before, item_id)
    names = _file_of(after, item_id)
    assert len(names) == 1, names  # a retitled item is never in two files, nor in none
    new = after[names[0]]
    if new != before[old_name]:
        assert _without(new, key) == _without(before[old_name], key), (key, new)


def test_sigkill_at_random_moments_never_tears_anything(repo: Repo) -> None:
    rng = random.Random(SEED)
    points = repo.new_story("Points go back and forth")
    ranked = repo.new_story("Rank goes top and bottom")
    titled = repo.new_story("Title one")
    survivor = repo.new_story("Changed after every kill")
    commands: list[tuple[Callable[[int], list[str]], str | None, str]] = [
        (lambda i: ["set", points, f"points={3 if i % 2 else 5}"], points, "points"),
        (lambda i: ["rank", ranked, "--top" if i % 2 else "--bottom"], ranked, "rank"),
        (lambda i: ["set", titled, f"title=Title {'one' if i % 2 else 'two'}"], titled, "title"),
        (lambda i: ["story", "new", f"Crash {i}", *STORY], None, ""),
    ]
    # How long each command takes here, to aim the kills at its second half (the writes
    # and the commit come last) as well as anywhere before.
    # The median of three runs: the first run of a process is often the slowest, and aiming
    # by it lands many kills after the command has finished.
    duration = []
    for make_args, _, _ in commands:
        taken = []
        for warm_up in (-1, -2, -3):
            started = time.monotonic()
            subprocess.run(
                [str(SCRIPT), *make_args(warm_up)], cwd=repo.root, check=True, capture_output=True
            )
            taken.append(time.monotonic() - started)
        duration.append(sorted(taken)[1])
    outcomes: collections.Counter[str] = collections.Counter()
    for run in range(RUNS):
        kind = rng.randrange(len(commands))
        make_args, item_id, key = commands[kind]
        before, head = _files(repo), repo.head()
        process = subprocess.Popen(
            [str(SCRIPT), *make_args(run)],
            cwd=repo.root,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        share = rng.uniform(0.7, 1.02) if rng.random() < 0.8 else rng.uniform(0.0, 0.7)
        time.sleep(share * duration[kind])
        process.send_signal(signal.SIGKILL)
        code = process.wait()

        after = _files(repo)
        _assert_old_or_new(before, after, item_id, key)
        ws = Workspace.open(repo.root)
        for name in after:  # every file is a complete, valid item
            ws.store.read(repo.root / "backlog" / name)
        ids = [id_from_file_name(name) for name in after]
        assert len(ids) == len(set(ids))
        repo.git("fsck", "--no-progress", "--no-dangling")  # raises unless it passes
        new_head = repo.head()
        if new_head != head:
            assert repo.git("rev-parse", f"{new_head}^").strip() == head
            outcomes["committed" if code != 0 else "finished"] += 1
        else:
            outcomes["written, not committed" if after != before else "nothing written"] += 1

        repo.ok("set", survivor, f"x-run={run}")  # the next command works

    time.sleep(0.3)  # a git child of the last killed command may still be finishing
    repo.ok("set", survivor, "x-run=last")
    state = repo.root / ".git" / "storykit"
    leftovers = [
        p.name
        for folder in (state, repo.root / "backlog")
        for p in folder.iterdir()
        if p.name.endswith((".tmp", ".lock")) or p.name == "lock"
    ]
    assert leftovers == []
    assert not (repo.root / ".git" / "index.lock").exists()  # a killed one's was taken over
    assert repo.run("check").exit_code == 0
    # The kills landed in every phase: before writing, between writing and committing,
    # and after the commit.
    print(dict(outcomes))
    assert outcomes["nothing written"] and outcomes["committed"], outcomes
    if RUNS >= 100:
        assert outcomes["written, not committed"], outcomes

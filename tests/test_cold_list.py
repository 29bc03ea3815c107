"""A fresh clone's first `list`: every file read (shared among forked copies of the
process when there are many), the cache written, and the same bytes as any later `list`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from storykit.storage.parallel import FORK_FROM, forked_map
from tests.helpers import SCRIPT, Repo, modules_after

ITEMS = FORK_FROM + 300


def _write_many(repo: Repo, count: int) -> None:
    folder = repo.root / "backlog"
    for n in range(count):
        item_id = f"SK-{n:05d}"
        (folder / f"{item_id}-send-emoji-{n}.yaml").write_text(
            f"id: {item_id}\ntype: {('story', 'tech', 'spike')[n % 3]}\n"
            f"title: Send emoji {n} & more\nstatus: draft\nrank: a{n:05d}\n"
            f"created: 2026-06-{n % 28 + 1:02d}\ntags:\n  - ux\n"
            + ("question: Which one?\ntimebox: 2d\n" if n % 3 == 2 else "")
            + ("why: |\n  It is slow.\n\n  Really.\n" if n % 3 == 1 else "")
        )
    repo.git("add", "-A")
    repo.git("commit", "-qm", "many items")


def _cold(repo: Repo, *args: str) -> subprocess.CompletedProcess[str]:
    shutil.rmtree(repo.root / ".git" / "storykit", ignore_errors=True)
    return subprocess.run(
        [str(SCRIPT), *args], cwd=repo.root, capture_output=True, text=True, check=False
    )


def test_a_fresh_clones_first_list_prints_what_later_ones_print(repo: Repo) -> None:
    _write_many(repo, ITEMS)
    repo.age_files()
    for args in ((), ("--json",), ("--all", "--sort", "score")):
        cold = _cold(repo, "list", *args)
        assert cold.returncode == 0, cold.stderr
        assert list((repo.root / ".git" / "storykit").glob("items-summary.json"))
        warm = subprocess.run(
            [str(SCRIPT), "list", *args], cwd=repo.root, capture_output=True, text=True
        )
        assert cold.stdout == warm.stdout and cold.stderr == warm.stderr == ""
        assert cold.stdout == repo.run("list", *args).stdout  # the full command in-process
    shutil.rmtree(repo.root / ".git" / "storykit")
    assert "typer" not in modules_after(repo.root, "list")


def test_an_invalid_file_among_many_is_reported_as_before(repo: Repo) -> None:
    _write_many(repo, ITEMS)
    bad = repo.root / "backlog" / "SK-BAD01-broken.yaml"
    bad.write_text("id: SK-BAD01\ntype: story\ntitle: Broken\nstatus: nope\n")
    repo.age_files()
    cold = _cold(repo, "list")
    assert cold.returncode == 0
    assert "warning: 1 invalid file skipped (backlog/SK-BAD01-broken.yaml)" in cold.stderr
    check = _cold(repo, "check")
    assert check.returncode == 1
    assert "backlog/SK-BAD01-broken.yaml:4:9: error:" in check.stdout + check.stderr
    assert cold.stdout.count("\n") == ITEMS
    assert cold.stdout == _cold(repo, "list").stdout


def _double(n: int) -> int:
    return n * 2


def test_forked_map_keeps_order_and_answers() -> None:
    items = list(range(FORK_FROM * 3))
    assert forked_map(_double, items) == [n * 2 for n in items]
    assert forked_map(_double, items[:5]) == [0, 2, 4, 6, 8]


def test_a_copy_that_dies_costs_only_time() -> None:
    parent = os.getpid()

    def fragile(n: int) -> dict[str, int]:
        if os.getpid() != parent:
            os._exit(3)  # the copy is killed before it answers
        return {"n": n}

    items = list(range(FORK_FROM * 2))
    assert forked_map(fragile, items) == [{"n": n} for n in items]


def test_the_fork_path_is_really_taken() -> None:
    # In a process of its own: a test worker may run threads (the browser tests' driver),
    # and then forked_map rightly declines to fork.
    code = (
        "import os\n"
        "from storykit.storage.parallel import FORK_FROM, forked_map\n"
        "pids = forked_map(lambda n: os.getpid(), list(range(FORK_FROM * 2)))\n"
        "print(len(set(pids) - {os.getpid()}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    if (os.cpu_count() or 1) > 1 and len(os.sched_getaffinity(0)) > 1:
        assert int(out.stdout) >= 1, "no copy answered"

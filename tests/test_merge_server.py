"""The merge helper (merging/helper.py, asked through merging/client.py): it answers
exactly what the driver computes itself, goes away when idle, and anything wrong with it
only means the driver merges alone."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storykit.config import Config
from storykit.merging import client
from storykit.merging.files import merge_item_file
from storykit.model.merge import Labels
from tests.helpers import Repo

REL = "backlog/SK-7K2M-send-emojis.yaml"
BASE = (
    b"id: SK-7K2M\ntype: story\ntitle: Send emojis\nstatus: draft\nrank: a0\n"
    b"created: 2026-11-20\nas_a: chat user\ni_want: to send emojis\nso_that: I feel heard\n"
)
OURS = BASE.replace(b"status: draft", b"status: ready") + b"# ours\n"
THEIRS = BASE.replace(b"rank: a0", b"rank: Zz") + b"owner: dana\n"
CLASH = BASE + b"owner: eli\n"


def start_helper(path: Path, idle: float = 30) -> subprocess.Popen[bytes]:
    helper = subprocess.Popen(
        [sys.executable, "-m", "storykit.merging.helper", str(path), str(idle)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while not path.exists():
        assert helper.poll() is None, helper.stderr.read() if helper.stderr else ""
        assert time.monotonic() < deadline
        time.sleep(0.02)
    return helper


def test_the_helper_answers_what_the_driver_computes(tmp_path: Path) -> None:
    path = tmp_path / "merge.sock"
    helper = start_helper(path)
    try:
        labels = Labels("HEAD", "feature")
        for theirs in (THEIRS, CLASH, b"not: [yaml"):
            answer = client.ask(path, tmp_path, (BASE, OURS, theirs), REL, ("HEAD", "feature", 7))
            here = merge_item_file(BASE, OURS, theirs, REL, Config(), labels)
            assert answer is not None
            assert (answer["content"], answer["conflicts"], answer["problem"], answer["told"]) == (
                here.content,
                here.conflicts,
                here.problem,
                here.told,
            )
    finally:
        helper.kill()
        helper.wait()


def test_the_helper_leaves_when_idle(tmp_path: Path) -> None:
    path = tmp_path / "merge.sock"
    helper = start_helper(path, idle=0.3)
    assert helper.wait(timeout=20) == 0
    assert not path.exists()
    assert client.ask(path, tmp_path, (BASE, OURS, THEIRS), REL, ("HEAD", "theirs", 7)) is None


def test_a_dead_socket_or_any_file_there_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "merge.sock"
    path.write_text("not a socket")
    assert client.ask(path, tmp_path, (BASE, OURS, THEIRS), REL, ("HEAD", "theirs", 7)) is None


@pytest.mark.parametrize("helper", ["1", "0"])
def test_git_merge_is_the_same_with_or_without_the_helper(
    repo: Repo, helper: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STORYKIT_MERGE_SERVER", helper)
    stories = [repo.new_story(f"Story {n}", "--points", "3") for n in range(4)]
    repo.git("switch", "-q", "-c", "feature")
    repo.ok("set", *stories, "owner=dana")
    repo.git("switch", "-q", "main")
    repo.ok("set", *stories, "tags+=ux")
    done = subprocess.run(["git", "merge", "--no-edit", "feature"], cwd=repo.root, check=False)
    assert done.returncode == 0
    for story in stories:
        text = repo.item_path(story).read_text()
        assert "owner: dana" in text and "  - ux" in text
    path = client.socket_path(repo.root / ".git" / "storykit")
    assert path is not None
    deadline = time.monotonic() + (20 if helper == "1" else 1)
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)  # the first driver started it; it needs a moment to listen
    assert path.exists() == (helper == "1")
    if path.exists():  # stop the helper this test started
        os.unlink(path)


def test_a_driver_the_helper_answers_cleanly_loads_no_merge_code(
    repo: Repo, tmp_path: Path
) -> None:
    path = client.socket_path(repo.root / ".git" / "storykit")
    assert path is not None
    helper = start_helper(path)
    sides = {"base": BASE, "ours": OURS, "theirs": THEIRS}
    for name, content in sides.items():
        (tmp_path / name).write_bytes(content)
    code = (
        "import sys\n"
        "from storykit.cli.lean.merge_driver import try_merge_driver\n"
        f"args = ['merge-driver', {str(tmp_path / 'base')!r}, {str(tmp_path / 'ours')!r},"
        f" {str(tmp_path / 'theirs')!r}, '7', {REL!r}]\n"
        "code = try_merge_driver(args)\n"
        "print(code, ' '.join(sorted(sys.modules)))\n"
    )
    try:
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=repo.root, capture_output=True, text=True, check=True
        ).stdout.split()
    finally:
        helper.kill()
        helper.wait()
    assert out[0] == "0"
    heavy = {"pydantic", "ruamel", "typer", "dataclasses", "subprocess", "storykit.errors"}
    merging = {"storykit.model.merge", "storykit.merging.files", "storykit.merging.helper"}
    assert not (heavy | merging) & set(out[1:])
    merged = (tmp_path / "ours").read_bytes()
    assert b"status: ready" in merged and b"rank: Zz" in merged and b"# ours" in merged


def test_a_conflict_the_helper_merges_is_told_as_the_driver_tells_it(
    repo: Repo, tmp_path: Path
) -> None:
    """The driver writes the same file, exits the same and tells the conflict in the same
    words whether the helper merged it or the driver did."""
    path = client.socket_path(repo.root / ".git" / "storykit")
    assert path is not None
    clash = OURS.replace(b"status: ready", b"status: ready\nowner: dana")

    def drive(env: dict[str, str]) -> tuple[int, str, bytes]:
        for name, content in {"base": BASE, "ours": clash, "theirs": CLASH}.items():
            (tmp_path / name).write_bytes(content)
        args = [str(tmp_path / name) for name in ("base", "ours", "theirs")]
        done = subprocess.run(
            [sys.executable, "-m", "storykit", "merge-driver", *args, "7", REL],
            cwd=repo.root, capture_output=True, text=True, check=False,
            env={**os.environ, **env},
        )  # fmt: skip
        return done.returncode, done.stderr, (tmp_path / "ours").read_bytes()

    alone = drive({"STORYKIT_MERGE_SERVER": "0"})
    helper = start_helper(path)
    try:
        helped = drive({})
    finally:
        helper.kill()
        helper.wait()
    assert alone[0] == 1 and "conflict: owner" in alone[1] and "dana" in alone[1]
    assert helped == alone

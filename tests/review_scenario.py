"""A repository with history on two branches, for the review tests (diff, log, check).

`main` holds six items; branch `feature` then renames one (with a status change), edits
one by hand with plain git, moves one, closes a spike, adds one, removes one and breaks
one. Every commit date is fixed, so the history is the same on every run.
"""

from __future__ import annotations

from pathlib import Path

from tests.helpers import Repo

BASE_FILES = {
    "SK-AAAA-send-emojis-in-messages.yaml": (
        "id: SK-AAAA\ntype: story\ntitle: Send emojis in messages\nstatus: ready\nrank: a0\n"
        "points: 3\nas_a: user\ni_want: to send emojis\nso_that: I can express emotions\n"
        "acceptance_criteria:\n  - An emoji arrives intact\n"
    ),
    "SK-BBBB-refactor-message-schema.yaml": (
        "id: SK-BBBB\ntype: tech\ntitle: Refactor message schema\nstatus: draft\nrank: a1\n"
        "why: emoji need 4-byte UTF-8\n"
    ),
    "SK-CCCC-research-emoji-encoding.yaml": (
        "id: SK-CCCC\ntype: spike\ntitle: Research emoji encoding\nstatus: in-progress\n"
        "rank: a2\nquestion: Which encoding?\ntimebox: 2d\nstarted: 2026-11-20 09:00:00+00:00\n"
    ),
    "SK-DDDD-old-idea.yaml": (
        "id: SK-DDDD\ntype: story\ntitle: Old idea\nstatus: draft\nrank: a3\n"
    ),
    "SK-EEEE-emoji-support.yaml": (
        "id: SK-EEEE\ntype: epic\ntitle: Emoji support\nstatus: draft\nrank: a4\n"
        "goal: People express emotions\n"
    ),
    "SK-FFFF-stickers.yaml": "id: SK-FFFF\ntype: story\ntitle: Stickers\nstatus: draft\nrank: a5\n",
}


def _at(repo: Repo, minute: int, monkeypatch: object) -> None:
    import os

    stamp = f"2026-11-21T10:{minute:02d}:00+00:00"
    os.environ["GIT_AUTHOR_DATE"] = stamp
    os.environ["GIT_COMMITTER_DATE"] = stamp


def build(repo: Repo, monkeypatch: object) -> None:
    backlog = repo.root / "backlog"
    _at(repo, 0, monkeypatch)
    for name, text in BASE_FILES.items():
        (backlog / name).write_text(text)
    repo.git("add", "-A")
    repo.git("commit", "-qm", "Backlog for the emoji feature")
    repo.git("checkout", "-qb", "feature")

    _at(repo, 1, monkeypatch)
    repo.ok("set", "SK-AAAA", "title=Send and receive emojis")  # a rename
    _at(repo, 2, monkeypatch)
    repo.ok("status", "SK-AAAA", "in-progress")
    _at(repo, 3, monkeypatch)
    path = backlog / "SK-BBBB-refactor-message-schema.yaml"  # a hand edit with plain git
    path.write_text(
        path.read_text() + "acceptance_criteria:\n  - Existing messages migrate without loss\n"
    )
    repo.git("commit", "-qam", "Refine the schema refactor by hand")
    _at(repo, 4, monkeypatch)
    repo.ok("rank", "SK-FFFF", "--top")
    _at(repo, 5, monkeypatch)
    repo.ok("spike", "close", "SK-CCCC", "--outcome", "UTF-8 everywhere; store as utf8mb4")
    _at(repo, 6, monkeypatch)
    (backlog / "SK-GGGG-emoji-picker.yaml").write_text(
        "id: SK-GGGG\ntype: story\ntitle: Emoji picker\nstatus: draft\nrank: a6\n"
    )
    repo.git("add", "-A")
    repo.git("commit", "-qm", "Add the emoji picker story")
    _at(repo, 7, monkeypatch)
    repo.git("rm", "-q", "backlog/SK-DDDD-old-idea.yaml")
    repo.git("commit", "-qm", "Remove the old idea")
    _at(repo, 8, monkeypatch)
    epic = backlog / "SK-EEEE-emoji-support.yaml"
    epic.write_text(epic.read_text().replace("status: draft", "status: someday"))
    repo.git("commit", "-qam", "Park the epic (by hand, invalid status)")


def mask(text: str, repo: Repo) -> str:
    """Replace commit SHAs by their branch-relative names, so goldens read well."""
    for line in repo.git("log", "--all", "--format=%H %s").splitlines():
        sha, subject = line.split(" ", 1)
        text = text.replace(sha, f"<{subject[:20]}>").replace(sha[:8], "<sha>")
    return text


def root(repo: Repo) -> Path:
    return repo.root

"""The driver keeps every edit of both sides or says it cannot: comments, blank lines and
hand notes outside the fields are merged like lines of text (a clash is a conflict, never
a silent drop), and two edits that each pass `check` never merge cleanly into a file that
fails a workflow gate."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from storykit.config import Config
from storykit.merging.files import LAYOUT, merge_item_file
from storykit.model.merge import Labels
from storykit.yamlio import read_document
from tests.helpers import Repo

REL = "backlog/SK-7K2M-send-emojis.yaml"
BASE = """\
id: SK-7K2M
type: story
title: Send emojis
status: draft
rank: a0   # top of the backlog
created: 2026-11-20
points: 3
as_a: chat user
i_want: to send emojis
so_that: I can express myself
acceptance_criteria:
  - Emoji picker opens
"""
LABELS = Labels("HEAD", "feature")


def merged(base: str, ours: str, theirs: str, newline: str = "\n") -> tuple[str, tuple[str, ...]]:
    result = merge_item_file(
        base.encode(), ours.encode(), theirs.replace("\n", newline).encode(), REL, Config(), LABELS
    )
    assert result.content is not None, result.problem
    return result.content.decode(), result.conflicts


def fields(text: str) -> dict[str, object]:
    return read_document(text.encode(), REL).to_plain()


OURS_POINTS = BASE.replace("points: 3", "points: 5")


@pytest.mark.parametrize(
    ("theirs", "kept"),
    [
        (BASE.replace("title:", "# asked the PO on Monday\ntitle:"), "# asked the PO on Monday\n"),
        (BASE.replace("# top of the backlog", "# second, after search"), "# second, after search"),
        (BASE.replace("created:", "\n\ncreated:"), "rank: a0   # top of the backlog\n\n\ncreated"),
        (BASE + "# TODO: ask design about skin tones\n", "# TODO: ask design about skin tones\n"),
        (BASE.replace("rank: a0   # top of the backlog", "rank: a0"), "rank: a0\ncreated"),
        (BASE.replace("as_a: chat user", "as_a: 'chat user'"), "as_a: 'chat user'\n"),
    ],
    ids=["own-line", "end-of-line", "blank-lines", "hand-note", "comment-removed", "quoting"],
)
def test_their_edits_outside_the_fields_are_kept(theirs: str, kept: str) -> None:
    text, conflicts = merged(BASE, OURS_POINTS, theirs)
    assert conflicts == ()
    assert kept in text, text
    assert fields(text)["points"] == 5
    # …and the other way round (a rebase replays our commit as theirs).
    text, conflicts = merged(BASE, theirs, OURS_POINTS)
    assert conflicts == () and kept in text and fields(text)["points"] == 5


def test_their_comment_kept_when_their_side_has_crlf_line_endings() -> None:
    theirs = BASE.replace("title:", "# by hand\ntitle:")
    text, conflicts = merged(BASE, OURS_POINTS, theirs, newline="\r\n")
    assert conflicts == () and "# by hand\ntitle:" in text and "\r" not in text


def test_both_sides_changing_one_comment_is_a_conflict_not_a_drop() -> None:
    ours = OURS_POINTS.replace("# top of the backlog", "# mine")
    theirs = BASE.replace("# top of the backlog", "# theirs")
    text, conflicts = merged(BASE, ours, theirs)
    assert conflicts == (LAYOUT,)
    assert "<<<<<<< HEAD\n" in text and "# mine" in text and "# theirs" in text
    assert ">>>>>>> feature\n" in text
    # A field conflict as well: not merged here (git's text merge then, exit 1).
    result = merge_item_file(
        BASE.encode(),
        ours.replace("points: 5", "points: 8").encode(),
        theirs.replace("points: 3", "points: 13").encode(),
        REL,
        Config(),
        LABELS,
    )
    assert result.content is None and result.problem


def test_a_merge_that_would_fail_a_gate_is_a_conflict_on_its_fields() -> None:
    """A story made ready on one side, its points cleared on the other: each side passes
    `check`, the clean merge would not. Status and points conflict, each side's own."""
    ours = BASE.replace("status: draft", "status: ready")
    theirs = BASE.replace("points: 3\n", "")
    text, conflicts = merged(BASE, ours, theirs)
    assert set(conflicts) == {"status", "points"}
    assert "status: ready" in text and "status: draft" in text and "points: 3" in text
    # A gate a side failed already is that side's: not turned into a conflict.
    already = BASE.replace("status: draft", "status: ready").replace("points: 3\n", "")
    text, conflicts = merged(BASE, already, BASE.replace("so_that:", "# note\nso_that:"))
    assert conflicts == ()


def git_run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)


def test_a_rebase_keeps_my_comments_and_upstream_fields(repo: Repo) -> None:
    """In a rebase our own commit is the other side: its comments survive."""
    story = repo.new_story("Send emojis in messages", "--points", "3")
    path = repo.item_path(story)
    repo.git("switch", "-q", "-c", "mine")
    text = path.read_text()
    path.write_text(text.replace("title:", "# my note for review\ntitle:") + "# end note\n")
    repo.git("commit", "-qam", "my notes")
    repo.git("switch", "-q", "main")
    repo.ok("set", story, "points=8", "owner=dana")
    repo.git("switch", "-q", "mine")
    done = git_run(repo.root, "rebase", "main")
    assert done.returncode == 0, done.stderr
    after = path.read_text()
    assert "# my note for review\ntitle:" in after and "# end note" in after
    assert fields(after)["points"] == 8 and fields(after)["owner"] == "dana"
    assert repo.run("check").exit_code == 0


def test_a_spike_closed_on_one_side_and_its_outcome_cleared_on_the_other(repo: Repo) -> None:
    spike = repo.new_spike("Which emoji picker?")
    repo.ok("spike", "start", spike)
    repo.ok("set", spike, "outcome=The system picker covers every platform")
    repo.git("switch", "-q", "-c", "feature")
    repo.ok("set", spike, "outcome=")
    repo.git("switch", "-q", "main")
    repo.ok("done", spike)
    done = git_run(repo.root, "merge", "--no-edit", "feature")
    assert done.returncode == 1  # never a clean merge that check rejects
    assert "conflict: status, outcome" in done.stderr or "conflict: outcome, status" in done.stderr
    text = repo.item_path(spike).read_text()
    assert "<<<<<<< HEAD" in text and "status: done" in text and "status: in-progress" in text


def test_a_side_over_the_size_limit_or_not_yaml_is_left_to_git() -> None:
    from storykit.yamlio import MAX_FILE_BYTES

    huge = BASE + "description: |\n" + ("  " + "x" * 100 + "\n") * (MAX_FILE_BYTES // 100)
    for theirs in (huge, "title: [unclosed\n"):
        result = merge_item_file(
            BASE.encode(), OURS_POINTS.encode(), theirs.encode(), REL, Config(), LABELS
        )
        assert result.content is None and result.problem and "cannot be read" in result.problem


def test_the_driver_merges_in_a_repository_without_settings(tmp_path: Path) -> None:
    """No `.storykit.toml` (a clone of a project that lost it): default settings, and the
    merge still keeps both sides."""
    from tests.helpers import SCRIPT, make_repo

    root = make_repo(tmp_path / "plain")
    names = {"base": BASE, "ours": OURS_POINTS, "theirs": BASE.replace("title:", "# hi\ntitle:")}
    for name, text in names.items():
        (root / name).write_text(text)
    ran = subprocess.run(
        [str(SCRIPT), "merge-driver", "base", "ours", "theirs", "7", REL],
        cwd=root, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    merged_text = (root / "ours").read_text()
    assert "# hi\ntitle:" in merged_text and "points: 5" in merged_text

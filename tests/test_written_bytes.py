"""Whatever storykit writes passes its own reader: the bytes are checked, not only the model.
A value's line breaks never make a file of mixed endings, and a change keeps the endings of
the lines it did not touch."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import Repo

FIELDS = ("description", "notes", "title", "owner", "x-note", "i_want", "acceptance_criteria")


def test_control_characters_in_values_are_refused_before_anything_is_written(repo: Repo) -> None:
    story = repo.new_story()
    cases = {
        "description=two\nlines\x1b[1m": "description: must not contain control character U+001B",
        "notes=\x07bell": "notes: must not contain control character U+0007",
        "title=a\x9bb": "title: must not contain control character U+009B",
        "owner=pat\nsmith": "owner: must be one line of text",
        "tags+=a\x1bb": "tags[0]: must not contain control character U+001B",
        "x-ref=\x1b]0;evil\x07": "x-ref: must not contain control character U+001B",
        "acceptance_criteria+=ok\x00": "must not contain control character U+0000",
    }
    for assignment, says in cases.items():
        repo.refused("set", story, assignment, code=1, says=says)
    assert repo.ok("check").exit_code == 0


def test_a_file_too_big_to_read_back_is_never_written(repo: Repo) -> None:
    story = repo.new_story()
    big = "a" * 90_000
    result = repo.refused(
        "set", story, f"description={big}", f"notes={big}", f"x-more={big}", code=1,
        says="would break the rules item files are read by",
    )  # fmt: skip
    assert "item files are at most 256 KiB" in result.stderr
    repo.refused(
        "story", "new", "Big", "--as-a", "user", "--i-want", big, "--so-that", big,
        "--description", big, code=1, says="item files are at most 256 KiB",
    )  # fmt: skip
    assert repo.ok("check").exit_code == 0


def test_pasted_crlf_and_cr_become_the_files_own_line_ending(repo: Repo) -> None:
    story = repo.new_story()
    path = repo.item_path(story)
    repo.ok("set", story, "description=one\r\ntwo\rthree")
    raw = path.read_bytes()
    assert b"\r" not in raw
    assert b"  one\n  two\n  three\n" in raw
    repo.ok("check")
    # A CRLF file stays CRLF throughout, and a one-field change is a one-line diff.
    path.write_bytes(raw.replace(b"\n", b"\r\n"))
    repo.git("commit", "-qam", "CRLF by hand")
    repo.ok("set", story, "notes=pasted\r\nfrom Windows", "points=5")
    raw = path.read_bytes()
    assert raw.count(b"\n") == raw.count(b"\r\n")
    diff = repo.git("diff", "HEAD~1", "--numstat").split()
    assert diff[:2] == ["4", "0"], diff  # points and three notes lines added, nothing rewritten


def test_a_file_of_mixed_endings_keeps_each_line_as_it_was(repo: Repo) -> None:
    story = repo.new_story()
    path = repo.item_path(story)
    lines = path.read_bytes().split(b"\n")
    mixed = b"".join(
        line + (b"\r\n" if index % 3 == 0 else b"\n") for index, line in enumerate(lines[:-1])
    )
    path.write_bytes(mixed)
    repo.git("commit", "-qam", "mixed endings by hand")
    repo.ok("set", story, "points=8")
    after = path.read_bytes()
    assert after.replace(b"points: 8\n", b"").replace(b"points: 8\r\n", b"") == mixed
    assert repo.git("diff", "HEAD~1", "--numstat").split()[:2] == ["1", "0"]


VALUES = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=60
) | st.sampled_from(["yes", "~", "null", "2026-11-21", "1e400", "- a", "#", "'", '"', "a: b"])


def test_whatever_set_accepts_check_accepts(repo: Repo) -> None:
    """Every value `set` writes can be read back; every value it refuses changes nothing."""
    item = repo.new_story()
    path = repo.item_path(item)
    before = path.read_bytes()

    @settings(
        max_examples=int(os.environ.get("STORYKIT_FUZZ_EXAMPLES", "120")) // 2,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        database=None,
    )
    @given(field=st.sampled_from(FIELDS), value=VALUES)
    def run(field: str, value: str) -> None:
        operator = "+=" if field == "acceptance_criteria" else "="
        result = repo.run("set", item, f"{field}{operator}{value}", "--no-commit")
        assert result.exit_code in (0, 1, 2), result.stderr
        assert "internal error" not in result.stderr and "Traceback" not in result.stderr
        if result.exit_code == 0:
            check = repo.run("check")
            assert check.exit_code == 0, (field, value, check.stdout)
            assert repo.run("show", item, "--json").exit_code == 0
        else:
            assert repo.item_path(item).read_bytes() == before, (field, value)
        for stale in (repo.root / "backlog").glob(f"{item}*.yaml"):
            stale.unlink()
        path.write_bytes(before)

    run()

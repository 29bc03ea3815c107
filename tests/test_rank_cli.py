"""`storykit rank` and `storykit board` in real repositories."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from storykit.model.rank import longest_increasing_run
from tests.helpers import Repo, make_repo

EditorInstaller = Callable[..., Path]


def _ids(repo: Repo, *args: str) -> list[str]:
    return [line.split()[0] for line in repo.ok("list", *args).stdout.splitlines()]


def _backlog(repo: Repo, count: int) -> list[str]:
    return [repo.new_story(f"Story {n}") for n in range(count)]


def test_rank_moves_one_file_in_one_commit(repo: Repo) -> None:
    a, b, c, d = _backlog(repo, 4)
    result = repo.ok("rank", d, "--top")
    assert result.stdout.startswith(f"rank story {d}: #4 → #1  [")
    assert repo.last_commit_files() == [f"backlog/{repo.item_path(d).name}"]
    message = repo.git("log", "-1", "--format=%B")
    assert message.startswith(
        f"backlog: rank story {d} #4 → #1: Story 3\n\nStorykit-Action: rank\n"
    )
    assert _ids(repo) == [d, a, b, c]
    repo.ok("rank", d[-4:].lower(), "--after", c[-4:])
    assert _ids(repo) == [a, b, c, d]
    repo.ok("rank", a, "--before", d)
    assert _ids(repo) == [b, c, a, d]
    repo.ok("rank", b, "--bottom")
    assert _ids(repo) == [c, a, d, b]
    data = repo.ok("rank", b, "--top", "--json").json()
    assert isinstance(data, dict)
    assert data["moves"] == [{"id": b, "from": 4, "to": 1}]
    assert len(data["commit"]) == 40


def test_rank_usage_errors_change_nothing(repo: Repo) -> None:
    a, _b = _backlog(repo, 2)
    before = repo.snapshot()
    for args, message in (
        ((a,), "say where it goes"),
        ((a, "--top", "--bottom"), "only one of"),
        ((a, "--before", a), "relative to itself"),
        (("--top",), "need the item to move"),
        ((a, "--before", "SK-ZZZZ"), "no item"),
        ((a, "--rebalance", "--top"), "do not take an item"),
    ):
        result = repo.run("rank", *args)
        assert result.exit_code == 2, (args, result.stderr)
        assert message in result.stderr
        assert repo.snapshot() == before


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    moves=st.lists(
        st.tuples(
            st.integers(0, 4),
            st.sampled_from(["--top", "--bottom", "--before", "--after"]),
            st.integers(0, 4),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_every_cli_move_changes_exactly_one_file(
    tmp_path_factory: object, moves: list[tuple[int, str, int]]
) -> None:
    import tempfile

    repo = Repo(make_repo(Path(tempfile.mkdtemp()) / "r"), CliRunner())
    repo.ok("init")
    intended = _backlog(repo, 5)
    for mover_index, where, target_index in moves:
        mover, target = intended[mover_index], intended[target_index]
        if where in ("--before", "--after") and mover == target:
            continue
        args = [mover, where] + ([target] if where in ("--before", "--after") else [])
        count = repo.commit_count()
        repo.ok("rank", *args)
        intended.remove(mover)
        if where == "--top":
            intended.insert(0, mover)
        elif where == "--bottom":
            intended.append(mover)
        else:
            intended.insert(intended.index(target) + (where == "--after"), mover)
        assert _ids(repo) == intended
        changed = repo.commit_count() - count
        if changed:
            assert changed == 1
            assert repo.last_commit_files() == [f"backlog/{repo.item_path(mover).name}"]
    assert repo.status() == ""


def test_new_items_go_to_the_bottom_unless_placed(repo: Repo) -> None:
    a, b = _backlog(repo, 2)
    top = repo.new_story("Urgent", "--top")
    between = repo.new_spike("Between", "--after", a[-4:])
    before_b = repo.ok("epic", "new", "Epic", "--goal", "g", "--before", b, "--json").json()
    assert isinstance(before_b, dict)
    epic = before_b["item"]["id"]
    last = repo.new_story("Last")
    assert _ids(repo) == [top, a, between, epic, b, last]
    refused = repo.run("story", "new", "x", "--as-a", "a", "--i-want", "b", "--so-that", "c",
                       "--top", "--bottom")  # fmt: skip
    assert refused.exit_code == 2


def _editor_order(*ids: str) -> str:
    return "".join(f"{item_id}\n" for item_id in ids)


def test_editor_reorder_changes_only_what_must_move(
    repo: Repo, fake_editor: EditorInstaller
) -> None:
    ids = _backlog(repo, 6)
    desired = [ids[5], ids[0], ids[1], ids[3], ids[2], ids[4]]
    log = fake_editor(_editor_order(*desired))
    count = repo.commit_count()
    result = repo.ok("rank")
    shown = (log / "shown-0.txt").read_text()
    assert shown.splitlines()[0] == f"{ids[0]}  story  -  value -  score -  Story 0"
    assert "# Reorder the open backlog" in shown
    assert _ids(repo) == desired
    assert repo.commit_count() == count + 1
    kept = len(longest_increasing_run([ids.index(i) for i in desired]))
    assert len(repo.last_commit_files()) == len(ids) - kept == 2
    assert result.stdout.startswith("ranked 2 items  [")
    assert repo.git("log", "-1", "--format=%s").strip() == "backlog: reorder 2 items"


def test_editor_reorder_error_cases_change_nothing(
    repo: Repo, fake_editor: EditorInstaller
) -> None:
    a, _b, c = _backlog(repo, 3)
    before = repo.snapshot()
    for text, message in (
        (_editor_order(c, "SK-ZZZZ", a), "line 2: no item 'SK-ZZZZ'"),
        (_editor_order(c, a, c), f"line 3: {c} is already on line 1"),
        ("not-an-id here\n", "line 1: 'not-an-id' is not an item ID"),
    ):
        (Path(str(fake_editor(text))) / "count").unlink(missing_ok=True)
        result = repo.run("rank")
        assert result.exit_code == 2, result.stderr
        assert message in result.stderr
        assert "nothing was changed" in result.stderr
        assert repo.snapshot() == before
    (Path(str(fake_editor("FAIL"))) / "count").unlink(missing_ok=True)
    failed = repo.run("rank")
    assert failed.exit_code == 1
    assert repo.snapshot() == before
    (Path(str(fake_editor(None))) / "count").unlink(missing_ok=True)
    assert "nothing to do" in repo.ok("rank").stdout
    assert repo.snapshot() == before


def test_deleting_lines_does_not_delete_or_move_items(
    repo: Repo, fake_editor: EditorInstaller
) -> None:
    a, b, c, d = _backlog(repo, 4)
    fake_editor(_editor_order(d, b))
    repo.ok("rank")
    order = _ids(repo)
    assert sorted(order) == sorted([a, b, c, d])
    assert order.index(d) < order.index(b)
    assert len(repo.last_commit_files()) == 1


def test_rank_from_file_and_stdin(repo: Repo, tmp_path: Path) -> None:
    a, b, c = _backlog(repo, 3)
    order_file = tmp_path / "order.txt"
    order_file.write_text(f"# PO's order after refinement\n{c}  story  Story 2\n{a}\n{b}\n")
    repo.ok("rank", "--from-file", str(order_file))
    assert _ids(repo) == [c, a, b]
    result = repo.run("rank", "--from-file", "-", input=f"{b.lower()}\n{c[-4:]}\n{a}\n")
    assert result.exit_code == 0, result.stderr
    assert _ids(repo) == [b, c, a]
    missing = repo.run("rank", "--from-file", str(tmp_path / "nope.txt"))
    assert missing.exit_code == 2


def test_closed_items_are_not_offered_but_keep_their_place(
    repo: Repo, fake_editor: EditorInstaller
) -> None:
    a, b, c = _backlog(repo, 3)
    repo.ok("drop", b)
    log = fake_editor(_editor_order(c, a))
    repo.ok("rank")
    assert b not in (log / "shown-0.txt").read_text()
    assert _ids(repo) == [c, a]
    assert b in _ids(repo, "--all")


def test_rebalance_is_one_explicit_commit(repo: Repo) -> None:
    ids = _backlog(repo, 5)
    for _ in range(6):
        repo.ok("rank", ids[4], "--after", ids[0])
        repo.ok("rank", ids[3], "--after", ids[0])
    before = _ids(repo)
    count = repo.commit_count()
    result = repo.ok("rank", "--rebalance")
    assert result.stdout.startswith("rebalanced ")
    assert repo.commit_count() == count + 1
    assert _ids(repo) == before
    assert repo.git("log", "-1", "--format=%s").startswith("backlog: rebalance ")
    assert "nothing to do" in repo.ok("rank", "--rebalance").stdout


def test_check_warns_about_equal_and_long_keys(repo: Repo) -> None:
    a, b = _backlog(repo, 2)
    path_b = repo.item_path(b)
    rank_a = next(x for x in repo.item_path(a).read_text().splitlines() if x.startswith("rank:"))
    rank_b = next(x for x in path_b.read_text().splitlines() if x.startswith("rank:"))
    path_b.write_text(path_b.read_text().replace(rank_b, rank_a))
    long_key = "a0" + "V" * 40
    c = repo.new_story("Long")
    path_c = repo.item_path(c)
    text = path_c.read_text()
    rank_line = next(line for line in text.splitlines() if line.startswith("rank: "))
    path_c.write_text(text.replace(rank_line, f"rank: {long_key}"))
    result = repo.run("check")
    assert result.exit_code == 0
    assert (
        f"{path_b.relative_to(repo.root)}:5:7: warning: rank: same key as {a}, so the ID decides "
        "their order (`storykit rank --rebalance`)"
    ) in result.stdout or f"same key as {b}" in result.stdout
    assert "warning: rank: key is 42 characters long, over 32 (`storykit rank --rebalance`)" in (
        result.stdout
    )
    assert "2 warnings" in result.stderr
    repo.git("commit", "-qam", "hand-written keys")  # storykit commits only its own change
    repo.ok("rank", "--rebalance")
    clean = repo.run("check")
    assert clean.stdout == "" and "0 warnings" in clean.stderr


def test_merging_two_branches_of_reranks_and_a_branch_of_new_items(repo: Repo) -> None:
    ids = _backlog(repo, 8)
    base = list(ids)
    repo.git("branch", "po-a")
    repo.git("branch", "po-b")
    repo.git("branch", "team")

    repo.git("checkout", "-q", "po-a")
    repo.ok("rank", ids[6], "--top")
    repo.ok("rank", ids[1], "--after", ids[4])
    repo.git("checkout", "-q", "po-b")
    repo.ok("rank", ids[3], "--bottom")
    repo.ok("rank", ids[7], "--before", ids[2])
    repo.git("checkout", "-q", "team")
    new_a = repo.new_spike("Team spike")
    new_b = repo.new_story("Team story", "--before", ids[5])

    repo.git("checkout", "-q", "main")
    for branch in ("po-a", "po-b", "team"):
        merged = repo.git("merge", "--no-edit", "-q", branch, check=False)
        assert "CONFLICT" not in merged
    assert repo.status() == ""
    order = _ids(repo)
    pos = order.index

    def between(item: str, low: str, high: str) -> bool:
        return pos(low) < pos(item) < pos(high)

    # po-a: ids[6] first; ids[1] after ids[4] (in the gap before ids[5]).
    assert order[0] == ids[6]
    assert between(ids[1], ids[4], ids[5])
    # po-b: ids[3] after every other original item; ids[7] just before ids[2].
    assert pos(ids[3]) > max(pos(i) for i in base if i != ids[3])
    assert between(ids[7], ids[0], ids[2])
    # team: a spike at the end, a story in the gap before ids[5].
    assert pos(new_a) > max(pos(i) for i in base if i != ids[3])
    assert between(new_b, ids[4], ids[5])
    # Where two branches took the same spot, the keys still differ (each new key carries a
    # few digits drawn from its item's random ID): no tie for check to warn about.
    assert set(order[-2:]) == {ids[3], new_a}
    checked = repo.run("check")
    assert checked.exit_code == 0
    assert "same key" not in checked.stdout
    assert len(order) == 10


def test_board_columns_at_80_and_json(repo: Repo) -> None:
    story = repo.new_story(
        "Send emojis in messages, with a title that is much too long", "--points", "5"
    )
    spike = repo.new_spike("Research emoji encoding")
    repo.ok("start", spike)
    done = repo.new_spike("Old spike")
    repo.ok("start", done)
    repo.ok("set", done, "outcome=done")
    repo.ok("done", done)
    text = repo.ok("board").stdout
    lines = text.splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert lines[0].split() == ["draft", "(1)", "ready", "(0)", "in-progress", "(1)"]
    assert f"{story} story 5p" in text
    assert f"{spike} spike" in text and "OVERDUE" not in text
    assert done not in text
    assert done in repo.ok("board", "--all").stdout

    import os

    os.environ["STORYKIT_NOW"] = "2026-11-24T10:00:00+00:00"  # past the 2d timebox
    overdue = repo.ok("board").stdout
    assert f"{spike} spike OVERDUE" in overdue
    data = repo.ok("board", "--json").json()
    assert isinstance(data, dict)
    assert data["schema_version"] == 2
    assert data["statuses"] == ["draft", "ready", "in-progress"]
    column = {
        status: [i for i in data["items"] if i["status"] == status] for status in data["statuses"]
    }
    assert [i["id"] for i in column["in-progress"]] == [spike]
    assert column["in-progress"][0]["overdue"] is True
    assert column["draft"][0]["title"].startswith("Send emojis")

"""A team's day: several items at once, commit subjects that say what changed, reviewing
a branch the way git users do, and dropping a draft whatever it lacks."""

from __future__ import annotations

import re

import pytest

from tests.helpers import SCRIPT, Repo, on_terminal, run_on_terminal


def _subject(repo: Repo) -> str:
    return repo.git("log", "-1", "--format=%s").strip()


def _trailers(repo: Repo, key: str) -> list[str]:
    out = repo.git("log", "-1", f"--format=%(trailers:key=Storykit-{key},valueonly)")
    return [line for line in out.splitlines() if line]


def test_several_items_change_in_one_commit(repo: Repo) -> None:
    one, two, three = (repo.new_story(f"Story {n}") for n in range(3))
    count = repo.commit_count()
    result = repo.ok("set", one, two.lower(), "points=3", "owner=alice", "tags+=ux")
    assert result.stdout.splitlines() == [
        f"set story {one}: Story 0",
        f"set story {two}: Story 1  [{repo.head()[:8]}]",
    ]
    assert repo.commit_count() == count + 1
    assert _subject(repo) == f"backlog: set points=3 owner=alice tags+=ux on {one}, {two}"
    assert _trailers(repo, "Item") == [one, two]
    assert len(repo.last_commit_files()) == 2
    repo.ok("drop", one, two, three)
    assert repo.commit_count() == count + 2
    assert _subject(repo) == f"backlog: {one}, {two}, {three} → dropped"
    data = repo.ok("status", one, three, "draft", "--json").json()
    assert isinstance(data, dict)
    assert [item["id"] for item in data["items"]] == [one, three]
    assert data["changed"] is True and data["commit"] == repo.head()
    shown = repo.ok("show", one, two, "--json").json()
    assert isinstance(shown, dict)
    assert [item["id"] for item in shown["items"]] == [one, two]
    assert "children" in shown["items"][0]
    text = repo.ok("show", one, two).stdout
    assert text.index("Story 0") < text.index("Story 1")


def test_one_refusal_changes_none_of_them(repo: Repo) -> None:
    ready = repo.new_story("Ready one", "--points", "3", "--acceptance-criteria", "works")
    bare = repo.new_story("Not refined")
    result = repo.refused("status", ready, bare, "ready", code=1, says=f"{bare} cannot be ready")
    assert "acceptance criteria" in result.stderr
    repo.refused("set", ready, "SK-NOPE", "points=5", code=2, says="SK-NOPE")
    repo.refused("set", ready, "nonsense", code=2, says="'nonsense' is not FIELD=VALUE")
    repo.refused("status", ready, code=2, says="give the item and the new status")


def test_rank_several_to_the_top_or_bottom(repo: Repo) -> None:
    ids = [repo.new_story(f"Story {n}") for n in range(5)]
    repo.ok("rank", ids[3], ids[4], "--top")
    assert _subject(repo) == f"backlog: rank {ids[3]}, {ids[4]} to the top"
    order = [line.split()[0] for line in repo.ok("list").stdout.splitlines()]
    assert order == [ids[3], ids[4], ids[0], ids[1], ids[2]]
    assert len(repo.last_commit_files()) == 2
    repo.ok("rank", ids[0], ids[3], "--bottom")
    order = [line.split()[0] for line in repo.ok("list").stdout.splitlines()]
    assert order == [ids[4], ids[1], ids[2], ids[0], ids[3]]
    repo.ok("rank", ids[2], ids[1], "--before", ids[4])
    order = [line.split()[0] for line in repo.ok("list").stdout.splitlines()]
    assert order == [ids[2], ids[1], ids[4], ids[0], ids[3]]
    repo.refused("rank", ids[0], ids[1], "--after", ids[1], code=2, says="relative to itself")


def test_commit_subjects_say_what_changed(repo: Repo) -> None:
    story = repo.new_story(
        "Send emojis in messages", "--points", "3", "--acceptance-criteria", "Sends"
    )
    repo.ok("start", story)
    assert _subject(repo) == f"backlog: {story} → in-progress: Send emojis in messages"
    repo.ok("done", story)
    assert _subject(repo) == f"backlog: {story} → done: Send emojis in messages"
    repo.ok("set", story, "points=5", "owner=alice")
    assert _subject(repo) == (
        f"backlog: set {story} points 3 → 5, owner alice: Send emojis in messages"
    )
    repo.ok("set", story, "owner=", "tags+=ux", "acceptance_criteria+=Works offline")
    assert _subject(repo) == (
        f'backlog: set {story} owner cleared, tags +ux, acceptance_criteria +"Works offline": '
        "Send emojis in messages"
    )
    other = repo.new_story("Receive emojis")
    assert repo.run("rank", "--from-file", "-", input=f"{other}\n{story}\n").exit_code == 0
    assert _subject(repo) == "backlog: reorder 1 item"
    assert _trailers(repo, "Action") == ["rank"]


def test_a_draft_is_dropped_and_split_whatever_it_lacks(repo: Repo) -> None:
    spike = repo.new_spike()
    repo.ok("spike", "start", spike)
    close = repo.ok(
        "spike", "close", spike, "--outcome", "UTF-8", "--follow-up", "story: Emoji picker",
        "--follow-up", "tech: Migrate the table", "--json",
    ).json()  # fmt: skip
    assert isinstance(close, dict)
    picker, table = (item["id"] for item in close["follow_ups"])
    repo.ok("drop", picker)  # a draft story with no as_a, i_want, so_that
    assert "status: dropped" in repo.item_path(picker).read_text()
    assert repo.ok("check").exit_code == 0
    repo.ok("split", table, "Add the column", "Backfill it")
    assert "status: dropped" in repo.item_path(table).read_text()
    assert repo.ok("check").exit_code == 0
    # Dropped is final for what it lacks: moving it on needs the fields again.
    repo.refused("status", picker, "ready", code=1, says="required field is missing")


def test_diff_takes_git_ranges(repo: Repo) -> None:
    story = repo.new_story("Send emojis", "--points", "3")
    fork = repo.head()
    repo.git("switch", "-q", "-c", "feature")
    repo.ok("set", story, "acceptance_criteria+=Works offline", "tags+=ux")
    feature = repo.head()
    repo.git("switch", "-q", "main")
    newer = repo.new_story("Newer work on main")
    repo.ok("set", story, "points=5")
    main = repo.head()

    # Tip to tip shows main's newer work as if the branch had removed it; A...B does not.
    tips = repo.ok("diff", "main..feature").stdout
    assert tips == repo.ok("diff", "main", "feature").stdout
    assert f"story {newer} removed" in tips and "points: 5 → 3" in tips
    assert tips.startswith(f"backlog changes: main ({main[:8]}) → feature ({feature[:8]})\n")
    review = repo.ok("diff", "main...feature").stdout
    assert review.startswith(
        f"backlog changes: main...feature (merge-base {fork[:8]}) → feature ({feature[:8]})\n"
    )
    assert newer not in review and "points" not in review
    assert 'acceptance_criteria: + "Works offline"' in review
    assert "tags: + ux" in review
    repo.git("switch", "-q", "feature")
    assert f"story {newer} added" in repo.ok("diff", "...main").stdout  # what main brings
    against = repo.ok("diff", "--base", "main").stdout
    assert against.startswith(f"backlog changes: main (merge-base {fork[:8]}) → working tree\n")
    assert newer not in against
    data = repo.ok("diff", "main...feature", "--json").json()
    assert isinstance(data, dict)
    assert data["base"] == {"label": "main...feature", "commit": fork}
    repo.refused("diff", "main...x...y", code=2, says="is not a range")
    repo.refused("diff", "main...nowhere", code=2, says="unknown revision 'nowhere'")
    repo.refused("diff", "main", "--base", "main", code=2, says="not both")


def test_next_offers_work_items_and_an_unstarted_spike_closes_without_a_start(
    repo: Repo,
) -> None:
    epic = repo.ok("epic", "new", "Emoji", "--goal", "g", "--json").json()
    assert isinstance(epic, dict)
    repo.ok("status", epic["item"]["id"], "ready")
    story = repo.new_story("Send emojis", "--points", "3", "--acceptance-criteria", "works")
    repo.ok("status", story, "ready")
    assert [line.split()[0] for line in repo.ok("next").stdout.splitlines()] == [story]
    spike = repo.new_spike()
    repo.ok("spike", "close", spike, "--outcome", "Not needed after all")
    text = repo.item_path(spike).read_text()
    assert "status: done" in text and "started:" not in text
    assert repo.ok("check").exit_code == 0


def test_help_reads_well() -> None:
    from typer.testing import CliRunner

    from storykit.cli.app import app

    runner = CliRunner()
    top = runner.invoke(app, ["--help"]).stdout
    assert "..." not in top.split("Commands:")[1]  # summaries end where the sentence ends
    for command in (["list"], ["diff"], ["rank"], ["spike", "close"], ["set"], ["epic", "new"]):
        text = runner.invoke(app, [*command, "--help"]).stdout
        assert "<bool>" not in text and "[[" not in text, (command, text)
        assert " a epic" not in text and " a task" not in text.replace("a task:", ""), text


def test_board_never_cuts_headers_or_markers_and_piped_shows_everything(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    title = "Send emojis in messages, with a title far too long for any column"
    story = repo.new_story(title, "--points", "5", "--owner", "Pat Owner")
    spike = repo.new_spike("Research emoji encoding", "--owner", "Sam")
    repo.ok("spike", "start", spike)
    monkeypatch.setenv("STORYKIT_NOW", "2026-11-24T10:00:00+00:00")  # past the 2d timebox
    piped = repo.ok("board", "--all").stdout
    assert all(len(line) <= 80 for line in piped.splitlines())
    words = " ".join(piped.split())
    for word in title.split():
        assert word in words  # wrapped, not cut
    assert "Pat Owner" in piped and "OVERDUE Sam" in piped and f"{spike} spike" in piped
    for header in ("draft (1)", "ready (0)", "in-progress (1)", "done (0)", "dropped (0)"):
        assert header in piped
    narrow = on_terminal(repo.root, [str(SCRIPT), "board", "--all"], {"COLUMNS": "40"})
    plain = re.sub(r"\x1b\[[0-9;]*m", "", narrow)
    lines = plain.splitlines()
    assert all(len(line) <= 40 for line in lines), lines
    for header in ("draft (1)", "ready (0)", "in-progress (1)", "done (0)", "dropped (0)"):
        assert header in plain
    assert "OVERDUE" in plain and "…" in plain  # a title is cut on a terminal, a marker never
    assert "\x1b[1;31mOVERDUE\x1b[0m" in narrow  # highlighted
    assert story in plain


def test_prompts_check_as_typed_and_the_repository_first(repo: Repo) -> None:
    spike = [str(SCRIPT), "spike", "new", "Research emoji encoding"]
    code, shown = run_on_terminal(repo.root, spike, {}, ["Which encoding?", "2x", "2d"])
    assert code == 0, shown
    assert "timebox (e.g. 4h, 2d, 1w):" in shown
    assert "error: timebox: must be a timebox like 4h, 2d or 1w" in shown
    assert shown.count("timebox (e.g. 4h, 2d, 1w)") == 2  # asked again
    count = repo.commit_count()
    code, shown = run_on_terminal(repo.root, spike, {}, ["Which encoding?", "\x04"])  # Ctrl-D
    assert code == 130, shown
    assert "interrupted; nothing was changed" in shown
    assert repo.commit_count() == count and repo.status() == ""
    repo.git("checkout", "-q", "--detach")
    code, shown = run_on_terminal(repo.root, spike, {}, ["never asked"])
    assert code == 3, shown
    assert "HEAD is detached" in shown and "question" not in shown


def test_during_a_merge_the_hint_says_no_commit(repo: Repo) -> None:
    story = repo.new_story("Send emojis")
    path = repo.item_path(story)
    repo.git("switch", "-q", "-c", "feature")
    repo.ok("set", story, "points=3")
    repo.git("switch", "-q", "main")
    repo.ok("set", story, "points=5")
    repo.git("merge", "-q", "feature", check=False)  # a conflict in the item file
    assert "<<<<<<<" in path.read_text()
    result = repo.run("show", story)
    assert result.exit_code == 1
    assert f"storykit edit --no-commit {story}" in result.stderr


def test_editor_schema_added_later_and_checked_for_staleness(repo: Repo) -> None:
    story = repo.new_story("Send emojis")
    config = repo.root / ".storykit.toml"
    before = config.read_text()
    result = repo.ok("init", "--editor-schema")
    assert result.stdout.startswith("editor schema: backlog/.schema.json  [")
    assert sorted(repo.last_commit_files()) == [".storykit.toml", "backlog/.schema.json"]
    assert config.read_text() == before.replace(
        'editor_schema = ""', 'editor_schema = ".schema.json"'
    )
    assert (
        "yaml-language-server: $schema=.schema.json"
        in repo.item_path(repo.new_story("Receive emojis")).read_text()
    )
    again = repo.ok("init", "--editor-schema").stdout.splitlines()
    assert again[0] == "editor schema: already up to date"
    assert "warning:" not in repo.ok("check").stdout
    config.write_text(config.read_text().replace("[1, 2, 3, 5, 8, 13]", "[1, 2, 3, 5, 8]"))
    repo.git("commit", "-qam", "smaller scale")
    checked = repo.ok("check")
    assert "backlog/.schema.json:1:1: warning: editor schema does not match" in checked.stdout
    repo.ok("init", "--editor-schema")
    assert "warning:" not in repo.ok("check").stdout
    assert story

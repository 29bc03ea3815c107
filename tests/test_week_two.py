"""A team's week, round two: review that shows what a text says now, one numbering of
positions, finding things, the stand-up board, sprint figures that tell the truth,
planning sessions, and a machine set up once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import Repo


def _sprint(repo: Repo, name: str = "Sprint 9", start: str = "2026-12-07") -> None:
    repo.ok("sprint", "new", name, "--start", start, "--capacity", "20")


# --- reviewing a change ---------------------------------------------------------------------


def test_diff_shows_a_text_change_as_lines(repo: Repo) -> None:
    story = repo.new_story("Send emojis")
    long = "\n".join(f"paragraph {n}" for n in range(1, 30))
    repo.ok("set", story, f"description={long}", "notes=short note", "x-design=first draft")
    base = repo.head()
    edited = long.replace("paragraph 3\n", "paragraph three\n")
    repo.ok("set", story, f"description={edited}", "x-design=" + "a custom text " * 8)
    text = repo.ok("diff", base, "HEAD").stdout
    assert "description: changed" in text
    assert "- paragraph 3" in text and "+ paragraph three" in text
    assert "  paragraph 2" in text  # context
    assert "paragraph 20" not in text  # far from the change: not shown
    assert "+ a custom text" in text and "- first draft" in text
    markdown = repo.ok("diff", base, "HEAD", "--format", "markdown").stdout
    assert "```diff" in markdown and "- paragraph 3" in markdown
    log = repo.ok("log", story).stdout
    assert "+ paragraph three" in log


def test_a_long_rewrite_is_shortened_with_a_count(repo: Repo) -> None:
    story = repo.new_story("Send emojis")
    repo.ok("set", story, "description=" + "\n".join(f"old {n}" for n in range(40)))
    base = repo.head()
    repo.ok("set", story, "description=" + "\n".join(f"new {n}" for n in range(40)))
    text = repo.ok("diff", base, "HEAD").stdout
    assert "more changed lines" in text
    assert len(text.splitlines()) < 40


def test_criteria_added_and_removed_show_as_lines(repo: Repo) -> None:
    story = repo.new_story("Send emojis", "--acceptance-criteria", "An emoji sent arrives")
    base = repo.head()
    criterion = "An emoji sent on Android arrives intact on iOS and on the web, in every client"
    repo.ok("set", story, f"acceptance_criteria+={criterion}")
    text = repo.ok("diff", base, "HEAD").stdout
    assert "acceptance_criteria: 1 added, 0 removed" in text
    assert f"+ {criterion}" in text


def test_diff_counts_scope_entering_and_leaving_sprints(repo: Repo) -> None:
    _sprint(repo, "Sprint 8", "2026-11-23")
    _sprint(repo, "Sprint 9")
    moving = repo.new_story("Moving", "--points", "3", "--sprint", "Sprint 8")
    staying = repo.new_story("Staying", "--points", "2", "--sprint", "Sprint 9")
    gone = repo.new_story("Gone", "--points", "1", "--sprint", "Sprint 8")
    base = repo.head()
    repo.ok("set", moving, "sprint=Sprint 9")
    repo.ok("set", staying, "points=5")
    repo.new_story("Slipped in", "--points", "8", "--sprint", "Sprint 9")
    repo.ok("rm", gone)
    result = repo.ok("diff", base, "HEAD")
    first = result.stdout.splitlines()[2]
    assert "+14 points into Sprint 9" in first  # 3 moved in, 3 re-estimated, 8 added
    assert "\u22124 points out of Sprint 8" in first  # 3 moved out, 1 removed
    assert "Slipped in  (8 points, in Sprint 9)" in result.stdout
    assert "Gone  (1 point, in Sprint 8)" in result.stdout
    data = repo.ok("diff", base, "HEAD", "--json").json()
    assert isinstance(data, dict)
    assert {"sprint": "Sprint 9", "entering": 14.0, "leaving": 0.0} in data["scope"]
    markdown = repo.ok("diff", base, "HEAD", "--format", "markdown").stdout
    assert "| Points | Sprint |" in markdown and "| 8 | Sprint 9 |" in markdown


# --- one numbering, and finding things ------------------------------------------------------


def _listed(repo: Repo) -> list[str]:
    return [line.split()[0] for line in repo.ok("list").stdout.splitlines()]


def test_every_position_is_a_place_in_list(repo: Repo) -> None:
    done = [repo.new_story(f"Done {n}", "--points", "1") for n in range(3)]
    for item in done:
        repo.ok("set", item, "acceptance_criteria+=works", "status=done")
    a, b, c = (repo.new_story(f"Open {n}") for n in range(3))
    assert _listed(repo) == [a, b, c]
    base = repo.head()
    moved = repo.ok("rank", c, "--top")
    assert "#3 → #1" in moved.stdout
    assert repo.git("log", "-1", "--format=%s").startswith(f"backlog: rank story {c} #3 → #1")
    data = repo.ok("rank", a, "--bottom", "--json").json()
    assert isinstance(data, dict)
    assert data["moves"] == [{"id": a, "from": 2, "to": 3}]
    diff = repo.ok("diff", base, "HEAD").stdout
    assert f"{c} moved from #3 to #1" in diff
    log = repo.ok("log", c).stdout
    assert "rank: #3 → #1" in log
    ranked_done = repo.ok("rank", done[0], "--top").stdout
    assert "closed → closed" in ranked_done


def test_rank_suggest_leaves_epics_aside(repo: Repo) -> None:
    repo.ok("epic", "new", "Emoji support", "--goal", "express emotions", "--value", "1")
    low = repo.new_story("Low value", "--value", "1", "--risk", "1", "--points", "8")
    high = repo.new_story("High value", "--value", "9", "--risk", "9", "--points", "1")
    text = repo.ok("rank", "--suggest").stdout
    assert "Emoji support" not in text  # neither scored nor "without a score"
    assert f"{high}  #3 by rank → #2 by score" in text
    assert f"{low}  #2 by rank → #3 by score" in text


def test_search_reads_tags_owner_sprint_and_referred_ids(repo: Repo) -> None:
    _sprint(repo, "Sprint 9")
    epic = repo.ok("epic", "new", "Emoji support", "--goal", "g", "--json").json()
    assert isinstance(epic, dict)
    parent = epic["item"]["id"]
    story = repo.new_story("Send", "--tag", "mobile-ux", "--owner", "Dana", "--parent", parent)
    other = repo.new_story("Receive", "--sprint", "Sprint 9", "--depends-on", story)
    assert story in repo.ok("search", "MOBILE").stdout
    assert story in repo.ok("search", "dana").stdout
    assert other in repo.ok("search", "sprint 9").stdout
    found = repo.ok("search", story.lower()).stdout
    assert other in found and "depends_on:" in found
    assert story in repo.ok("search", parent).stdout
    nothing = repo.ok("search", "no such words")
    assert nothing.stdout == ""
    assert "no item holds 'no such words'" in nothing.stderr


def test_list_columns_and_the_score_column(repo: Repo) -> None:
    low = repo.new_story("Low", "--value", "2", "--risk", "1", "--points", "8", "--tag", "ux")
    high = repo.new_story("High", "--value", "9", "--risk", "6", "--points", "2")
    by_score = repo.ok("list", "--sort", "score").stdout.splitlines()
    assert by_score[0].split()[0] == high
    assert by_score[0].split()[4] == "7.5"  # points, then the score: (9 + 6) / 2
    chosen = repo.ok("list", "--columns", "value,risk,tags").stdout.splitlines()
    assert chosen[0].split()[:6] == [low, "story", "draft", "2", "1", "ux"]
    repo.refused("list", "--columns", "colour", code=2, says="no column named 'colour'")


# --- the stand-up and the sprint ------------------------------------------------------------


def _at(monkeypatch: pytest.MonkeyPatch, moment: str) -> None:
    monkeypatch.setenv("STORYKIT_NOW", f"{moment}+00:00")


def test_the_sprint_board_and_its_filters(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    _sprint(repo, "Sprint 9")
    mine = repo.new_story("Mine", "--sprint", "Sprint 9", "--owner", "alice", "--tag", "ux")
    theirs = repo.new_story("Theirs", "--sprint", "Sprint 9", "--owner", "Bob", "--points", "3")
    finished = repo.new_story("Finished", "--sprint", "Sprint 9", "--points", "2")
    repo.ok("set", finished, "acceptance_criteria+=works", "status=done")
    elsewhere = repo.new_story("Elsewhere")
    board = repo.ok("board", "--sprint", "sprint 9").stdout
    assert "done (1)" in board and finished in board and elsewhere not in board
    assert "dropped" not in board
    assert elsewhere in repo.ok("board").stdout and "done (" not in repo.ok("board").stdout
    only_bob = repo.ok("board", "--owner", "bob").stdout
    assert theirs in only_bob and mine not in only_bob
    repo.git("config", "user.name", "alice")
    own = repo.ok("board", "--mine", "--sprint", "Sprint 9").stdout
    assert mine in own and theirs not in own
    tagged = repo.ok("board", "--tag", "UX").stdout
    assert mine in tagged and theirs not in tagged
    assert theirs in repo.ok("board", "--type", "story", "--owner", "Bob").stdout
    data = repo.ok("board", "--sprint", "Sprint 9", "--json").json()
    assert isinstance(data, dict)
    assert {i["id"] for i in data["items"]} == {mine, theirs, finished}
    repo.refused("board", "--sprint", "Sprint 99", code=2, says="no sprint named 'sprint 99'")


def test_a_piped_card_title_never_looks_like_another_card(repo: Repo) -> None:
    first = repo.new_story("SK-AAAA is what this long title starts with and then it goes on and on")
    repo.new_story("Short")
    lines = repo.ok("board").stdout.splitlines()
    starts = [line.split()[0] for line in lines[2:] if line and not line.startswith(" ")]
    assert starts[0] == first and all(s.startswith("SK-") for s in starts)
    assert "SK-AAAA" not in starts and len(starts) == 2


def test_a_sprint_not_started_is_planned_through_its_first_day(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    _at(monkeypatch, "2026-12-06T09:00:00")
    _sprint(repo, "Sprint 9", "2026-12-07")
    repo.new_story("In it", "--sprint", "Sprint 9", "--points", "13")
    repo.new_story("Also in it", "--sprint", "Sprint 9", "--points", "13")
    before = repo.ok("sprint", "show", "Sprint 9").stdout.splitlines()[0]
    assert "planned" in before and "starts in 1 day" in before
    _at(monkeypatch, "2026-12-07T15:00:00")
    first_day = repo.ok("sprint", "show", "Sprint 9").stdout
    assert "planned" in first_day.splitlines()[0] and "starts today" in first_day
    assert "Sprint 9" in repo.ok("burndown").stdout  # the one meant on its first day
    repo.ok("sprint", "start", "Sprint 9")
    assert "active" in repo.ok("sprint", "show", "Sprint 9").stdout.splitlines()[0]
    _at(monkeypatch, "2026-12-21T09:00:00")
    repo.ok("sprint", "close", "Sprint 9")
    closed = repo.ok("sprint", "show", "Sprint 9").stdout
    assert "closed" in closed.splitlines()[0]
    assert "left" not in closed and "warning:" not in closed  # 26 points over 20 capacity
    data = repo.ok("sprint", "show", "Sprint 9", "--json").json()
    assert isinstance(data, dict)
    assert data["days_left"] is None


def test_an_undone_change_leaves_no_trace_in_the_sprint_figures(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    _at(monkeypatch, "2026-12-06T09:00:00")
    _sprint(repo, "Sprint 9", "2026-12-07")
    item = repo.new_story("Estimated", "--sprint", "Sprint 9", "--points", "5")
    _at(monkeypatch, "2026-12-07T09:00:00")
    repo.ok("sprint", "start", "Sprint 9")
    _at(monkeypatch, "2026-12-08T09:00:00")
    repo.ok("set", item, "points=13")  # a mistake…
    _at(monkeypatch, "2026-12-08T09:05:00")
    repo.ok("undo")  # …undone
    _at(monkeypatch, "2026-12-08T10:00:00")
    other = repo.new_story("Slipped in", "--sprint", "Sprint 9", "--points", "2")
    _at(monkeypatch, "2026-12-08T11:00:00")
    repo.ok("set", other, "points=3")  # a real re-estimate stays
    data = repo.ok("burndown", "--json").json()
    assert isinstance(data, dict)
    figures = data.get("burndown", data)
    assert (figures["committed"], figures["added"], figures["removed"]) == (5, 3, 0)


def test_spike_extend_says_the_deadline(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    _at(monkeypatch, "2026-12-01T09:00:00")
    spike = repo.new_spike("Research emoji fonts")  # a 2d timebox
    repo.ok("spike", "start", spike)
    _at(monkeypatch, "2026-12-05T09:00:00")
    still = repo.ok("spike", "extend", spike, "--timebox", "1d").stdout
    assert "deadline 2026-12-04 09:00: still overdue" in still
    again = repo.ok("spike", "extend", spike, "--timebox", "2d").stdout
    assert "deadline 2026-12-06 09:00: 1d left, not overdue" in again
    data = repo.ok("spike", "extend", spike, "--timebox", "4h", "--json").json()
    assert isinstance(data, dict)
    assert data["deadline"] == "2026-12-06 13:00:00+00:00" and data["overdue"] is False


# --- capturing and planning -------------------------------------------------------------


def test_follow_ups_land_at_the_bottom_unless_placed(repo: Repo) -> None:
    spike = repo.new_spike("Research emoji encoding")
    repo.ok("rank", spike, "--top")
    ranked = [repo.new_story(f"Ranked {n}") for n in range(3)]
    repo.ok("spike", "start", spike)
    closed = repo.ok("spike", "close", spike, "--outcome", "utf8mb4", "--follow-up", "story: A",
                     "--follow-up", "tech: B").stdout  # fmt: skip
    assert "drafts at #4 to #5 of the open backlog" in closed
    assert "storykit rank" in closed
    order = [line.split()[0] for line in repo.ok("list").stdout.splitlines()]
    assert order[:3] == ranked
    spike = _spike_in_progress(repo)
    data = repo.ok("spike", "close", spike, "--outcome", "o", "--follow-up", "story: C",
                   "--follow-ups-at", "top", "--json").json()  # fmt: skip
    assert isinstance(data, dict)
    top = repo.ok("list").stdout.split()[0]
    assert top == data["follow_ups"][0]["id"]
    another = _spike_in_progress(repo)
    says = "--follow-ups-at must be one of"
    repo.refused("spike", "close", another, "--outcome", "o", "--follow-ups-at", "middle",
                 code=2, says=says)  # fmt: skip


def _spike_in_progress(repo: Repo) -> str:
    spike = repo.new_spike("Another question")
    repo.ok("spike", "start", spike)
    return spike


def test_split_parts_keep_the_user_and_a_refusal_names_every_fix(repo: Repo) -> None:
    story = repo.new_story("Send emojis", "--tag", "ux")
    made = repo.ok("split", story, "Send from the picker", "Paste emoji", "--json").json()
    assert isinstance(made, dict)
    for part in made["parts"]:
        assert (part["as_a"], part["i_want"], part["so_that"]) == (
            "user", "to send emojis", "I can express emotions",
        )  # fmt: skip
        assert part["tags"] == ["ux"]
    spike = repo.new_spike("Which encoding?")
    refused = repo.refused("status", spike, "done", code=1, says="cannot be done")
    assert "storykit spike close" in refused.stderr


def test_a_refused_move_names_the_command_for_every_missing_field(repo: Repo) -> None:
    follow = repo.new_spike("Question")
    repo.ok("spike", "start", follow)
    repo.ok("spike", "close", follow, "--outcome", "o", "--follow-up", "story: Bare story")
    bare = [line.split()[0] for line in repo.ok("list").stdout.splitlines()][-1]
    refused = repo.refused("status", bare, "ready", code=1, says="was not changed")
    assert f'storykit set {bare} as_a="…" i_want="…" so_that="…"' in refused.stderr
    assert "points=3" in refused.stderr and 'acceptance_criteria+="…"' in refused.stderr
    repo.ok("set", bare, "as_a=user", "i_want=x", "so_that=y")
    gates = repo.refused("status", bare, "ready", code=1, says="cannot be ready")
    assert f"all at once: `storykit set {bare} acceptance_criteria+=" in gates.stderr


def test_set_takes_groups_and_a_csv(repo: Repo, tmp_path: Path) -> None:
    a, b, c = (repo.new_story(f"Story {n}") for n in range(3))
    count = repo.commit_count()
    repo.ok("set", a.split("-")[1].lower(), "points=2", b, c, "points=5", "owner=dana")
    assert repo.commit_count() == count + 1
    subject = repo.git("log", "-1", "--format=%s").strip()
    assert subject.startswith(f"backlog: set points=2 on {a};") or "set fields of" in subject
    shown = repo.ok("list", "--columns", "points,owner").stdout
    assert f"{a}  story  draft    2  " in shown and f"{c}  story  draft    5  dana" in shown
    sheet = tmp_path / "estimates.csv"
    sheet.write_text(f"id,points,tags+\n{a},3,ux\n{b},,api\n\n{c},8,\n")
    repo.ok("set", "--from-file", str(sheet))
    assert repo.commit_count() == count + 2
    data = repo.ok("show", a, b, c, "--json").json()
    assert isinstance(data, dict)
    got = [(i["points"], i["tags"]) for i in data["items"]]
    assert got == [(3, ["ux"]), (5, ["api"]), (8, [])]
    sheet.write_text(f"id,points\n{a},5\nSK-NOPE,3\n")
    repo.refused("set", "--from-file", str(sheet), code=2, says="estimates.csv:3: no item")
    sheet.write_text(f"id,points\n{a},4\n")
    repo.refused("set", "--from-file", str(sheet), code=1, says="estimates.csv:2: ")
    sheet.write_text(f'id,points\n"{a},5\n')
    repo.refused("set", "--from-file", str(sheet), code=1, says="estimates.csv:2:1: error: not CSV")
    sheet.write_text(f"item,points\n{a},5\n")
    repo.refused("set", "--from-file", str(sheet), code=1, says="estimates.csv:1:1: error")
    repo.refused("set", a, "points=2", a, "points=3", code=2, says="named twice")
    repo.refused("set", a, "points=2", b, code=2, says=f"nothing to set for {b}")


def test_a_title_captured_twice_is_pointed_out(repo: Repo) -> None:
    first = repo.new_story("Send emojis")
    second = repo.run("story", "new", "send  EMOJIS", "--as-a", "u", "--i-want", "x",
                      "--so-that", "y")  # fmt: skip
    assert second.exit_code == 0
    assert f"note: {first} has the same title" in second.stderr
    other_type = repo.run("tech", "new", "Send emojis", "--why", "w")
    assert "same title" not in other_type.stderr
    repo.ok("drop", first)
    assert "same title" in repo.run("story", "new", "Send emojis", "--as-a", "u", "--i-want",
                                    "x", "--so-that", "y").stderr  # fmt: skip


# --- machines, clones, editors and scripts --------------------------------------------------


def test_setup_global_makes_every_clone_merge_by_field(repo: Repo, tmp_path: Path) -> None:
    item = repo.new_story("Send emojis", "--points", "3")
    clone = tmp_path / "clone"
    repo.git("clone", "-q", str(repo.root), str(clone))
    for key, value in (("user.name", "bob"), ("user.email", "bob@example.com")):
        repo.git("-C", str(clone), "config", key, value)
    assert (
        "merge driver set up in your git configuration"
        in repo.ok("setup", "--global", cwd=tmp_path).stdout
    )
    assert "already set up" in repo.ok("setup", "--global", cwd=tmp_path).stdout
    # No storykit command runs in the clone: plain git edits, commits and merges.
    path = next((clone / "backlog").glob(f"{item}-*.yaml"))
    text = path.read_text()
    repo.git("-C", str(clone), "switch", "-q", "-c", "feature")
    path.write_text(text.replace("points: 3\n", "points: 3\nowner: dana\n"))
    repo.git("-C", str(clone), "commit", "-qam", "owner")
    repo.git("-C", str(clone), "switch", "-q", "-")
    path.write_text(text.replace("points: 3\n", "points: 5\n"))
    repo.git("-C", str(clone), "commit", "-qam", "points")
    repo.git("-C", str(clone), "merge", "-q", "--no-edit", "feature")  # clean: field by field
    merged = path.read_text()
    assert "points: 5" in merged and "owner: dana" in merged and "<<<<<<<" not in merged


def test_check_reports_a_driver_that_no_longer_runs_and_setup_repairs_it(
    repo: Repo, tmp_path: Path
) -> None:
    import subprocess
    import sys

    empty = tmp_path / "gone"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(empty)], check=True)
    stale = f"{empty}/bin/python -I -m storykit merge-driver %O %A %B %L %P"
    repo.git("config", "merge.storykit.driver", stale)
    warned = repo.run("check").stdout
    assert "no longer starts storykit" in warned and "`storykit setup`" in warned
    fixed = repo.ok("setup").stdout
    assert "replaces one that runs a program that no longer starts storykit" in fixed
    assert "merge driver" not in repo.run("check").stdout


def test_svg_without_matplotlib_says_how_to_get_it(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    _sprint(repo, "Sprint 9", "2026-11-16")
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if it were not installed
    chart = tmp_path / "burndown.svg"
    refused = repo.refused(
        "burndown", "Sprint 9", "--format", "svg", "--output", str(chart), code=2,
        says="--format svg draws with matplotlib, which is not installed",
    )  # fmt: skip
    assert "storykit[svg]" in refused.stderr and not chart.exists()


@pytest.mark.parametrize(
    ("argv", "names"),
    [
        (["rank"], "storykit rank --from-file FILE"),
        (["sprint", "plan", "Sprint 9"], "--from-file FILE"),
        (["edit", "ITEM"], "storykit set"),
        (["spike", "close", "SPIKE"], "--outcome"),
        (["story", "new", "T", "--as-a", "u", "--i-want", "x", "--so-that", "y", "--edit"],
         "without --edit"),
    ],
)  # fmt: skip
def test_no_terminal_and_no_editor_is_refused_at_once(
    repo: Repo, argv: list[str], names: str
) -> None:
    import subprocess

    from tests.helpers import SCRIPT

    item = repo.new_story("Send emojis")
    spike = repo.new_spike("Research")
    repo.ok("spike", "start", spike)
    _sprint(repo, "Sprint 9")
    args = [item if a == "ITEM" else spike if a == "SPIKE" else a for a in argv]
    before = repo.snapshot()
    env = {k: v for k, v in os.environ.items() if k not in ("EDITOR", "VISUAL")}
    done = subprocess.run(
        [str(SCRIPT), *args], cwd=repo.root, env=env, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "there is no terminal and neither $VISUAL nor $EDITOR is set" in done.stderr
    assert names in done.stderr
    assert repo.snapshot() == before


def test_with_json_an_error_is_json_on_stdout_too(repo: Repo) -> None:
    import json

    repo.new_story("Send emojis")
    for argv, code in (
        (["show", "SK-NOPE", "--json"], 2),
        (["list", "--bogus", "--json"], 2),
        (["--bogus", "--json"], 2),
        (["bogus", "--json"], 2),
        (["sprint", "show", "--bogus", "--json"], 2),
        (["status", "SK-NOPE", "ready", "--json"], 2),
        (["check", "--format", "json", "--since", "no-such-rev"], None),
    ):
        result = repo.run(*argv)
        if code is None:
            code = result.exit_code
        assert result.exit_code == code != 0, argv
        data = json.loads(result.stdout)
        assert set(data) == {"schema_version", "error"}, argv
        assert set(data["error"]) == {"message", "hint", "exit_code"}
        assert data["error"]["exit_code"] == code
        assert data["error"]["message"] in result.stderr
    story = repo.new_story("Send emojis again")
    refused = repo.run("status", story, "ready", "--json")
    data = json.loads(refused.stdout)
    assert data["error"]["exit_code"] == refused.exit_code == 1
    assert "storykit set" in data["error"]["hint"]
    assert repo.run("show", "SK-NOPE").stdout == ""  # without --json: text only

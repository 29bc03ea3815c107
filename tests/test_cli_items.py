"""Creating, listing, showing and changing items through the CLI, in real repositories."""

from __future__ import annotations

import re
from pathlib import Path

from tests.helpers import Repo


def test_init_writes_config_and_backlog_in_one_root_commit(bare_repo: Repo) -> None:
    result = bare_repo.run("init", "--prefix", "MSG")
    assert result.exit_code == 0, result.stderr
    assert "storykit initialised" in result.stdout
    assert result.stderr == ""
    assert bare_repo.commit_count() == 1
    assert bare_repo.last_commit_files() == [
        ".gitattributes",
        ".storykit.toml",
        "backlog/README.md",
    ]
    assert (bare_repo.root / ".gitattributes").read_text() == (
        "backlog/*.yaml merge=storykit\nbacklog/sprints/*.yaml merge=storykit\n"
    )
    assert 'prefix = "MSG"' in (bare_repo.root / ".storykit.toml").read_text()
    story = bare_repo.new_story()
    assert story.startswith("MSG-")


def test_init_refuses_outside_git_and_is_idempotent(tmp_path: Path, repo: Repo) -> None:
    outside = tmp_path / "plain"
    outside.mkdir()
    result = repo.run("init", cwd=outside)
    assert result.exit_code == 3
    assert "not inside a git repository" in result.stderr
    assert "hint: run `git init`" in result.stderr
    assert not (outside / ".storykit.toml").exists()

    commits = repo.commit_count()
    again = repo.run("init")
    assert again.exit_code == 0, again.stderr
    assert ".gitattributes: already names the merge driver" in again.stdout
    assert "this clone: merge driver already set up" in again.stdout
    assert repo.commit_count() == commits


def test_init_rejects_a_bad_prefix(bare_repo: Repo) -> None:
    result = bare_repo.run("init", "--prefix", "sk-1")
    assert result.exit_code == 2
    assert "prefix" in result.stderr
    assert not (bare_repo.root / ".storykit.toml").exists()


def test_commands_outside_a_project_say_how_to_start(bare_repo: Repo) -> None:
    result = bare_repo.run("list")
    assert result.exit_code == 3
    assert "storykit init" in result.stderr
    assert "Traceback" not in result.stderr


def test_story_new_writes_canonical_file_and_one_commit(repo: Repo) -> None:
    before = repo.commit_count()
    result = repo.ok(
        "story", "new", "Send emojis in messages",
        "--as-a", "user", "--i-want", "to send emojis in my messages",
        "--so-that", "I can express emotions", "--points", "5", "--tag", "ux", "--tag", "api",
        "--acceptance-criteria", "An emoji sent arrives intact", "--value", "8",
    )  # fmt: skip
    match = re.search(r"new story (SK-[0-9A-Z]{4}): Send emojis in messages", result.stdout)
    assert match, result.stdout
    item_id = match.group(1)
    assert repo.commit_count() == before + 1
    path = repo.item_path(item_id)
    assert path.name == f"{item_id}-send-emojis-in-messages.yaml"
    assert repo.last_commit_files() == [f"backlog/{path.name}"]
    # The moment of capture (g and seven digits: milliseconds), with four digits drawn from
    # the ID (two clones never share one).
    rank = re.search(r"^rank: (g[0-9A-Za-z]{11})$", path.read_text(), re.MULTILINE)
    assert rank is not None, path.read_text()
    assert path.read_text() == (
        f"id: {item_id}\n"
        "type: story\n"
        "title: Send emojis in messages\n"
        "status: draft\n"
        f"rank: {rank.group(1)}\n"
        "created: 2026-11-21\n"
        "points: 5\n"
        "value: 8\n"
        "tags:\n"
        "  - ux\n"
        "  - api\n"
        "as_a: user\n"
        "i_want: to send emojis in my messages\n"
        "so_that: I can express emotions\n"
        "acceptance_criteria:\n"
        "  - An emoji sent arrives intact\n"
    )
    message = repo.git("log", "-1", "--format=%B")
    assert message == (
        f"backlog: new story {item_id}: Send emojis in messages\n\n"
        f"Storykit-Action: new\nStorykit-Item: {item_id}\n\n"
    )
    assert repo.status() == ""


def test_every_type_can_be_created(repo: Repo) -> None:
    story = repo.new_story()
    repo.ok("tech", "new", "Refactor message schema", "--why", "emoji need 4-byte UTF-8",
            "--category", "refactor", "--supports", story)  # fmt: skip
    repo.ok("spike", "new", "Research emoji encoding", "--question", "Which encoding?",
            "--timebox", "2d", "--kind", "technical")  # fmt: skip
    epic = repo.run("epic", "new", "Emoji support", "--goal", "Express emotions", "--json")
    assert epic.exit_code == 0
    repo.ok("task", "new", "Add an emoji picker", "--parent", story)
    listed = repo.ok("list", "--json").json()
    assert isinstance(listed, dict)
    assert [i["type"] for i in listed["items"]] == ["story", "tech", "spike", "epic", "task"]
    assert listed["schema_version"] == 2


def test_missing_required_fields_are_all_listed_when_not_a_terminal(repo: Repo) -> None:
    before = repo.snapshot()
    result = repo.run("story", "new", "Send emojis")
    assert result.exit_code == 2
    assert "a story needs as_a, i_want, so_that" in result.stderr
    assert "--as-a, --i-want, --so-that" in result.stderr
    assert repo.snapshot() == before

    untitled = repo.run("spike", "new", "--timebox", "2d")
    assert untitled.exit_code == 2
    assert "title, question" in untitled.stderr


def test_invalid_values_are_refused_with_the_field_named(repo: Repo) -> None:
    before = repo.snapshot()
    result = repo.run(
        "story", "new", "Emojis", "--as-a", "user", "--i-want", "x", "--so-that", "y",
        "--points", "4", "--value", "11",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "points: must be one of 1, 2, 3, 5, 8, 13" in result.stderr
    assert "value: must be a whole number from 1 to 10" in result.stderr
    bad_box = repo.run("spike", "new", "Q", "--question", "q", "--timebox", "2 days")
    assert bad_box.exit_code == 1
    assert "timebox: must be a timebox like 4h, 2d or 1w" in bad_box.stderr
    assert repo.snapshot() == before


def test_new_items_go_to_the_bottom(repo: Repo) -> None:
    first = repo.new_story("First")
    second = repo.new_story("Second")
    third = repo.new_spike("Third")
    listed = repo.ok("list").stdout.splitlines()
    assert [line.split()[0] for line in listed] == [first, second, third]


def test_list_filters_and_plain_output(repo: Repo) -> None:
    story = repo.new_story("Send emojis", "--tag", "ux", "--points", "3")
    spike = repo.new_spike()
    epic_out = repo.ok("epic", "new", "Emoji support", "--goal", "Emotions", "--json").json()
    assert isinstance(epic_out, dict)
    epic = epic_out["item"]["id"]
    child = repo.new_story("Pick emojis", "--parent", epic)
    repo.ok("drop", spike)

    plain = repo.ok("list").stdout
    assert plain.splitlines()[0] == f"{story}  story  draft    3  Send emojis"
    assert spike not in plain
    assert spike in repo.ok("list", "--all").stdout
    assert spike in repo.ok("list", "--status", "dropped").stdout
    assert repo.ok("list", "--type", "epic").stdout.split()[0] == epic
    assert repo.ok("list", "--tag", "ux").stdout.split()[0] == story
    assert repo.ok("list", "--parent", epic[-4:].lower()).stdout.split()[0] == child
    assert "\x1b[" not in plain


def test_show_prints_every_set_field_and_json(repo: Repo) -> None:
    story = repo.new_story("Send emojis", "--points", "5", "--owner", "alice")
    text = repo.ok("show", story).stdout
    assert text.splitlines()[0] == f"{story}  story  draft"
    assert "As a user, I want to send emojis so that I can express emotions." in text
    assert re.search(r"owner:\s+alice", text)
    data = repo.ok("show", story.lower(), "--json").json()
    assert isinstance(data, dict)
    assert data["schema_version"] == 2
    item = data["item"]
    assert item["points"] == 5 and item["owner"] == "alice" and item["parent"] is None
    assert item["path"].startswith(f"backlog/{story}-")


def test_ids_resolve_by_code_prefix_in_any_case(repo: Repo) -> None:
    story = repo.new_story()
    code = story.split("-")[1]
    for query in (story, story.lower(), code, code.lower(), code[:2].lower()):
        assert repo.ok("show", query).stdout.startswith(story)
    missing = repo.run("show", "SK-ZZZZZ")
    assert missing.exit_code == 2
    assert "no item" in missing.stderr
    junk = repo.run("show", "../../etc/passwd")
    assert junk.exit_code == 2
    assert "is not an item ID" in junk.stderr


def test_ambiguous_prefix_is_a_usage_error(repo: Repo) -> None:
    for name in ("SK-ABCD-one.yaml", "SK-ABCE-two.yaml"):
        (repo.root / "backlog" / name).write_text(
            f"id: {name[:7]}\ntype: epic\ntitle: E\nstatus: draft\nrank: a0\ngoal: g\n"
        )
    result = repo.run("show", "abc")
    assert result.exit_code == 2
    assert "ambiguous" in result.stderr and "SK-ABCD" in result.stderr


def test_set_assigns_appends_removes_and_clears(repo: Repo) -> None:
    story = repo.new_story("Send emojis", "--owner", "alice", "--tag", "ux")
    repo.ok("sprint", "new", "S1", "--start", "2026-11-16")
    before = repo.commit_count()
    repo.ok("set", story, "points=8", "tags+=api", "owner=", "sprint=S1")
    assert repo.commit_count() == before + 1
    data = repo.ok("show", story, "--json").json()
    assert isinstance(data, dict)
    item = data["item"]
    assert item["points"] == 8 and item["tags"] == ["ux", "api"]
    assert item["owner"] is None and item["sprint"] == "S1"
    repo.ok("set", story, "tags-=ux")
    data = repo.ok("show", story, "--json").json()
    assert isinstance(data, dict)
    assert data["item"]["tags"] == ["api"]
    message = repo.git("log", "-1", "--format=%B")
    assert message.startswith(f"backlog: set {story} tags \u2212ux: Send emojis\n")
    assert "Storykit-Action: set" in message


def test_set_refuses_bad_fields_and_values_without_writing(repo: Repo) -> None:
    story = repo.new_story()
    before = repo.snapshot()
    cases = [
        (["stauts=ready"], 2, "has no field 'stauts'"),
        (["points=4"], 1, "points: must be one of 1, 2, 3, 5, 8, 13"),
        (["points=abc"], 1, "points: 'abc' is not a number"),
        (["title="], 2, "title is required for a draft story"),
        (["id=SK-AAAA"], 2, "id cannot be changed"),
        (["title+=x"], 2, "title is not a list"),
        (["tags-=nothere"], 2, "is not in tags"),
        (["nonsense"], 2, "is not FIELD=VALUE"),
        (["status=started"], 2, "'started' is not a status"),
        (["goal=x"], 2, "a story has no field 'goal'"),
    ]
    for args, code, message in cases:
        result = repo.run("set", story, *args)
        assert result.exit_code == code, (args, result.stderr)
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr
        assert repo.snapshot() == before


def test_set_x_keys_and_unchanged_value(repo: Repo) -> None:
    story = repo.new_story()
    repo.ok("set", story, "x-jira=MSG-12")
    assert "x-jira: MSG-12" in repo.item_path(story).read_text()
    count = repo.commit_count()
    result = repo.ok("set", story, "x-jira=MSG-12")
    assert "nothing to do" in result.stdout
    assert repo.commit_count() == count


def test_retitle_renames_the_file_in_the_same_commit(repo: Repo) -> None:
    story = repo.new_story("Send emojis")
    old = repo.item_path(story).name
    repo.ok("set", story, "title=Send and receive emojis")
    new = repo.item_path(story).name
    assert new == f"{story}-send-and-receive-emojis.yaml"
    assert not (repo.root / "backlog" / old).exists()
    assert repo.last_commit_files() == [f"backlog/{new}", f"backlog/{old}"]
    renamed = repo.git("show", "-M", "--name-status", "--format=", "HEAD")
    assert renamed.startswith("R")
    assert repo.status() == ""


def test_status_gates_say_what_is_missing_and_how_to_add_it(repo: Repo) -> None:
    story = repo.new_story()
    before = repo.snapshot()
    result = repo.run("status", story, "ready")
    assert result.exit_code == 1
    assert "a story needs acceptance criteria to be ready" in result.stderr
    assert f'storykit set {story} acceptance_criteria+="…"' in result.stderr
    assert "a story needs points to be ready" in result.stderr
    assert repo.snapshot() == before
    repo.ok("set", story, "points=3", "acceptance_criteria+=An emoji arrives intact")
    repo.ok("status", story, "ready")
    assert "status: ready" in repo.item_path(story).read_text()
    message = repo.git("log", "-1", "--format=%B")
    assert message.startswith(f"backlog: {story} → ready: Send emojis")
    assert "Storykit-Action: status" in message


def test_spike_start_records_started_and_done_needs_outcome(repo: Repo) -> None:
    spike = repo.new_spike()
    repo.ok("start", spike)
    text = repo.item_path(spike).read_text()
    assert "status: in-progress" in text
    assert "started: 2026-11-21 10:00:00+00:00" in text
    refused = repo.run("done", spike)
    assert refused.exit_code == 1
    assert "a spike needs an outcome to be done" in refused.stderr
    assert f'storykit spike close {spike} --outcome "what we learned"' in refused.stderr
    refused_set = repo.run("set", spike, "status=done")
    assert refused_set.exit_code == 1
    repo.ok("set", spike, "outcome=UTF-8 everywhere; the DB column becomes utf8mb4")
    repo.ok("done", spike)
    assert "status: done" in repo.item_path(spike).read_text()
    repo.ok("drop", repo.new_story())


def test_same_status_is_nothing_to_do(repo: Repo) -> None:
    story = repo.new_story()
    count = repo.commit_count()
    result = repo.ok("status", story, "draft")
    assert "nothing to do" in result.stdout
    assert repo.commit_count() == count


def test_json_of_changing_commands(repo: Repo) -> None:
    story = repo.new_story()
    spike = repo.new_spike()
    for args in (("set", story, "points=2"), ("status", story, "dropped"), ("start", spike)):
        data = repo.ok(*args, "--json").json()
        assert isinstance(data, dict)
        assert data["schema_version"] == 2
        assert data["item"]["id"] == args[1]
        assert len(data["commit"]) == 40


def test_no_commit_writes_files_only(repo: Repo) -> None:
    count = repo.commit_count()
    story = repo.new_story("Draft idea", "--no-commit")
    assert repo.commit_count() == count
    assert repo.status().strip() == f"?? backlog/{repo.item_path(story).name}"
    repo.ok("set", story, "points=3", "--no-commit")
    assert "points: 3" in repo.item_path(story).read_text()
    assert repo.commit_count() == count


def test_commit_false_in_config(repo: Repo) -> None:
    config = repo.root / ".storykit.toml"
    config.write_text(config.read_text().replace("commit = true", "commit = false"))
    repo.git("commit", "-qam", "no auto-commit")
    count = repo.commit_count()
    repo.new_story()
    assert repo.commit_count() == count


def test_config_errors_are_located(repo: Repo) -> None:
    config = repo.root / ".storykit.toml"
    text = config.read_text().replace("points = [1, 2, 3, 5, 8, 13]", "points = [3, 1]")
    config.write_text('colour = "blue"\n' + text)
    result = repo.run("list")
    assert result.exit_code == 1
    assert ".storykit.toml:1:1: error: colour: unknown setting" in result.stderr
    assert ".storykit.toml:5:1: error: points: the scale must be strictly increasing" in (
        result.stderr
    )
    config.write_text('prefix = "SK"\nbacklog_dir = "../elsewhere"\n')
    result = repo.run("list")
    assert result.exit_code == 1
    assert "backlog_dir: must be a relative folder inside the repository" in result.stderr
    config.write_text("prefix = \n")
    result = repo.run("list")
    assert result.exit_code == 1
    assert ".storykit.toml:1:" in result.stderr


def test_custom_statuses_and_points_from_config(repo: Repo) -> None:
    config = repo.root / ".storykit.toml"
    text = config.read_text()
    text = text.replace("points = [1, 2, 3, 5, 8, 13]", "points = [0.5, 1, 2, 4]")
    text = text.replace(
        'statuses = ["draft", "ready", "in-progress", "done", "dropped"]',
        'statuses = ["draft", "ready", "in-progress", "review", "done", "dropped"]',
    )
    config.write_text(text)
    repo.git("commit", "-qam", "custom workflow")
    story = repo.new_story("Emojis", "--points", "0.5")
    repo.ok("set", story, "acceptance_criteria+=works")
    repo.ok("status", story, "review")
    assert repo.run("set", story, "points=3").exit_code == 1


def test_version_and_help(repo: Repo) -> None:
    assert repo.ok("--version").stdout.startswith("storykit ")
    help_text = repo.ok("story", "new", "--help").stdout
    for option in ("--as-a", "--i-want", "--so-that", "--points", "--tag", "--edit", "--json"):
        assert option in help_text
    spike_help = repo.ok("spike", "new", "--help").stdout
    for option in ("--question", "--timebox", "--kind", "--follow-up", "--outcome"):
        assert option in spike_help


def test_a_draft_may_leave_its_type_fields_out_until_it_moves_on(repo: Repo) -> None:
    path = repo.root / "backlog" / "SK-DRFT-idea.yaml"
    path.write_text("id: SK-DRFT\ntype: story\ntitle: Idea\nstatus: draft\nrank: a0\n")
    repo.git("add", "backlog")
    repo.git("commit", "-qm", "an idea, written by hand")
    assert repo.run("check").exit_code == 0
    assert "Idea" in repo.ok("show", "SK-DRFT").stdout
    before = repo.snapshot()
    result = repo.run("status", "SK-DRFT", "ready")
    assert result.exit_code == 1
    assert (
        "as_a: required field is missing (only a draft or dropped story may leave it out)"
        in result.stderr
    )
    assert repo.snapshot() == before
    repo.ok("set", "SK-DRFT", "as_a=user", "i_want=x", "so_that=y")
    repo.ok("set", "SK-DRFT", "points=1", "acceptance_criteria+=works", "status=ready")
    refused = repo.run("set", "SK-DRFT", "as_a=")
    assert refused.exit_code == 2
    assert "as_a is required for a ready story" in refused.stderr

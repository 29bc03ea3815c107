"""`storykit start ID --branch [NAME]`: a branch named after the item, the move to
in-progress committed on it; an existing branch checked out, not made again; a refused
move leaves HEAD, the branches and the files as they were."""

from __future__ import annotations

from tests.helpers import Repo


def _ready(repo: Repo, title: str) -> str:
    """A story that may go to in-progress (points and acceptance criteria)."""
    return repo.new_story(title, "--points", "2", "--acceptance-criteria", "It works")


def _branch(repo: Repo) -> str:
    return repo.git("symbolic-ref", "--short", "HEAD").strip()


def test_start_on_a_branch_named_after_the_item(repo: Repo) -> None:
    story = _ready(repo, "Send emojis")
    main = repo.head()
    result = repo.ok("start", story, "--branch")
    name = f"{story.lower()}-send-emojis"
    assert f"on new branch {name}" in result.stdout
    assert _branch(repo) == name
    assert repo.git("log", "-1", "--format=%s").strip() == (
        f"backlog: {story} → in-progress: Send emojis"
    )
    assert repo.git("rev-parse", "main").strip() == main  # main did not move
    assert repo.git("rev-parse", f"{name}~1").strip() == main
    assert repo.status() == ""
    # Back on main, starting it again checks the branch out: not made again, no new commit.
    repo.git("switch", "-q", "main")
    tip = repo.git("rev-parse", name).strip()
    again = repo.run("start", story, "--branch", "--json")
    assert again.exit_code == 0, again.stderr
    answer = again.json()
    assert isinstance(answer, dict)
    assert answer["branch"] == {"name": name, "created": False}
    assert answer["changed"] is False and answer["item"]["status"] == "in-progress"
    assert _branch(repo) == name and repo.git("rev-parse", name).strip() == tip


def test_a_named_branch_and_a_configured_pattern(repo: Repo) -> None:
    first = _ready(repo, "Emoji picker")
    repo.ok("start", first, "--branch", "emoji/picker")
    assert _branch(repo) == "emoji/picker"
    repo.git("switch", "-q", "main")
    config = repo.root / ".storykit.toml"
    config.write_text(
        config.read_text() + '\n[trace]\nbranch = "{type}/{id}"\n'
        if "[trace]" not in config.read_text()
        else config.read_text().replace('branch = "{id}-{slug}"', 'branch = "{type}/{id}"')
    )
    repo.git("commit", "-qam", "trace pattern")
    second = _ready(repo, "Emoji search")
    repo.ok("start", second, "--branch")
    assert _branch(repo) == f"story/{second.lower()}"


def test_a_refused_move_leaves_everything_as_it_was(repo: Repo) -> None:
    story = repo.new_story("No estimate yet")  # a story needs points to leave draft
    before = repo.snapshot()
    branches = repo.git("branch", "--list")
    result = repo.run("start", story, "--branch")
    assert result.exit_code != 0
    assert "points" in result.stderr
    assert _branch(repo) == "main"
    assert repo.git("branch", "--list") == branches  # the branch made for it is gone
    assert repo.snapshot() == before


def test_bad_branch_requests_are_refused(repo: Repo) -> None:
    one, two = _ready(repo, "One"), _ready(repo, "Two")
    before = repo.snapshot()
    bad = repo.run("start", one, "--branch", "no..dots")
    assert bad.exit_code == 2 and "is not a name git takes for a branch" in bad.stderr
    several = repo.run("start", one, two, "--branch")
    assert several.exit_code == 2 and "--branch starts one item" in several.stderr
    no_commit = repo.run("start", one, "--branch", "--no-commit")
    assert no_commit.exit_code == 2
    assert repo.snapshot() == before

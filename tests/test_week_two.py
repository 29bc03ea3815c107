"""A team's week, round two: review that shows what a text says now, one numbering of
positions, finding things, the stand-up board, sprint figures that tell the truth,
planning sessions, and a machine set up once."""

from __future__ import annotations

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

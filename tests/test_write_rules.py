"""Writes that `check` would reject are refused at write time, in `check`'s words."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.helpers import Repo


def _id(repo: Repo, *args: str) -> str:
    data = repo.ok(*args, "--json").json()
    assert isinstance(data, dict)
    return str(data["item"]["id"])


def _check_says(repo: Repo, message: str) -> None:
    """What `check` says of the same backlog, had the write gone through."""
    result = repo.run("check")
    assert message in result.stderr + result.stdout, result.stderr


def test_a_parent_of_the_wrong_type_is_refused(repo: Repo) -> None:
    epic = _id(repo, "epic", "new", "Emoji support", "--goal", "g")
    story = repo.new_story("Send emojis", "--parent", epic)
    says = f"parent: {epic} is an epic; a task's parent must be a story or a tech"
    result = repo.refused("task", "new", "Picker", "--parent", epic, code=1, says=says)
    assert "nothing was written" in result.stderr
    says = f"parent: {story} is a story; a story's parent must be an epic"
    other = repo.new_story("Receive emojis")
    result = repo.refused("set", other, f"parent={story}", code=1, says=says)
    assert f"backlog/{repo.item_path(other).name}:" in result.stderr  # located
    # check says the same of a file written by hand.
    path = repo.item_path(other)
    path.write_text(path.read_text() + f"parent: {story}\n")
    _check_says(repo, says)


def test_a_dependency_cycle_is_refused(repo: Repo) -> None:
    one = repo.new_story("One")
    two = repo.new_story("Two", "--depends-on", one)
    three = repo.new_story("Three", "--depends-on", two)
    result = repo.refused("set", one, f"depends_on+={three}", code=1, says="dependency cycle")
    cycle = result.stderr.split("dependency cycle ")[1].splitlines()[0].split(" → ")
    assert len(cycle) == 4 and set(cycle) == {one, two, three} and cycle[0] == cycle[-1]
    path = repo.item_path(one)
    path.write_text(path.read_text() + f"depends_on:\n  - {three}\n")
    _check_says(repo, "depends_on: dependency cycle " + " → ".join(cycle))
    repo.git("checkout", "--", ".")
    repo.refused("set", one, f"depends_on={one}", code=1, says=f"cycle {one} → {one}")
    repo.ok("set", three, f"depends_on+={one}")  # more dependencies, still no cycle


def test_edit_is_held_to_the_same_rules(repo: Repo, fake_editor: Callable[..., Path]) -> None:
    tech = _id(repo, "tech", "new", "Store emoji", "--why", "4-byte UTF-8")
    task = _id(repo, "task", "new", "Migrate the table", "--parent", tech)
    path = repo.item_path(tech)
    text = path.read_text()
    rank_line = next(line for line in text.splitlines() if line.startswith("rank:"))
    fake_editor(
        text.replace(rank_line, "rank: zz") + "depends_on: [SK-XXXX]\n",
        text.replace("type: tech", "type: epic").replace("why:", "goal:"),
    )
    result = repo.run("edit", tech)
    assert result.exit_code == 1, result.stderr
    assert "rank: 'zz' is not a fractional-index key" in result.stderr
    assert "depends_on[0]: no item SK-XXXX in the backlog" in result.stderr
    # A type change that leaves a child under a parent of the wrong type.
    result = repo.run("edit", tech)
    assert result.exit_code == 1, result.stderr
    says = f"parent: {tech} is an epic; a task's parent must be a story or a tech"
    assert says in result.stderr
    assert repo.item_path(task).name in result.stderr
    assert path.read_text() == text


def test_only_what_the_change_brings_is_refused(repo: Repo) -> None:
    story = repo.new_story("Send emojis")
    path = repo.item_path(story)
    path.write_text(path.read_text() + "depends_on:\n  - SK-WWWW\n")  # as a merge may leave it
    repo.git("commit", "-qam", "dangling after a merge")
    _check_says(repo, "depends_on[0]: no item SK-WWWW in the backlog")
    repo.ok("set", story, "points=3")  # an unrelated change goes through
    repo.refused("set", story, "rank=zz", code=1, says="rank: 'zz' is not a fractional-index key")

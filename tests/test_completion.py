"""Shell completion: IDs as they are typed, statuses, fields, option values, open spikes —
answered by the lean path (cli/lean/completion.py) without Typer, like the lean `list`."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.helpers import SCRIPT, Repo, modules_after


def _complete(repo: Repo, line: str, shell: str = "bash") -> list[str]:
    words = line.split()
    env = {**os.environ, "_STORYKIT_COMPLETE": f"complete_{shell}"}
    if shell == "bash":
        env["COMP_WORDS"] = line
        env["COMP_CWORD"] = str(len(words) if line.endswith(" ") else len(words) - 1)
    else:
        env["_TYPER_COMPLETE_ARGS"] = line
        env["_TYPER_COMPLETE_FISH_ACTION"] = "get-args"
    result = subprocess.run(
        [str(SCRIPT)], cwd=repo.root, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split("\n") if result.stdout else []


@pytest.fixture
def backlog(repo: Repo) -> dict[str, str]:
    repo.ok("sprint", "new", "S1", "--start", "2026-11-16")
    ids = {
        "story": repo.new_story("Send emojis", "--tag", "ux", "--owner", "alice", "--sprint", "S1"),
        "spike": repo.new_spike("Research emoji encoding", "--tag", "api"),
        "closed": repo.new_spike("Old research"),
    }
    repo.ok("spike", "close", ids["closed"], "--outcome", "done")
    repo.age_files()
    repo.ok("list")  # fills the read cache
    return ids


def test_ids_statuses_fields_and_values(repo: Repo, backlog: dict[str, str]) -> None:
    story, spike, closed = backlog["story"], backlog["spike"], backlog["closed"]
    assert sorted(_complete(repo, "storykit show ")) == sorted([story, spike, closed])
    lower = _complete(repo, f"storykit show {story.lower()[:4]}")  # as typed: lower case
    assert story.lower() in lower and all(c == c.lower() for c in lower)
    code = story.split("-")[1]
    typed = code[:3].lower()  # a random code may start with three digits: then caseless
    expected = code.lower() if any(c.isalpha() for c in typed) else code
    assert _complete(repo, f"storykit done {typed}") == [expected]
    statuses = ["draft", "ready", "in-progress", "done", "dropped"]
    assert _complete(repo, f"storykit status {story} ")[:5] == statuses
    assert _complete(repo, f"storykit status {story} Re") == ["ready"]
    assert "points=" in _complete(repo, f"storykit set {story} ")
    assert _complete(repo, f"storykit set {story} points=3 ow") == ["owner="]
    assert _complete(repo, "storykit list --type ") == ["epic", "story", "tech", "spike", "task"]
    assert _complete(repo, "storykit list --tag ") == ["api", "ux"]
    assert _complete(repo, "storykit list --owner ") == ["alice"]
    assert _complete(repo, "storykit list --sprint ") == ["S1"]
    assert _complete(repo, "storykit list --status=in") == ["--status=in-progress"]
    assert set(_complete(repo, "storykit task new X --parent ")) == {story, spike, closed}
    assert _complete(repo, "storykit spike close ") == [spike]  # open spikes only
    zsh = _complete(repo, "storykit list --tag u", "zsh")
    assert zsh == ["_arguments '*: :((\"ux\"))'"]
    assert _complete(repo, "storykit list --tag ", "fish") == ["api", "ux"]


def test_the_lean_path_answers_without_typer(repo: Repo, backlog: dict[str, str]) -> None:
    env = {"_STORYKIT_COMPLETE": "complete_bash", "COMP_WORDS": "storykit show ", "COMP_CWORD": "2"}
    loaded = modules_after(repo.root, env=env)
    for heavy in ("typer", "pydantic", "rich"):
        assert heavy not in loaded, heavy
    assert not any(name.startswith("ruamel") for name in loaded)


def test_commands_and_options_are_typers_to_complete(repo: Repo, backlog: dict[str, str]) -> None:
    assert "show" in _complete(repo, "storykit sh")
    assert "--type" in _complete(repo, "storykit list --")


def test_a_file_changed_since_it_was_cached_is_still_offered(
    repo: Repo, backlog: dict[str, str]
) -> None:
    new = repo.new_spike("Just captured")  # fresh: not in the cache yet
    story = repo.new_story("Just captured too")
    assert new in _complete(repo, "storykit show ")
    assert new in _complete(repo, "storykit spike close ")  # its own lines say: a spike
    assert story not in _complete(repo, "storykit spike close ")  # a story never leaks in
    assert backlog["closed"] not in _complete(repo, "storykit spike close ")


def test_sprint_names_after_sprint_commands_and_sprint_options(
    repo: Repo, backlog: dict[str, str]
) -> None:
    repo.ok("sprint", "new", "Sprint 2", "--start", "2026-11-30")
    for command in ("show", "start", "close", "plan", "add", "remove"):
        assert _complete(repo, f"storykit sprint {command} ") == ["S1", "Sprint 2"], command
    assert _complete(repo, "storykit sprint show spr") == ["Sprint 2"]
    assert backlog["story"] in _complete(repo, "storykit sprint add S1 ")
    assert _complete(repo, "storykit board --sprint ") == ["S1", "Sprint 2"]
    assert _complete(repo, "storykit burndown ") == ["S1", "Sprint 2"]
    assert _complete(repo, "storykit list --sprint ") == ["S1", "Sprint 2"]


def test_typers_id_completion_follows_the_same_rule(
    repo: Repo, backlog: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from storykit.cli.options import complete_ids

    monkeypatch.chdir(repo.root)
    code = backlog["story"].split("-")[1]
    assert complete_ids(code[:3].lower()) == _complete(repo, f"storykit done {code[:3].lower()}")
    assert sorted(complete_ids("")) == sorted(_complete(repo, "storykit show "))

"""Every command's `--json` answer has exactly the keys the README's table lists."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

from tests.helpers import SCRIPT, Repo

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def _table() -> dict[str, list[str]]:
    """{command: keys} from the README's JSON table (one row may name several commands)."""
    block = README.split("<!-- json-keys -->")[1].split("<!-- /json-keys -->")[0]
    found: dict[str, list[str]] = {}
    for row in block.strip().splitlines()[2:]:
        commands, keys = row.strip("|").split("|")
        names = re.findall(r"`([^`]+)`", commands.split("(")[0])
        for name in names:
            found[name if "(" not in commands else f"{name} (many)"] = re.findall(r"`(\w+)`", keys)
    return found


def test_every_commands_json_has_the_keys_the_readme_lists(
    repo: Repo, fake_editor: Callable[..., Path]
) -> None:
    story = repo.new_story()
    spike = repo.new_spike()
    made = repo.ok("tech", "new", "Store emoji", "--why", "4-byte UTF-8", "--json").json()
    other = made["item"]["id"]  # type: ignore[index]
    third = repo.ok("tech", "new", "Index emoji", "--why", "search", "--json").json()["item"]["id"]  # type: ignore[index]
    mistake = repo.new_story("Made by mistake")
    ready = repo.ok("tech", "new", "Emoji fonts", "--why", "fonts", "--json").json()["item"]["id"]  # type: ignore[index]
    taken = [
        repo.ok("task", "new", f"Draw emoji {n}", "--parent", story, "--json").json()["item"]["id"]  # type: ignore[index]
        for n in (1, 2)
    ]
    remote = repo.root.parent / "remote.git"
    repo.git("init", "-q", "--bare", str(remote))
    repo.git("remote", "add", "origin", str(remote))
    fake_editor(None)
    table = _table()
    runs: dict[str, list[str]] = {
        "TYPE new": ["epic", "new", "Emoji", "--goal", "g"],
        "set": ["set", story, "points=3"],
        "status": ["status", other, "ready"],
        "start": ["start", other],
        "done": ["done", other],
        "drop": ["drop", other],
        "set (many)": ["set", other, third, "points=2"],
        "status (many)": ["status", other, third, "draft"],
        "start (many)": ["start", other, third],
        "done (many)": ["done", other, third],
        "drop (many)": ["drop", other, third],
        "show (many)": ["show", other, third],
        "rm": ["rm", mistake],
        "undo": ["undo"],
        "edit": ["edit", story],
        "spike start": ["spike", "start", spike],
        "spike extend": ["spike", "extend", spike, "--timebox", "1d"],
        "rank ID": ["rank", spike, "--top"],
        "rank (many)": ["rank", "--rebalance"],
        "rank --suggest": ["rank", "--suggest"],
        "refine": ["refine"],
        "show": ["show", spike],
        "log": ["log", spike],
        "list": ["list"],
        "search": ["search", "emoji"],
        "next": ["next"],
        "board": ["board"],
        "spike overdue": ["spike", "overdue"],
        "check": ["check"],
        "diff": ["diff", "HEAD~3"],
        "spike close": ["spike", "close", spike, "--outcome", "UTF-8", "--follow-up", "tech: T"],
        "split": ["split", story, "Part one", "Part two"],
        "sprint new": ["sprint", "new", "Sprint 1", "--start", "2026-11-16"],
        "sprint add": ["sprint", "add", "Sprint 1", spike],
        "sprint remove": ["sprint", "remove", "Sprint 1", spike],
        "sprint plan": ["sprint", "plan", "Sprint 1", "--from-file", "/dev/null"],
        "sprint start": ["sprint", "start", "Sprint 1"],
        "sprint list": ["sprint", "list"],
        "sprint show": ["sprint", "show"],
        "burndown": ["burndown"],
        "sprint close": ["sprint", "close", "Sprint 1"],
        "velocity": ["velocity"],
        "flow": ["flow"],
        "claim": ["claim", taken[0], "--owner", "agent"],
        "unclaim": ["unclaim", taken[0]],
        "claim --push": ["claim", taken[1], "--push"],
        "import": ["import", "github", str(Path(__file__).parent / "data/import/github.json")],
        "export json": ["export", "json"],  # JSON is what it writes: no --json
        "sync": ["sync"],
        "start --branch": ["start", ready, "--branch"],
    }
    assert set(runs) == set(table), set(runs) ^ set(table)
    for name, args in runs.items():
        data = repo.run(*args, *([] if args[0] == "export" else ["--json"]))
        assert data.exit_code == 0, (name, data.stderr)
        assert data.stdout.startswith("{"), (name, data.stdout, data.stderr)
        keys = list(json.loads(data.stdout))
        assert keys == table[name], (name, keys)
    # The other forms of a many-item rank answer alike.
    reordered = repo.run("rank", "--from-file", "-", "--json", input=f"{other}\n{spike}\n")
    assert list(json.loads(reordered.stdout)) == table["rank (many)"]


def test_the_lean_list_answers_like_the_full_one(repo: Repo) -> None:
    repo.new_story()
    repo.age_files()
    for _ in range(2):  # the first run writes the cache, the second answers from it
        lean = subprocess.run(
            [str(SCRIPT), "list", "--json"], cwd=repo.root, capture_output=True, text=True
        )
    assert json.loads(lean.stdout) == json.loads(repo.ok("list", "--json").stdout)
    assert list(json.loads(lean.stdout)) == _table()["list"]

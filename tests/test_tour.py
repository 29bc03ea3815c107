"""The README's one-minute tour, run as a new user runs it: every command of its console
block, each output compared with what the README shows (IDs, commit SHAs and the chart's
drawing aside)."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from pathlib import Path

from tests.helpers import SCRIPT, git

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()
TOUR = README.split("## A one-minute tour", 1)[1].split("```console\n", 1)[1].split("```", 1)[0]
ID = re.compile(r"\bSK-[0-9A-Z]{4}\b")
SHA = re.compile(r"\[[0-9a-f]{8}\]")


def _steps() -> list[tuple[str, list[str]]]:
    """(command, the lines the README shows it printing), comments and blanks left out."""
    steps: list[tuple[str, list[str]]] = []
    lines = TOUR.splitlines()
    at = 0
    while at < len(lines):
        line = lines[at]
        at += 1
        if not line.startswith("$ "):
            if line.strip() and not line.startswith("#"):
                steps[-1][1].append(line)
            continue
        command = line[2:]
        while command.endswith("\\"):
            command = command[:-1] + lines[at].strip()
            at += 1
        steps.append((command.split("  #")[0].strip(), []))
    return steps


def test_the_readme_tour_prints_what_the_readme_shows(tmp_path: Path) -> None:
    root = tmp_path / "messaging-app"
    root.mkdir()
    git(root, "init", "-q")
    git(root, "config", "user.name", "Alice")
    git(root, "config", "user.email", "alice@example.com")
    env = {**os.environ, "STORYKIT_NOW": "2026-12-07T09:00:00+00:00", "EDITOR": "true"}
    real: dict[str, str] = {}  # the README's IDs → the ones minted here
    for command, shown in _steps():
        if command.startswith("git init"):
            continue
        if "storykit done 3j9q" in command:  # "Days later"
            env["STORYKIT_NOW"] = "2026-12-10T09:00:00+00:00"
        words = shlex.split(command)
        piped_to_jq = "|" in words
        if piped_to_jq:
            words = words[: words.index("|")]
        for at, word in enumerate(words):
            for readme_id, made in real.items():
                code = readme_id.split("-")[1].lower()
                if word == readme_id or (len(word) >= 2 and code.startswith(word.lower())):
                    words[at] = made if word == readme_id else made.split("-")[1].lower()
        program = [str(SCRIPT), *words[1:]] if words[0] == "storykit" else words
        done = subprocess.run(
            program, cwd=root, env=env, capture_output=True, text=True, check=False
        )
        printed = (done.stdout + done.stderr).splitlines()
        if piped_to_jq:
            printed = [json.loads(done.stdout)["item"]["id"]]
        if words[:2] == ["git", "log"]:
            printed = [line.split(" ", 1)[1] for line in printed]
            shown = [line.split(" ", 1)[1] for line in shown]
        for expected, got in zip(shown, printed, strict=False):
            for readme_id, made in zip(ID.findall(expected), ID.findall(got), strict=False):
                real.setdefault(readme_id, made)
        if words[1:2] == ["burndown"]:
            shown, printed = shown[:2], printed[:2]  # the chart is drawn, not compared
        mine = [SHA.sub("[sha]", line) for line in printed]
        theirs = [SHA.sub("[sha]", line) for line in shown]
        for readme_id, made in real.items():
            mine = [line.replace(made, readme_id) for line in mine]
        assert mine == theirs, command

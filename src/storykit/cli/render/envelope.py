"""Printing the JSON answers (shaped in services/answers.py) on stdout, and telling whether
a command line asks for JSON."""

from __future__ import annotations

import sys
from typing import Any

from storykit.services.answers import error, json_text


def print_json(data: dict[str, Any]) -> None:
    sys.stdout.write(json_text(data))


def wants_json(words: list[str]) -> bool:
    """Whether a command line asks for JSON (`--json`, `--format json`), options only."""
    for at, word in enumerate(words):
        if word == "--":
            return False
        if word == "--json" or word == "--format=json":
            return True
        if word == "--format" and words[at + 1 : at + 2] == ["json"]:
            return True
    return False


def print_error(message: str, hint: str | None, exit_code: int) -> None:
    """An error as a script reads it, on stdout (the text is on stderr too)."""
    print_json(error(message, hint, exit_code))

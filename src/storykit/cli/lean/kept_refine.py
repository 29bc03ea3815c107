"""A lean `storykit refine`: the answer printed last time, when nothing it depends on has
changed (`kept_answers.py`: every item file, the settings, HEAD and the history's shape,
the options, how it is printed, and "now" within the window its findings hold for);
otherwise None, and the full command runs (and keeps its answer)."""

from __future__ import annotations

import sys
from pathlib import Path

from storykit import clock
from storykit.cli.lean.kept_answers import KeptAnswers, here
from storykit.cli.lean.kept_reports import parse_options
from storykit.history.reportcache import head_commit
from storykit.locations import common_dir, history_shape


def refine_request(top: int | str, as_json: bool, form: str, exit_code: bool) -> list[str]:
    """`refine`'s options as the key holds them; the full command builds the same list from
    what Typer parsed (and keeps nothing for options it refuses)."""
    return ["refine", f"top={top}", f"json={as_json}", f"format={form}", f"exit={exit_code}"]


def kept_refine(root: Path, git_dir: Path, config: bytes, request: list[str]) -> KeptAnswers | None:
    """The kept answers to `request` at this HEAD and history (None: HEAD is not simple)."""
    commit = head_commit(git_dir)
    if commit is None:
        return None
    argv = [request[0], commit, history_shape(git_dir), *request[1:]]
    return KeptAnswers(root, common_dir(git_dir) / "storykit", config, argv)


def _request(args: list[str]) -> list[str] | None:
    found = parse_options(args, ("--top", "--format"), ("--json", "--exit-code"))
    if found is None:
        return None
    top = found.get("--top", "20")
    if not top.isdigit() or top != str(int(top)):
        return None  # Typer reads `007` as 7: the full command answers it
    return refine_request(
        int(top), "--json" in found, found.get("--format", "text"), "--exit-code" in found
    )


def try_refine(argv: list[str]) -> int | None:
    """Print the kept answer and return its exit code, or None to run the full command."""
    if not argv or argv[0] != "refine":
        return None
    try:
        request = _request(argv[1:])
        where = here() if request is not None else None
        if request is None or where is None:
            return None
        kept = kept_refine(where.root, where.git_dir, where.config, request)
        key = kept.key() if kept is not None else None
        found = kept.get(key, clock.now().timestamp()) if kept and key else None
    except Exception:  # an optimisation only: the full command decides
        return None
    if found is None:
        return None
    out, code = found
    sys.stdout.write(out)
    return code

"""`storykit agents`: the short instruction block coding agents read (in `AGENTS.md` or
`CLAUDE.md`), and `--install`, which keeps it between two marker comments of that file,
in one commit."""

from __future__ import annotations

import os
from pathlib import Path

from storykit.errors import UsageError
from storykit.services.workspace import CommitOptions, Outcome, Plan, Workspace
from storykit.storage.atomic import Changeset

START = "<!-- storykit:agents:start -->"
END = "<!-- storykit:agents:end -->"
DEFAULT_FILE = "AGENTS.md"

INSTRUCTIONS = """\
## Backlog: storykit

This repository keeps its backlog with storykit: one YAML file per item under
`{folder}/`, one git commit per change. Work through the `storykit` command, never by
editing item files, their `rank` or their `status` by hand (`storykit check` would fail
and reviewers lose the history). Add `--json` to any command for output to parse.

- Find work: `storykit next --json` (ready items whose dependencies are done, top first);
  `storykit show ID --json` for every field; `storykit search TEXT` to find related items.
- Take it: `storykit claim --push --json` (the top of `next`) or `storykit claim ID
  --push`: the claim is pushed, so it holds for every clone (drop `--push` to claim on this
  clone only); exit 75 means someone else holds it: take another. `storykit unclaim ID`
  gives it back.
- Record progress: `storykit set ID notes="…"`, `storykit set ID points=3`;
  finish with `storykit done ID` (the workflow's gates say what is missing, with the
  command that fixes it).
- Spikes (timeboxed research): close with what you learned and what follows from it:
  `storykit spike close ID --outcome "…" --decision "…" --follow-up "story: TITLE"`.
- What you discover becomes an item, not a comment: technical work with
  `storykit tech new "TITLE" --why "…"`, open questions with
  `storykit spike new "TITLE" --question "…" --timebox 1d`.
- Before you push: `storykit check` (exit 1 lists every problem with file:line:col).
- An error says `error: …` and `hint: …` with the command to run; follow the hint.
"""


def instructions(ws: Workspace) -> str:
    return INSTRUCTIONS.format(folder=ws.project.config.backlog_dir)


def install(ws: Workspace, name: str, options: CommitOptions) -> Outcome:
    """Write or update the block between its markers in `name` (under the repository's
    top folder), appended when the file has none; one commit, none if it is current."""
    path = _inside(ws, name)
    block = f"{START}\n{instructions(ws)}{END}\n"

    def build() -> Plan:
        raw = path.read_bytes() if path.exists() else None
        text = raw.decode("utf-8") if raw is not None else ""
        if (START in text) != (END in text) or text.count(START) > 1:
            raise UsageError(
                f"{name} holds one storykit marker without the other",
                hint=f"remove the stray `{START}` or `{END}` line, then run this again",
            )
        if START in text:
            before, rest = text.split(START, 1)
            after = rest.split(END, 1)[1].removeprefix("\n")
            new = before + block + after
        else:
            gap = "" if not text else "\n" if text.endswith("\n") else "\n\n"
            new = text + gap + block
        changes = Changeset()
        changes.write(path, new.encode("utf-8"), expected=raw)
        return Plan(changes, "agents", None, subject=f"agents: storykit's instructions in {name}")

    return ws.apply(build, options)


def _inside(ws: Workspace, name: str) -> Path:
    """The file named, refused unless it is a plain file path inside the work tree."""
    root = ws.project.root
    path = root / name
    try:
        resolved = path.parent.resolve(strict=True)
    except OSError:
        raise UsageError(f"{name}: no such folder in this repository") from None
    if resolved != root.resolve() and root.resolve() not in resolved.parents:
        raise UsageError(f"{name} is outside this repository")
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise UsageError(f"{name} is not a plain file (a link or a folder): not written")
    if ".git" in Path(os.path.relpath(path, root)).parts:
        raise UsageError(f"{name} is inside git's own folder")
    return path

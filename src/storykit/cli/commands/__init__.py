"""The command groups: each Typer function reads options, calls one service and renders
its result through render/. Imported by app.py alone, each module only when one of its
commands runs (or its own `--help` is asked for).

`COMMANDS` is the one list of the top-level commands, in the order `storykit --help` lists
them, each with the sentence that lists it there and where its function lives. The
sentence is the first of the command's help; the function's docstring holds the rest (none
when one sentence says it all). So `storykit --help` lists every command without importing
one of them or building its parameters (docs/architecture.md, "Start-up").
"""

from __future__ import annotations

from typing import NamedTuple

# What `storykit --help` says first, and of its own option (Typer's app and the lean help).
APP_HELP = (
    "An agile backlog that lives in your git repository: one YAML file per item, "
    "one commit per change."
)
VERSION_HELP = "Show the version."


class Command(NamedTuple):
    name: str
    summary: str  # its line in `storykit --help`, and the first sentence of its own
    module: str  # in storykit.cli.commands
    attribute: str  # the command function, or (for a group) a function name -> Typer
    group: bool = False


def summary(doc: str | None) -> str:
    """A command's line in `--help`: its first sentence, whole (never cut mid-word)."""
    text = " ".join((doc or "").split())
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]


def _command(name: str, summary: str, module: str, attribute: str | None = None) -> Command:
    return Command(name, summary, module, attribute or name.replace("-", "_"))


def _groups() -> tuple[Command, ...]:
    from storykit.model.catalogue import ITEM_TYPES, TYPES

    types = tuple(
        Command(t, summary(TYPES[t].help), "spike" if t == "spike" else "new", "group", True)
        for t in ITEM_TYPES
    )
    sprint = Command("sprint", "Sprints: plan, start, close, show.", "sprints", "group", True)
    export = Command(
        "export",
        "Write the backlog out for other tools (csv, json, backlog-md) and as one HTML file.",
        "interchange",
        "group",
        True,
    )
    return (*types, sprint, export)


COMMANDS: tuple[Command, ...] = (
    _command(
        "init",
        "Start a backlog here: .storykit.toml, backlog/ and the merge driver, in one commit.",
        "changing",
    ),
    _command(
        "list",
        "The open backlog in rank order (done and dropped hidden unless --all).",
        "reading",
        "list_",
    ),
    _command(
        "search",
        "Items holding TEXT in any text field, tag, owner, sprint or referred ID, closed ones "
        "too, each with the lines found.",
        "reading",
    ),
    _command("show", "Items, every field (several: one after the other).", "reading"),
    _command(
        "set",
        "Change fields of items: `storykit set SK-7K2M points=5 tags+=ux owner=`; an "
        "estimation session in one commit: `storykit set A points=2 B points=5 C points=3`.",
        "changing",
        "set_",
    ),
    _command(
        "status",
        "Move one or more items to another status (the workflow's gates apply).",
        "changing",
    ),
    _command(
        "start",
        "Start an item: status in-progress (a spike records when it started).",
        "changing",
    ),
    _command("done", "Finish an item: status done (a spike needs its outcome).", "changing"),
    _command("drop", "Drop an item: status dropped.", "changing"),
    _command(
        "edit", "Edit the item file in $EDITOR; it is validated before it is saved.", "changing"
    ),
    _command(
        "rm",
        "Delete items created by mistake, in one commit (`drop` closes work that was real).",
        "changing",
    ),
    _command(
        "undo",
        "Revert the last storykit change on this branch, with a new commit (never a rewrite).",
        "changing",
    ),
    _command(
        "check",
        "Validate every item file and the backlog as a whole; exit 1 on any error.",
        "reading",
    ),
    _command(
        "log", "The item's history from git, newest first, as field-level changes.", "history"
    ),
    _command(
        "diff",
        "What a change means for the backlog: items added and removed, fields changed, status "
        "transitions, rank moves as positions, spikes closed with their outcomes.",
        "history",
    ),
    _command(
        "resolve",
        "Settle conflicted backlog files during a merge, rebase, cherry-pick or revert.",
        "merging",
    ),
    _command(
        "setup",
        "Set up the merge driver that merges backlog files field by field: for this clone, or "
        "with --global for every clone on this machine (as `git lfs install` does).",
        "merging",
    ),
    _command("rank", "Order the backlog.", "ranking"),
    _command(
        "board", "Columns by status, items in rank order; overdue spikes are marked.", "reading"
    ),
    _command(
        "refine",
        "The grooming report: what needs refining, each finding with the command that fixes it "
        "(not-ready items near the top, stale drafts, broken links, overdue spikes, the balance "
        "of the top, where score and rank disagree).",
        "refining",
    ),
    _command(
        "split",
        "Split an item into parts of the same type that take its place in the backlog.",
        "changing",
    ),
    _command(
        "next",
        "What to pick up now: the top-ranked ready items whose dependencies are all done.",
        "reading",
        "next_",
    ),
    _command(
        "schema", "The JSON Schema of the item files (for editors and other tools).", "reading"
    ),
    _command(
        "merge-driver",
        "The merge driver git runs for each item file two branches changed.",
        "merging",
    ),
    _command(
        "burndown",
        "A sprint's burndown from git history: remaining against ideal, day by day.",
        "reports",
    ),
    _command(
        "velocity",
        "Committed and completed points of the closed sprints, and the average of the last three.",
        "reports",
    ),
    _command(
        "flow",
        "How work flows, from git history: cycle and lead time, throughput, aging work in "
        "progress, cumulative flow.",
        "flow",
    ),
    _command(
        "agents",
        "Instructions for coding agents (AGENTS.md): find, claim and record work with storykit.",
        "agents",
    ),
    _command(
        "claim",
        "Take an item to work on: yours, in progress, in one commit (default: the top of "
        "`storykit next`).",
        "agents",
    ),
    _command("unclaim", "Give a claimed item back: no owner, ready again.", "agents"),
    _command(
        "mcp",
        "Serve the backlog to coding agents over MCP (stdio): eight tools answering the JSON "
        "of --json.",
        "agents",
    ),
    _command(
        "import",
        "Bring in another tool's backlog (backlog-md, github, jira): one commit, each item "
        "keeping its source, so importing again updates.",
        "interchange",
        "import_",
    ),
    _command(
        "sync",
        "Move the items that commit messages close (Closes SK-7K2M) to done, through the "
        "gates, in one commit.",
        "trace",
    ),
    _command(
        "serve",
        "The board in your browser: drag to rank and to change status, edit items, sprints "
        "with their burndown.",
        "web",
    ),
    *_groups(),
)

# Options whose value may be left out, as `claim --push [REMOTE]`: Typer's options always
# take one, so a bare one (last, or before another option) is given the empty value.
BARE_OPTIONS = frozenset({("claim", "--push"), ("start", "--branch")})


def with_bare_values(words: list[str]) -> list[str]:
    if not words or not any(command == words[0] for command, _ in BARE_OPTIONS):
        return words
    given = []
    for index, word in enumerate(words):
        last = index + 1 == len(words) or words[index + 1].startswith("-")
        given.append(word + "=" if (words[0], word) in BARE_OPTIONS and last else word)
    return given

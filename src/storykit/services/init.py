"""`storykit init`: settings, the backlog folder, the merge driver, and the first commit;
on an existing project, whatever of that set-up is missing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from storykit.config import Config, default_config_text, parse_config
from storykit.errors import InvalidDataError, RepoStateError, UsageError
from storykit.locations import CONFIG_FILE
from storykit.project import Project
from storykit.services.clone import (
    ATTRIBUTES_FILE,
    attributes_text,
    missing_lines,
    set_up_clone,
)
from storykit.services.workspace import CommitOptions, Outcome, Plan, Workspace
from storykit.storage.atomic import Changeset

BACKLOG_README = """\
# Backlog

One YAML file per backlog item (user stories, technical stories, spikes, epics, tasks),
managed with [storykit](https://pypi.org/project/storykit/). Run `storykit list` to see
the backlog in rank order and `storykit check` to validate it.
"""


EDITOR_SCHEMA_FILE = ".schema.json"


@dataclass(frozen=True)
class InitResult:
    """What `init` did: the commit (if any), whether it started a backlog or set up an
    existing one, and each part of the set-up."""

    outcome: Outcome
    created: bool
    attributes_added: bool  # `.gitattributes` gained the merge driver's line
    clone_set_up: bool  # this clone's settings gained the merge driver
    schema_written: str | None = None  # the editor schema's path, when written


def init_project(
    start: Path,
    prefix: str,
    options: CommitOptions,
    *,
    editor_schema: bool = False,
    backlog_dir: str = "backlog",
) -> InitResult:
    """Start a backlog; in a repository that has one, set up what is missing (the merge
    driver in `.gitattributes` and in this clone, the editor schema when asked). A folder
    that holds a Backlog.md project is never mixed into: refused, with the way over."""
    from storykit.repository.runner import find_toplevel

    prefix = prefix.strip()
    if not re.fullmatch(r"[A-Z][A-Z0-9]{0,9}", prefix):
        raise UsageError(
            f"prefix {prefix!r} must be 1-10 uppercase letters or digits, starting with a letter",
            hint="e.g. `storykit init --prefix SK`",
        )
    root = find_toplevel(start.resolve())
    config_path = root / CONFIG_FILE
    if config_path.exists():
        return _set_up_existing(root, options, editor_schema)
    text = default_config_text(prefix, EDITOR_SCHEMA_FILE if editor_schema else "", backlog_dir)
    try:
        config = parse_config(text)
    except InvalidDataError as exc:
        problem = exc.diagnostics[0].message if exc.diagnostics else exc.message
        raise UsageError(f"--backlog-dir {backlog_dir!r}: {problem}") from None
    project = Project(root=root, config=config)
    _refuse_backlog_md(project)
    ws = Workspace(project)
    readme = project.backlog_dir / "README.md"
    added: dict[str, bool] = {}

    def build() -> Plan:
        changes = Changeset()
        changes.write(config_path, text.encode("utf-8"), expected=None)
        if not readme.exists():
            changes.write(readme, BACKLOG_README.encode("utf-8"), expected=None)
        if config.editor_schema:
            from storykit.services.schema import schema_text

            schema_path = project.backlog_dir / config.editor_schema
            changes.write(schema_path, schema_text(config).encode("utf-8"), expected=None)
        added["attributes"] = _add_attributes(changes, root, config)
        subject = f"init backlog: IDs {prefix}-…, items in {config.backlog_dir}/"
        return Plan(changes, "init", None, subject=subject)

    clone = set_up_clone(ws.repo)  # first: the commit would set it up, without its name
    outcome = ws.apply(build, options)
    schema = project.rel(project.backlog_dir / config.editor_schema) if editor_schema else None
    return InitResult(outcome, True, added["attributes"], clone, schema)


def _refuse_backlog_md(project: Project) -> None:
    """A Backlog.md project where the backlog would go: say so, and how to bring it over."""
    from storykit.interchange.backlog_md import project_folder

    folder = project.backlog_dir
    located = project_folder(project.root) or project_folder(folder)
    if located is None or located[0] != folder:
        return
    rel = project.rel(folder)
    raise RepoStateError(
        f"{rel}/ holds a Backlog.md project (its config.yml and task files); storykit will "
        "not mix its own items into it",
        hint=f"keep it and bring its tasks over: `storykit init --backlog-dir stories && "
        f"storykit import backlog-md {rel}`",
    )


def _set_up_existing(root: Path, options: CommitOptions, editor_schema: bool) -> InitResult:
    """On an existing project, in one commit: the merge driver's `.gitattributes` line if
    it is missing; with `editor_schema`, point `editor_schema` at `backlog/.schema.json`
    (unless it names a file already) and write the schema as the settings make it (run
    again, it brings a stale schema up to date). Then the clone's own settings."""
    from storykit.project import find_project
    from storykit.services.schema import schema_text

    ws = Workspace(find_project(root))
    config_path = ws.project.config_path
    written: dict[str, bool] = {}
    schema_rel: list[str] = []

    def build() -> Plan:
        changes = Changeset()
        parts = []
        if editor_schema:
            raw = config_path.read_bytes()
            text = raw.decode("utf-8")
            if not ws.project.config.editor_schema:
                text = _with_setting(text, "editor_schema", EDITOR_SCHEMA_FILE)
            config = parse_config(text)
            changes.write(config_path, text.encode("utf-8"), expected=raw)
            schema_path = ws.project.backlog_dir / config.editor_schema
            current = schema_path.read_bytes() if schema_path.exists() else None
            schema = schema_text(config).encode("utf-8")
            changes.write(schema_path, schema, expected=current)
            if current != schema:
                schema_rel.append(ws.project.rel(schema_path))
                parts.append(f"editor schema {schema_rel[0]}")
        written["attributes"] = _add_attributes(changes, root, ws.project.config)
        if written["attributes"]:
            parts.append(f"merge driver for {ws.project.config.backlog_dir}/ files")
        return Plan(changes, "init", None, subject=f"init {' and '.join(parts)}")

    clone = set_up_clone(ws.repo)
    needed = editor_schema or missing_lines(attributes_text(root), ws.project.config)
    outcome = ws.apply(build, options) if needed else Outcome(None, changed=False)
    schema = schema_rel[0] if schema_rel else None
    return InitResult(outcome, False, written.get("attributes", False), clone, schema)


def _add_attributes(changes: Changeset, root: Path, config: Config) -> bool:
    """Add the merge driver's lines that `.gitattributes` lacks."""
    path = root / ATTRIBUTES_FILE
    raw = path.read_bytes() if path.is_file() else None
    missing = missing_lines((raw or b"").decode("utf-8", "replace"), config)
    if not missing:
        return False
    separator = b"" if not raw or raw.endswith(b"\n") else b"\n"
    lines = "".join(f"{line}\n" for line in missing).encode()
    changes.write(path, (raw or b"") + separator + lines, expected=raw)
    return True


def _with_setting(text: str, key: str, value: str) -> str:
    """The settings text with a top-level `key = "value"` set (replaced, or added before
    the first table), every other line as it was."""
    line = f'{key} = "{value}"'
    pattern = re.compile(rf"^{key}\s*=\s*\"[^\"\n]*\"", re.MULTILINE)
    if pattern.search(text):
        return pattern.sub(line, text, count=1)
    table = re.search(r"^\[", text, re.MULTILINE)
    if table is None:
        return text + ("" if text.endswith("\n") or not text else "\n") + line + "\n"
    return text[: table.start()] + line + "\n\n" + text[table.start() :]

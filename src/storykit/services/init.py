"""`storykit init`: settings, the backlog folder, and the first commit."""

from __future__ import annotations

import re
from pathlib import Path

from storykit.atomic import Changeset
from storykit.config import default_config_text, parse_config
from storykit.errors import StorykitError, UsageError
from storykit.locations import CONFIG_FILE
from storykit.project import Project
from storykit.services.workspace import CommitOptions, Outcome, Plan, Workspace

BACKLOG_README = """\
# Backlog

One YAML file per backlog item (user stories, technical stories, spikes, epics, tasks),
managed with [storykit](https://pypi.org/project/storykit/). Run `storykit list` to see
the backlog in rank order and `storykit check` to validate it.
"""


EDITOR_SCHEMA_FILE = ".schema.json"


def init_project(
    start: Path, prefix: str, options: CommitOptions, *, editor_schema: bool = False
) -> Outcome:
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
        if editor_schema:
            return add_editor_schema(root, options)
        raise StorykitError(
            f"{CONFIG_FILE} already exists: this repository already has a storykit backlog",
            hint="`storykit list` shows it; `storykit init --editor-schema` adds the editor "
            "schema to it",
        )
    text = default_config_text(prefix, EDITOR_SCHEMA_FILE if editor_schema else "")
    config = parse_config(text)
    project = Project(root=root, config=config)
    ws = Workspace(project)
    readme = project.backlog_dir / "README.md"

    def build() -> Plan:
        changes = Changeset()
        changes.write(config_path, text.encode("utf-8"), expected=None)
        if not readme.exists():
            changes.write(readme, BACKLOG_README.encode("utf-8"), expected=None)
        if config.editor_schema:
            from storykit.services.schema import schema_text

            schema_path = project.backlog_dir / config.editor_schema
            changes.write(schema_path, schema_text(config).encode("utf-8"), expected=None)
        subject = f"init backlog: IDs {prefix}-…, items in {config.backlog_dir}/"
        return Plan(changes, "init", None, subject=subject)

    return ws.apply(build, options)


def add_editor_schema(root: Path, options: CommitOptions) -> Outcome:
    """On an existing project: point `editor_schema` at `backlog/.schema.json` (unless it
    names a file already) and write the schema as the settings make it, in one commit.
    Run again, it brings a stale schema up to date."""
    from storykit.project import find_project
    from storykit.services.schema import schema_text

    ws = Workspace(find_project(root))
    config_path = ws.project.config_path

    def build() -> Plan:
        raw = config_path.read_bytes()
        text = raw.decode("utf-8")
        if not ws.project.config.editor_schema:
            text = _with_setting(text, "editor_schema", EDITOR_SCHEMA_FILE)
        config = parse_config(text)
        changes = Changeset()
        changes.write(config_path, text.encode("utf-8"), expected=raw)
        schema_path = ws.project.backlog_dir / config.editor_schema
        current = schema_path.read_bytes() if schema_path.exists() else None
        changes.write(schema_path, schema_text(config).encode("utf-8"), expected=current)
        subject = f"init editor schema: {ws.project.rel(schema_path)}"
        return Plan(changes, "init", None, subject=subject)

    return ws.apply(build, options)


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

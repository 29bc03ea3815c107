"""`.storykit.toml`: the project's settings, validated with a located error for each bad key."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path, PurePosixPath
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from storykit.errors import Diagnostic, InvalidDataError
from storykit.locations import CONFIG_FILE
from storykit.model.catalogue import FIELDS
from storykit.model.score import DEFAULT as DEFAULT_SCORE
from storykit.model.score import ScoreError, expression_of, names, parse
from storykit.model.timebox import sprint_too_long, timebox_delta

DEFAULT_LOCK_WAIT = 3.0  # seconds a change waits for another one
MAX_LOCK_WAIT = 600.0


class WorkflowConfig(BaseModel):
    """Statuses in order, and which of them play the roles the gates refer to (each type
    declares its gates in the catalogue)."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    statuses: Annotated[list[str], Field(min_length=2)] = [
        "draft",
        "ready",
        "in-progress",
        "done",
        "dropped",
    ]
    initial: str = "draft"
    ready: str = "ready"
    in_progress: str = "in-progress"
    done: str = "done"
    dropped: str = "dropped"

    @model_validator(mode="after")
    def _roles_are_statuses(self) -> WorkflowConfig:
        if len(set(self.statuses)) != len(self.statuses):
            raise ValueError("statuses: each status may appear only once")
        for status in self.statuses:
            if not re.fullmatch(r"[a-z][a-z0-9-]*", status):
                raise ValueError(f"statuses: {status!r} must be lowercase letters, digits and '-'")
        for role in ("initial", "ready", "in_progress", "done", "dropped"):
            name = getattr(self, role)
            if name not in self.statuses:
                raise ValueError(f"{role}: {name!r} is not one of the statuses")
        return self

    @property
    def closed(self) -> tuple[str, str]:
        return (self.done, self.dropped)


class PriorityConfig(BaseModel):
    """How items are scored beside their rank: a preset or an expression over numeric
    fields (`model/score.py`)."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    score: str = DEFAULT_SCORE

    @field_validator("score")
    @classmethod
    def _parses(cls, value: str) -> str:
        try:
            parse(expression_of(value))
        except ScoreError as exc:
            raise ValueError(f"{value!r}: {exc} (at column {exc.column})") from None
        return value

    @property
    def expression(self) -> str:
        return expression_of(self.score)


BRANCH_FIELDS = ("id", "slug", "type")  # what a `[trace] branch` pattern may name


class TraceConfig(BaseModel):
    """How items are traced in the code's history: the branch `start --branch` makes, and
    the words in a commit message that close an item (`storykit sync`)."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    branch: Annotated[str, Field(min_length=1, max_length=100)] = "{id}-{slug}"
    close_keywords: Annotated[list[str], Field(min_length=1)] = ["closes", "fixes", "resolves"]

    @field_validator("branch")
    @classmethod
    def _names_known_fields(cls, value: str) -> str:
        import string

        try:
            named = [name for _, name, _, _ in string.Formatter().parse(value) if name is not None]
        except ValueError as exc:
            raise ValueError(f"{value!r}: {exc}") from None
        unknown = [name for name in named if name not in BRANCH_FIELDS]
        if unknown or "{id}" not in value:
            known = ", ".join("{" + name + "}" for name in BRANCH_FIELDS)
            raise ValueError(f"{value!r} must name {{id}} and no field but {known}")
        return value

    @field_validator("close_keywords")
    @classmethod
    def _words(cls, value: list[str]) -> list[str]:
        for word in value:
            if not re.fullmatch(r"[A-Za-z][A-Za-z-]{0,30}", word):
                raise ValueError(f"{word!r} must be one word of letters")
        return value


class Config(BaseModel):
    """The validated contents of `.storykit.toml` (every key optional)."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    prefix: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]{0,9}$")] = "SK"
    backlog_dir: str = "backlog"
    points: Annotated[list[int | float], Field(min_length=1)] = [1, 2, 3, 5, 8, 13]
    commit: bool = True
    commit_prefix: Annotated[str, Field(max_length=40)] = "backlog: "
    hooks: bool = True
    custom_fields: list[str] = []
    editor_schema: str = ""
    lock_wait: Annotated[float, Field(ge=0, le=MAX_LOCK_WAIT)] = DEFAULT_LOCK_WAIT
    sprint_length: Annotated[str, Field(pattern=r"^[1-9][0-9]{0,2}[dw]$")] = "2w"
    timezone: str = "UTC"
    stale_draft_days: Annotated[int, Field(ge=1, le=36500)] = 30
    stale_days: Annotated[int, Field(ge=1, le=36500)] = 90
    workflow: WorkflowConfig = WorkflowConfig()
    priority: PriorityConfig = PriorityConfig()
    trace: TraceConfig = TraceConfig()

    @model_validator(mode="after")
    def _score_reads_numbers(self) -> Config:
        numeric = {name for name, spec in FIELDS.items() if spec.kind in ("number", "score")}
        unknown = names(parse(self.priority.expression)) - numeric - set(self.custom_fields)
        if unknown:
            known = ", ".join(sorted(numeric | set(self.custom_fields)))
            raise ValueError(
                f"score: {', '.join(sorted(unknown))} is not a numeric field (fields: {known})"
            )
        return self

    @field_validator("sprint_length")
    @classmethod
    def _sprint_length(cls, value: str) -> str:
        days = timebox_delta(value).days
        too_long = sprint_too_long(days)
        if too_long is not None:
            raise ValueError(too_long)
        return value

    @field_validator("backlog_dir")
    @classmethod
    def _relative_folder(cls, value: str) -> str:
        folder = PurePosixPath(value)
        parts = [part.casefold() for part in folder.parts]
        if folder.is_absolute() or not parts or ".." in parts or "\\" in value:
            raise ValueError("must be a relative folder inside the repository, like backlog")
        if ".git" in parts:
            raise ValueError("must not be inside the git directory (.git)")
        if any(c < " " or c == "\x7f" for c in value):
            raise ValueError("must not contain control characters")
        return value

    @field_validator("points")
    @classmethod
    def _increasing(cls, value: list[int | float]) -> list[int | float]:
        if sorted(value) != value or len(set(value)) != len(value):
            raise ValueError("the scale must be strictly increasing")
        return value

    @field_validator("commit_prefix")
    @classmethod
    def _one_line(cls, value: str) -> str:
        if any(c < " " for c in value):
            raise ValueError("must be one line without control characters")
        return value

    @field_validator("editor_schema")
    @classmethod
    def _schema_file(cls, value: str) -> str:
        if value and (Path(value).is_absolute() or "/" in value or not value.endswith(".json")):
            raise ValueError("must be a .json file name inside the backlog folder, or empty")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            zone_of(value)
        except ValueError:
            raise ValueError(
                f"{value!r} is not a time zone: give an IANA name like UTC or Europe/Paris"
            ) from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        """The time zone sprints' days are counted in."""
        return zone_of(self.timezone)

    @field_validator("custom_fields")
    @classmethod
    def _identifiers(cls, value: list[str]) -> list[str]:
        for name in value:
            if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
                raise ValueError(f"{name!r} must be a lowercase identifier")
            if name in FIELDS:
                raise ValueError(f"{name!r} is already a built-in field")
        return value


DEFAULT_CONFIG_TEXT = """\
# storykit settings. Every key is optional; the values below are the defaults.
prefix = "{prefix}"            # item IDs look like {prefix}-7K2M
backlog_dir = {backlog_dir}        # one YAML file per item, flat in this folder
points = [1, 2, 3, 5, 8, 13]   # the estimation scale
commit = true                  # one git commit per change (false: write files only)
commit_prefix = "backlog: "    # start of every commit subject
hooks = true                   # run the repository's pre-commit and commit-msg hooks
custom_fields = []             # extra item keys your team wants (keys starting x- are always kept)
editor_schema = "{editor_schema}"             # JSON Schema in backlog/ for editors ("" = none)
lock_wait = 3                  # seconds a change waits for another one to finish
sprint_length = "2w"           # default length of a new sprint (days: 10d, weeks: 2w)
timezone = "UTC"               # sprints' days are counted in this IANA time zone
stale_draft_days = 30          # `refine`: a draft older than this is stale
stale_days = 90                # `refine`: an open item no commit touched for this long

[workflow]
statuses = ["draft", "ready", "in-progress", "done", "dropped"]
initial = "draft"
ready = "ready"
in_progress = "in-progress"
done = "done"
dropped = "dropped"

[priority]
score = "wsjf"                 # beside the rank: wsjf = (value + risk) / points, value,
                               # value+risk, or an expression like "value * 2 - risk"

[trace]
branch = "{{id}}-{{slug}}"       # `start --branch`: the ID in lower case, the title's slug
close_keywords = ["closes", "fixes", "resolves"]  # "Closes SK-7K2M" in a commit message
"""


def zone_of(name: str) -> ZoneInfo:
    """An IANA time zone; ValueError for a name that is none (or could escape the zone
    database: an absolute or relative path)."""
    if not name or name.startswith(("/", ".")) or ".." in name or "\\" in name:
        raise ValueError(name)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(name) from None


def default_config_text(prefix: str, editor_schema: str = "", backlog_dir: str = "backlog") -> str:
    import json

    folder = json.dumps(backlog_dir, ensure_ascii=False)  # a TOML basic string
    return DEFAULT_CONFIG_TEXT.format(
        prefix=prefix, editor_schema=editor_schema, backlog_dir=folder
    )


def parse_config(text: str, path: str = CONFIG_FILE) -> Config:
    """Validate config text; every problem is reported as `path:line:col`."""
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, col = _toml_error_position(str(exc))
        raise InvalidDataError(
            f"{path} is not valid TOML",
            [Diagnostic(path, line, col, f"{exc}".split(" (at line")[0])],
        ) from None
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        diagnostics = []
        for err in exc.errors():
            loc = [str(part) for part in err["loc"]]
            message = str(err["msg"]).removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                message = "unknown setting"
            key = loc[-1] if loc else ""
            if ":" in message and not loc:
                key = message.split(":", 1)[0]
            line, col = _find_key(text, key)
            inside = re.search(r"\(at column (\d+)\)$", message)
            if inside:  # a bad score expression: point at the character itself
                col = _in_value(text, line, col, int(inside.group(1)))
            where = ".".join(loc)
            diagnostics.append(
                Diagnostic(path, line, col, f"{where}: {message}" if where else message)
            )
        raise InvalidDataError(f"{path} has invalid settings", diagnostics) from None


def _find_key(text: str, key: str) -> tuple[int, int]:
    if key:
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=", re.MULTILINE)
        match = pattern.search(text)
        if match:
            line = text.count("\n", 0, match.start()) + 1
            col = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
            col += len(match.group(0)) - len(match.group(0).lstrip())
            return line, col
    return 1, 1


def _in_value(text: str, line: int, col: int, offset: int) -> int:
    """The column of the `offset`-th character of the quoted value on `line` (else `col`)."""
    row = text.splitlines()[line - 1] if 0 < line <= len(text.splitlines()) else ""
    match = re.search(r"=\s*([\"'])", row)
    return match.end() + offset if match else col


def _toml_error_position(message: str) -> tuple[int, int]:
    match = re.search(r"at line (\d+), column (\d+)", message)
    if match:
        return int(match.group(1)), int(match.group(2))
    return 1, 1

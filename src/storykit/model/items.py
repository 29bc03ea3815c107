"""The five item types as strict Pydantic v2 models, discriminated on `type`."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationInfo,
    field_validator,
)

from storykit.model.fields import ALWAYS_REQUIRED, ITEM_TYPES, REQUIRED
from storykit.model.ids import ID_PATTERN
from storykit.model.timebox import DATE_RANGE_MESSAGE, TIMEBOX_PATTERN, date_in_range

if TYPE_CHECKING:
    from storykit.config import Config


ItemId = Annotated[str, Field(pattern=rf"^{ID_PATTERN}$")]
# Control characters never reach a file or a terminal through a value (see printable.py):
# a line holds none, a text only newlines and tabs.
_CONTROLS = r"\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029"
Line = Annotated[str, Field(min_length=1, max_length=200, pattern=rf"^[^{_CONTROLS}\t\n]*$")]
Text = Annotated[str, Field(min_length=1, pattern=rf"^[^{_CONTROLS}]*$")]
Score = Annotated[int, Field(ge=1, le=10)]


class ItemBase(BaseModel):
    """Fields every item has, in canonical order (DESIGN §2)."""

    # defer_build: a command validates one or two types; build only those schemas.
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, defer_build=True)

    id: ItemId
    type: str
    title: Line
    status: str
    rank: Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[0-9A-Za-z]+$")]
    created: dt.date | None = None
    points: int | float | None = None
    value: Score | None = None
    risk: Score | None = None
    parent: ItemId | None = None
    depends_on: list[ItemId] = []
    sprint: Line | None = None
    owner: Line | None = None
    tags: list[
        Annotated[str, Field(min_length=1, max_length=50, pattern=rf"^[^\s,{_CONTROLS}]+$")]
    ] = []
    description: Text | None = None
    notes: Text | None = None
    split_from: ItemId | None = None
    split_into: list[ItemId] = []

    @field_validator("status")
    @classmethod
    def _status_in_workflow(cls, value: str, info: ValidationInfo) -> str:
        config = _config(info)
        statuses = config.workflow.statuses if config else None
        if statuses and value not in statuses:
            raise ValueError(f"must be one of {', '.join(statuses)}")
        return value

    @field_validator("points")
    @classmethod
    def _points_on_scale(cls, value: int | float | None, info: ValidationInfo) -> Any:
        config = _config(info)
        if value is not None and config and value not in config.points:
            raise ValueError(f"must be one of {', '.join(_num(p) for p in config.points)}")
        return value

    @field_validator("created", mode="before")
    @classmethod
    def _date_not_datetime(cls, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            raise ValueError("must be a date like 2026-11-21, without a time")
        return value

    @field_validator("created")
    @classmethod
    def _created_in_range(cls, value: dt.date | None) -> Any:
        return _in_range(value)


class Story(ItemBase):
    """A user story: As a <as_a>, I want <i_want> so that <so_that>."""

    type: Literal["story"]
    as_a: Line | None = None
    i_want: Text | None = None
    so_that: Text | None = None
    acceptance_criteria: list[Text] = []


class Tech(ItemBase):
    """A technical story: refactoring, infrastructure, integration, test coverage..."""

    type: Literal["tech"]
    why: Text | None = None
    category: (
        Literal[
            "refactor",
            "infrastructure",
            "integration",
            "test-coverage",
            "performance",
            "security",
            "other",
        ]
        | None
    ) = None
    supports: list[ItemId] = []
    acceptance_criteria: list[Text] = []


class Spike(ItemBase):
    """Timeboxed research whose outcome must be written down."""

    type: Literal["spike"]
    question: Text | None = None
    kind: Literal["technical", "functional", "proof-of-concept"] | None = None
    timebox: Annotated[str, Field(pattern=TIMEBOX_PATTERN)] | None = None
    started: dt.datetime | dt.date | None = None
    outcome: Text | None = None
    decision: Text | None = None
    follow_ups: list[ItemId] = []

    @field_validator("started")
    @classmethod
    def _started_in_range(cls, value: dt.datetime | dt.date | None) -> Any:
        return _in_range(value)


class Epic(ItemBase):
    """A large goal; its children are the items whose `parent` is the epic."""

    type: Literal["epic"]
    goal: Text | None = None


class Task(ItemBase):
    """A subtask of a story or technical story."""

    type: Literal["task"]


Item = Annotated[Story | Tech | Spike | Epic | Task, Field(discriminator="type")]
MODELS: dict[str, type[ItemBase]] = {
    "story": Story,
    "tech": Tech,
    "spike": Spike,
    "epic": Epic,
    "task": Task,
}


@cache
def item_adapter() -> TypeAdapter[Story | Tech | Spike | Epic | Task]:
    return TypeAdapter(Item)


def canonical_order(item_type: str) -> list[str]:
    """Field names of a type in the order new files are written."""
    model = MODELS.get(item_type, ItemBase)
    common = list(ItemBase.model_fields)
    return common + [name for name in model.model_fields if name not in common]


def required_fields(item_type: str, status: str | None = None, initial: str = "") -> list[str]:
    """Fields an item of this type needs; in its initial (draft) status, only the basics."""
    if status is not None and status == initial:
        return list(ALWAYS_REQUIRED)
    return list(REQUIRED[item_type])


__all__ = [
    "ITEM_TYPES",
    "MODELS",
    "Epic",
    "Item",
    "ItemBase",
    "Spike",
    "Story",
    "Task",
    "Tech",
]


def fields_of(item_type: str) -> list[str]:
    return list(MODELS[item_type].model_fields)


def _config(info: ValidationInfo) -> Config | None:
    context = info.context
    if isinstance(context, dict):
        config = context.get("config")
        return config if config is None or hasattr(config, "workflow") else None
    return None


def _in_range(value: Any) -> Any:
    if value is not None and not date_in_range(value):
        raise ValueError(DATE_RANGE_MESSAGE)
    return value


def _num(value: int | float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)

"""The item types as strict Pydantic v2 models, built from the catalogue (`catalogue.py`).

A field's kind says how it validates (`_ANNOTATIONS`); whether it is a list, required or
optional comes from its declaration. The models are discriminated on `type`. Field values
are read as attributes (`item.status`); their names are the catalogue's.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    TypeAdapter,
    ValidationInfo,
    create_model,
    field_validator,
)

from storykit.model.catalogue import FIELDS, TYPES, FieldSpec, type_fields
from storykit.model.ids import ID_PATTERN
from storykit.model.records import date_text, with_dates
from storykit.model.timebox import DATE_RANGE_MESSAGE, TIMEBOX_PATTERN, date_in_range

if TYPE_CHECKING:
    from storykit.model.settings import Settings


def _in_range(value: Any) -> Any:
    if value is not None and not date_in_range(value):
        raise ValueError(DATE_RANGE_MESSAGE)
    return value


def _date_not_datetime(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        raise ValueError("must be a date like 2026-11-21, without a time")
    return value


# Control characters never reach a file or a terminal through a value (see printable.py):
# a line holds none, a text only newlines and tabs.
_CONTROLS = r"\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029"
_ANNOTATIONS: dict[str, Any] = {
    "id": Annotated[str, Field(pattern=rf"^{ID_PATTERN}$")],
    "line": Annotated[str, Field(min_length=1, max_length=200, pattern=rf"^[^{_CONTROLS}\t\n]*$")],
    "text": Annotated[str, Field(min_length=1, pattern=rf"^[^{_CONTROLS}]*$")],
    "status": str,  # one of the workflow's statuses: checked below, with the settings
    "rank": Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[0-9A-Za-z]+$")],
    "number": int | float,  # on the points scale: checked below, with the settings
    "score": Annotated[int, Field(ge=1, le=10)],
    "date": Annotated[dt.date, BeforeValidator(_date_not_datetime), AfterValidator(_in_range)],
    "datetime": Annotated[
        dt.datetime | dt.date,
        AfterValidator(_in_range),
        PlainSerializer(date_text, when_used="json"),  # as files write it
    ],
    "timebox": Annotated[str, Field(pattern=TIMEBOX_PATTERN)],
    "tag": Annotated[str, Field(min_length=1, max_length=50, pattern=rf"^[^\s,{_CONTROLS}]+$")],
}


class ItemModel(BaseModel):
    """What every item model shares: strict, frozen, no unknown keys, and the checks
    that need the project's settings (passed as validation context)."""

    # defer_build: a command validates one or two types; build only those schemas.
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, defer_build=True)

    if TYPE_CHECKING:  # fields are built from the catalogue: read by their names

        def __getattr__(self, name: str) -> Any: ...

    @field_validator("status", check_fields=False)
    @classmethod
    def _status_in_workflow(cls, value: str, info: ValidationInfo) -> str:
        config = _config(info)
        statuses = config.workflow.statuses if config else None
        if statuses and value not in statuses:
            raise ValueError(f"must be one of {', '.join(statuses)}")
        return value

    @field_validator("points", check_fields=False)
    @classmethod
    def _points_on_scale(cls, value: int | float | None, info: ValidationInfo) -> Any:
        config = _config(info)
        if value is not None and config and value not in config.points:
            raise ValueError(f"must be one of {', '.join(_num(p) for p in config.points)}")
        return value


def annotation(spec: FieldSpec, item_type: str) -> tuple[Any, Any]:
    """(annotation, default) of a field in the model of `item_type`."""
    if spec.kind == "type":
        return Literal[item_type], ...  # the discriminator
    base = Literal[spec.choices] if spec.kind == "choice" else _ANNOTATIONS[spec.kind]
    if spec.many:
        # A plain `[]` (Pydantic copies it): a default_factory would cost an
        # inspect.signature() on every model_construct, 0.5 ms per item.
        return list[base], []  # type: ignore[valid-type]
    if spec.required:
        return base, ...
    return base | None, None


def _build(item_type: str) -> type[ItemModel]:
    spec = TYPES[item_type]
    fields: dict[str, Any] = {
        name: annotation(FIELDS[name], item_type) for name in type_fields(item_type)
    }
    return create_model(spec.model_name, __base__=ItemModel, __doc__=spec.help, **fields)


MODELS: dict[str, type[ItemModel]] = {item_type: _build(item_type) for item_type in TYPES}


@cache
def item_adapter() -> TypeAdapter[Any]:
    """Any item: the model its `type` names (which also explains a bad `type`)."""
    union: Any = Union[tuple(MODELS.values())]  # noqa: UP007
    annotated: Any = Annotated[union, Field(discriminator="type")]
    return TypeAdapter(annotated)


def model_from_plain(fields: dict[str, Any]) -> ItemModel:
    """The model of plain data validated earlier (a cache payload, only the fields that
    are set): built through Pydantic's `model_construct`, without validating it again.
    Every field is handed in (the defaults from a table, fresh lists), which spares
    Pydantic resolving and copying each default per item: a third of `check`'s time."""
    item_type = fields["type"]
    defaults, lists = _defaults(item_type)
    values = {**defaults, **{name: [] for name in lists}, **with_dates(dict(fields))}
    return MODELS[item_type].model_construct(**values)


@cache
def _defaults(item_type: str) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The defaults of a type's optional fields: (the immutable ones, the names of lists)."""
    plain: dict[str, Any] = {}
    lists: list[str] = []
    for name, info in MODELS[item_type].model_fields.items():
        if info.is_required():
            continue
        if isinstance(info.default, list):
            lists.append(name)
        else:
            plain[name] = info.default
    return plain, tuple(lists)


def _config(info: ValidationInfo) -> Settings | None:
    context = info.context
    if isinstance(context, dict):
        config = context.get("config")
        return config if config is None or hasattr(config, "workflow") else None
    return None


def _num(value: int | float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)

"""Plain item data → a validated model, or every problem as a located Diagnostic."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from storykit.config import Config
from storykit.errors import Diagnostic
from storykit.model.catalogue import (
    FIELDS,
    ITEM_TYPES,
    SPRINT_FIELDS,
    TYPES,
    FieldSpec,
    type_fields,
)
from storykit.model.items import MODELS, ItemModel, item_adapter
from storykit.model.naming import id_from_file_name
from storykit.printable import has_control

# (loc, key?) -> 1-based (line, col)
Locator = Callable[[Sequence[str | int], bool], tuple[int, int]]


@dataclass(frozen=True)
class Validated:
    """The outcome of validating one file's data."""

    model: ItemModel | None
    extras: dict[str, Any] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def split_extras(data: dict[str, Any], config: Config) -> tuple[dict[str, Any], dict[str, Any]]:
    """Separate `x-` keys and configured custom fields from the model's fields."""
    core: dict[str, Any] = {}
    extras: dict[str, Any] = {}
    for key, value in data.items():
        if key.startswith("x-") or key in config.custom_fields:
            extras[key] = value
        else:
            core[key] = value
    return core, extras


def validate_item(data: dict[str, Any], config: Config, path: str, locate: Locator) -> Validated:
    core, extras = split_extras(data, config)
    gaps = [] if SOURCE_KEY in extras else _missing_past_draft(core, config, path)
    missing = gaps + _control_characters(data, path, locate)
    try:
        model = _validator(core.get("type")).validate_python(core, context={"config": config})
    except ValidationError as exc:
        found = _diagnostics(exc, core, path, locate) + missing
        return Validated(None, extras, sorted(found, key=lambda d: (d.line, d.col)))
    if missing:
        return Validated(None, extras, missing)
    return Validated(model, extras)


def file_name_problems(data: dict[str, Any], rel: str, locate: Locator) -> list[Diagnostic]:
    """An item file's name must be `<ID>-<slug>.yaml`, with the ID its `id` holds."""
    name_id = id_from_file_name(rel.rpartition("/")[2])
    file_id = data.get("id")
    if name_id is None:
        message = "file name must be <ID>-<slug>.yaml, like SK-7K2M-send-emojis.yaml"
        return [Diagnostic(rel, 1, 1, message)]
    if isinstance(file_id, str) and file_id != name_id:
        line, col = locate(["id"], False)
        message = f"id: {file_id} does not match the file name ({name_id})"
        return [Diagnostic(rel, line, col, message)]
    return []


def _control_characters(data: dict[str, Any], path: str, locate: Locator) -> list[Diagnostic]:
    """Keys with any control character, and values of the user's own keys with one other
    than newline and tab (the model's fields check their own): printed, they could forge
    output or drive a terminal."""
    if has_control("".join(map(str, data))) is None and all(key in FIELDS for key in data):
        return []  # the usual file: plain keys, all the model's own
    found: list[Diagnostic] = []
    stack: list[tuple[list[str | int], Any]] = [([], data)]
    while stack:
        loc, value = stack.pop()
        if isinstance(value, dict):
            for key, child in value.items():
                bad = has_control(str(key))
                if bad is not None:
                    line, col = locate([*loc, key], True)
                    where = ".".join(str(part) for part in [*loc, key])
                    found.append(
                        Diagnostic(
                            path,
                            line,
                            col,
                            f"{where}: key holds control character U+{ord(bad):04X}",
                        )
                    )
                elif loc or _is_users_key(str(key)):
                    stack.append(([*loc, key], child))
        elif isinstance(value, list):
            stack.extend(([*loc, index], child) for index, child in enumerate(value))
        elif isinstance(value, str):
            bad = has_control(value, lines=True)
            if bad is not None:
                line, col = locate(loc, False)
                where = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in loc)
                found.append(
                    Diagnostic(
                        path,
                        line,
                        col,
                        f"{where.replace('.[', '[')}: must not "
                        f"contain control character U+{ord(bad):04X}",
                    )
                )
    return found


def _is_users_key(key: str) -> bool:
    """Keys the model does not check itself: `x-` keys and custom fields (and unknown keys,
    which are refused anyway)."""
    return key not in FIELDS


def _validator(item_type: Any) -> Any:
    """The one type's model when `type` names one (its schema alone is built, and errors
    are the same); the discriminated union otherwise, which explains a bad `type`."""
    model = MODELS.get(item_type) if isinstance(item_type, str) else None
    return model.__pydantic_validator__ if model is not None else item_adapter()


# Where an imported item came from (`github:owner/repo#12`): such an item may lack what its
# status needs, since its source never held it (`check` warns; docs/architecture.md,
# "Import and export").
SOURCE_KEY = "x-source"


def missing_past_draft(core: dict[str, Any], config: Config) -> list[str]:
    """A type's own required fields the item lacks, which only the initial (draft) status
    and the dropped one may leave out: a draft is not written yet, and a dropped item will
    never be."""
    item_type, status = core.get("type"), core.get("status")
    workflow = config.workflow
    if not isinstance(item_type, str) or item_type not in TYPES or not isinstance(status, str):
        return []  # a `type` of another shape (`[]`, `{}`) is the model's to name
    if status in (workflow.initial, workflow.dropped):
        return []
    return [name for name in TYPES[item_type].required if core.get(name) in (None, "", [])]


def _missing_past_draft(core: dict[str, Any], config: Config, path: str) -> list[Diagnostic]:
    workflow = config.workflow
    return [
        Diagnostic(
            path,
            1,
            1,
            f"{name}: required field is missing (only a {workflow.initial} or "
            f"{workflow.dropped} {core['type']} may leave it out)",
        )
        for name in missing_past_draft(core, config)
    ]


def validate_sprint(data: dict[str, Any], path: str, locate: Locator) -> Validated:
    """A sprint file's data → its model, or every problem located (see `validate_item`)."""
    from storykit.model.sprints import SprintModel

    problems = _control_characters(data, path, locate)
    try:
        model = SprintModel.model_validate(data)
    except ValidationError as exc:
        found = _diagnostics(exc, data, path, locate, SPRINT_FIELDS) + problems
        return Validated(None, {}, sorted(found, key=lambda d: (d.line, d.col)))
    return Validated(model if not problems else None, {}, problems)  # type: ignore[arg-type]


def _diagnostics(
    exc: ValidationError,
    data: dict[str, Any],
    path: str,
    locate: Locator,
    fields: dict[str, FieldSpec] = FIELDS,
) -> list[Diagnostic]:
    item_type = data.get("type") if fields is FIELDS else None
    by_loc: dict[tuple[str | int, ...], list[dict[str, Any]]] = {}
    for error in exc.errors(include_url=False):
        loc = _field_loc(error["loc"], item_type)
        if not error["loc"] and fields is not FIELDS:  # a rule between fields names its own
            loc = (str(error["msg"]).removeprefix("Value error, ").split(":")[0],)
            error = {**error, "msg": str(error["msg"]).split(": ", 1)[-1]}
        by_loc.setdefault(loc, []).append(dict(error))
    found: list[Diagnostic] = []
    for loc, errors in by_loc.items():
        name = str(loc[0]) if loc else ""
        message = _message(name, errors, item_type, fields)
        missing = errors[0]["type"] in ("missing", "union_tag_not_found")
        line, col = (1, 1) if missing else locate(loc, errors[0]["type"] == "extra_forbidden")
        where = ".".join(str(part) if isinstance(part, str) else f"[{part}]" for part in loc)
        where = where.replace(".[", "[")
        found.append(Diagnostic(path, line, col, f"{where}: {message}" if where else message))
    found.sort(key=lambda d: (d.line, d.col))
    return found


def _field_loc(loc: Sequence[str | int], item_type: Any) -> tuple[str | int, ...]:
    parts = list(loc)
    if parts and item_type in ITEM_TYPES and parts[0] == item_type:
        parts = parts[1:]
    if not parts:
        return ("type",)
    kept: list[str | int] = [parts[0]]
    kept.extend(part for part in parts[1:] if isinstance(part, int))
    return tuple(kept)


def _message(
    name: str, errors: list[dict[str, Any]], item_type: Any, fields: dict[str, FieldSpec]
) -> str:
    """What a user is told about a field's value, by what Pydantic found and the field's
    declaration in the catalogue."""
    error = errors[0]
    kind = error["type"]
    spec = fields.get(name)
    if kind in ("missing", "union_tag_not_found"):
        if name == "type":
            return f"required field is missing (one of {', '.join(ITEM_TYPES)})"
        return "required field is missing"
    if kind == "union_tag_invalid":
        return f"must be one of {', '.join(ITEM_TYPES)}"
    if kind == "extra_forbidden" and fields is not FIELDS:
        close = difflib.get_close_matches(name, list(fields), n=1, cutoff=0.7)
        return f"unknown key (did you mean '{close[0]}'?)" if close else "unknown key"
    if kind == "extra_forbidden":
        return _unknown_key(name, item_type)
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    words = ("line", "text", "tag")  # kinds of free text: a control character is named
    if kind == "string_pattern_mismatch" and spec is not None and spec.kind in words:
        bad = has_control(str(error.get("input", "")), lines=spec.kind == "text")
        if bad is not None and spec.kind == "line" and bad in "\r\n\u2028\u2029":
            return "must be one line of text"
        if bad is not None:
            return f"must not contain control character U+{ord(bad):04X}"
    if kind in ("string_too_short", "too_short"):
        return "must not be empty"
    if kind == "string_too_long":
        return f"must be at most {error['ctx']['max_length']} characters"
    if kind == "list_type" and spec is not None and spec.many:
        return "must be a list (one `- item` per line)"
    if spec is not None:
        return spec.message
    return str(error["msg"])


def _unknown_key(name: str, item_type: Any) -> str:
    known = isinstance(item_type, str) and item_type in TYPES
    allowed = list(type_fields(item_type)) if known else []
    close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.7)
    if close:
        return f"unknown key (did you mean '{close[0]}'?)"
    if known and name in FIELDS:
        return f"unknown key for {TYPES[item_type].article} {item_type}"
    return "unknown key (keys starting with x- are kept for your own data)"

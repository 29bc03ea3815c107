"""The catalogue is the one declaration of item types and fields: every surface derived
from it is checked against it here, field by field and type by type."""

from __future__ import annotations

import typing
from typing import Any

import pytest
from typer.testing import CliRunner

from storykit.cli.app import app
from storykit.cli.lean import creating as fastnew
from storykit.cli.render import style
from storykit.config import Config, parse_config
from storykit.errors import InvalidDataError
from storykit.model.catalogue import (
    ALWAYS_REQUIRED,
    FIELDS,
    ITEM_TYPES,
    KINDS,
    REFERENCE_FIELDS,
    SPLIT_INHERITED,
    TYPES,
    option_fields,
    option_name,
    type_fields,
)
from storykit.model.items import MODELS
from storykit.model.records import complete
from storykit.model.values import is_list_field, parse_scalar
from storykit.services.schema import item_schema
from storykit.storage.cache import SUMMARY_FIELDS
from storykit.storage.validate import validate_item
from tests.helpers import Repo

TYPE_FIELD_PAIRS = [(t, name) for t in ITEM_TYPES for name in type_fields(t)]


def _valid(item_type: str, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "SK-7K2M", "type": item_type, "title": "Emoji", "status": "draft", "rank": "a0",
    }  # fmt: skip
    data.update(extra)
    return data


def _problems(data: dict[str, Any]) -> list[str]:
    result = validate_item(data, Config(), "f.yaml", lambda loc, key: (1, 1))
    return [d.message for d in result.diagnostics]


@pytest.mark.parametrize("item_type", ITEM_TYPES)
def test_models_are_the_catalogues_fields_in_order(item_type: str) -> None:
    model = MODELS[item_type]
    assert tuple(model.model_fields) == type_fields(item_type)
    required = tuple(name for name, info in model.model_fields.items() if info.is_required())
    assert required == ALWAYS_REQUIRED
    for name, info in model.model_fields.items():
        spec = FIELDS[name]
        if spec.many:
            assert info.default == [], name
        if spec.choices:
            (literal,) = [a for a in typing.get_args(info.annotation) if a is not type(None)]
            assert typing.get_args(literal) == spec.choices


@pytest.mark.parametrize("name", list(FIELDS))
def test_no_custom_field_may_take_a_built_in_name(name: str) -> None:
    with pytest.raises(InvalidDataError) as refused:
        parse_config(f'custom_fields = ["{name}"]\n')
    assert "already a built-in field" in refused.value.diagnostics[0].message


@pytest.mark.parametrize(("item_type", "name"), TYPE_FIELD_PAIRS)
def test_a_value_of_the_wrong_shape_is_told_what_the_field_takes(item_type: str, name: str) -> None:
    spec = FIELDS[name]
    if name in ("id", "type"):
        return  # the ID must match the file name; a bad type is a discriminator error
    bad: Any = {
        "number": "many", "score": 11, "date": "soon", "datetime": "soon", "line": "two\nlines",
    }.get(spec.kind, "bad value, with [brackets] and spaces")  # fmt: skip
    value = [bad] if spec.many else bad
    messages = _problems(_valid(item_type, **{name: value}))
    where = f"{name}[0]" if spec.many else name
    wanted = {
        "status": "must be one of draft, ready, in-progress, done, dropped",
        "line": "must be one line of text",
        "text": "",  # any text is text
    }.get(spec.kind, spec.message)
    if spec.kind == "text":
        assert messages == [], messages
    else:
        assert f"{where}: {wanted}" in messages, messages


@pytest.mark.parametrize("item_type", ITEM_TYPES)
def test_only_a_draft_may_leave_its_types_own_fields_out(item_type: str) -> None:
    assert _problems(_valid(item_type)) == []
    messages = _problems(_valid(item_type, status="ready"))
    for name in TYPES[item_type].required:
        assert any(m.startswith(f"{name}: required field is missing") for m in messages), name


def test_kinds_and_fields_agree() -> None:
    for name, spec in FIELDS.items():
        assert spec.kind in KINDS, name
        assert spec.merge in ("scalar", "set", "sequence", "text"), name
        assert spec.merge in (("set", "sequence") if spec.many else ("scalar", "text")), name
        assert is_list_field(name) == spec.many
        assert spec.refers == (spec.kind == "id" and name != "id")
    assert tuple(n for n, s in FIELDS.items() if s.refers) == REFERENCE_FIELDS
    assert all(FIELDS[name].split_inherited for name in SPLIT_INHERITED)
    assert tuple(n for n, s in FIELDS.items() if s.listed) == SUMMARY_FIELDS
    for item_type, spec in TYPES.items():
        assert set(spec.required) <= set(type_fields(item_type))
        assert set(spec.parents) <= set(TYPES)
        for fields in spec.gates.values():
            assert all(FIELDS[name].fix for name in fields)
        assert style.type_style(item_type) == spec.style


def test_values_on_the_command_line_follow_the_kind() -> None:
    assert parse_scalar("points", "3") == 3
    assert parse_scalar("parent", "sk-7k2m") == "SK-7K2M"
    for name, spec in FIELDS.items():
        if spec.choices:
            assert parse_scalar(name, spec.choices[0]) == spec.choices[0]


@pytest.mark.parametrize("item_type", ITEM_TYPES)
def test_new_has_an_option_per_field_with_its_help_and_metavar(item_type: str) -> None:
    help_text = CliRunner().invoke(app, [item_type, "new", "--help"], terminal_width=200).stdout
    lean = fastnew._parse(item_type, ["Title", *[
        arg for name in option_fields(item_type) for arg in (option_name(name), "v")
    ]])  # fmt: skip
    assert lean is not None
    for name in option_fields(item_type):
        spec = FIELDS[name]
        assert option_name(name) in help_text, name
        assert spec.help.split(" (")[0][:30] in " ".join(help_text.split()), name
        assert KINDS[spec.kind].metavar in help_text, name
        assert name in lean[0]
    assert TYPES[item_type].example.split('"')[0] in help_text


@pytest.mark.parametrize("item_type", ITEM_TYPES)
def test_the_json_schema_has_the_catalogues_fields(item_type: str) -> None:
    schema = item_schema(Config())
    definition = schema["$defs"][TYPES[item_type].model_name]
    assert list(definition["properties"]) == list(type_fields(item_type))
    assert definition["required"] == list(ALWAYS_REQUIRED)
    assert definition["then"]["required"] == list(TYPES[item_type].required)


@pytest.mark.parametrize("item_type", ITEM_TYPES)
def test_json_of_an_item_has_every_field_in_order(item_type: str) -> None:
    data = complete(_valid(item_type))
    assert list(data) == list(type_fields(item_type))
    assert all(data[n] == [] for n in data if FIELDS[n].many)


def test_every_reference_field_is_checked_and_parent_types_follow_the_catalogue(
    repo: Repo,
) -> None:
    folder = repo.root / "backlog"
    for item_type in ITEM_TYPES:
        refs = {
            n: (["SK-ZZZZ"] if FIELDS[n].many else "SK-ZZZZ")
            for n in type_fields(item_type) if n in REFERENCE_FIELDS and n != "parent"
        }  # fmt: skip
        lines = [f"{k}: {v}" for k, v in _valid(item_type, id=f"SK-{item_type[:2].upper()}00",
                                                rank=f"a{item_type[:2]}").items()]  # fmt: skip
        lines += [f"{k}: [{v[0]}]" if isinstance(v, list) else f"{k}: {v}" for k, v in refs.items()]
        name = f"SK-{item_type[:2].upper()}00-x.yaml"
        (folder / name).write_text("\n".join(lines) + "\n")
    report = repo.run("check")
    for item_type in ITEM_TYPES:
        for ref in (n for n in type_fields(item_type) if n in REFERENCE_FIELDS and n != "parent"):
            where = f"{ref}[0]" if FIELDS[ref].many else ref
            assert f"SK-{item_type[:2].upper()}00-x.yaml" in report.stdout
            assert f"{where}: no item SK-ZZZZ in the backlog" in report.stdout, (item_type, ref)
    # Parents: every type with allowed parent types refuses one of another type.
    for item_type, spec in TYPES.items():
        if not spec.parents:
            continue
        wrong = next(t for t in ITEM_TYPES if t not in spec.parents)
        assert f"{spec.article} {item_type}'s parent must be" in _parent_report(
            repo, item_type, wrong
        )


def _parent_report(repo: Repo, item_type: str, parent_type: str) -> str:
    folder = repo.root / "backlog"
    for path in folder.glob("SK-P*.yaml"):
        path.unlink()
    (folder / "SK-PA00-parent.yaml").write_text(
        "\n".join(f"{k}: {v}" for k, v in _valid(parent_type, id="SK-PA00").items()) + "\n"
    )
    (folder / "SK-PB00-child.yaml").write_text(
        "\n".join(f"{k}: {v}" for k, v in _valid(item_type, id="SK-PB00").items())
        + "\nparent: SK-PA00\n"
    )
    return repo.run("check").stdout

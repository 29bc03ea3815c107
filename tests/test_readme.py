"""The README's promises: its example files are valid, its commands are the real ones."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from storykit import yamlio
from storykit.config import Config, parse_config
from storykit.storage.validate import validate_item

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()
EXAMPLES = [
    block
    for block in re.findall(r"```yaml\n(.*?)```", README, re.DOTALL)
    if block.startswith("id:")
]


def test_readme_has_an_example_of_each_type() -> None:
    types = sorted(re.search(r"^type: (\w+)", e, re.M).group(1) for e in EXAMPLES)  # type: ignore[union-attr]
    assert types == ["epic", "spike", "story", "task", "tech"]


@pytest.mark.parametrize("example", EXAMPLES)
def test_readme_examples_are_valid_item_files(example: str) -> None:
    document = yamlio.read_document(example.encode(), "README.md")
    result = validate_item(
        document.to_plain(), Config(), "README.md", lambda loc, key: document.position(loc)
    )
    assert result.diagnostics == []


def test_readme_config_block_is_the_default_config() -> None:
    block = re.search(r"```toml\n(.*?)```", README, re.DOTALL)
    assert block
    assert parse_config(block.group(1)) == Config()


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    command = re.search(r"# 2\. .*\n(.*)\n", README)
    assert command
    assert command.group(1) in ci.splitlines()


def test_every_command_is_in_the_readme_table() -> None:
    import typer

    from storykit.cli.app import app

    table = "\n".join(line for line in README.splitlines() if line.startswith("| `storykit "))
    documented = set(re.findall(r"`storykit ([a-z][a-z-]*)", table))
    group = typer.main.get_command(app)
    commands = set(group.commands)  # type: ignore[attr-defined]
    assert commands - documented == set()


def test_the_merge_rules_table_says_what_the_catalogue_declares() -> None:
    from storykit.model.catalogue import FIELDS

    section = README.split("### Merging branches", 1)[1].split("\n#", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "`" in line]
    rules = ["scalar", "set", "sequence", "text"]
    assert len(rows) == len(rules)
    for row, rule in zip(rows, rules, strict=True):
        named = [n for n in re.findall(r"`([a-z_]+)`", row.split("|")[1]) if n in FIELDS]
        assert named and all(FIELDS[n].merge == rule for n in named), (rule, named)
        if not row.split("|")[1].rstrip().endswith(("…)", "fields)")):  # the list is complete
            assert sorted(named) == sorted(n for n, f in FIELDS.items() if f.merge == rule)

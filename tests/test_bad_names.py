"""Names that could reach outside the backlog, or clash on other file systems."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storykit.model.naming import id_from_file_name, ids_in_names
from tests.helpers import Repo

GOOD = (
    "id: {id}\ntype: story\ntitle: Send emojis\nstatus: draft\nrank: {rank}\n"
    "as_a: user\ni_want: emojis\nso_that: I can express emotions\n"
)

NOT_IDS = [
    "../etc/passwd",
    "/etc/passwd",
    "backlog/SK-7K2M-send.yaml",
    "SK-7K2M/../../x",
    "..",
    "~",
    "*",
    "SK-7K2M\x00",
    "\x00",
    "C:\\Windows",
    "SK-",
]
DEVICE_NAMES = ["CON", "nul", "aux", "PRN", "COM1", "LPT1", "con.yaml"]


@pytest.mark.parametrize("query", NOT_IDS + DEVICE_NAMES, ids=repr)
def test_ids_that_are_paths_or_device_names_are_refused(repo: Repo, query: str) -> None:
    story = repo.new_story()
    before = repo.snapshot()
    for args in (
        ("show", query),
        ("set", query, "points=5"),
        ("rank", story, "--before", query),
        ("set", story, f"parent={query}"),
        ("task", "new", "Add the emoji picker", "--parent", query),
    ):
        result = repo.run(*args)
        assert result.exit_code == 2, (args, result.stdout, result.stderr)
        errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
        assert len(errors) == 1, result.stderr
        assert "Traceback" not in result.stderr
        assert repo.snapshot() == before


def test_file_names_equal_after_case_folding_are_reported(repo: Repo) -> None:
    folder = repo.root / "backlog"
    (folder / "SK-7K2M-send-emojis.yaml").write_text(GOOD.format(id="SK-7K2M", rank="a0"))
    (folder / "SK-7K2M-SEND-EMOJIS.yaml").write_text(GOOD.format(id="SK-7K2M", rank="a1"))
    result = repo.run("check")
    assert result.exit_code == 1
    assert (
        "backlog/SK-7K2M-send-emojis.yaml:1:1: error: file name clashes with "
        "backlog/SK-7K2M-SEND-EMOJIS.yaml: they differ only in case" in result.stdout
    )
    # The valid one is still listed; the other is named as the problem it is.
    assert "SK-7K2M" in repo.ok("list").stdout


def test_file_names_equal_after_unicode_normalisation_are_reported(repo: Repo) -> None:
    folder = repo.root / "backlog"
    composed, decomposed = "SK-AB12-caf\u00e9.yaml", "SK-AB12-cafe\u0301.yaml"
    (folder / composed).write_text(GOOD.format(id="SK-AB12", rank="a0"))
    (folder / decomposed).write_text(GOOD.format(id="SK-AB12", rank="a1"))
    result = repo.run("check")
    assert result.exit_code == 1
    assert "file name clashes with" in result.stdout
    assert "Unicode normalisation" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


NAME_PARTS = st.sampled_from(
    [
        "SK-7K2M",
        "SK-AAAA",
        "sk-7k2m",
        "X1-0000",
        "-",
        "send",
        "emojis",
        "A",
        ".yaml",
        ".yml",
        ".",
        "\n",
        "\r",
        " ",
        "/",
        "é",
        "SK-7K2M-send.yaml",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(NAME_PARTS, min_size=1, max_size=5).map("".join), max_size=8))
def test_a_folder_is_read_for_ids_as_each_name_is(names: list[str]) -> None:
    """The one-pass reading of a folder's names finds exactly the IDs that reading each
    name finds (a name ending in a line break is no item file)."""
    one_by_one = [(name, found) for name in names if (found := id_from_file_name(name))]
    assert ids_in_names(names) == one_by_one
    assert id_from_file_name("SK-7K2M-send-emojis.yaml\n") is None

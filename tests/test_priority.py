"""The priority score beside the rank: the expression parser, the setting, `list --sort
score`, the score in JSON, and `rank --suggest [--apply]` in real repositories."""

from __future__ import annotations

import json
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storykit.config import parse_config
from storykit.errors import InvalidDataError
from storykit.model.score import ScoreError, evaluate, order_by_score, parse
from tests.helpers import SCRIPT, Repo, modules_after

FIELDS = ("value", "risk", "points")


def expressions() -> st.SearchStrategy[str]:
    leaf = st.one_of(
        st.sampled_from(FIELDS),
        st.integers(0, 1000).map(str),
        st.floats(0, 100, allow_nan=False).map(lambda f: f"{f:.3f}"),
    )
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from("+-*/"), inner).map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
            inner.map(lambda e: f"({e})"),
            inner.map(lambda e: f"-{e}"),
        ),
        max_leaves=12,
    )


values = st.one_of(st.none(), st.integers(-10, 10), st.floats(allow_nan=True), st.text(max_size=3))


@settings(max_examples=300, deadline=None)
@given(expressions(), st.fixed_dictionaries({name: values for name in FIELDS}))
def test_any_accepted_expression_evaluates_without_raising(
    text: str, item: dict[str, object]
) -> None:
    try:
        tree = parse(text)
    except ScoreError:
        return  # only nesting deeper than the bound is refused here
    result = evaluate(tree, item.get)
    assert result is None or isinstance(result, float)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=60))
def test_any_text_parses_or_is_refused_with_a_column(text: str) -> None:
    try:
        tree = parse(text)
    except ScoreError as exc:
        assert 1 <= exc.column <= len(text) + 1
        return
    assert evaluate(tree, {"value": 3, "risk": 2, "points": 5}.get) is None or True


def test_arithmetic_and_missing_fields() -> None:
    item = {"value": 8, "risk": 2, "points": 5}.get
    assert evaluate(parse("(value + risk) / points"), item) == 2.0
    assert evaluate(parse("value - -risk * 2"), item) == 12.0
    assert evaluate(parse("value / (points - 5)"), item) is None  # division by zero
    assert evaluate(parse("value + owner"), {"value": 1, "owner": "ann"}.get) is None
    assert evaluate(parse("value * 2"), {"value": True}.get) is None  # not a number
    assert evaluate(parse("value * 2"), {"value": "10"}.get) == 20.0  # a custom field as text


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("__import__(os)", 11),
        ("__import__('os')", 12),
        ("value.real", 6),
        ("value[0]", 6),
        ("value ** 2", 8),
        ("value; risk", 6),
        ("value if risk else 1", 7),
        ("lambda: 1", 7),
        ("(value + risk", 14),
        ("value +", 8),
        ("", 1),
    ],
)
def test_anything_but_arithmetic_is_refused_where_it_is(text: str, column: int) -> None:
    with pytest.raises(ScoreError) as caught:
        parse(text)
    assert caught.value.column == column


def test_a_bad_setting_is_a_located_config_error() -> None:
    with pytest.raises(InvalidDataError) as caught:
        parse_config('prefix = "SK"\n\n[priority]\nscore = "value.real"\n')
    (problem,) = caught.value.diagnostics
    assert (problem.line, problem.col) == (4, 15)  # the "." of score = "value.real"
    assert "'.' is not allowed" in problem.message
    with pytest.raises(InvalidDataError) as caught:
        parse_config('[priority]\nscore = "value + owner"\n')
    assert "owner is not a numeric field" in caught.value.diagnostics[0].message
    config = parse_config('custom_fields = ["reach"]\n[priority]\nscore = "reach * value"\n')
    assert config.priority.expression == "reach * value"
    assert parse_config('[priority]\nscore = "value+risk"\n').priority.expression == "value + risk"


def test_order_by_score_keeps_unscored_items_in_place() -> None:
    ranked = ["a", "b", "c", "d", "e"]
    scores = {"a": 1.0, "b": None, "c": 5.0, "d": None, "e": 3.0}
    assert order_by_score(ranked, scores) == ["c", "b", "e", "d", "a"]
    assert order_by_score(ranked, {"a": 2.0, "c": 2.0}) == ranked  # ties keep rank order


def _tech(repo: Repo, title: str, *fields: str) -> str:
    made = repo.ok("tech", "new", title, "--why", "w", *fields, "--json").json()
    return str(made["item"]["id"])  # type: ignore[index]


@pytest.fixture
def scored(repo: Repo) -> dict[str, str]:
    """In rank order: low 0.38, high 14, unscored, mid 3, other unscored, top 20."""
    return {
        "low": _tech(repo, "Low", "--points", "8", "--value", "2", "--risk", "1"),
        "high": _tech(repo, "High", "--points", "1", "--value", "9", "--risk", "5"),
        "none": _tech(repo, "No score"),
        "mid": _tech(repo, "Mid", "--points", "2", "--value", "5", "--risk", "1"),
        "other": _tech(repo, "Other", "--value", "3"),
        "top": _tech(repo, "Top", "--points", "1", "--value", "10", "--risk", "10"),
    }


def test_list_sort_score_and_the_score_in_json(repo: Repo, scored: dict[str, str]) -> None:
    listed = repo.ok("list", "--sort", "score", "--json").json()["items"]  # type: ignore[index]
    assert [i["id"] for i in listed] == [
        scored[k] for k in ("top", "high", "mid", "low", "none", "other")
    ]
    assert [i["score"] for i in listed] == [20, 14, 3, 0.38, None, None]
    assert repo.ok("show", scored["mid"], "--json").json()["item"]["score"] == 3  # type: ignore[index]
    board = repo.ok("board", "--json").json()["items"]  # type: ignore[index]
    assert {i["id"]: i["score"] for i in board}[scored["high"]] == 14
    repo.age_files()
    for _ in range(2):  # the lean list answers alike (the second run from the cache)
        for argv in (["list", "--sort", "score"], ["list", "--sort", "score", "--json"]):
            lean = subprocess.run(
                [str(SCRIPT), *argv], cwd=repo.root, capture_output=True, text=True
            )
            assert lean.stdout == repo.ok(*argv).stdout


def test_suggest_and_apply(repo: Repo, scored: dict[str, str]) -> None:
    found = repo.ok("rank", "--suggest", "--json").json()
    assert isinstance(found, dict)
    first = found["items"][0]
    assert (first["id"], first["by_rank"], first["by_score"]) == (scored["low"], 1, 6)
    assert {i["id"]: i["missing"] for i in found["unscored"]} == {
        scored["none"]: ["points", "risk", "value"],
        scored["other"]: ["points", "risk"],
    }
    assert len(repo.ok("rank", "--suggest", "--limit", "1", "--json").json()["items"]) == 1  # type: ignore[index, arg-type]
    text = repo.ok("rank", "--suggest").stdout
    assert f"{scored['top']}  #6 by rank → #1 by score  score 20  Top" in text.splitlines()[1]
    commits = repo.commit_count()
    applied = repo.ok("rank", "--suggest", "--apply", "--json").json()
    assert isinstance(applied, dict) and applied["commit"]
    assert repo.commit_count() == commits + 1
    order = [i["id"] for i in repo.ok("list", "--json").json()["items"]]  # type: ignore[index]
    assert order == [scored[k] for k in ("top", "high", "none", "mid", "other", "low")]
    # Fewest files: "high" and "mid" were already in order by score: only the others moved.
    assert len(repo.last_commit_files()) == 2
    again = repo.ok("rank", "--suggest", "--apply", "--json").json()
    assert again["changed"] is False  # type: ignore[index]
    assert "agree" in repo.ok("rank", "--suggest").stdout
    repo.refused("rank", "--apply", code=2, says="--apply goes with --suggest")
    repo.refused("rank", "--suggest", "--limit", "0", code=2, says="--limit must be 1 or more")


def test_a_custom_field_in_the_score(repo: Repo) -> None:
    config = repo.root / ".storykit.toml"
    text = config.read_text().replace("custom_fields = []", 'custom_fields = ["reach"]')
    config.write_text(text.replace('score = "wsjf"', 'score = "reach * value"'))
    repo.git("commit", "-qam", "score by reach")
    one = _tech(repo, "One", "--value", "2")
    repo.ok("set", one, "reach=10")
    two = _tech(repo, "Two", "--value", "3")
    repo.ok("set", two, "reach=100")
    listed = repo.ok("list", "--sort", "score", "--json").json()["items"]  # type: ignore[index]
    assert [(i["id"], i["score"]) for i in listed] == [(two, 300), (one, 20)]
    repo.age_files()
    lean = subprocess.run(
        [str(SCRIPT), "list", "--sort", "score"], cwd=repo.root, capture_output=True, text=True
    )
    assert lean.stdout == repo.ok("list", "--sort", "score").stdout
    assert json.loads(repo.ok("show", one, "--json").stdout)["item"]["score"] == 20


def test_who_captured_an_item_from_git(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    """`captured_by`/`captured_at`: the author of the commit that first added the item's
    file — across a retitle (a rename), and for a file added by a hand commit."""
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Pat Owner")
    story = repo.new_story("Send emojis")
    repo.ok("set", story, "title=Send emoji in messages")  # renames the file
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Sam Dev")
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2026-11-25T08:30:00+00:00")
    hand = repo.root / "backlog" / "SK-HAND-research-by-hand.yaml"
    hand.write_text("id: SK-HAND\ntype: spike\ntitle: Research by hand\nstatus: draft\nrank: a9\n")
    repo.git("add", str(hand))
    repo.git("commit", "-qm", "a spike written by hand")
    monkeypatch.delenv("GIT_AUTHOR_DATE")
    shown = repo.ok("show", story, "--json").json()["item"]  # type: ignore[index]
    assert (shown["captured_by"], shown["captured_at"]) == (
        "Pat Owner",
        "2026-11-21 10:00:00+00:00",
    )
    by_hand = repo.ok("show", "SK-HAND", "--json").json()["item"]  # type: ignore[index]
    assert (by_hand["captured_by"], by_hand["captured_at"]) == (
        "Sam Dev",
        "2026-11-25 08:30:00+00:00",
    )
    assert "captured:    Sam Dev, 2026-11-25 08:30" in repo.ok("show", "SK-HAND").stdout
    listed = repo.ok("list", "--captured-by", "sam dev", "--json").json()["items"]  # type: ignore[index]
    assert [i["id"] for i in listed] == ["SK-HAND"]
    assert repo.ok("list", "--captured-by", "nobody", "--json").json()["items"] == []  # type: ignore[index]
    uncommitted = repo.new_story("Not committed", "--no-commit")
    assert repo.ok("show", uncommitted, "--json").json()["item"]["captured_by"] is None  # type: ignore[index]


def test_the_lean_suggest_answers_like_the_full_one(repo: Repo, scored: dict[str, str]) -> None:
    repo.age_files()
    repo.ok("list")  # fills the cache
    for argv in (["rank", "--suggest"], ["rank", "--suggest", "--limit", "1"]):
        full = repo.ok(*argv).stdout
        lean = subprocess.run([str(SCRIPT), *argv], cwd=repo.root, capture_output=True, text=True)
        assert lean.stdout == full, argv
        loaded = modules_after(repo.root, *argv)
        assert not loaded & {"typer", "pydantic", "git"}, argv
    assert "… and 1 more" in repo.ok("rank", "--suggest", "--limit", "1").stdout

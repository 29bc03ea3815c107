"""`storykit refine`: each finding comes from a backlog planted with its problem, and is
absent from a groomed one."""

from __future__ import annotations

import pytest

from tests.helpers import Repo


def at(monkeypatch: pytest.MonkeyPatch, moment: str) -> None:
    monkeypatch.setenv("STORYKIT_NOW", f"{moment}+00:00")


def _new(repo: Repo, kind: str, title: str, *fields: str) -> str:
    made = repo.ok(kind, "new", title, *fields, "--json").json()
    return str(made["item"]["id"])  # type: ignore[index]


def _ready_story(repo: Repo, title: str, *extra: str) -> str:
    item = repo.new_story(title, "--points", "3", "--acceptance-criteria", "works", *extra)
    repo.ok("status", item, "ready")
    return item


def _codes(repo: Repo, *argv: str) -> dict[str, set[str | None]]:
    found = repo.ok("refine", "--json", *argv).json()
    assert isinstance(found, dict)
    codes: dict[str, set[str | None]] = {}
    for finding in found["findings"]:
        codes.setdefault(finding["code"], set()).add(finding["id"])
    return codes


def test_a_groomed_backlog_has_nothing_to_refine(repo: Repo) -> None:
    epic = _new(repo, "epic", "Emoji", "--goal", "People send emoji")
    _ready_story(repo, "Send emoji", "--parent", epic, "--value", "5", "--risk", "2")
    tech = _new(repo, "tech", "Store utf8mb4", "--why", "4 bytes", "--points", "2",
                "--value", "5", "--risk", "3")  # fmt: skip
    repo.ok("status", tech, "ready")
    found = repo.ok("refine", "--json").json()
    assert isinstance(found, dict)
    assert found["findings"] == [] and found["attention"] is False
    assert found["balance"]["story"]["count"] == 1 and found["balance"]["tech"]["count"] == 1
    assert repo.run("refine", "--exit-code").exit_code == 0
    assert "nothing to refine" in repo.ok("refine").stdout


def test_each_planted_problem_is_found_with_its_fix(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, "2026-06-01T09:00:00")
    old_draft = repo.new_story("Old idea")  # a draft, captured long ago
    untouched = _ready_story(repo, "Forgotten story")
    at(monkeypatch, "2026-11-20T09:00:00")
    unready = repo.new_story("No points yet", "--acceptance-criteria", "works")
    repo.ok("rank", unready, "--top")
    dropped = _ready_story(repo, "Dropped one")
    repo.ok("drop", dropped)
    waiting = _ready_story(repo, "Waits on a dropped one")
    repo.ok("set", waiting, f"depends_on+={dropped}")
    epic = _new(repo, "epic", "Emoji", "--goal", "g")
    child = _ready_story(repo, "Emoji child", "--parent", epic)
    repo.ok("done", child)
    closed_epic = _new(repo, "epic", "Closed epic", "--goal", "g")
    orphan = _ready_story(repo, "Under a closed epic", "--parent", closed_epic)
    repo.ok("drop", closed_epic)
    spike = repo.new_spike("Research emoji fonts")
    repo.ok("spike", "start", spike)  # a 2d timebox: overdue by 11-25
    done_spike = repo.new_spike("Research picker")
    repo.ok("spike", "start", done_spike)
    repo.ok("spike", "close", done_spike, "--outcome", "use the native one")
    at(monkeypatch, "2026-11-25T09:00:00")
    codes = _codes(repo)
    assert codes["not-ready"] >= {unready}
    assert codes["stale-draft"] == {old_draft}
    assert untouched in codes["untouched"] and old_draft in codes["untouched"]
    assert codes["broken-dependency"] == {waiting}
    assert codes["closed-parent"] == {orphan}
    assert codes["finished-epic"] == {epic}
    assert codes["overdue-spike"] == {spike}
    assert codes["no-follow-up"] == {done_spike}
    text = repo.ok("refine").stdout
    assert f"storykit set {unready} points=3" in text
    assert f"storykit set {waiting} depends_on-={dropped}" in text
    assert f"storykit done {epic}" in text
    assert repo.run("refine", "--exit-code").exit_code == 1
    markdown = repo.ok("refine", "--format", "markdown").stdout
    assert markdown.startswith("## Backlog refinement (top 20)")
    assert f'- [ ] epic {epic} "Emoji": all 1 children are done — `storykit done {epic}`' in (
        markdown
    )
    # Every finding names its item's title, and no command is quoted inside another.
    for line in text.splitlines():
        if line.startswith("  ") and "SK-" in line.split("(")[0]:
            assert '"' in line, line
    assert f"(`storykit edit {untouched}` or `storykit drop {untouched}`)" in text
    assert "`)`" not in text and "(or `" not in text
    data = repo.ok("refine", "--json").json()
    assert isinstance(data, dict)
    finding = next(f for f in data["findings"] if f["code"] == "stale-draft")
    assert finding["title"] and finding["alternative"] == f"storykit drop {old_draft}"


def test_the_balance_of_the_top(repo: Repo) -> None:
    for title in ("One", "Two", "Three"):
        _ready_story(repo, title)
    tech = _new(repo, "tech", "Refactor the schema", "--why", "w", "--points", "3")
    repo.ok("status", tech, "ready")
    codes = _codes(repo, "--top", "3")
    assert "balance" in codes  # the tech story is 4th: overshadowed in the top 3
    assert "balance" not in _codes(repo, "--top", "4")
    for title in ("S1", "S2", "S3", "S4"):
        spike = repo.new_spike(title)
        repo.ok("rank", spike, "--top")
    found = repo.ok("refine", "--json", "--top", "6").json()
    messages = [f["message"] for f in found["findings"] if f["code"] == "balance"]  # type: ignore[index]
    assert messages == [
        "4 spikes and 2 user stories in the top 6: more research than deliverable work"
    ]


def test_score_disagreement_above_the_threshold(repo: Repo) -> None:
    first = _new(
        repo, "tech", "Low value", "--why", "w", "--points", "8", "--value", "1", "--risk", "1"
    )
    for n in range(5):
        _new(
            repo,
            "tech",
            f"Middle {n}",
            "--why",
            "w",
            "--points",
            "3",
            "--value",
            "3",
            "--risk",
            "3",
        )
    assert _codes(repo).get("score-disagrees") == {first}  # #1 by rank, #6 by score
    repo.ok("rank", "--suggest", "--apply")
    assert "score-disagrees" not in _codes(repo)


def test_bad_options(repo: Repo) -> None:
    repo.refused("refine", "--top", "0", code=2, says="--top must be 1 or more")
    repo.refused("refine", "--format", "html", code=2, says="give text or markdown")

"""`storykit flow` on a dated history (`STORYKIT_NOW` dates every commit), every figure
computed by hand below: cycle and lead time percentiles overall and per type, ISO weeks,
aging work in progress, the daily counts, a window, `--type`, `--at`, the formats and a
shallow clone."""

from __future__ import annotations

import json
import os
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.helpers import SCRIPT, Repo, git, modules_after


def at(monkeypatch: pytest.MonkeyPatch, moment: str) -> None:
    monkeypatch.setenv("STORYKIT_NOW", f"{moment}+00:00")


def story(repo: Repo, title: str) -> str:
    return repo.new_story(title, "--points", "3", "--acceptance-criteria", "works")


@pytest.fixture
def team(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Three weeks of a team's work (UTC; 2026-11-02 is the Monday of ISO week 45):

    11-02 09:00 capture A (story), B (tech), C (spike)    11-03 09:00 capture D (story)
    11-03 10:00 start A                                   11-04 09:00 capture E (story)
    11-04 12:00 start B                                   11-05 09:00 capture F; A done
    11-05 14:00 start C                                   11-06 14:00 close C
    11-09 10:00 B done (W46)                              11-10 09:00 start D
    11-11 09:00 start E                                   11-12 09:00 D done (commit `d1`)
    11-13 09:00 D reopened                                11-16 09:00 D done again (W47);
    capture G (tech)                                      11-17 09:00 start G
    11-17 12:00 drop F                                    now: 11-18 21:00
    """
    at(monkeypatch, "2026-11-02T09:00:00")
    ids = {
        "A": story(repo, "Send emojis in messages"),
        "B": repo.ok(
            "tech", "new", "Store messages as utf8mb4", "--why", "emoji", "--points", "5", "--json"
        ).json()["item"]["id"],  # type: ignore[index]
        "C": repo.new_spike("Which emoji picker?", "--points", "2"),
    }
    at(monkeypatch, "2026-11-03T09:00:00")
    ids["D"] = story(repo, "Emoji reactions")
    at(monkeypatch, "2026-11-03T10:00:00")
    repo.ok("start", ids["A"])
    at(monkeypatch, "2026-11-04T09:00:00")
    ids["E"] = story(repo, "Search messages by emoji")
    at(monkeypatch, "2026-11-04T12:00:00")
    repo.ok("start", ids["B"])
    at(monkeypatch, "2026-11-05T09:00:00")
    ids["F"] = story(repo, "Recently used emojis")
    repo.ok("done", ids["A"])
    at(monkeypatch, "2026-11-05T14:00:00")
    repo.ok("spike", "start", ids["C"])
    at(monkeypatch, "2026-11-06T14:00:00")
    repo.ok("spike", "close", ids["C"], "--outcome", "use the system picker")
    at(monkeypatch, "2026-11-09T10:00:00")
    repo.ok("done", ids["B"])
    at(monkeypatch, "2026-11-10T09:00:00")
    repo.ok("start", ids["D"])
    at(monkeypatch, "2026-11-11T09:00:00")
    repo.ok("start", ids["E"])
    at(monkeypatch, "2026-11-12T09:00:00")
    repo.ok("done", ids["D"])
    ids["d1"] = repo.head()
    at(monkeypatch, "2026-11-13T09:00:00")
    repo.ok("status", ids["D"], "in-progress")
    at(monkeypatch, "2026-11-16T09:00:00")
    repo.ok("done", ids["D"])
    ids["G"] = repo.ok(
        "tech", "new", "Emoji font fallback", "--why", "tofu", "--points", "2", "--json"
    ).json()["item"]["id"]  # type: ignore[index]
    at(monkeypatch, "2026-11-17T09:00:00")
    repo.ok("start", ids["G"])
    at(monkeypatch, "2026-11-17T12:00:00")
    repo.ok("drop", ids["F"])
    at(monkeypatch, "2026-11-18T21:00:00")
    return ids


def flow(repo: Repo, *args: str) -> dict[str, object]:
    answer = repo.ok("flow", "--json", *args).json()
    assert isinstance(answer, dict)
    return answer


def spread(count: int, p50: float | None, p85: float | None, p95: float | None) -> object:
    return {"count": count, "p50": p50, "p85": p85, "p95": p95}


def daily(*rows: tuple[str, int, int, int, int, int]) -> list[object]:
    names = ("draft", "ready", "in-progress", "done", "dropped")
    return [{"date": d, "counts": dict(zip(names, n, strict=True))} for d, *n in rows]


def test_every_figure_as_computed_by_hand(repo: Repo, team: dict[str, str]) -> None:
    answer = flow(repo)
    assert list(answer) == [
        "schema_version", "window", "cycle_time", "lead_time", "throughput", "aging", "cfd"
    ]  # fmt: skip
    # The whole history: from the day of the first capture to today.
    assert answer["window"] == {"from": "2026-11-02", "to": "2026-11-18"}
    # Cycle: C 1.0 (11-05 14:00 → 11-06 14:00), A 2.0 (11-03 10:00 → 11-05 09:00 is 47 h =
    # 1.958), B 4.9 (11-04 12:00 → 11-09 10:00 is 4 d 22 h), D 6.0 (first start 11-10 09:00
    # → last done 11-16 09:00). Nearest rank of 4: p50 the 2nd, p85 and p95 the 4th.
    assert answer["cycle_time"] == {
        "all": spread(4, 2.0, 6.0, 6.0),
        "story": spread(2, 2.0, 6.0, 6.0),
        "tech": spread(1, 4.9, 4.9, 4.9),
        "spike": spread(1, 1.0, 1.0, 1.0),
    }
    # Lead: A 3.0, C 4.2 (4 d 5 h), B 7.0 (7 d 1 h), D 13.0 (11-03 09:00 → 11-16 09:00).
    assert answer["lead_time"] == {
        "all": spread(4, 4.2, 13.0, 13.0),
        "story": spread(2, 3.0, 13.0, 13.0),
        "tech": spread(1, 7.0, 7.0, 7.0),
        "spike": spread(1, 4.2, 4.2, 4.2),
    }
    assert answer["throughput"] == [
        {"week": "2026-W45", "done": 2},  # A, C
        {"week": "2026-W46", "done": 1},  # B (D's first done was taken back)
        {"week": "2026-W47", "done": 1},  # D
    ]
    # E in progress since 11-11 09:00: 7 d 12 h, past the 6.0 days of p85; G since 11-17.
    assert answer["aging"] == [
        {"id": team["E"], "title": "Search messages by emoji", "status": "in-progress",
         "days": 7.5, "over_p85": True},
        {"id": team["G"], "title": "Emoji font fallback", "status": "in-progress",
         "days": 1.5, "over_p85": False},
    ]  # fmt: skip
    assert answer["cfd"] == daily(
        ("2026-11-02", 3, 0, 0, 0, 0),
        ("2026-11-03", 3, 0, 1, 0, 0),
        ("2026-11-04", 3, 0, 2, 0, 0),
        ("2026-11-05", 3, 0, 2, 1, 0),
        ("2026-11-06", 3, 0, 1, 2, 0),
        ("2026-11-07", 3, 0, 1, 2, 0),
        ("2026-11-08", 3, 0, 1, 2, 0),
        ("2026-11-09", 3, 0, 0, 3, 0),
        ("2026-11-10", 2, 0, 1, 3, 0),
        ("2026-11-11", 1, 0, 2, 3, 0),
        ("2026-11-12", 1, 0, 1, 4, 0),
        ("2026-11-13", 1, 0, 2, 3, 0),
        ("2026-11-14", 1, 0, 2, 3, 0),
        ("2026-11-15", 1, 0, 2, 3, 0),
        ("2026-11-16", 2, 0, 1, 4, 0),
        ("2026-11-17", 0, 0, 2, 4, 1),
        ("2026-11-18", 0, 0, 2, 4, 1),
    )


def test_a_window_a_type_and_at_a_revision(
    repo: Repo, team: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The week of 11-09, as it stood at its end: D was reopened, so only B is done.
    week = flow(repo, "--since", "2026-11-09", "--until", "2026-11-15")
    assert week["window"] == {"from": "2026-11-09", "to": "2026-11-15"}
    assert week["cycle_time"] == {"all": spread(1, 4.9, 4.9, 4.9), "tech": spread(1, 4.9, 4.9, 4.9)}
    assert week["throughput"] == [{"week": "2026-W46", "done": 1}]
    # Ages at midnight after 11-15: D 5 d 15 h (5.625), E 4 d 15 h (4.625); p85 is 4.9.
    aging = week["aging"]
    assert isinstance(aging, list)
    assert [(a["id"], a["days"], a["over_p85"]) for a in aging] == [
        (team["D"], 5.6, True),
        (team["E"], 4.6, False),
    ]
    assert [c["date"] for c in week["cfd"]] == [f"2026-11-{d:02d}" for d in range(9, 16)]  # type: ignore[union-attr]
    # Stories only: A 2.0 and D 6.0; E's 7.5 days are past the stories' p85.
    stories = flow(repo, "--type", "Story")
    assert stories["cycle_time"] == {
        "all": spread(2, 2.0, 6.0, 6.0),
        "story": spread(2, 2.0, 6.0, 6.0),
    }
    assert stories["throughput"] == [
        {"week": "2026-W45", "done": 1}, {"week": "2026-W46", "done": 0},
        {"week": "2026-W47", "done": 1},
    ]  # fmt: skip
    assert [a["id"] for a in stories["aging"]] == [team["E"]]  # type: ignore[union-attr]
    assert stories["cfd"][-1]["counts"] == {  # type: ignore[index]
        "draft": 0, "ready": 0, "in-progress": 1, "done": 2, "dropped": 1
    }  # fmt: skip
    # As of D's first done (11-12 09:00, "now" then): A, C, B and D done, cycles 1.0, 2.0,
    # 2.0, 4.9; E one day in progress.
    then = flow(repo, "--at", team["d1"])
    assert then["window"] == {"from": "2026-11-02", "to": "2026-11-12"}
    assert then["cycle_time"]["all"] == spread(4, 2.0, 4.9, 4.9)  # type: ignore[index]
    assert then["throughput"] == [{"week": "2026-W45", "done": 2}, {"week": "2026-W46", "done": 2}]
    assert then["aging"] == [
        {"id": team["E"], "title": "Search messages by emoji", "status": "in-progress",
         "days": 1.0, "over_p85": False},
    ]  # fmt: skip
    # The same answer on any later day: "now" is the moment that commit was made.
    at(monkeypatch, "2027-03-01T08:00:00")
    assert flow(repo, "--at", team["d1"]) == then
    # Since a revision: from the moment it was committed.
    since = flow(repo, "--since", team["d1"], "--until", "2026-11-18")
    assert since["cycle_time"]["all"] == spread(1, 6.0, 6.0, 6.0)  # type: ignore[index]


def test_text_markdown_and_svg(repo: Repo, team: dict[str, str], tmp_path: Path) -> None:
    text = repo.ok("flow").stdout
    assert "flow  2026-11-02 → 2026-11-18" in text
    assert "cycle time  all          4    2.0    6.0    6.0" in text
    assert f"{team['E']}   in-progress     7.5 days  over p85  Search messages by emoji" in text
    assert "throughput: items done per ISO week" in text and "cumulative flow" in text
    markdown = repo.ok("flow", "--format", "markdown").stdout
    assert markdown.count("```mermaid") == 2 and "xychart-beta" in markdown
    assert "| cycle time | all | 4 | 2.0 | 6.0 | 6.0 |" in markdown
    assert '    x-axis ["2026-W45", "2026-W46", "2026-W47"]' in markdown
    assert "    bar [2, 1, 1]" in markdown
    assert f"| {team['E']} | in-progress | 7.5 | yes | Search messages by emoji |" in markdown
    # Stacked from done up: done, done + in-progress, … (dropped left out).
    assert "    line [0, 0, 0, 1, 2, 2, 2, 3, 3, 3, 4, 3, 3, 3, 4, 4, 4]" in markdown
    assert "| 2026-11-17 | 0 | 0 | 2 | 4 | 1 |" in markdown
    # Years of days still fit in one comment, both charts whole.
    long = repo.ok("flow", "--format", "markdown", "--since", "2019-01-01").stdout
    assert len(long) <= 65_536 and long.count("```mermaid") == 2
    assert long.count("```") == 4
    chart = tmp_path / "flow.svg"
    result = repo.ok("flow", "--format", "svg", "--output", str(chart))
    assert f"wrote {chart}" in result.stderr
    root = ET.fromstring(chart.read_bytes())
    assert root.tag.endswith("svg")
    assert b"cycle time" in chart.read_bytes() and b"cumulative flow" in chart.read_bytes()


def test_bad_requests_and_a_shallow_clone(repo: Repo, team: dict[str, str], tmp_path: Path) -> None:
    repo.refused("flow", "--type", "bug", code=2, says="'bug' is not a type")
    repo.refused("flow", "--since", "no-such-thing", code=2, says="neither a date")
    repo.refused("flow", "--until", "2026-13-01", code=2, says="is not a date")
    repo.refused(
        "flow", "--since", "2026-11-10", "--until", "2026-11-09", code=2, says="window is empty"
    )
    repo.refused("flow", "--json", "--format", "markdown", code=2, says="not both")
    repo.refused("flow", "--at", "nowhere", code=2, says="unknown revision")
    shallow = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "2", f"file://{repo.root}", str(shallow)], check=True
    )
    git(shallow, "config", "user.email", "x@example.com")
    cut = repo.run("flow", cwd=shallow)
    assert cut.exit_code == 3, cut.stderr
    assert "shallow" in cut.stderr and "git fetch --unshallow" in cut.stderr


def _lean(repo: Repo, *argv: str, now: str) -> str:
    env = {**os.environ, "STORYKIT_NOW": now}
    done = subprocess.run(
        [str(SCRIPT), *argv], cwd=repo.root, capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_asked_again_the_kept_answer_until_an_age_turns(repo: Repo, team: dict[str, str]) -> None:
    """No Typer, Pydantic or git the second time; E and G (started at 09:00) are 7.5 and 1.5
    days in progress at 21:00 and turn 7.6 and 1.6 at 22:12 (half a tenth of a day past)."""
    full = repo.ok("flow", "--json").stdout
    assert _lean(repo, "flow", "--json", now="2026-11-18T22:11:59+00:00") == full
    loaded = modules_after(
        repo.root, "flow", "--json", env={"STORYKIT_NOW": "2026-11-18T22:11:59+00:00"}
    )
    assert not loaded & {"typer", "pydantic", "git", "ruamel"}
    later = json.loads(_lean(repo, "flow", "--json", now="2026-11-18T22:12:00+00:00"))
    assert [a["days"] for a in later["aging"]] == [7.6, 1.6]
    # A window given by a branch name is computed each time (the branch may move).
    repo.git("branch", "release", team["d1"])
    _lean(repo, "flow", "--json", "--since", "release", now="2026-11-18T22:13:00+00:00")
    loaded = modules_after(
        repo.root, "flow", "--json", "--since", "release",
        env={"STORYKIT_NOW": "2026-11-18T22:13:00+00:00"},
    )  # fmt: skip
    assert "typer" in loaded


def test_the_history_is_read_once(
    repo: Repo, team: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Computed again (its printed answer dropped), the figures come from the cached
    timeline: git is not asked for the history a second time."""
    first = repo.ok("flow", "--json").stdout
    (repo.root / ".git" / "storykit" / "reports-cache.json").unlink()
    trace = tmp_path / "trace.txt"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    assert repo.ok("flow", "--json").stdout == first
    logs = [line for line in trace.read_text().splitlines() if " log " in line]
    assert logs == [], logs

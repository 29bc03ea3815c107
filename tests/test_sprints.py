"""Sprints replayed day by day in real repositories (`STORYKIT_NOW` dates every commit):
the burndown's every figure, scope changes, a feature branch merged days later, work done
after the end, a carry-over, `--at`, the cache, a fresh clone, velocity, the charts."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.helpers import SCRIPT, Repo, git, modules_after, on_terminal

S1 = "Sprint 1"
S2 = "Sprint 2"


def at(monkeypatch: pytest.MonkeyPatch, moment: str) -> None:
    """Everything from now on happens at `moment` (UTC), commits included."""
    monkeypatch.setenv("STORYKIT_NOW", f"{moment}+00:00")


def story(repo: Repo, title: str, points: str) -> str:
    return repo.new_story(title, "--points", points, "--acceptance-criteria", "works")


def tech(repo: Repo, title: str, points: str) -> str:
    made = repo.ok("tech", "new", title, "--why", "needed", "--points", points, "--json").json()
    return str(made["item"]["id"])  # type: ignore[index]


def days(report: object) -> list[tuple[object, object, object]]:
    assert isinstance(report, dict)
    return [(d["scope"], d["completed"], d["remaining"]) for d in report["days"]]


@pytest.fixture
def sprint_repo(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Sprint 1 (2026-12-07 → 12-20), lived as a team would:

    12-04 plan A 3, B 5 (tech), C 2 (spike), E 3; D 8 and F 2 wait in the backlog
    12-07 09:00 start (committed 13)      12-08 C done            12-09 D added (8)
    12-10 B re-estimated 5 → 8            12-11 E removed (3)     12-11 branch `feat` forks
    12-12 A done on `feat`                12-14 B done on main    12-15 `feat` merged
    12-16 F added (2)                     12-21 09:00 D done (after the end: late)
    12-21 10:00 close, F carried over to Sprint 2; Sprint 2 starts 11:00, F done 12-22,
    Sprint 2 closes 2027-01-04.
    """
    at(monkeypatch, "2026-12-04T09:00:00")
    ids = {
        "A": story(repo, "Send emojis in messages", "3"),
        "B": tech(repo, "Store messages as utf8mb4", "5"),
        "C": repo.new_spike("Which emoji picker?", "--points", "2"),
        "D": story(repo, "Search messages by emoji", "8"),
        "E": story(repo, "Emoji reactions", "3"),
        "F": story(repo, "Recently used emojis", "2"),
    }
    repo.ok("sprint", "new", S1, "--start", "2026-12-07", "--capacity", "20", "--goal", "Emoji")
    repo.ok("sprint", "new", S2, "--start", "2026-12-21", "--capacity", "20")
    plan = "\n".join(ids[k] for k in "ABCE") + "\n"
    assert repo.run("sprint", "plan", S1, "--from-file", "-", input=plan).exit_code == 0
    at(monkeypatch, "2026-12-07T09:00:00")
    repo.ok("sprint", "start", S1)
    at(monkeypatch, "2026-12-08T10:00:00")
    repo.ok("spike", "start", ids["C"])
    repo.ok("spike", "close", ids["C"], "--outcome", "use the system picker")
    at(monkeypatch, "2026-12-09T11:00:00")
    repo.ok("sprint", "add", S1, ids["D"])
    at(monkeypatch, "2026-12-10T12:00:00")
    repo.ok("set", ids["B"], "points=8")
    at(monkeypatch, "2026-12-11T13:00:00")
    repo.ok("sprint", "remove", S1, ids["E"])
    repo.git("checkout", "-q", "-b", "feat")
    at(monkeypatch, "2026-12-12T14:00:00")
    repo.ok("done", ids["A"])
    repo.git("checkout", "-q", "main")
    at(monkeypatch, "2026-12-14T15:00:00")
    repo.ok("done", ids["B"])
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2026-12-15T16:00:00+00:00")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-12-15T16:00:00+00:00")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge feat", "feat")
    monkeypatch.delenv("GIT_AUTHOR_DATE")
    monkeypatch.delenv("GIT_COMMITTER_DATE")
    at(monkeypatch, "2026-12-16T10:00:00")
    repo.ok("sprint", "add", S1, ids["F"])
    at(monkeypatch, "2026-12-21T09:00:00")
    repo.ok("done", ids["D"])
    at(monkeypatch, "2026-12-21T10:00:00")
    repo.ok("sprint", "close", S1, "--carry-over", S2)
    at(monkeypatch, "2026-12-21T11:00:00")
    repo.ok("sprint", "start", S2)
    at(monkeypatch, "2026-12-22T11:00:00")
    repo.ok("done", ids["F"])
    at(monkeypatch, "2027-01-04T09:00:00")
    repo.ok("sprint", "close", S2)
    at(monkeypatch, "2027-01-05T09:00:00")
    return ids


EXPECTED_S1 = [
    (13, 0, 13),  # 12-07 start: A 3 + B 5 + C 2 + E 3
    (13, 2, 11),  # 12-08 C done
    (21, 2, 19),  # 12-09 D added
    (24, 2, 22),  # 12-10 B 5 → 8
    (21, 2, 19),  # 12-11 E removed
    (21, 5, 16),  # 12-12 A done on the branch (merged on 12-15, dated by its own commit)
    (21, 5, 16),
    (21, 13, 8),  # 12-14 B done
    (21, 13, 8),  # 12-15 the merge: nothing counted twice
    (23, 13, 10),  # 12-16 F added
    (23, 13, 10),
    (23, 13, 10),
    (23, 13, 10),
    (23, 13, 10),  # 12-20; D done 12-21 is late, F carried over at the close
]


def test_a_two_week_sprint_day_by_day(repo: Repo, sprint_repo: dict[str, str]) -> None:
    report = repo.ok("burndown", S1, "--json").json()
    assert isinstance(report, dict)
    assert report["sprint"] == {
        "name": S1, "start": "2026-12-07", "end": "2026-12-20", "goal": "Emoji", "capacity": 20,
    }  # fmt: skip
    assert (report["committed"], report["added"], report["removed"]) == (13, 13, 3)
    assert (report["completed"], report["remaining"]) == (13, 10)
    assert days(report) == EXPECTED_S1
    ideals = [d["ideal"] for d in report["days"]]
    assert ideals == [round(13 * (14 - n) / 14, 2) for n in range(1, 15)]
    assert [d["date"] for d in report["days"]][::13] == ["2026-12-07", "2026-12-20"]
    # The carried-over item is Sprint 2's commitment, done within it.
    second = repo.ok("burndown", S2, "--json").json()
    assert isinstance(second, dict)
    assert (second["committed"], second["added"], second["completed"]) == (2, 0, 2)
    shown = repo.ok("sprint", "show", S1, "--json").json()
    assert isinstance(shown, dict)
    assert shown["state"] == "closed" and shown["late"] == 8
    assert repo.ok("sprint", "show", S2, "--json").json()["items"][0]["id"] == sprint_repo["F"]  # type: ignore[index]


def test_velocity_of_the_closed_sprints(repo: Repo, sprint_repo: dict[str, str]) -> None:
    found = repo.ok("velocity", "--json").json()
    assert found == {
        "schema_version": 2,
        "sprints": [
            {"name": S1, "start": "2026-12-07", "end": "2026-12-20", "committed": 13,
             "completed": 13},
            {"name": S2, "start": "2026-12-21", "end": "2027-01-03", "committed": 2,
             "completed": 2},
        ],
        "average": 7.5,
    }  # fmt: skip
    assert repo.ok("velocity", "--last", "1", "--json").json()["sprints"][0]["name"] == S2  # type: ignore[index]
    listed = repo.ok("sprint", "list", "--json").json()["sprints"]  # type: ignore[index]
    assert [(s["name"], s["state"], s["committed"], s["completed"]) for s in listed] == [
        (S1, "closed", 13, 13),
        (S2, "closed", 2, 2),
    ]


def test_at_several_revisions(repo: Repo, sprint_repo: dict[str, str]) -> None:
    log = repo.git("log", "--first-parent", "--format=%H %s", "main").splitlines()
    removed = next(line.split()[0] for line in log if "remove from sprint" in line)
    b_done = next(line.split()[0] for line in log if f"{sprint_repo['B']} → done" in line)
    early = repo.ok("burndown", S1, "--at", removed, "--json").json()
    assert days(early) == EXPECTED_S1[:5] + [(None, None, None)] * 9
    # Before the merge, A's branch commit is not in the history: it has not burnt.
    before_merge = repo.ok("burndown", S1, "--at", b_done, "--json").json()
    assert days(before_merge)[4:8] == [(21, 2, 19), (21, 2, 19), (21, 2, 19), (21, 10, 11)]
    # The sprint was active then.
    listed = repo.ok("sprint", "list", "--at", removed, "--json").json()["sprints"]  # type: ignore[index]
    assert [s["state"] for s in listed] == ["active", "planned"]
    assert listed[0]["days_left"] == 10


def test_the_same_report_without_the_cache_and_in_a_fresh_clone(
    repo: Repo, sprint_repo: dict[str, str], tmp_path: Path
) -> None:
    first = repo.ok("burndown", S1, "--json").stdout
    assert (repo.root / ".git" / "storykit" / "timeline-cache.json").exists()
    assert repo.ok("burndown", S1, "--json").stdout == first  # warm
    (repo.root / ".git" / "storykit" / "timeline-cache.json").unlink()
    assert repo.ok("burndown", S1, "--json").stdout == first
    (repo.root / ".git" / "storykit" / "timeline-cache.json").write_text("{not json")
    assert repo.ok("burndown", S1, "--json").stdout == first
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo.root), str(clone))
    assert repo.ok("burndown", S1, "--json", cwd=clone).stdout == first
    velocity = repo.ok("velocity", "--json").stdout
    assert repo.ok("velocity", "--json", cwd=clone).stdout == velocity


def test_the_cache_grows_with_new_commits(
    repo: Repo, sprint_repo: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A commit after a cached report is read on its own, and the report is what a cold
    read gives."""
    repo.ok("burndown", S1, "--json")
    at(monkeypatch, "2027-01-05T10:00:00")
    repo.ok("sprint", "new", "Sprint 3", "--start", "2027-01-04")
    repo.ok("sprint", "add", "Sprint 3", sprint_repo["E"])
    warm = repo.ok("sprint", "show", "Sprint 3", "--json").stdout
    shutil.rmtree(repo.root / ".git" / "storykit")
    assert repo.ok("sprint", "show", "Sprint 3", "--json").stdout == warm
    # Never started: the commitment was what it held at the end of its start day (nothing).
    assert (json.loads(warm)["committed"], json.loads(warm)["added"]) == (0, 3)


def test_markdown_and_svg(repo: Repo, sprint_repo: dict[str, str], tmp_path: Path) -> None:
    text = repo.ok("burndown", S1, "--format", "markdown").stdout
    table = [line for line in text.splitlines() if line.startswith("| 2026-12-")]
    assert len(table) == 14 and table[2] == "| 2026-12-09 | 21 | 2 | 19 | 10.21 |"
    mermaid = text.split("```mermaid\n")[1].split("```")[0]
    assert mermaid.startswith("xychart-beta\n")
    assert "    line [13, 11, 19, 22, 19, 16, 16, 8, 8, 10, 10, 10, 10, 10]" in mermaid
    bars = repo.ok("velocity", "--format", "markdown").stdout
    assert "    bar [13, 2]" in bars and "| Sprint 2 | 2026-12-21 | 2027-01-03 | 2 | 2 |" in bars
    for command in (["burndown", S1], ["velocity"], ["sprint", "show", S1]):
        path = tmp_path / f"{command[0]}.svg"
        repo.ok(*command, "--format", "svg", "--output", str(path))
        root = ET.parse(path).getroot()
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
    refused = repo.run("burndown", S1, "--format", "svg")
    assert refused.exit_code == 2 and "--output" in refused.stderr


def test_terminal_charts_plain_when_piped(repo: Repo, sprint_repo: dict[str, str]) -> None:
    text = repo.ok("burndown", S1).stdout
    assert "\x1b" not in text
    assert "committed 13, added 13, removed 3, completed 13, remaining 10" in text
    assert "remaining" in text and "ideal" in text and "12-07" in text
    shown = repo.ok("sprint", "show", S1).stdout
    assert "Sprint 1  closed  2026-12-07 → 2026-12-20" in shown
    assert "completed late: 8" in shown
    velocity = repo.ok("velocity").stdout
    assert "average (last 3 closed sprints): 7.5" in velocity


def test_day_boundaries_follow_the_configured_time_zone(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = repo.root / ".storykit.toml"
    text = config.read_text().replace('timezone = "UTC"', 'timezone = "America/New_York"')
    config.write_text(text)
    repo.git("commit", "-qam", "time zone")
    at(monkeypatch, "2026-12-04T09:00:00")
    item = story(repo, "Send emojis", "5")
    repo.ok("sprint", "new", S1, "--start", "2026-12-07", "--length", "3d")
    repo.ok("sprint", "add", S1, item)
    at(monkeypatch, "2026-12-07T15:00:00")  # 10:00 in New York
    repo.ok("sprint", "start", S1)
    at(monkeypatch, "2026-12-09T03:00:00")  # still 12-08 in New York
    repo.ok("done", item)
    at(monkeypatch, "2026-12-10T23:00:00")
    report = repo.ok("burndown", "--json").json()  # the active sprint
    assert days(report) == [(5, 0, 5), (5, 5, 0), (5, 5, 0)]
    assert report["sprint"]["end"] == "2026-12-09"  # type: ignore[index]


def test_a_sprint_never_started_commits_at_the_end_of_its_start_day(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, "2026-12-04T09:00:00")
    one, two = story(repo, "One", "3"), story(repo, "Two", "5")
    repo.ok("sprint", "new", S1, "--start", "2026-12-07", "--end", "2026-12-08")
    repo.ok("sprint", "add", S1, one)
    at(monkeypatch, "2026-12-07T18:00:00")
    repo.ok("sprint", "add", S1, two)  # on the start day: committed
    at(monkeypatch, "2026-12-08T10:00:00")
    repo.ok("done", one)
    at(monkeypatch, "2026-12-09T10:00:00")
    report = repo.ok("burndown", S1, "--json").json()
    assert days(report) == [(8, 0, 8), (8, 3, 5)]
    listed = repo.ok("sprint", "list", "--json").json()["sprints"]  # type: ignore[index]
    assert listed[0]["state"] == "closed"  # by its dates


def test_planning_summary_and_warnings(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    big = story(repo, "Emoji keyboard", "8")
    repo.ok("status", big, "ready")
    unestimated = repo.new_story("Emoji skin tones")
    spike = repo.new_spike("Emoji fonts?")
    repo.ok("set", spike, "timebox=")  # a draft may leave it out
    waiting = tech(repo, "Store messages as utf8mb4", "3")
    repo.ok("rank", waiting, "--top")
    repo.ok("sprint", "new", S1, "--start", "2026-12-07", "--capacity", "5")
    kept = f"{big}\n{unestimated}\n"
    plan = repo.run("sprint", "plan", S1, "--from-file", "-", "--json", input=kept)
    data = plan.json()
    assert isinstance(data, dict)
    assert [i["id"] for i in data["items"]] == [big, unestimated]
    planning = data["planning"]
    assert (planning["capacity"], planning["planned"]) == (5, 8)
    assert planning["balance"]["story"] == {"count": 2, "points": 8, "share": 1.0}
    codes = {(w["code"], w["fix"]) for w in planning["warnings"]}
    assert ("over-capacity", f'storykit sprint remove "{S1}" ID…') in codes
    assert ("unestimated", f"storykit set {unestimated} points=3") in codes
    assert ("not-ready", f"storykit status {unestimated} ready") in codes
    assert ("technical-work-overshadowed", f'storykit sprint add "{S1}" {waiting}') in codes
    repo.ok("sprint", "add", S1, str(spike))
    shown = repo.ok("sprint", "show", S1).stdout
    assert f"warning: spike {spike} has no timebox (`storykit set {spike} timebox=2d`)" in shown
    assert "technical work" not in shown and "story 2 (100%)" in shown and "spike 1 (0%)" in shown


def test_plan_in_the_editor_lists_ready_items_with_a_running_total(
    repo: Repo, fake_editor: object
) -> None:
    one, two = story(repo, "One", "3"), story(repo, "Two", "5")
    repo.ok("status", one, two, "ready")
    repo.ok("sprint", "new", S1, "--start", "2026-12-07", "--capacity", "6")
    log = fake_editor(f"{two}\n")  # type: ignore[operator]
    repo.ok("sprint", "plan", S1)
    shown = (log / "shown-0.txt").read_text()
    assert f"{one}  3 pts  total 3/6  story" in shown and f"{two}  5 pts  total 8/6  story" in shown
    items = repo.ok("list", "--sprint", S1, "--json").json()["items"]  # type: ignore[index]
    assert [i["id"] for i in items] == [two]
    assert repo.last_commit_files() == [str(repo.item_path(two).relative_to(repo.root))]


def test_check_reports_an_unknown_sprint_and_bad_sprint_files(repo: Repo) -> None:
    item = repo.new_story()
    path = repo.item_path(item)
    path.write_text(path.read_text() + "sprint: Sprint 9\n")  # by hand: no sprint file
    found = repo.run("check")
    assert found.exit_code == 1
    rel = repo.item_path(item).relative_to(repo.root)
    assert f"{rel}:" in found.stdout + found.stderr
    assert "sprint: no sprint named 'Sprint 9'" in found.stdout + found.stderr
    repo.ok("sprint", "new", "Sprint 9", "--start", "2026-12-07")
    assert repo.run("check").exit_code == 0
    bad = repo.root / "backlog" / "sprints" / "sprint-9.yaml"
    bad.write_text("name: Sprint 9\nstart: 2026-12-07\nend: 2026-12-01\ncapcity: 3\n")
    report = repo.run("check")
    text = report.stdout + report.stderr
    where = "backlog/sprints/sprint-9.yaml"
    assert f"{where}:4:1: error: capcity: unknown key (did you mean 'capacity'?)" in text
    bad.write_text("name: Sprint 9\nstart: 2026-12-07\nend: 2026-12-01\n")
    text = repo.run("check").stdout + repo.run("check").stderr
    assert f"{where}:3:6: error: end: 2026-12-01 is before start 2026-12-07" in text


def test_bad_input_is_refused_and_changes_nothing(repo: Repo) -> None:
    item = repo.new_story()
    repo.refused("sprint", "new", S1, "--start", "07/12/2026", code=2, says="is not a date")
    new = ("sprint", "new", S1, "--start", "2026-12-07")
    repo.refused(*new, "--length", "2m", code=2, says="days or weeks")
    repo.refused(*new, "--end", "2026-12-01", code=1, says="before start")
    for capacity in ("0", "-3", "nan", "inf"):
        repo.refused(*new, "--capacity", capacity, code=1, says="capacity: must be a number")
    repo.refused("sprint", "add", "Nope", item, code=2, says="no sprint 'Nope'")
    repo.ok("sprint", "new", S1, "--start", "2026-12-07")
    repo.refused("sprint", "new", "sprint 1", *new[3:], code=2, says="already a sprint")
    repo.refused("sprint", "remove", S1, item, code=2, says="not in sprint")
    repo.refused("burndown", "Nope", code=2, says="no sprint 'Nope'")
    repo.refused("burndown", S1, "--at", "no-such-rev", code=2, says="unknown revision")
    repo.ok("sprint", "start", S1)
    repo.refused("sprint", "start", S1, code=2, says="already started")
    repo.refused("sprint", "close", S1, "--carry-over", S1, code=2, says="being closed")


def test_sprint_commands_make_one_commit_each(repo: Repo) -> None:
    one, two = story(repo, "One", "1"), story(repo, "Two", "2")
    count = repo.commit_count()
    repo.ok("sprint", "new", S1, "--start", "2026-12-07")
    repo.ok("sprint", "add", S1, one, two)
    assert repo.commit_count() == count + 2
    assert len(repo.last_commit_files()) == 2
    subject = repo.git("log", "-1", "--format=%s").strip()
    assert subject == f"backlog: add to sprint {S1}: {one}, {two}"
    repo.ok("sprint", "start", S1)
    repo.ok("sprint", "new", S2, "--start", "2026-12-21")
    repo.ok("done", one)
    closed = repo.ok("sprint", "close", S1, "--carry-over", S2, "--json").json()
    assert isinstance(closed, dict)
    assert closed["sprint"]["closed"] and [i["sprint"] for i in closed["items"]] == [S2]
    assert sorted(repo.last_commit_files()) == sorted(
        ["backlog/sprints/sprint-1.yaml", str(repo.item_path(two).relative_to(repo.root))]
    )
    # undo puts the items back in the sprint and the sprint back open, in one commit
    repo.ok("undo")
    assert "closed" not in (repo.root / "backlog" / "sprints" / "sprint-1.yaml").read_text()


def _lean(repo: Repo, *argv: str, now: str = "2027-01-05T09:00:00+00:00") -> str:
    env = {**os.environ, "STORYKIT_NOW": now}
    done = subprocess.run(
        [str(SCRIPT), *argv], cwd=repo.root, capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_report_asked_again_is_the_answer_kept(
    repo: Repo, sprint_repo: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second time, no Typer, no Pydantic, no git: the kept answer, byte for byte what
    the full command prints; a new commit, other settings or another day compute anew."""
    asks = [
        ["burndown", S1, "--json"],
        ["burndown", S1, "--format", "markdown"],
        ["velocity", "--last", "1"],
        ["sprint", "list", "--json"],
    ]
    for argv in asks:
        full = repo.ok(*argv).stdout
        assert _lean(repo, *argv) == full
        loaded = modules_after(repo.root, *argv, env={"STORYKIT_NOW": "2027-01-05T09:00:00"})
        assert not loaded & {"typer", "pydantic", "git", "ruamel"}, argv
    # Another day: Sprint 3 (starting 2027-01-06, never started by the command) is planned
    # through its first day and active after it, and the answer changes.
    at(monkeypatch, "2027-01-05T10:00:00")
    repo.ok("sprint", "new", "Sprint 3", "--start", "2027-01-06")
    before = _lean(repo, "sprint", "list", "--json")
    assert json.loads(before)["sprints"][-1]["state"] == "planned"
    first_day = _lean(repo, "sprint", "list", "--json", now="2027-01-06T08:00:00+00:00")
    assert json.loads(first_day)["sprints"][-1]["state"] == "planned"
    after = _lean(repo, "sprint", "list", "--json", now="2027-01-07T08:00:00+00:00")
    assert json.loads(after)["sprints"][-1]["state"] == "active"
    at(monkeypatch, "2027-01-07T08:00:00")
    assert after == repo.ok("sprint", "list", "--json").stdout
    # Other settings: the kept answer is not used.
    config = repo.root / ".storykit.toml"
    config.write_text(config.read_text().replace('timezone = "UTC"', 'timezone = "Asia/Tokyo"'))
    assert _lean(repo, "sprint", "list", "--json", now="2027-01-07T08:00:00+00:00") == (
        repo.ok("sprint", "list", "--json").stdout
    )
    # A kept answer at an old revision stays right: "now" is then that commit's time.
    first = repo.git("rev-list", "--max-parents=0", "HEAD").strip()
    again = _lean(repo, "velocity", "--json", "--at", first)
    assert json.loads(again)["sprints"] == []
    assert _lean(repo, "velocity", "--json", "--at", first) == again


def test_a_chart_asked_again_is_written_from_the_kept_drawing(
    repo: Repo, sprint_repo: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The drawing is kept with the answer (keyed by matplotlib's installation, not the
    file's name): asked again, the same bytes are written without matplotlib. A
    matplotlibrc in the repository changes nothing: every machine draws the same file."""
    at(monkeypatch, "2027-01-05T09:00:00")
    first = tmp_path / "first.svg"
    for command in (["burndown", S1], ["velocity"]):
        repo.ok(*command, "--format", "svg", "--output", str(first))
        again = tmp_path / "sub" / "again.svg"
        again.parent.mkdir(exist_ok=True)
        env = {**os.environ, "STORYKIT_NOW": "2027-01-05T09:00:00+00:00"}
        argv = [*command, "--format", "svg", "--output", str(again)]
        done = subprocess.run(
            [str(SCRIPT), *argv], cwd=repo.root, capture_output=True, text=True, env=env
        )
        assert done.returncode == 0 and done.stderr == f"wrote {again}\n", done.stderr
        assert again.read_bytes() == first.read_bytes()
        loaded = modules_after(repo.root, *argv, env={"STORYKIT_NOW": "2027-01-05T09:00:00"})
        assert not any(name.startswith(("matplotlib", "typer", "pydantic")) for name in loaded)
    (repo.root / "matplotlibrc").write_text("lines.linewidth: 9\naxes.facecolor: red\n")
    (repo.root / ".git" / "storykit" / "reports-cache.json").unlink()
    drawn = tmp_path / "drawn.svg"
    env = {**os.environ, "STORYKIT_NOW": "2027-01-05T09:00:00+00:00"}
    subprocess.run(
        [str(SCRIPT), "velocity", "--format", "svg", "--output", str(drawn)],
        cwd=repo.root, check=True, env=env, capture_output=True,
    )  # fmt: skip
    assert drawn.read_bytes() == first.read_bytes()


def test_an_unknown_sprint_is_refused_at_write_time(repo: Repo) -> None:
    item = repo.new_story()
    says = "sprint: no sprint named 'Sprint 9'"
    repo.refused("set", item, "sprint=Sprint 9", code=1, says=says)
    repo.refused("story", "new", "Another", "--as-a", "u", "--i-want", "w", "--so-that", "s",
                 "--sprint", "Sprint 9", code=1, says=says)  # fmt: skip
    repo.ok("sprint", "new", "Sprint 9", "--start", "2026-12-07")
    repo.refused("set", item, "sprint=sprint 9", code=1, says='sprint="Sprint 9"')
    repo.ok("set", item, "sprint=Sprint 9")


def test_sprint_files_merge_field_by_field(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two branches change adjacent lines of one sprint file (git's text merge would
    conflict): the driver merges them, and `resolve` does in a clone without it."""
    repo.ok("sprint", "new", S1, "--start", "2026-12-07", "--capacity", "20", "--goal", "Emoji")
    repo.git("checkout", "-q", "-b", "feat")
    path = repo.root / "backlog" / "sprints" / "sprint-1.yaml"
    path.write_text(path.read_text().replace("capacity: 20", "capacity: 18"))
    repo.git("commit", "-qam", "less capacity")
    repo.git("checkout", "-q", "main")
    at(monkeypatch, "2026-12-07T09:00:00")
    repo.ok("sprint", "start", S1)  # appends `started:` right after `capacity:`
    path.write_text(path.read_text().replace("goal: Emoji", "goal: Emoji everywhere"))
    repo.git("commit", "-qam", "goal")
    repo.git("branch", "-q", "main-copy")
    repo.git("merge", "-q", "--no-edit", "feat")
    text = path.read_text()
    assert "capacity: 18" in text and "goal: Emoji everywhere" in text and "started:" in text
    assert repo.run("check").exit_code == 0
    # Without the driver, git conflicts; `storykit resolve` merges it.
    repo.git("checkout", "-q", "main-copy")
    repo.git("config", "--remove-section", "merge.storykit")
    repo.git("merge", "-q", "--no-edit", "feat", check=False)
    assert "<<<<<<<" in path.read_text()
    resolved = repo.run("resolve")
    assert "backlog/sprints/sprint-1.yaml: merged" in resolved.stdout
    assert "capacity: 18" in path.read_text() and "started:" in path.read_text()


def test_charts_in_colour_on_a_terminal_fitting_its_width(
    repo: Repo, sprint_repo: dict[str, str]
) -> None:
    env = {"STORYKIT_NOW": "2027-01-05T09:00:00+00:00", "COLUMNS": "60", "LINES": "40"}
    for argv in (["burndown", S1], ["velocity"], ["sprint", "show", S1]):
        shown = on_terminal(repo.root, [str(SCRIPT), *argv], env)
        assert "\x1b[" in shown, argv  # coloured
        plain = re.sub(r"\x1b\[[0-9;]*m", "", shown)
        chart = [line for line in plain.splitlines() if "┤" in line or "│" in line]
        assert chart and max(len(line.rstrip()) for line in chart) <= 60, argv
        # Asked again on the same terminal: the kept answer, the same bytes.
        assert on_terminal(repo.root, [str(SCRIPT), *argv], env) == shown


def test_sprint_files_are_never_reached_through_symbolic_links(repo: Repo, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (repo.root / "backlog" / "sprints").symlink_to(outside)
    says = "backlog/sprints is a symbolic link"
    repo.refused("sprint", "new", S1, "--start", "2026-12-07", "--no-commit", code=3, says=says)
    assert list(outside.iterdir()) == []
    (repo.root / "backlog" / "sprints").unlink()
    (repo.root / "backlog" / "sprints").mkdir()
    target = outside / "elsewhere.yaml"
    target.write_text("name: Elsewhere\nstart: 2026-12-07\nend: 2026-12-08\n")
    (repo.root / "backlog" / "sprints" / "elsewhere.yaml").symlink_to(target)
    checked = repo.run("check")
    text = checked.stdout + checked.stderr
    assert (
        "backlog/sprints/elsewhere.yaml:1:1: error: sprint files must not be symbolic links" in text
    )
    repo.refused("sprint", "start", "Elsewhere", "--no-commit", code=1, says="symbolic links")
    assert "started" not in target.read_text()


def test_a_shallow_clone_says_its_history_is_cut_and_unshallowed_agrees(
    repo: Repo, sprint_repo: dict[str, str], tmp_path: Path
) -> None:
    """CI's default checkout is shallow: reports refuse to print partial figures as whole,
    naming `git fetch --unshallow`; after it, the answer is the full clone's, and deleting
    the caches changes nothing."""
    first = repo.ok("burndown", S1, "--json").stdout
    velocity = repo.ok("velocity", "--json").stdout
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "3", f"file://{repo.root}", str(clone))
    for command in (("burndown", S1), ("velocity",), ("sprint", "list"), ("sprint", "show", S1)):
        for _ in range(2):  # the lean path keeps no answer of a cut history either
            ran = subprocess.run(
                [str(SCRIPT), *command], cwd=clone, capture_output=True, text=True, check=False
            )
            assert ran.returncode == 3, (command, ran.stdout, ran.stderr)
            assert "history is cut short" in ran.stderr and "git fetch --unshallow" in ran.stderr
            assert ran.stdout == ""
    shown = repo.ok("show", sprint_repo["A"], cwd=clone).stdout
    assert re.search(r"captured:\s+unknown", shown) and "git fetch --unshallow" in shown
    assert (
        repo.ok("show", sprint_repo["A"], "--json", cwd=clone).json()["item"]["captured_by"] is None
    )  # type: ignore[index]
    refused = repo.run("list", "--captured-by", "Pat Owner", cwd=clone)
    assert refused.exit_code == 3 and "git fetch --unshallow" in refused.stderr
    refined = repo.run("refine", cwd=clone)
    assert refined.exit_code == 0 and "not judged" in refined.stderr
    logged = repo.run("log", sprint_repo["A"], cwd=clone)
    assert logged.exit_code == 0 and "older changes are not shown" in logged.stderr
    git(clone, "fetch", "-q", "--unshallow")
    assert repo.ok("burndown", S1, "--json", cwd=clone).stdout == first
    assert repo.ok("velocity", "--json", cwd=clone).stdout == velocity
    assert "Pat Owner" in repo.ok("show", sprint_repo["A"], cwd=clone).stdout
    shutil.rmtree(clone / ".git" / "storykit")
    assert repo.ok("burndown", S1, "--json", cwd=clone).stdout == first


def test_replace_refs_and_grafts_key_every_kept_answer(
    repo: Repo, sprint_repo: dict[str, str]
) -> None:
    """A replace ref changes the history the same commits show: the kept timeline and the
    kept printed answer must not be served for it."""

    def burndown_day_12_12() -> tuple[object, object, object]:
        ran = subprocess.run(
            [str(SCRIPT), "burndown", S1, "--json"], cwd=repo.root, capture_output=True,
            text=True, check=True,
        )  # fmt: skip
        return days(json.loads(ran.stdout))[5]

    assert burndown_day_12_12() == (21, 5, 16)
    assert burndown_day_12_12() == (21, 5, 16)  # kept
    merge = repo.git("log", "--merges", "-1", "--format=%H").strip()
    repo.git("replace", "--graft", merge, f"{merge}^1")  # `feat` is no longer merged
    grafted = burndown_day_12_12()
    assert grafted == (21, 2, 19)  # A done only at the merge, 12-15
    shutil.rmtree(repo.root / ".git" / "storykit")
    assert burndown_day_12_12() == grafted
    repo.git("replace", "-d", merge)
    assert burndown_day_12_12() == (21, 5, 16)


def test_a_drawing_is_not_kept_when_matplotlib_cannot_be_told_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No version file beside matplotlib (an unusual build): the chart is drawn every time,
    never served from a drawing another matplotlib made."""
    import importlib.util
    from types import SimpleNamespace

    from storykit.cli.lean.kept_reports import report_request

    assert report_request("burndown", sprint=S1, form="svg") is not None
    fake = SimpleNamespace(origin=str(tmp_path / "matplotlib" / "__init__.py"))
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: fake)
    assert report_request("burndown", sprint=S1, form="svg") is None
    assert report_request("burndown", sprint=S1, form="markdown") is not None

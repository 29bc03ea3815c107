"""Dates: arithmetic never raises; out-of-range dates are refused where they enter."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storykit.model.timebox import deadline_passed
from tests.helpers import Repo

READERS = (("list",), ("list", "--json"), ("board",), ("check",), ("spike", "overdue"))


def test_a_start_past_2999_is_refused_on_the_command_line(repo: Repo) -> None:
    spike = repo.new_spike()
    repo.ok("spike", "start", spike)
    for value in ("9999-12-31", "9999-12-31T23:59:59+00:00", "3000-01-01", "1899-12-31"):
        repo.refused(
            "set", spike, f"started={value}", "timebox=1d", code=1,
            says="started: must be a date from 1900-01-01 to 2999-12-31",
        )  # fmt: skip
    repo.refused(
        "set", spike, "created=0001-01-01", code=1,
        says="created: must be a date from 1900-01-01 to 2999-12-31",
    )  # fmt: skip
    for args in READERS:
        assert repo.run(*args).exit_code == 0, args


@pytest.mark.parametrize(
    "line",
    [
        "started: 9999-12-31T23:00:00-23:00",
        "started: 9999-12-31",
        "started: 0001-01-01T00:00:00+14:00",
        "created: 9999-12-31",
    ],
)
def test_a_file_with_an_extreme_date_is_reported_and_hides_nothing(repo: Repo, line: str) -> None:
    neighbour = repo.new_story("A neighbour that stays visible")
    spike = repo.new_spike()
    repo.ok("spike", "start", spike)
    path = repo.item_path(spike)
    text = path.read_text()
    key = line.split(":")[0]
    kept = [row for row in text.splitlines() if not row.startswith((f"{key}:", "timebox:"))]
    path.write_text("\n".join([*kept, line, "timebox: 9999w"]) + "\n")
    check = repo.run("check")
    assert check.exit_code == 1
    assert f"{key}: must be a date from 1900-01-01 to 2999-12-31" in check.stdout
    for args in READERS:
        result = repo.run(*args)
        assert "internal error" not in result.stderr, (args, result.stderr)
    assert neighbour in repo.ok("list").stdout
    shown = repo.run("show", spike)
    assert shown.exit_code == 1
    assert f"{key}: must be a date from 1900-01-01 to 2999-12-31" in shown.stderr


@pytest.mark.parametrize("now", ["0001-01-01", "9999-12-31T23:59:59", "1899-12-31T00:00:00+00:00"])
def test_an_out_of_range_storykit_now_is_refused(
    repo: Repo, monkeypatch: pytest.MonkeyPatch, now: str
) -> None:
    spike = repo.new_spike()
    monkeypatch.setenv("STORYKIT_NOW", now)
    for args in (*READERS, ("show", spike), ("spike", "start", spike)):
        result = repo.run(*args)
        assert result.exit_code == 2, (args, result.stderr)
        assert f"STORYKIT_NOW={now!r}: must be a date from 1900-01-01 to 2999-12-31" in (
            result.stderr
        )


def test_a_huge_timebox_extension_is_a_usage_error(repo: Repo) -> None:
    spike = repo.new_spike()
    for extra in ("99999999999w", "10000d", "0h"):
        repo.refused("spike", "extend", spike, "--timebox", extra, code=2, says="--timebox")
    repo.refused("spike", "extend", spike, "--timebox", "9999w", code=1, says="timebox")


@given(
    started=st.one_of(st.dates(), st.datetimes(timezones=st.timezones())),
    timebox=st.from_regex(r"[1-9][0-9]{0,3}[hdw]", fullmatch=True) | st.text(max_size=8),
    now=st.datetimes(timezones=st.timezones()),
)
def test_deadline_arithmetic_never_raises(
    started: dt.date | dt.datetime, timebox: str, now: dt.datetime
) -> None:
    deadline_passed(started, timebox, now)


def test_storykit_now_dates_storykits_commits(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYKIT_NOW", "2026-11-23T17:30:00+01:00")
    story = repo.new_story("Send emojis")
    dates = repo.git("log", "-1", "--format=%aI %cI").split()
    assert dates == ["2026-11-23T17:30:00+01:00", "2026-11-23T17:30:00+01:00"]
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2026-11-24T08:00:00+00:00")  # git's own wins
    repo.ok("set", story, "points=3")
    assert repo.git("log", "-1", "--format=%aI %cI").split() == [
        "2026-11-24T08:00:00+00:00",
        "2026-11-23T17:30:00+01:00",
    ]

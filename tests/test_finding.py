"""Finding things: `list`'s filters, sorting and limit, and `search`."""

from __future__ import annotations

import pytest

from tests.helpers import Repo


def _ids(repo: Repo, *args: str) -> list[str]:
    data = repo.ok(*args, "--json").json()
    assert isinstance(data, dict)
    return [item["id"] for item in data["items"]]


@pytest.fixture
def team(repo: Repo) -> dict[str, str]:
    """A messaging app's backlog, owned by two people across two sprints."""
    for sprint, start in (("Sprint 1", "2026-11-16"), ("Sprint 2", "2026-11-30")):
        repo.ok("sprint", "new", sprint, "--start", start)
    ids = {
        "emoji": repo.new_story(
            "Send emojis in messages",
            "--points", "5", "--owner", "Pat Owner", "--sprint", "Sprint 1", "--tag", "ux",
            "--acceptance-criteria", "An emoji sent on Android arrives intact on iOS",
        ),
        "spike": repo.new_spike("Research emoji encoding", "--owner", "Sam Dev", "--tag", "api"),
        "schema": repo.ok(
            "tech", "new", "Refactor message schema", "--why", "utf8mb4 for 4-byte UTF-8",
            "--points", "3", "--sprint", "Sprint 2", "--json",
        ).json()["item"]["id"],  # type: ignore[index]
        "old": repo.new_story("Old reactions", "--points", "1", "--tag", "UX"),
    }  # fmt: skip
    repo.ok("set", ids["old"], "notes=Superseded by the emoji picker\nsee the TR51 report")
    repo.ok("drop", ids["old"])
    return ids


def test_repeated_options_mean_any_of_them(repo: Repo, team: dict[str, str]) -> None:
    both = [team["spike"], team["schema"]]
    assert _ids(repo, "list", "--type", "spike", "--type", "tech") == both
    assert _ids(repo, "list", "--tag", "ux", "--tag", "api") == [team["emoji"], team["spike"]]
    assert _ids(repo, "list", "--status", "draft", "--status", "dropped") == list(team.values())
    # Types and statuses are matched whatever their case, like IDs; tags too.
    assert _ids(repo, "list", "--type", "STORY", "--status", "Dropped") == [team["old"]]
    assert _ids(repo, "list", "--tag", "UX", "--all") == [team["emoji"], team["old"]]


@pytest.mark.parametrize(
    ("args", "says", "lists"),
    [
        (("--type", "bogus"), "'bogus' is not a type", "epic, story, tech, spike, task"),
        (("--status", "finished"), "'finished' is not a status", "draft, ready, in-progress"),
        (("--tag", "mobile"), "no item has the tag 'mobile'", "tags in use: api, ux"),
        (
            ("--sort", "value"),
            "cannot sort by 'value'",
            "rank, score, created, points, status, title",
        ),
        (("--owner", "x", "--mine"), "give --owner or --mine, not both", ""),
    ],
)
def test_an_unknown_value_is_an_error_naming_the_valid_ones(
    repo: Repo, team: dict[str, str], args: tuple[str, ...], says: str, lists: str
) -> None:
    result = repo.refused("list", *args, code=2, says=says)
    assert lists in result.stderr
    assert result.stdout == ""


def test_owner_mine_and_sprint(repo: Repo, team: dict[str, str]) -> None:
    assert _ids(repo, "list", "--owner", "sam dev") == [team["spike"]]
    assert _ids(repo, "list", "--mine") == [team["emoji"]]  # git's user.name is Pat Owner
    assert _ids(repo, "list", "--sprint", "sprint 2") == [team["schema"]]
    assert _ids(repo, "list", "--owner", "nobody") == []
    repo.git("config", "--unset", "user.name")
    repo.refused("list", "--mine", code=2, says="--mine needs git's user.name")


def test_owners_are_a_column_only_when_someone_owns_something(
    repo: Repo, team: dict[str, str]
) -> None:
    lines = repo.ok("list").stdout.splitlines()
    assert lines[0].split("  ")[-2:] == ["Pat Owner", "Send emojis in messages"]
    assert "Sam Dev    Research emoji encoding" in lines[1]
    assert lines[2].endswith("           Refactor message schema")  # aligned, no owner
    assert "Pat Owner" not in repo.ok("list", "--type", "tech").stdout
    assert repo.ok("list", "--type", "tech").stdout.endswith("3  Refactor message schema\n")


def test_grep_reads_every_text_field_in_any_case(repo: Repo, team: dict[str, str]) -> None:
    assert _ids(repo, "list", "--grep", "ANDROID") == [team["emoji"]]  # acceptance criteria
    assert _ids(repo, "list", "--grep", "4-byte") == [team["schema"]]  # why
    assert _ids(repo, "list", "--grep", "emoji") == [team["emoji"], team["spike"]]
    assert _ids(repo, "list", "--grep", "tr51") == []  # the dropped one is closed
    assert _ids(repo, "list", "--grep", "tr51", "--all") == [team["old"]]
    repo.ok("set", team["schema"], "x-ticket=JIRA-451 in the old tracker")
    assert _ids(repo, "list", "--grep", "jira-451") == [team["schema"]]  # the user's own keys


def test_search_shows_the_lines_that_matched(repo: Repo, team: dict[str, str]) -> None:
    shown = repo.ok("search", "emoji").stdout.splitlines()
    assert shown[0].startswith(team["emoji"])
    assert shown[1] == "    title: Send emojis in messages"
    assert shown[2] == "    i_want: to send emojis"
    assert shown[3] == "    acceptance_criteria: An emoji sent on Android arrives intact on iOS"
    assert shown[4].startswith(team["spike"])
    assert shown[5] == "    title: Research emoji encoding"
    assert shown[6].startswith(team["old"])  # closed items too
    assert shown[7:] == ["    notes: Superseded by the emoji picker", "    i_want: to send emojis"]
    data = repo.ok("search", "TR51", "--json").json()
    assert isinstance(data, dict)
    (item,) = data["items"]
    assert item["matches"] == [{"field": "notes", "line": "see the TR51 report"}]
    assert repo.ok("search", "no such words").stdout == ""
    repo.refused("search", " ", code=2, says="give the text to search for")


def test_sort_and_limit(repo: Repo, team: dict[str, str]) -> None:
    repo.ok("set", team["spike"], "points=2")
    assert _ids(repo, "list", "--sort", "points") == [team["spike"], team["schema"], team["emoji"]]
    assert _ids(repo, "list", "--sort", "title", "--limit", "2") == [team["schema"], team["spike"]]
    repo.ok("start", team["schema"])
    assert _ids(repo, "list", "--sort", "status", "--all") == [
        team["emoji"], team["spike"], team["schema"], team["old"]
    ]  # fmt: skip
    assert _ids(repo, "list", "--limit", "1") == [team["emoji"]]
    repo.refused("list", "--limit", "0", code=2, says="--limit must be 1 or more, not 0")


def test_created_sorts_oldest_first_and_unset_last(
    repo: Repo, team: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STORYKIT_NOW", "2026-10-01T10:00:00+00:00")
    older = repo.new_story("Captured earlier")
    repo.ok("rank", older, "--bottom")
    assert _ids(repo, "list", "--sort", "created")[0] == older


def test_since_a_revision_a_date_or_a_span(
    repo: Repo, team: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    base = repo.head()
    repo.ok("set", team["spike"], "points=2")
    assert _ids(repo, "list", "--since", base) == [team["spike"]]
    assert _ids(repo, "list", "--since", "HEAD") == []
    (repo.root / "backlog" / repo.item_path(team["schema"]).name).write_text(
        repo.item_path(team["schema"]).read_text() + "x-note: hand edit\n"
    )
    assert _ids(repo, "list", "--since", "HEAD") == [team["schema"]]  # the work tree counts
    repo.refused("list", "--since", "nowhere", code=2, says="unknown revision 'nowhere'")
    repo.refused("list", "--since", "2026-13-45", code=2, says="is not a date")


def test_since_a_date_or_a_span(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    def dated(stamp: str) -> None:
        for env in ("GIT_COMMITTER_DATE", "GIT_AUTHOR_DATE"):
            monkeypatch.setenv(env, stamp)

    dated("2026-11-20T09:00:00+00:00")
    old = repo.new_story("Captured in November")
    dated("2026-12-01T09:00:00+00:00")
    new = repo.new_story("Captured in December")
    assert _ids(repo, "list", "--since", "2026-12-01") == [new]
    assert _ids(repo, "list", "--since", "2026-11-30 12:00") == [new]
    assert _ids(repo, "list", "--since", "2026-11-01") == [old, new]  # before the history
    monkeypatch.setenv("STORYKIT_NOW", "2026-12-02T10:00:00+00:00")
    assert _ids(repo, "list", "--since", "2d") == [new]
    assert _ids(repo, "list", "--since", "3w") == [old, new]
    # Dates past 2099 (git's own date parser refuses them) are dates like any other: after
    # every commit, so nothing changed since; before 1970 is before the history.
    for later in ("2100-01-01", "2999-12-31", "2150-06-01 12:00"):
        assert _ids(repo, "list", "--since", later) == [], later
    assert _ids(repo, "list", "--since", "1900-01-01") == [old, new]

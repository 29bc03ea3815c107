"""The lean `list` (cli/lean/listing.py) prints exactly what the full command prints."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.helpers import SCRIPT, Repo, modules_after, on_terminal


def _lean(repo: Repo, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args], cwd=repo.root, capture_output=True, text=True, check=False
    )


def _modules(repo: Repo, *args: str) -> set[str]:
    return modules_after(repo.root, *args)


@pytest.fixture
def backlog(repo: Repo) -> Repo:
    epic = repo.ok("epic", "new", "Emoji support", "--goal", "g", "--json").json()
    assert isinstance(epic, dict)
    story = repo.new_story(
        "Send emojis", "--tag", "ux", "--points", "5", "--parent", epic["item"]["id"]
    )
    repo.ok("set", story, "x-jira=MSG-1", "x-due=2026-12-01")
    spike = repo.new_spike("Research emoji encoding", "--tag", "ux", "--owner", "Alice")
    repo.ok("spike", "start", spike)
    repo.ok("sprint", "new", "Sprint 1", "--start", "2026-11-16")
    repo.ok("set", spike, "sprint=Sprint 1", "notes=Read the Unicode TR51 report\nthen decide")
    done = repo.new_story("Old story", "--tag", "api")
    repo.ok("drop", done)
    repo.ok("tech", "new", "Migrate to utf8mb4", "--why", "4 bytes", "--points", "3")
    config = repo.root / ".storykit.toml"
    config.write_text(config.read_text().replace("[1, 2, 3, 5, 8, 13]", "[0.5, 1, 2, 3, 5, 8, 13]"))
    repo.git("commit", "-qam", "half points")
    repo.ok("set", story, "points=0.5")
    repo.age_files()
    repo.ok("list")  # the full path fills the cache
    return repo


ARGS = [
    (),
    ("--all",),
    ("--json",),
    ("--all", "--json"),
    ("--type", "spike"),
    ("--type=story", "--all"),
    ("--status", "dropped"),
    ("--tag", "ux"),
    ("--tag", "ux", "--json"),
    ("--type", "SPIKE", "--type", "tech"),
    ("--status", "In-Progress", "--status=draft"),
    ("--tag", "UX", "--tag", "api", "--all"),
    ("--owner", "alice"),
    ("--sprint", "sprint 1", "--all"),
    ("--grep", "EMOJI"),
    ("--grep", "tr51"),
    ("--grep", "msg-1", "--json"),
    ("--sort", "points"),
    ("--sort", "title", "--limit", "2"),
    ("--sort=status", "--all"),
    ("--sort", "created", "--json"),
    ("--sort", "score"),
    ("--columns", "score,tags,owner,sprint,parent,points,value,risk", "--all"),
    ("--columns=Tags,SPRINT",),
    ("--columns", "parent", "--sort", "score"),
    # Errors: the lean path steps aside and the full command says what is wrong.
    ("--type", "bogus"),
    ("--status", "finished"),
    ("--tag", "nope"),
    ("--sort", "value"),
    ("--limit", "0"),
    ("--columns", "bogus"),
    ("--columns", ","),
]


@pytest.mark.parametrize("args", ARGS, ids=[" ".join(a) or "plain" for a in ARGS])
def test_lean_list_prints_what_the_full_command_prints(
    backlog: Repo, args: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STORYKIT_NOW", "2026-11-24T10:00:00+00:00")  # the spike is overdue
    full = backlog.run("list", *args)
    lean = _lean(backlog, "list", *args)
    assert (lean.returncode, lean.stdout, lean.stderr) == (full.exit_code, full.stdout, full.stderr)
    assert full.stdout or full.exit_code == 2  # something was listed, or a usage error


def test_the_lean_path_skips_typer_pydantic_and_yaml(backlog: Repo) -> None:
    loaded = _modules(backlog, "list")
    for heavy in ("typer", "pydantic", "rich"):
        assert heavy not in loaded, heavy
    assert not any(name.startswith("ruamel") for name in loaded)


def test_it_steps_aside_when_it_cannot_answer(backlog: Repo) -> None:
    assert "typer" in _modules(backlog, "list", "--parent", "SK-0000")
    assert "typer" in _modules(backlog, "list", "--help")
    assert "typer" in _modules(backlog, "show", "x")
    assert "typer" in _modules(backlog, "list", "--mine")  # git's user.name
    assert "typer" in _modules(backlog, "list", "--since", "HEAD~1")  # git's history
    assert "typer" in _modules(backlog, "list", "--owner", "a", "--owner", "b")
    path = next((backlog.root / "backlog").glob("SK-*.yaml"))
    path.write_text(path.read_text() + "x-touched: yes\n")  # fresh: not in the cache
    assert "typer" not in _modules(backlog, "list")  # read and cached without the interface
    assert _lean(backlog, "list").stdout == backlog.run("list").stdout
    (backlog.root / "backlog" / "SK-BAD1-x.yaml").write_text("id: SK-BAD1\n")
    backlog.age_files()
    result = _lean(backlog, "list")
    assert "warning: 1 invalid file skipped" in result.stderr  # the full path reported it
    assert "typer" in _modules(backlog, "list")


def test_a_config_change_is_never_served_from_an_old_cache(backlog: Repo) -> None:
    config = backlog.root / ".storykit.toml"
    config.write_text(config.read_text().replace("[0.5, 1, 2, 3, 5, 8, 13]", "[1, 2]"))
    result = _lean(backlog, "list")
    assert "invalid file" in result.stderr  # points 0.5/5/3 no longer valid: full path ran


@pytest.mark.parametrize(
    "junk", ["[]", "null", "{not json", '{"format": 2}', '{"format": 2, "key": 5, "entries": 1}']
)
def test_a_corrupt_cache_falls_back_to_the_full_command(backlog: Repo, junk: str) -> None:
    expected = backlog.run("list").stdout
    for cache in (backlog.root / ".git" / "storykit").glob("items-*.json"):
        cache.write_text(junk)  # the cache and its summary index
    result = _lean(backlog, "list")
    assert result.returncode == 0, result.stderr
    assert result.stdout == expected
    assert "Traceback" not in result.stderr


def test_on_a_terminal_lean_and_full_print_the_same_colours(
    backlog: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STORYKIT_NOW", "2026-11-24T10:00:00+00:00")  # the spike is overdue
    full_code = (
        "import sys; sys.argv = ['storykit', 'list']\nfrom storykit.cli.app import main\nmain()"
    )
    full = on_terminal(backlog.root, [sys.executable, "-c", full_code], {})
    lean = on_terminal(backlog.root, [str(SCRIPT), "list"], {})
    assert lean == full
    assert "\x1b[1m" in lean and "\x1b[1;31m[overdue]\x1b[0m" in lean
    plain = re.sub(r"\x1b\[[0-9;]*m", "", lean)
    assert plain == _lean(backlog, "list").stdout  # the same text as in a pipe
    no_color = on_terminal(backlog.root, [str(SCRIPT), "list"], {"NO_COLOR": "1"})
    assert no_color == plain


def test_a_narrow_terminal_cuts_titles_and_never_wraps(backlog: Repo) -> None:
    title = "A rather long title that could never fit in sixty columns"
    backlog.ok("tech", "new", title, "--why", "w")
    backlog.age_files()
    backlog.ok("list")
    full_code = (
        "import sys; sys.argv = ['storykit', 'list']\nfrom storykit.cli.app import main\nmain()"
    )
    lean = on_terminal(backlog.root, [str(SCRIPT), "list"], {"COLUMNS": "60"})
    assert lean == on_terminal(backlog.root, [sys.executable, "-c", full_code], {"COLUMNS": "60"})
    lines = re.sub(r"\x1b\[[0-9;]*m", "", lean).splitlines()
    assert len(lines) == 5 and all(len(line) <= 60 for line in lines), lines
    assert any(line.endswith("…") for line in lines)
    piped = _lean(backlog, "list").stdout  # a pipe is never cut
    assert "A rather long title that could never fit in sixty columns" in piped


def test_titles_are_shown_as_written_on_a_terminal(repo: Repo) -> None:
    story = repo.new_story("React with :thumbs_up: and [bold]x[/bold]")
    repo.age_files()
    repo.ok("list")
    for command in ("list", "show"):
        args = [str(SCRIPT), command] + ([] if command == "list" else [story])
        shown = on_terminal(repo.root, args, {})
        assert "React with :thumbs_up: and [bold]x[/bold]" in shown  # no emoji, no markup

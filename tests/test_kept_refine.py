"""`refine`'s kept answer (cli/lean/kept_refine.py): asked again with nothing changed it
is printed as kept, with its exit code; any item file, the settings, HEAD, the options or
"now" past a turn of its findings (a day more of staleness, a timebox running out) makes
the full command answer again."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.helpers import SCRIPT, Repo, kept_files, modules_after, tamper_kept


def _lean(repo: Repo, *args: str, now: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), "refine", *args], cwd=repo.root, capture_output=True, text=True,
        env={**os.environ, "STORYKIT_NOW": now}, check=False,
    )  # fmt: skip


def _full(repo: Repo, monkeypatch: pytest.MonkeyPatch, now: str, *args: str) -> str:
    monkeypatch.setenv("STORYKIT_NOW", now)
    return repo.run("refine", *args).stdout


@pytest.fixture
def groomed(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> Repo:
    monkeypatch.setenv("STORYKIT_NOW", "2026-06-01T09:00:00+00:00")
    repo.new_story("Old idea")  # a draft from June: stale by November
    monkeypatch.setenv("STORYKIT_NOW", "2026-11-20T09:00:00+00:00")
    repo.new_story("Send emojis", "--points", "3")
    spike = repo.new_spike("Research emoji fonts", "--timebox", "2d")
    repo.ok("spike", "start", spike)  # runs out 2026-11-22T09:00
    repo.age_files()
    return repo


BEFORE = "2026-11-21T08:00:00+00:00"


def test_asked_again_the_kept_answer_and_its_exit_code(
    groomed: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _lean(groomed, now=BEFORE)
    assert first.returncode == 0 and "Old idea" in first.stdout
    assert kept_files(groomed, "refine")
    tamper_kept(groomed, "refine")
    again = _lean(groomed, now=BEFORE)
    assert again.stdout.startswith("KEPT\n") and again.returncode == 0
    for args in (("--json",), ("--format", "markdown"), ("--top", "1"), ("--exit-code",)):
        full = _full(groomed, monkeypatch, BEFORE, *args)
        tamper_kept(groomed, "refine")
        kept = _lean(groomed, *args, now=BEFORE)
        assert kept.stdout == "KEPT\n" + full, args
        assert kept.returncode == (1 if args == ("--exit-code",) else 0)
    assert "KEPT" not in _lean(groomed, "--top", "2", now=BEFORE).stdout  # never asked
    loaded = modules_after(groomed.root, "refine", env={"STORYKIT_NOW": BEFORE})
    assert not any(name.startswith(("pydantic", "ruamel", "typer")) for name in loaded)


def test_a_turn_of_time_a_file_a_commit_or_the_settings_answer_again(
    groomed: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    _lean(groomed, now=BEFORE)
    tamper_kept(groomed, "refine")
    # 09:00 each day the June draft counts a day more; at 09:00 on the 22nd the spike's
    # timebox runs out.
    for now in ("2026-11-21T09:00:01+00:00", "2026-11-22T09:00:01+00:00"):
        answer = _lean(groomed, now=now).stdout
        assert "KEPT" not in answer and answer == _full(groomed, monkeypatch, now), now
        tamper_kept(groomed, "refine")
    late = "2026-11-22T09:00:01+00:00"
    assert "has been a draft for 174 days" in _lean(groomed, now=late).stdout
    assert "overdue spikes" in _lean(groomed, now=late).stdout
    tamper_kept(groomed, "refine")
    path = next((groomed.root / "backlog").glob("SK-*send-emojis.yaml"))
    path.write_text(path.read_text().replace("points: 3", "points: 5"))
    groomed.age_files()
    assert "KEPT" not in _lean(groomed, now=late).stdout
    tamper_kept(groomed, "refine")
    groomed.git("commit", "--allow-empty", "-qm", "elsewhere")  # HEAD moved
    assert "KEPT" not in _lean(groomed, now=late).stdout
    tamper_kept(groomed, "refine")
    config = groomed.root / ".storykit.toml"
    config.write_text(config.read_text().replace("stale_draft_days = 30", "stale_draft_days = 400"))
    answer = _lean(groomed, now=late).stdout
    assert "KEPT" not in answer and "Old idea" in answer  # untouched still, not stale
    assert answer == _full(groomed, monkeypatch, late)

"""`storykit claim` / `unclaim`: one commit each, and of simultaneous claims on one clone
exactly one wins each item (real processes racing on a real repository)."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers import Repo


def ready_items(repo: Repo, count: int) -> list[str]:
    ids = []
    for n in range(count):
        item_id = repo.new_story(
            f"Emoji reaction {n}", "--points", "2", "--acceptance-criteria", "It shows"
        )
        ids.append(item_id)
    repo.ok("status", *ids, "ready")
    return ids


def claim_process(repo: Repo, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "storykit", "claim", *args],
        cwd=repo.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_claim_takes_the_top_ready_item_in_one_commit(repo: Repo) -> None:
    ids = ready_items(repo, 2)
    before = repo.commit_count()
    result = repo.ok("claim")
    assert f"claim story {ids[0]}" in result.stdout
    assert repo.commit_count() == before + 1
    text = repo.item_path(ids[0]).read_text()
    assert "status: in-progress" in text and "owner: Pat Owner" in text
    message = repo.git("log", "-1", "--format=%B")
    assert message.startswith(f"backlog: claim {ids[0]} for Pat Owner: Emoji reaction 0")
    assert f"Storykit-Item: {ids[0]}" in message
    assert repo.last_commit_files() == [repo.item_path(ids[0]).relative_to(repo.root).as_posix()]
    # The next claim takes the next item; a claimed one is refused, naming its holder.
    assert f"claim story {ids[1]}" in repo.ok("claim", "--owner", "agent-7").stdout
    head, files = repo.head(), repo.files()
    refused = repo.run("claim", ids[0], "--owner", "agent-7")
    assert refused.exit_code == 75
    assert f"{ids[0]} is already claimed by Pat Owner" in refused.stderr
    nothing = repo.run("claim")
    assert nothing.exit_code == 75 and "nothing is left to claim" in nothing.stderr
    assert repo.head() == head and repo.files() == files


def test_unclaim_gives_it_back(repo: Repo) -> None:
    (item,) = ready_items(repo, 1)
    repo.ok("claim", item)
    repo.ok("unclaim", item)
    text = repo.item_path(item).read_text()
    assert "status: ready" in text and "owner:" not in text
    assert repo.git("log", "-1", "--format=%s").startswith(f"backlog: unclaim {item}")
    again = repo.run("unclaim", item)
    assert again.exit_code == 2 and "is not claimed" in again.stderr


def test_a_claim_needs_someone_to_claim_for(repo: Repo) -> None:
    (item,) = ready_items(repo, 1)
    repo.git("config", "--unset", "user.name")
    result = repo.run("claim", item)
    assert result.exit_code == 2 and "--owner NAME" in result.stderr


def test_eight_claims_at_once_take_eight_items(repo: Repo) -> None:
    ids = ready_items(repo, 10)
    before = repo.commit_count()
    racers = [claim_process(repo, "--owner", f"agent-{n}") for n in range(8)]
    results = [(p.wait(timeout=120), *p.communicate()) for p in racers]
    assert [code for code, _, _ in results] == [0] * 8, results
    won = {line.split()[2].rstrip(":") for _, out, _ in results for line in out.splitlines()}
    assert won == set(ids[:8])
    assert repo.commit_count() == before + 8
    subjects = repo.git("log", f"-{8}", "--format=%s").splitlines()
    assert sorted(s.split()[2] for s in subjects) == sorted(ids[:8])
    owners = {repo.item_path(i).read_text().split("owner: ")[1].split()[0] for i in ids[:8]}
    assert owners == {f"agent-{n}" for n in range(8)}


def test_eight_claims_of_one_item_have_one_winner(repo: Repo) -> None:
    (item,) = ready_items(repo, 1)
    before = repo.commit_count()
    racers = [claim_process(repo, item, "--owner", f"agent-{n}") for n in range(8)]
    codes = [p.wait(timeout=120) for p in racers]
    assert sorted(codes) == [0] + [75] * 7
    assert repo.commit_count() == before + 1
    losers = [p.communicate()[1] for p, code in zip(racers, codes, strict=True) if code == 75]
    assert all("is already claimed by agent-" in text for text in losers)


def test_agents_prints_a_short_block_and_installs_it_idempotently(repo: Repo) -> None:
    text = repo.ok("agents").stdout
    assert len(text.encode()) < 8 * 1024
    for needed in ("storykit next --json", "storykit claim", "spike close", "--follow-up",
                   "tech new", "never by\nediting item files"):  # fmt: skip
        assert needed in text, needed
    before = repo.commit_count()
    repo.ok("agents", "--install")
    agents = (repo.root / "AGENTS.md").read_text()
    assert agents.startswith("<!-- storykit:agents:start -->\n## Backlog: storykit")
    assert agents.endswith("<!-- storykit:agents:end -->\n")
    assert repo.commit_count() == before + 1 and repo.last_commit_files() == ["AGENTS.md"]
    assert "already holds" in repo.ok("agents", "--install").stdout
    assert repo.commit_count() == before + 1
    # An older block between the markers is replaced; the text around it is kept.
    (repo.root / "AGENTS.md").write_text(
        "# Agents\n\nBe kind.\n\n<!-- storykit:agents:start -->\nold\n"
        "<!-- storykit:agents:end -->\n\n## Testing\nRun pytest.\n"
    )
    repo.git("commit", "-qam", "hand edit")
    repo.ok("agents", "--install")
    updated = (repo.root / "AGENTS.md").read_text()
    assert updated.startswith("# Agents\n\nBe kind.\n\n<!-- storykit:agents:start -->\n## Backlog")
    assert updated.endswith("<!-- storykit:agents:end -->\n\n## Testing\nRun pytest.\n")
    assert "\nold\n" not in updated


def test_agents_install_refuses_what_it_must_not_write(repo: Repo) -> None:
    head = repo.head()
    (repo.root / "broken.md").write_text("<!-- storykit:agents:start -->\nno end\n")
    (repo.root / "link.md").symlink_to("/etc/hostname")
    for target, says in (
        ("broken.md", "one storykit marker without the other"),
        ("link.md", "not a plain file"),
        ("../outside.md", "outside this repository"),
        (".git/AGENTS.md", "inside git's own folder"),
        ("no/such/AGENTS.md", "no such folder"),
    ):
        result = repo.run("agents", "--install", target)
        assert result.exit_code == 2 and says in result.stderr, (target, result.stderr)
    assert repo.head() == head
    assert (repo.root / "broken.md").read_text() == "<!-- storykit:agents:start -->\nno end\n"
    assert not (repo.root.parent / "outside.md").exists()

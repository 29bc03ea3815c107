"""Generate a realistic storykit backlog of N items in a fresh git repository.

    python benchmarks/generate.py --items 1000 --out /tmp/bench-1000 [--seed 7]

All five item types, messaging-app text, tags, parents, dependencies and supports; a
deterministic seed; files committed with plain git so storykit starts from a clean tree.
"""

from __future__ import annotations

import argparse
import random
import subprocess
from pathlib import Path

from storykit.config import default_config_text
from storykit.model.ids import mint_id
from storykit.model.naming import file_name
from storykit.model.rank import keys_between

FEATURES = [
    "emoji", "reactions", "voice notes", "read receipts", "group chats", "message search",
    "push notifications", "stickers", "link previews", "end-to-end encryption", "typing indicator",
    "message editing", "threads", "media gallery", "contact sync", "dark mode", "backups",
]  # fmt: skip
ROLES = ["user", "group admin", "new user", "moderator", "support agent", "power user"]
VERBS = ["send", "see", "search", "mute", "pin", "share", "schedule", "translate", "archive"]
TAGS = ["ux", "api", "mobile", "web", "backend", "security", "perf", "a11y", "i18n"]
CATEGORIES = ["refactor", "infrastructure", "integration", "test-coverage", "performance"]


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def generate(out: Path, items: int, seed: int = 7) -> list[str]:
    """Write the backlog; return the IDs in backlog order."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    _git(out, "init", "-q", "-b", "main")
    _git(out, "config", "user.name", "Bench Mark")
    _git(out, "config", "user.email", "bench@example.com")
    _git(out, "config", "commit.gpgsign", "false")
    (out / ".storykit.toml").write_text(default_config_text("SK"))
    backlog = out / "backlog"
    backlog.mkdir()
    ids: list[str] = []
    taken: set[str] = set()
    for _ in range(items):
        new_id = mint_id("SK", taken, rng.randrange, upper=True)
        taken.add(new_id)
        ids.append(new_id)
    keys = keys_between(None, None, items)
    rng.shuffle(keys)
    epics = ids[: max(1, items // 40)]
    stories: list[str] = []
    for index, item_id in enumerate(ids):
        feature = rng.choice(FEATURES)
        if item_id in epics:
            kind = "epic"
        else:
            kind = rng.choices(["story", "tech", "spike", "task"], [55, 20, 10, 15])[0]
            if kind == "task" and not stories:
                kind = "story"
        status = rng.choices(
            ["draft", "ready", "in-progress", "done", "dropped"], [35, 25, 15, 20, 5]
        )[0]
        lines = [
            f"id: {item_id}",
            f"type: {kind}",
            f"title: {_title(rng, kind, feature)}",
            f"status: {status}",
            f"rank: {keys[index]}",
            f"created: 2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}",
        ]
        needs_points = kind == "story" and status != "draft"
        if needs_points or (kind in ("story", "tech", "task") and rng.random() < 0.8):
            lines.append(f"points: {rng.choice([1, 2, 3, 5, 8, 13])}")
        if kind != "epic" and kind != "task" and rng.random() < 0.7:
            lines.append(f"parent: {rng.choice(epics)}")
        if kind == "task":
            lines.append(f"parent: {rng.choice(stories)}")
        if stories and rng.random() < 0.2:
            lines += ["depends_on:", f"  - {rng.choice(stories)}"]
        if rng.random() < 0.6:
            lines += ["tags:"] + [f"  - {t}" for t in rng.sample(TAGS, rng.randint(1, 3))]
        if rng.random() < 0.3:
            lines += ["description: |", f"  Users of the messaging app asked for better {feature}.",
                      "  Keep the change small enough for one sprint."]  # fmt: skip
        lines += _type_fields(rng, kind, feature, status, stories)
        (backlog / file_name(item_id, _title_of(lines))).write_text("\n".join(lines) + "\n")
        if kind == "story":
            stories.append(item_id)
    _git(out, "add", "-A")
    _git(out, "commit", "-qm", f"generated backlog of {items} items")
    return [item_id for _, item_id in sorted(zip(keys, ids, strict=True))]


def _title(rng: random.Random, kind: str, feature: str) -> str:
    if kind == "epic":
        return f"{feature.capitalize()} everywhere"
    if kind == "tech":
        return f"{rng.choice(['Refactor', 'Migrate', 'Cache', 'Instrument'])} the {feature} service"
    if kind == "spike":
        return f"Research {feature} across platforms"
    if kind == "task":
        return f"Wire {feature} into the composer"
    return f"{rng.choice(VERBS).capitalize()} {feature} in messages"


def _title_of(lines: list[str]) -> str:
    return next(line for line in lines if line.startswith("title: "))[7:]


def _type_fields(
    rng: random.Random, kind: str, feature: str, status: str, stories: list[str]
) -> list[str]:
    if kind == "story":
        return [
            f"as_a: {rng.choice(ROLES)}",
            f"i_want: to {rng.choice(VERBS)} {feature}",
            "so_that: I can express myself and stay in touch",
            "acceptance_criteria:",
            f"  - {feature.capitalize()} works on Android, iOS and the web",
            "  - Nothing is lost when the network drops",
        ]
    if kind == "tech":
        fields = [
            f"why: the {feature} service cannot scale to a million users",
            f"category: {rng.choice(CATEGORIES)}",
        ]
        if stories:
            fields += ["supports:", f"  - {rng.choice(stories)}"]
        return fields
    if kind == "spike":
        fields = [
            f"question: Which approach to {feature} works on every platform?",
            f"timebox: {rng.choice(['4h', '1d', '2d', '1w'])}",
            "kind: technical",
        ]
        if status in ("in-progress", "done"):
            fields.append("started: 2026-11-02 09:00:00+00:00")
        if status == "done":
            fields.append(f"outcome: Use the platform's native {feature} support.")
        return fields
    if kind == "epic":
        return [f"goal: People enjoy {feature} in every conversation"]
    return []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--peer-out", type=Path, help="also write the same content in Backlog.md's format here"
    )
    args = parser.parse_args()
    ids = generate(args.out, args.items, args.seed)
    print(f"{len(ids)} items in {args.out / 'backlog'}")
    if args.peer_out:
        from peer import write_peer

        tasks = write_peer(args.out, args.peer_out)
        print(f"{len(tasks)} Backlog.md tasks in {args.peer_out / 'backlog' / 'tasks'}")


if __name__ == "__main__":
    main()

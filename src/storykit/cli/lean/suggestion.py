"""`storykit rank --suggest [--limit N]` without Typer or Pydantic when the read cache's
`list` summary serves every item and the score reads only summary fields; otherwise None
and the full command runs. Both print through `render` (tests compare them)."""

from __future__ import annotations

from collections.abc import Sequence

from storykit.cli.render import output
from storykit.model.points import number


def render(
    moved: Sequence[tuple[str, str, int, int, float]],
    unscored: Sequence[tuple[str, str, list[str]]],
    total: int,
    limit: int,
) -> None:
    """(ID, title, place by rank, place by score, score) of the items that would move;
    (ID, title, fields it lacks) of the first items without a score, of `total`."""
    if not moved:
        output.out("the rank and the score agree on every scored open item")
    for item_id, title, by_rank, by_score, score in moved[:limit]:
        output.out(
            f"{item_id}  #{by_rank} by rank → #{by_score} by score  score {number(score)}  {title}"
        )
    if total:
        output.out(f"without a score ({total}):")
        for item_id, title, missing in unscored[:limit]:
            output.out(f"{item_id}  needs {', '.join(missing) or 'a score'}  {title}")
        if total > limit:
            more = total - limit
            output.out(f"… and {more} more (`storykit rank --suggest --json` lists them all)")
    if moved:
        output.out("`storykit rank --suggest --apply` re-ranks the open backlog by score")


def try_suggest(argv: list[str]) -> int | None:
    """Answer `rank --suggest [--limit N]` from the cache, or None."""
    if len(argv) < 2 or argv[0] != "rank":
        return None
    args, limit = argv[1:], 10
    if "--suggest" not in args:
        return None
    args = [a for a in args if a != "--suggest"]
    if len(args) == 2 and args[0] == "--limit" and args[1].isdigit():
        limit = int(args[1])
    elif len(args) == 1 and args[0].startswith("--limit=") and args[0][8:].isdigit():
        limit = int(args[0][8:])
    elif args:
        return None
    if limit < 1:
        return None  # the full command says why
    try:
        from storykit.cli.lean.listing import cached_records
        from storykit.model.score import disagreements, names, parse
        from storykit.storage.cache import SUMMARY_FIELDS

        records = cached_records(full=False)
        if records is None or "score" not in records[0]:
            return None
        settings, payloads = records
        if names(parse(settings["score"])) - set(SUMMARY_FIELDS):
            return None
        rows = sorted(
            (p["item"] for _, p in payloads if p["item"]["status"] not in settings["closed"]),
            key=lambda item: (item["rank"], item["id"]),
        )
        found = disagreements([(item["id"], item.get) for item in rows], settings["score"])
        titles = {item["id"]: item["title"] for item in rows}
    except Exception:  # an optimisation only: the full command decides
        return None
    render(
        [(i, titles[i], rank, place, score) for i, rank, place, score in found.moved],
        [(i, titles[i], missing) for i, missing in found.unscored[:limit]],
        len(found.unscored),
        limit,
    )
    return 0

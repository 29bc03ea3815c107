"""A lean `storykit list`: no Typer, no Pydantic, no YAML.

It answers for simple options when every item file is valid: from the answer kept last
time (`kept_answers.py`), from the read cache's summary index (the few files changed since
parsed through the store), or, with no cache or many changes, by reading every file and
writing the cache. Otherwise it returns None so the full command runs, which reports any
problem. Rows and JSON come from the same data and the same formatting as the
full path (`cli/render/output.py`, coloured on a terminal); `tests/test_fastlist.py` compares the
two byte for byte, in a pipe and on a terminal.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from storykit import clock
from storykit.cli.lean.kept_answers import Here, KeptAnswers, here, window
from storykit.cli.render.columns import chosen_columns, lines_text, list_row
from storykit.locations import (
    backlog_folder_problem,
    cache_file,
    common_dir,
    is_item_file,
)
from storykit.model.naming import id_from_file_name
from storykit.model.records import item_json
from storykit.model.score import names, parse
from storykit.model.selection import (
    ListFilter,
    canonical,
    choose,
    matches,
    past,
    plain_runs_out,
    scorer,
    sort_key,
    with_extras,
)
from storykit.services.answers import envelope, json_text, listed
from storykit.storage.cache import (
    SUMMARY_FIELDS,
    ItemCache,
    ItemIndex,
    Signature,
    cache_key,
    signature_of,
    summarize,
)

_VALUE_OPTIONS = (
    "--type",
    "--status",
    "--tag",
    "--owner",
    "--sprint",
    "--grep",
    "--sort",
    "--limit",
    "--columns",
)
_REPEATABLE = ("--type", "--status", "--tag")
_FLAGS = ("--all", "--json")


class _StepAside(Exception):
    """A file the full command must report (invalid, a symbolic link) or a backlog folder
    it refuses: nothing more is read here."""


def try_list(argv: list[str]) -> int | None:
    """Run `list` the lean way and return its exit code, or None to run the full command."""
    if not argv or argv[0] != "list":
        return None
    options = _options(argv[1:])
    if options is None:
        return None
    gc.disable()  # a short process building many small dicts and no cycles
    now = clock.now()
    try:
        where = here()
        if where is None:
            return None
        kept = KeptAnswers(where.root, common_dir(where.git_dir) / "storykit", where.config, argv)
        key = kept.key()
        found = kept.get(key, now.timestamp()) if key is not None else None
        out = found[0] if found is not None else None
        if out is None:
            answer = _answer(where, options, now)
            if answer is None:
                return None
            out, settings, deadlines = answer
            kept.remember(settings["backlog_dir"])
            if key is not None:
                kept.put(key, out, window(deadlines, now.timestamp()))
    except Exception:  # an optimisation only: anything unexpected, the full command decides
        return None
    sys.stdout.write(out)
    return 0


def _answer(
    where: Here, options: dict[str, Any], now: dt.datetime
) -> tuple[str, dict[str, Any], list[float]] | None:
    """(what `list` prints, the settings, the moments its overdue marks change), or None
    for the full command."""
    # JSON and --grep need every field; the lines need only the summary, a tenth of it.
    full = bool(options.get("--json") or options.get("--grep"))
    shown = chosen_columns(options.get("--columns"), options.get("--sort", "rank"))
    records = read_records(full, where)
    if records is None or "score" not in records[0]:
        return None
    settings, payloads = records
    score = scorer(settings["score"])
    if not full and names(parse(settings["score"])) - set(SUMMARY_FIELDS):
        return None  # the score reads custom fields, which only the full payloads hold
    rows = _select(payloads, options, settings, score)
    # When each in-progress spike's timebox runs out: past it, its overdue mark shows; the
    # kept answer holds until the next such moment.
    ends = {rel: plain_runs_out(p["item"], settings["in_progress"], now.tzinfo) for rel, p in rows}
    late = {rel for rel, end in ends.items() if past(end, now)}
    moments = [end.timestamp() for end in ends.values() if end is not None]
    grep = options.get("--grep")
    found = {
        rel: matches(payload["item"].get, payload.get("extras", {}), grep)
        for rel, payload in rows
        if grep is not None
    }
    if options.get("--json"):
        items = [
            listed(
                item_json(payload["item"], payload.get("extras", {}), rel),
                rel in late,
                found[rel] if grep is not None else None,
                score(with_extras(payload["item"].get, payload.get("extras", {}))),
            )
            for rel, payload in rows
        ]
        return json_text(envelope("items", items, skipped=[])), settings, moments
    lines = [
        list_row(
            payload["item"].get,
            rel in late,
            shown,
            score(with_extras(payload["item"].get, payload.get("extras", {})))
            if "score" in shown
            else None,
        )
        for rel, payload in rows
    ]
    found_lines = [found[rel] for rel, _ in rows] if grep is not None else None
    return lines_text(lines, found_lines, shown), settings, moments


def _options(args: list[str]) -> dict[str, Any] | None:
    options: dict[str, Any] = {}
    index = 0
    while index < len(args):
        arg = args[index]
        name, equals, value = arg.partition("=")
        if name in _VALUE_OPTIONS:
            if not equals:
                index += 1
                if index >= len(args) or args[index].startswith("-"):
                    return None
                value = args[index]
            if name in _REPEATABLE:
                options.setdefault(name, []).append(value)
            elif name in options:
                return None  # given twice: the full command says which one counts
            else:
                options[name] = value
        elif arg in _FLAGS:
            options[arg] = True
        else:
            return None  # anything else (--parent, --mine, --help, typos): the full command
        index += 1
    return options


def cached_records(
    full: bool, partial: bool = False, misses: list[str] | None = None, where: Here | None = None
) -> tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]] | None:
    """(settings, [(rel, payload)]) when the cache serves every item file, else None.
    `full` needs every field (JSON); the lines need only the summary index, a tenth of it.
    With `misses`, files not cached as they are now are listed there instead (for the
    caller to read), and what the full command must report raises `_StepAside`."""
    where = where or here()
    if where is None:
        return None
    root = where.root
    path = cache_file(common_dir(where.git_dir) / "storykit", root)
    key = cache_key(root, where.config)
    lookup: Callable[[str, Signature], dict[str, Any] | None]
    if full:
        cache = ItemCache.open(path, key)
        settings, lookup = cache.settings, cache.get
    else:
        index = ItemIndex.open(path, key, "summary")
        if index is None:
            return None
        settings = index.settings

        def lookup(name: str, signature: Signature) -> dict[str, Any] | None:
            found, summary = index.get(name, signature)
            return {"item": summary} if found else None

    def step_aside() -> None:  # the full command decides
        if misses is not None:
            raise _StepAside

    if not settings:
        return None
    folder = root / settings["backlog_dir"]
    if backlog_folder_problem(root, settings["backlog_dir"]) is not None:
        step_aside()
        return None  # the full command refuses it
    prefix = Path(os.path.relpath(folder, root)).as_posix() + "/"
    records = []
    with os.scandir(folder) as scan:
        for entry in scan:
            name = entry.name
            if not is_item_file(name):
                continue
            if entry.is_symlink():
                step_aside()
                return None
            payload = lookup(name, signature_of(entry.stat(follow_symlinks=False)))
            if (payload is None or not payload.get("item")) and partial:
                item_id = id_from_file_name(name)  # what the file name tells, for a hint
                payload = {"item": {"id": item_id}} if item_id else None
                if payload is None:
                    continue
            if payload is None and misses is not None:
                misses.append(prefix + name)
                continue
            if payload is None or not payload.get("item"):
                step_aside()
                return None  # not cached as it is now, or invalid: the full command decides
            records.append((prefix + name, payload))
    return settings, records


def read_records(
    full: bool, where: Here
) -> tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]] | None:
    """(settings, [(rel, payload)]) of every item file: from the cache, the few files changed
    since read through the store; with no cache or many changed (a fresh clone), every file
    read and validated and the read cache written — what the full command would read,
    without its interface. None when any file is invalid, which the full command reports."""
    misses: list[str] = []
    try:
        records = cached_records(full, misses=misses, where=where)
    except _StepAside:
        return None
    if records is not None and not misses:
        return records
    from storykit.project import find_project
    from storykit.storage.cached_reads import INDEX_MISSES
    from storykit.storage.store import ItemStore

    store = ItemStore(find_project(where.root))
    if records is None or len(misses) > INDEX_MISSES:
        found = list(store.reads.payloads())
    else:
        found = records[1]
        for rel in misses:
            payload = store.parse_file(store.project.root / rel, rel)
            if not full and "item" in payload:
                payload = {"item": summarize(payload["item"])}
            found.append((rel, payload))
    if not all("item" in payload for _, payload in found):
        return None
    return store.reads.settings(), found


def _select(
    payloads: list[tuple[str, dict[str, Any]]],
    options: dict[str, Any],
    settings: dict[str, Any],
    score: Callable[[Callable[[str], Any]], float | None],
) -> list[tuple[str, dict[str, Any]]]:
    """The records `list` shows, in its order: the full command's rules (`choose`)."""
    filters = canonical(
        ListFilter(
            types=tuple(options.get("--type", ())),
            statuses=tuple(options.get("--status", ())),
            tags=tuple(options.get("--tag", ())),
            owner=options.get("--owner"),
            sprint=options.get("--sprint"),
            grep=options.get("--grep"),
            all=bool(options.get("--all")),
        ),
        settings["statuses"],
        lambda: {tag for _, payload in payloads for tag in payload["item"].get("tags", ())},
    )
    limit = int(options["--limit"]) if "--limit" in options else None
    if limit is not None and limit < 1:
        raise ValueError("the full command says why")
    return choose(
        payloads,
        lambda record: with_extras(record[1]["item"].get, record[1].get("extras", {})),
        lambda record: record[1].get("extras", {}),
        filters,
        settings["closed"],
        sort_key(options.get("--sort", "rank"), settings["statuses"], score),
        limit,
    )

"""Which commits name an item, read from history: each commit's message is searched once
for item IDs (whole words, any case: `sk-7k2m` counts, `xsk-7k2m` does not) and for the
items it closes (`Closes SK-7K2M`, the words of `[trace] close_keywords`), and whether it
changed anything outside the backlog folder (a code commit, not a backlog change).

Only commits that name an item are kept, with the tips they were read at, in
`.git/storykit/links-cache.json` (like the timeline's cache): after one more commit, one
more commit is read. The key holds what decides the answer: storykit's version, the ID
prefix, the backlog folder, the closing words and the history's shape (shallow boundary,
grafts, replace refs).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from storykit.history.tipcache import TipCache
from storykit.locations import package_fingerprint
from storykit.model.ids import CODE_PATTERN
from storykit.project import Project
from storykit.repository.history import History

_FORMAT = 1


@dataclass(frozen=True)
class Named:
    """A commit whose message names items."""

    sha: str
    subject: str
    author: str
    date: str  # ISO 8601, the author date
    mentions: tuple[str, ...]  # item IDs named anywhere in the message, upper case
    closes: tuple[str, ...]  # item IDs after a closing word
    code: bool  # it changed a file outside the backlog folder

    def to_json(self) -> dict[str, str]:
        return {"sha": self.sha, "subject": self.subject, "author": self.author,
                "date": self.date}  # fmt: skip


@dataclass
class Links:
    """The commits of a tip's history that name items, newest first."""

    commits: list[Named] = field(default_factory=list)
    cut: bool = False  # a shallow clone: older commits are not there

    def code_of(self, item_id: str) -> list[Named]:
        """The code commits that mention the item."""
        return [c for c in self.commits if c.code and item_id in c.mentions]

    def closing(self) -> dict[str, list[Named]]:
        """{item ID: the commits that close it}, oldest commit first."""
        found: dict[str, list[Named]] = {}
        for commit in reversed(self.commits):
            for item_id in commit.closes:
                found.setdefault(item_id, []).append(commit)
        return found


def whole_word(pattern: str) -> str:
    """`pattern` only where it is a whole word: no letter, digit or `_` right before or
    after it (`sk-7k2m` in `Fix sk-7k2m.`, not in `xsk-7k2m` or `SK-7K2Mx`)."""
    return rf"(?<![A-Za-z0-9_]){pattern}(?![A-Za-z0-9_])"


class Matcher:
    """Finds item IDs in a message, and those after a closing word."""

    def __init__(self, prefix: str, close_keywords: list[str]) -> None:
        item = whole_word(rf"{re.escape(prefix)}-{CODE_PATTERN}")
        self.item = re.compile(item, re.IGNORECASE)
        words = "|".join(re.escape(word) for word in close_keywords)
        self.closing = re.compile(whole_word(rf"(?:{words}):?[ \t]+({item})"), re.IGNORECASE)

    def mentions(self, message: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.group(0).upper() for m in self.item.finditer(message)))

    def closes(self, message: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.group(1).upper() for m in self.closing.finditer(message)))


def branches_naming(names: list[str], item_id: str) -> list[str]:
    """The branch names that hold the item's ID as a whole word, any case."""
    pattern = re.compile(whole_word(re.escape(item_id)), re.IGNORECASE)
    return [name for name in names if pattern.search(name)]


def read_links(project: Project, tip: str, history: Callable[[], History]) -> Links:
    """The commits of `tip`'s history that name items, through the cache (git is asked,
    through `history()`, only for the commits the cache does not hold)."""
    cache = _Cache(project)
    try:
        return _read(cache, project, tip, history)
    except (KeyError, ValueError, TypeError, IndexError):  # a damaged cache: read it all
        cache.forget()
        return _read(cache, project, tip, history)


def _read(cache: _Cache, project: Project, tip: str, history_of: Callable[[], History]) -> Links:
    order = cache.tips.get(tip)
    if order is None:
        history = history_of()
        base = cache.best_base(history, tip)
        revs = (tip, f"^{base}") if base else (tip,)
        config = project.config
        matcher = Matcher(config.prefix, config.trace.close_keywords)
        logged = history.messages(revs)
        named = [
            (sha, author, date, message, matcher.mentions(message), matcher.closes(message))
            for sha, author, date, message in logged
        ]
        named = [entry for entry in named if entry[4]]
        code = history.commits(revs, outside=config.backlog_dir) if named else set()
        for sha, author, date, message, mentions, closes in named:
            subject = message.split("\n", 1)[0].strip()
            cache.commits[sha] = [subject, author, date, list(mentions), list(closes),
                                  sha in code]  # fmt: skip
        order = [entry[0] for entry in named] + (cache.tips[base] if base else [])
    links = Links([cache.named(sha) for sha in order], cut=cache.cut)
    cache.remember(tip, order)
    cache.save()
    return links


class _Cache(TipCache):
    def __init__(self, project: Project) -> None:
        config = project.config
        words = ",".join(config.trace.close_keywords)
        # How messages are read is storykit's own: its version is part of the key too.
        key = f"{package_fingerprint()}\0{config.prefix}\0{config.backlog_dir}\0{words}"
        super().__init__(project, "links-cache.json", key, _FORMAT)

    def named(self, sha: str) -> Named:
        subject, author, date, mentions, closes, code = self.commits[sha]
        return Named(sha, str(subject), str(author), str(date), tuple(mentions), tuple(closes),
                     bool(code))  # fmt: skip

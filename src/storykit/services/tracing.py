"""Items and the code that implements them, read from history (`history/codelinks.py`):
`show`'s commits and branches, `log --code`, and `storykit sync`, which moves the items
that commit messages close (`Closes SK-7K2M`) to done through the workflow's gates."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from storykit.errors import StorykitError
from storykit.history.codelinks import Links, Named, branches_naming, read_links
from storykit.history.tipcache import head_of
from storykit.repository.history import History
from storykit.services.update import (
    apply_status,
    gate_refusal,
    load_many,
    plan_update,
    shortcut_status,
)
from storykit.services.workspace import CommitOptions, Outcome, Plan, Workspace
from storykit.storage.atomic import Changeset


@dataclass(frozen=True)
class Code:
    """An item's code: the commits outside the backlog folder whose message names it
    (newest first) and the branches whose name holds it."""

    commits: list[Named]
    branches: list[str]

    def to_json(self) -> dict[str, object]:
        return {"commits": [c.to_json() for c in self.commits], "branches": self.branches}


class Tracer:
    """The links of HEAD's history, read once, and the branches, asked once."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.history = functools.cache(lambda: History(ws.project.root))
        self._links: Links | None = None
        self._branches: list[str] | None = None

    @property
    def links(self) -> Links:
        if self._links is None:
            tip = head_of(self.ws.project, self.history)
            self._links = read_links(self.ws.project, tip, self.history) if tip else Links()
        return self._links

    def code(self, item_id: str) -> Code:
        if self._branches is None:
            self._branches = self.history().branches()
        return Code(self.links.code_of(item_id), branches_naming(self._branches, item_id))


@dataclass
class SyncReport:
    """What `sync` did: the items it moved to done (and the commits that closed them),
    those already done, and those the gates refused, with why and the fix."""

    closed: dict[str, list[Named]] = field(default_factory=dict)
    already: list[str] = field(default_factory=list)
    refused: list[tuple[str, str, str | None]] = field(default_factory=list)  # id, why, fix
    unknown: list[str] = field(default_factory=list)  # closed in a message, no such item
    outcome: Outcome = field(default_factory=lambda: Outcome(None, changed=False))


def sync(ws: Workspace, since: str | None, options: CommitOptions) -> SyncReport:
    """Every item a commit on HEAD's history (after `since`) closes, moved to done in one
    commit; an item the gates refuse is reported and left as it is."""
    tracer = Tracer(ws)
    closing = tracer.links.closing()
    if since is not None:
        history = tracer.history()
        after = history.commits(("HEAD", f"^{history.commit_of(since)}"))
        closing = {
            item_id: kept
            for item_id, commits in closing.items()
            if (kept := [c for c in commits if c.sha in after])
        }
    report = SyncReport()
    done = shortcut_status(ws, "done")

    def build() -> Plan | None:  # under the lock: the items as they are now
        known = {item.id: item for item in ws.store.load_all().items}
        report.unknown = sorted(i for i in closing if i not in known)
        report.closed.clear()
        report.already.clear()
        report.refused.clear()
        wanted = []
        for item_id in (i for i in closing if i in known):
            item = known[item_id]
            if item.model.status == done:
                report.already.append(item_id)
            elif (refusal := gate_refusal(ws, item, done)) is not None:  # no file parsed
                report.refused.append((item_id, refusal.message, refusal.hint))
            else:
                wanted.append(item_id)
        changes = Changeset()
        moved = []
        for loaded in load_many(ws, wanted) if wanted else []:
            item_id = loaded.item.id
            try:
                apply_status(ws, loaded.document, loaded.item, done)
                plan = plan_update(ws, loaded, loaded.document, "sync", changes)
            except StorykitError as exc:
                report.refused.append((item_id, exc.message, exc.hint))
                continue
            report.closed[item_id] = closing[item_id]
            if plan.item is not None:
                moved.append(plan.item)
        if not moved:
            return None
        shas = sorted({c.sha[:8] for i in report.closed for c in report.closed[i]})
        ids = ", ".join(report.closed)
        subject = f"sync {ids} → {done} (closed by {', '.join(shas)})"
        return Plan(changes, "sync", None, subject=subject, items=moved)

    report.outcome = ws.apply(build, options)
    return report

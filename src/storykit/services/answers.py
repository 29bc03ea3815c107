"""Every JSON answer, shaped by one function: the command line's `--json` and the MCP
server's tools give the same (cli/render/envelope.py prints them).

A command about one item answers `{"schema_version": 2, "item": {…}, …extras}`, a command
about many `{"schema_version": 2, "items": […], …extras}`; history reports (`diff`) carry
their own keys after `schema_version`. Each item is shaped by `StoredItem.to_json` (the
lean `list` shapes cache payloads with the same `records.item_json`). The README lists every
command's keys; `tests/test_json_envelopes.py` holds every command to that list.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Literal

from storykit.model.points import number
from storykit.model.records import date_text

if TYPE_CHECKING:
    from storykit.model.burndown import Burndown
    from storykit.model.flow import Spread
    from storykit.model.refine import Refinement
    from storykit.model.selection import Match
    from storykit.services.branching import BranchStart
    from storykit.services.check import CheckReport
    from storykit.services.claim_push import PushedClaim
    from storykit.services.flow import FlowReport
    from storykit.services.importing import ImportReport
    from storykit.services.priority import Suggestions
    from storykit.services.query import Board, ItemDetails, ListResult
    from storykit.services.reports import SprintDetails, SprintReport, Velocity
    from storykit.services.sprints import SprintOutcome
    from storykit.services.tracing import SyncReport
    from storykit.services.workspace import Move, Outcome
    from storykit.storage.store import StoredItem

SCHEMA_VERSION = 2

# JSON escapes C0 controls itself; DEL, C1 controls and the Unicode line separators are
# escaped too, so that JSON printed on a terminal cannot drive it.
_UNSAFE = {code: f"\\u{code:04x}" for code in [*range(0x7F, 0xA0), 0x2028, 0x2029]}


def envelope(
    about: Literal["item", "items"] | None, value: Any = None, **extras: Any
) -> dict[str, Any]:
    """`{"schema_version": 2, <about>: value, **extras}` (no `about`: extras only)."""
    data: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
    if about is not None:
        data[about] = value
    data.update(extras)
    return data


def listed(
    data: dict[str, Any], overdue: bool, found: list[Match] | None, score: float | None
) -> dict[str, Any]:
    """An item as `list` and `search` answer it: with `overdue` and `score`, and with
    `--grep` the lines that matched (`matches`). The lean `list` shapes its payloads with
    this too."""
    data["overdue"] = overdue
    data["score"] = number(score)
    if found is not None:
        data["matches"] = [match.to_json() for match in found]
    return data


def json_text(data: dict[str, Any]) -> str:
    """JSON as storykit gives it: indented, every control character escaped."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).translate(_UNSAFE) + "\n"


def listing(result: ListResult, grep: bool) -> dict[str, Any]:
    """`list` and `search`: the items selected (each as `listed`), and the invalid files
    skipped."""
    found = result.matches if grep else None
    items = [
        listed(
            i.to_json(),
            i.id in result.overdue,
            found.get(i.id) if found else None,
            result.scores.get(i.id),
        )
        for i in result.items
    ]
    return envelope("items", items, skipped=result.skipped)


def items(found: list[StoredItem], **extras: Any) -> dict[str, Any]:
    """Items as they are (`next`)."""
    return envelope("items", [item.to_json() for item in found], **extras)


def checked(report: CheckReport) -> dict[str, Any]:
    """`check`: the items, whether all is well, the counts and every problem."""
    return envelope(
        "items",
        [item.to_json() for item in report.items],
        ok=report.ok,
        errors=report.errors,
        warnings=report.warnings,
        problems=[p.to_json() for p in report.problems],
    )


def error(message: str, hint: str | None, exit_code: int) -> dict[str, Any]:
    """A failure as a script reads it."""
    return envelope(None, error={"message": message, "hint": hint, "exit_code": exit_code})


def outcome(result: Outcome, **extras: Any) -> dict[str, Any]:
    """A changing command about one item: the item (as it is now), then what it did; the
    same command about several items (`done ID ID`): the items."""
    done = {"commit": result.commit, "changed": result.changed}
    if result.item is None and result.items:
        return envelope("items", [item.to_json() for item in result.items], **extras, **done)
    item = result.item.to_json() if result.item is not None else None
    return envelope("item", item, **extras, **done)


def imported(report: ImportReport, dry_run: bool) -> dict[str, Any]:
    """`import`: the items created and updated (or, dry, that would be), how many were
    unchanged, the rows skipped and why, notes, and the commit."""
    return envelope(
        None,
        created=[item.to_json() for item in report.created],
        updated=[item.to_json() for item in report.updated],
        unchanged=report.unchanged,
        skipped=[{"where": s.where, "reason": s.reason} for s in report.skipped],
        notes=report.notes,
        dry_run=dry_run,
        commit=report.commit,
        changed=bool(report.commit),
    )


def exported(
    items: list[dict[str, Any]], sprints: list[dict[str, Any]], skipped: list[str]
) -> dict[str, Any]:
    """`export json`: every item (as `show` gives it) in rank order, every sprint (as
    `sprint` commands give it), and the files left out as invalid."""
    return envelope("items", items, sprints=sprints, skipped=skipped)


def closed_spike(result: Outcome) -> dict[str, Any]:
    """`spike close`: the spike, and the follow-ups created with it."""
    return outcome(result, follow_ups=[item.to_json() for item in result.items])


def synced(found: SyncReport) -> dict[str, Any]:
    """`sync`: the items moved to done (and the commits that closed each), those already
    done, those the gates refused (why, and the fix), IDs that name no item, the commit."""
    done = found.outcome
    closed_by = {i: [c.sha for c in commits] for i, commits in found.closed.items()}
    refused = [{"id": i, "message": m, "hint": h} for i, m, h in found.refused]
    return envelope(
        "items", [item.to_json() for item in done.items], closed_by=closed_by,
        already_done=found.already, refused=refused, unknown=found.unknown,
        commit=done.commit, changed=done.changed,
    )  # fmt: skip


def branch_start(found: BranchStart) -> dict[str, Any]:
    """`start --branch`: the move's answer, with the branch HEAD is on and whether it is new."""
    branch = {"name": found.branch, "created": found.created}
    return outcome(found.outcome, branch=branch)


def pushed_claim(found: PushedClaim) -> dict[str, Any]:
    """`claim --push`: the claim's answer, with where it was pushed and on which try."""
    return outcome(found.outcome, pushed=found.remote, tries=found.tries)


def moves(result: Outcome) -> list[dict[str, Any]]:
    return [_move(move) for move in result.moves]


def _move(move: Move) -> dict[str, Any]:
    return {"id": move.item.id, "from": move.before, "to": move.after}


def ranked(result: Outcome) -> dict[str, Any]:
    """`rank` of one item answers about it; a reorder or rebalance about the moved items."""
    if result.item is not None:
        return outcome(result, moves=moves(result))
    items = [item.to_json() for item in result.items]
    return envelope(
        "items", items, moves=moves(result), commit=result.commit, changed=result.changed
    )


def details(found: list[ItemDetails]) -> dict[str, Any]:
    """`show`: the item (with `overdue`), its children and their progress, and its code
    (the commits and branches that name it); for several items, the items, each with its
    `children`, `progress` and `code`."""
    if len(found) == 1:
        one = found[0]
        return envelope(
            "item", _shown(one), children=_children(one), progress=_progress(one),
            code=_code(one),
        )  # fmt: skip
    items = [
        {**_shown(d), "children": _children(d), "progress": _progress(d), "code": _code(d)}
        for d in found
    ]
    return envelope("items", items)


def _code(found: ItemDetails) -> dict[str, Any] | None:
    return found.code.to_json() if found.code is not None else None


def _shown(found: ItemDetails) -> dict[str, Any]:
    who, when = found.captured or (None, None)
    return {
        **found.item.to_json(),
        "overdue": found.overdue_since is not None,
        "score": number(found.score),
        "captured_by": who,
        "captured_at": date_text(when) if when else None,
    }


def _children(found: ItemDetails) -> list[dict[str, Any]]:
    return [child.to_json() for child in found.children]


def _progress(found: ItemDetails) -> dict[str, Any] | None:
    return found.progress.to_json() if found.progress else None


def board(result: Board) -> dict[str, Any]:
    """`board`: the items column by column (each with `overdue`), and the columns' order."""
    items = [
        {
            **item.to_json(),
            "overdue": item.id in result.overdue,
            "score": number(result.scores.get(item.id)),
        }
        for column in result.columns
        for item in column.items
    ]
    return envelope("items", items, statuses=[column.status for column in result.columns])


def sprint_outcome(result: SprintOutcome, **extras: Any) -> dict[str, Any]:
    """A changing sprint command: the sprint as it is now, the items it moved, the commit."""
    items = [item.to_json() for item in result.outcome.items]
    done = {"commit": result.outcome.commit, "changed": result.outcome.changed}
    return envelope(None, sprint=result.sprint.to_json(), items=items, **extras, **done)


def sprint_list(reports: list[SprintReport]) -> dict[str, Any]:
    """`sprint list`: every sprint, its state and figures (committed: None until it starts)."""
    return envelope(None, sprints=[_listed_sprint(r) for r in reports])


def _listed_sprint(shown: SprintReport) -> dict[str, Any]:
    figures = shown.burndown
    return {
        **shown.sprint.to_json(),
        "state": shown.state,
        "days_left": shown.days_left,
        "committed": number(figures.committed) if figures.started else None,
        "completed": number(figures.completed),
    }


def _figures(figures: Burndown) -> dict[str, Any]:
    return {
        "committed": number(figures.committed),
        "added": number(figures.added),
        "removed": number(figures.removed),
        "completed": number(figures.completed),
        "remaining": number(figures.remaining),
    }


def burndown(shown: SprintReport) -> dict[str, Any]:
    """`burndown`: the sprint, its figures, and every day's figures at the end of it."""
    model = shown.sprint.model
    sprint = {
        "name": model.name,
        "start": model.start.isoformat(),
        "end": model.end.isoformat(),
        "goal": model.goal,
        "capacity": number(model.capacity),
    }
    days = [day.to_json() for day in shown.burndown.days]
    return envelope(None, sprint=sprint, **_figures(shown.burndown), days=days)


def velocity(found: Velocity) -> dict[str, Any]:
    """`velocity`: committed and completed points of the closed sprints, and the average."""
    sprints = [
        {
            "name": r.sprint.name,
            "start": r.sprint.model.start.isoformat(),
            "end": r.sprint.model.end.isoformat(),
            "committed": number(r.burndown.committed),
            "completed": number(r.burndown.completed),
        }
        for r in found.sprints
    ]
    return envelope(None, sprints=sprints, average=number(found.average))


def flow(found: FlowReport) -> dict[str, Any]:
    """`flow`: the window, cycle and lead time (overall and per type), throughput per ISO
    week, aging work in progress and the cumulative flow per day (days with one decimal)."""
    from storykit.model.flow import days

    figures = found.flow
    window = {"from": figures.first_day.isoformat(), "to": figures.last_day.isoformat()}
    aging = [
        {"id": a.id, "title": a.title, "status": a.status, "days": days(a.age),
         "over_p85": a.over_p85}
        for a in figures.aging
    ]  # fmt: skip
    return envelope(
        None,
        window=window,
        cycle_time={name: _spread(s) for name, s in figures.cycle.items()},
        lead_time={name: _spread(s) for name, s in figures.lead.items()},
        throughput=[{"week": week, "done": done} for week, done in figures.throughput],
        aging=aging,
        cfd=[{"date": day.isoformat(), "counts": counts} for day, counts in figures.cfd],
    )


def _spread(found: Spread) -> dict[str, Any]:
    from storykit.model.flow import days

    return {"count": found.count, "p50": days(found.p50), "p85": days(found.p85),
            "p95": days(found.p95)}  # fmt: skip


def sprint_details(found: SprintDetails) -> dict[str, Any]:
    """`sprint show`: the sprint, its state and figures, its items and their statuses, the
    planning summary and the burndown days."""
    shown = found.report
    return envelope(
        None,
        sprint=shown.sprint.to_json(),
        state=shown.state,
        days_left=shown.days_left,
        **_figures(shown.burndown),
        late=number(shown.burndown.late),
        by_status=found.by_status,
        items=[item.to_json() for item in found.items],
        planning=found.planning.to_json(),
        days=[day.to_json() for day in shown.burndown.days],
    )


def suggestions(found: Suggestions) -> dict[str, Any]:
    """`rank --suggest`: the items whose places by rank and by score differ most (each
    with `by_rank`, `by_score` and `score`), and the open items without a score (each with
    `missing`, the fields it lacks)."""
    items = [
        {**d.item.to_json(), "by_rank": d.by_rank, "by_score": d.by_score, "score": number(d.score)}
        for d in found.items
    ]
    unscored = [{**one.item.to_json(), "missing": one.missing} for one in found.unscored]
    return envelope("items", items, unscored=unscored)


def refinement(found: Refinement) -> dict[str, Any]:
    """`refine`: how many items count as the top, the findings (each `{"code", "severity",
    "id", "message", "fix"}`), the balance of the top, and whether anything needs
    attention."""
    return envelope(
        None,
        top=found.top,
        findings=[finding.to_json() for finding in found.findings],
        balance=found.balance,
        attention=found.needs_attention,
    )

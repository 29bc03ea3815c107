"""How `diff` and `log` read: text for the terminal, Markdown for a pull request, JSON."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from storykit.cli.render import output
from storykit.cli.render.comment import fit
from storykit.model.points import number, points_text
from storykit.printable import printable
from storykit.services.answers import envelope

if TYPE_CHECKING:
    from storykit.services.history import BacklogDiff, ItemLog
    from storykit.storage.store import StoredItem


def summary(diff: BacklogDiff) -> str:
    """One line, as a reviewer says it: "story SK-7K2M added; SK-3J9Q ready → in-progress"."""
    parts = [f"{i.type} {i.id} added" for i in diff.added]
    parts += [f"{i.type} {i.id} removed" for i in diff.removed]
    closed = {i.id for i in diff.closed_spikes}
    for change in diff.changed:
        status = next((c for c in change.changes if c.field == "status"), None)
        if status is not None and change.after.id not in closed:
            parts.append(f"{change.after.id} {status.old} → {status.new}")
        elif change.after.id not in closed:
            fields = ", ".join(c.field for c in change.changes) or "renamed"
            parts.append(f"{change.after.id} changed ({fields})")
    parts += [f"spike {i.id} closed: outcome recorded" for i in diff.closed_spikes]
    parts += [f"{m.item.id} moved from #{m.before} to #{m.after}" for m in diff.moved]
    parts += [scope.text() for scope in diff.scope]
    return "; ".join(parts) if parts else "no changes"


def counts(diff: BacklogDiff) -> dict[str, int]:
    return {
        "added": len(diff.added),
        "removed": len(diff.removed),
        "changed": len(diff.changed),
        "moved": len(diff.moved),
        "spikes_closed": len(diff.closed_spikes),
        "invalid_files": len(diff.invalid),
    }


_COUNT_WORDS = {
    "added": ("added", "added"),
    "removed": ("removed", "removed"),
    "changed": ("changed", "changed"),
    "moved": ("moved", "moved"),
    "spikes_closed": ("spike closed", "spikes closed"),
    "invalid_files": ("invalid file", "invalid files"),
}


def _count_line(diff: BacklogDiff) -> str:
    words = [f"{n} {_COUNT_WORDS[name][n != 1]}" for name, n in counts(diff).items() if n]
    return ", ".join(words) if words else "no changes"


def _row(item: StoredItem) -> str:
    return f"{item.type:<5}  {item.id}  {item.model.title}"


def _sized(item: StoredItem) -> str:
    """An added or removed item's line: its points and sprint too (what scope it moves)."""
    return _row(item) + (f"  ({_size(item)})" if _size(item) else "")


def _size(item: StoredItem) -> str:
    points, sprint = item.field("points"), item.field("sprint")
    parts = []
    if points is not None:
        parts.append(points_text(points))
    if sprint:
        parts.append(f"in {sprint}")
    return ", ".join(parts)


def render_diff_text(diff: BacklogDiff) -> None:
    out = output.out
    out(f"backlog changes: {diff.base.named} → {diff.head.named}")
    out(_count_line(diff))
    if diff.empty and not diff.invalid:
        return
    out(summary(diff))
    sections: list[tuple[str, list[str]]] = [
        ("added", [_sized(i) for i in diff.added]),
        ("removed", [_sized(i) for i in diff.removed]),
    ]
    changed: list[str] = []
    markups: dict[str, str] = {}  # a line → the same line coloured for a terminal
    for change in diff.changed:
        line = _row(change.after)
        if change.renamed:
            line += f"  (renamed from {change.before.rel})"
        changed.append(line)
        for c in change.changes:
            changed.append(f"    {c.text()}")
            markups[f"    {c.text()}"] = f"    {output.change_markup(c)}"
            for text_line in c.lines:
                changed.append(f"      {text_line}")
                markups[f"      {text_line}"] = f"      {output.diff_line_markup(text_line)}"
    sections.append(("changed", changed))
    sections.append(("moved", [f"{_row(m.item)}  #{m.before} → #{m.after}" for m in diff.moved]))
    closed: list[str] = []
    for spike in diff.closed_spikes:
        closed.append(_row(spike))
        outcome = str(getattr(spike.model, "outcome", "") or "").strip()
        closed += [f"    {line}" for line in outcome.splitlines()]
    sections.append(("spikes closed", closed))
    invalid: list[str] = []
    for side, path, problems in diff.invalid:
        invalid.append(f"{path} (at {_side(diff, side)}): {_problems(len(problems))}")
        invalid += [f"    {p.line}:{p.col}: {p.message}" for p in problems]
    sections.append(("invalid files", invalid))
    for title, lines in sections:
        if lines:
            out("")
            out(title)
            for line in lines:
                markup = markups.get(line)
                out(f"  {line}", f"  {markup}" if markup else None)


def render_diff_markdown(diff: BacklogDiff) -> None:
    where = f"{_md(diff.base.named)} → {_md(diff.head.named)}"
    lines = [f"**Backlog changes** {where}: {_count_line(diff)}", ""]
    if not diff.empty:
        lines += [_md(summary(diff)), ""]
    if diff.added:
        lines += ["### Added", "", *_md_items(diff.added), ""]
    if diff.removed:
        lines += ["### Removed", "", *_md_items(diff.removed), ""]
    if diff.changed:
        lines += ["### Changed", ""]
        for change in diff.changed:
            item = change.after
            renamed = f" (renamed from {_code(change.before.rel)})" if change.renamed else ""
            lines.append(f"- **{item.type} {item.id}** {_md(item.model.title)}{renamed}")
            for c in change.changes:
                lines.append(f"  - {_md(c.text())}")
                lines += _md_block(c.lines, "    ")
        lines.append("")
    if diff.moved:
        lines += ["### Moved", "", "| ID | Title | From | To |", "|---|---|---|---|"]
        lines += [
            f"| {m.item.id} | {_md(m.item.model.title)} | #{m.before} | #{m.after} |"
            for m in diff.moved
        ]
        lines.append("")
    if diff.closed_spikes:
        lines += ["### Spikes closed", ""]
        for spike in diff.closed_spikes:
            lines.append(f"- **{spike.id}** {_md(spike.model.title)}")
            outcome = str(getattr(spike.model, "outcome", "") or "").strip()
            lines += [f"  > {_md(line)}" if line else "  >" for line in outcome.splitlines()]
            decision = getattr(spike.model, "decision", None)
            if decision:
                lines.append(f"  - decision: {_md(str(decision).strip())}")
        lines.append("")
    if diff.invalid:
        lines += ["### Invalid files", ""]
        for side, path, problems in diff.invalid:
            lines.append(
                f"- {_code(path)} (at {_md(_side(diff, side))}): {_problems(len(problems))}"
            )
            lines += [f"  - {p.line}:{p.col}: {_md(p.message)}" for p in problems]
        lines.append("")
    text = "\n".join(lines).rstrip()
    output.out(fit(text, "`storykit diff` without `--format markdown` prints all of it").rstrip())


def diff_json(diff: BacklogDiff) -> dict[str, Any]:
    """`diff` reports on the backlog between two revisions: its own keys, no item."""
    return envelope(
        None,
        **{
            "base": {"label": diff.base.label, "commit": diff.base.commit},
            "head": {"label": diff.head.label, "commit": diff.head.commit},
            "summary": summary(diff),
            "counts": counts(diff),
            "scope": [scope.to_json() for scope in diff.scope],
            "added": [i.to_json() for i in diff.added],
            "removed": [i.to_json() for i in diff.removed],
            "changed": [
                {
                    "id": c.after.id,
                    "type": c.after.type,
                    "title": c.after.model.title,
                    "renamed": {"from": c.before.rel, "to": c.after.rel} if c.renamed else None,
                    "changes": [f.to_json() for f in c.changes],
                }
                for c in diff.changed
            ],
            "moved": [
                {
                    "id": m.item.id,
                    "type": m.item.type,
                    "title": m.item.model.title,
                    "from": m.before,
                    "to": m.after,
                }
                for m in diff.moved
            ],
            "spikes_closed": [
                {
                    "id": s.id,
                    "title": s.model.title,
                    "outcome": getattr(s.model, "outcome", None),
                    "decision": getattr(s.model, "decision", None),
                }
                for s in diff.closed_spikes
            ],
            "invalid": [
                {"side": side, "path": path, "problems": [p.to_json() for p in problems]}
                for side, path, problems in diff.invalid
            ],
        },
    )


def render_log_text(log: ItemLog) -> None:
    out = output.out
    for entry in log.entries:
        when = entry.date[:16].replace("T", " ")
        out(f"{entry.commit[:8]}  {when}  {entry.author}  {entry.subject}")
        details = []
        markups: dict[str, str] = {}
        if entry.code:
            details.append("code")
        if entry.created:
            details.append("created")
        if entry.deleted:
            details.append("deleted")
        if entry.renamed:
            details.append(f"renamed {entry.renamed[0]} → {entry.renamed[1]}")
        for change in entry.changes:
            if change.field == "rank":
                continue
            details.append(change.text())
            markups[change.text()] = output.change_markup(change)
            for text_line in change.lines:
                details.append(f"  {text_line}")
                markups[f"  {text_line}"] = f"  {output.diff_line_markup(text_line)}"
        if entry.rank:
            details.append(f"rank: #{entry.rank[0]} → #{entry.rank[1]}")
        if entry.invalid:
            details.append(f"file became invalid: {entry.invalid[0].message}")
        for line in details:
            markup = markups.get(line)
            out(f"    {line}", f"    {markup}" if markup else None)


def log_json(log: ItemLog) -> dict[str, Any]:
    """`log` is about one item: the item as it is now (null once deleted), its ID, and its
    commits."""
    current = log.current.to_json() if log.current is not None else None
    return envelope(
        "item",
        current,
        id=log.item_id,
        commits=[
            {
                "commit": e.commit,
                "author": e.author,
                "date": e.date,
                "subject": e.subject,
                "created": e.created,
                "deleted": e.deleted,
                "renamed": {"from": e.renamed[0], "to": e.renamed[1]} if e.renamed else None,
                "changes": [c.to_json() for c in e.changes],
                "rank": {"from": e.rank[0], "to": e.rank[1]} if e.rank else None,
                "invalid": [p.to_json() for p in e.invalid],
                "code": e.code,
            }
            for e in log.entries
        ],
    )


def _side(diff: BacklogDiff, side: str) -> str:
    return diff.base.label if side == "base" else diff.head.label


def _md(text: str) -> str:
    """A value as one line of literal Markdown prose: control characters shown as escapes
    (so no value starts a new line, a heading or a list), Markdown's own characters
    escaped, and `@` kept from notifying anyone."""
    text = printable(text)
    for char in "\\`*_[]<>|":
        text = text.replace(char, "\\" + char)
    if text[:1] in ("#", "-", "+", "="):  # would start a heading or a list item
        text = "\\" + text
    return text.replace("@", "@&#8203;")


def _code(text: str) -> str:
    """A Markdown code span holding `text` literally, whatever backticks it holds."""
    text = printable(text)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _md_items(items: list[StoredItem]) -> list[str]:
    head = ["| Type | ID | Title | Status | Points | Sprint |", "|---|---|---|---|---|---|"]
    rows = []
    for i in items:
        points = i.field("points")
        shown = "" if points is None else str(number(points))
        sprint = _md(str(i.field("sprint") or ""))
        rows.append(
            f"| {i.type} | {i.id} | {_md(i.model.title)} | {i.model.status} | {shown} | {sprint} |"
        )
    return head + rows


def _md_block(lines: list[str], indent: str) -> list[str]:
    """A text's changed lines as a `diff` code block (indented under its list item), its
    fence longer than any run of backticks inside, control characters shown as escapes."""
    if not lines:
        return []
    shown = [printable(line) for line in lines]
    longest = max((len(run) for line in shown for run in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{indent}{fence}diff", *(f"{indent}{line}" for line in shown), f"{indent}{fence}"]


def _problems(count: int) -> str:
    return f"{count} problem" if count == 1 else f"{count} problems"

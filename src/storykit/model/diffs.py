"""Field-level changes between two versions of an item, as people read them."""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from storykit.model.catalogue import FIELDS, TYPES, type_fields
from storykit.model.points import points_text

_NOT_FIELDS = ("path", "rank")  # rank moves are reported as positions, not as keys
CONTEXT = 2  # unchanged lines shown around a changed line of a text
MOST_LINES = 12  # a text's changed lines shown at most; the rest are counted


@dataclass(frozen=True)
class FieldDiff:
    """`kind`: changed, added, removed, or list (items added/removed)."""

    field: str
    kind: str
    old: Any = None
    new: Any = None
    added: list[Any] = dataclasses.field(default_factory=list)
    removed: list[Any] = dataclasses.field(default_factory=list)

    def text(self) -> str:
        if self.kind == "list" and self.lines:
            return f"{self.field}: {len(self.added)} added, {len(self.removed)} removed"
        if self.kind == "list":
            # U+2212, a real minus sign reads better than a hyphen.
            shown = [f"+ {_show(v, self.field)}" for v in self.added]
            shown += [f"\u2212 {_show(v, self.field)}" for v in self.removed]
            return f"{self.field}: " + ", ".join(shown)
        if self.kind == "added":
            return f"{self.field}: added" + ("" if _is_long(self.new) else f" ({_show(self.new)})")
        if self.kind == "removed":
            return f"{self.field}: removed"
        if _is_long(self.old) or _is_long(self.new):
            return f"{self.field}: changed"
        return f"{self.field}: {_show(self.old, self.field)} → {_show(self.new, self.field)}"

    @functools.cached_property
    def lines(self) -> list[str]:
        """A text's change as lines under `text()`: `- old line`, `+ new line` and a few
        unchanged lines around them, a long change shortened with a count. Empty for a
        value that reads on one line (`points: 3 → 5`)."""
        if self.kind == "list":
            values = self.added + self.removed
            if not any(isinstance(v, str) and _is_long(v) for v in values):
                return []
            shown = [f"+ {line}" for v in self.added for line in str(v).splitlines()]
            shown += [f"- {line}" for v in self.removed for line in str(v).splitlines()]
            return _shortened(shown)
        old, new = self.old, self.new
        texts = (old is None or isinstance(old, str)) and (new is None or isinstance(new, str))
        if not texts or not (_is_long(old) or _is_long(new)):
            return []
        return text_lines(old or "", new or "")

    def short(self) -> str:
        """As a commit subject says it: `points 3 → 5`, `owner alice`, `tags +ux \u2212api`."""
        if self.kind == "list":
            values = [f"+{_show(v, self.field)}" for v in self.added]
            return f"{self.field} " + " ".join(values + [f"\u2212{_show(v)}" for v in self.removed])
        if self.kind == "removed":
            return f"{self.field} cleared"
        if self.kind == "added":
            return f"{self.field} " + ("set" if _is_long(self.new) else _show(self.new, self.field))
        if _is_long(self.old) or _is_long(self.new) or isinstance(self.new, list):
            return f"{self.field} changed"
        return f"{self.field} {_show(self.old, self.field)} → {_show(self.new, self.field)}"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"field": self.field, "kind": self.kind}
        if self.kind == "list":
            data.update(added=self.added, removed=self.removed)
        else:
            data.update({"from": self.old, "to": self.new})
        return data


def field_diffs(old: dict[str, Any], new: dict[str, Any]) -> list[FieldDiff]:
    """Every field that differs, in the item's canonical order, then the user's own keys."""
    item_type = str(new.get("type") or old.get("type") or "")
    order = list(type_fields(item_type)) if item_type in TYPES else []
    names = order + sorted((set(old) | set(new)) - set(order))
    changes = []
    for name in names:
        if name in _NOT_FIELDS:
            continue
        before, after = _empty(old.get(name)), _empty(new.get(name))
        if before == after:
            continue
        if isinstance(before, list) or isinstance(after, list):
            before_list, after_list = list(before or []), list(after or [])
            added = [v for v in after_list if v not in before_list]
            removed = [v for v in before_list if v not in after_list]
            if not added and not removed:  # reordered only
                changes.append(FieldDiff(name, "changed", before_list, after_list))
            else:
                changes.append(FieldDiff(name, "list", added=added, removed=removed))
        elif before is None:
            changes.append(FieldDiff(name, "added", new=after))
        elif after is None:
            changes.append(FieldDiff(name, "removed", old=before))
        else:
            changes.append(FieldDiff(name, "changed", before, after))
    return changes


def text_lines(old: str, new: str, context: int = CONTEXT) -> list[str]:
    """The lines that changed between two texts, as a reviewer reads them: `- ` for a line
    gone, `+ ` for a line come, `  ` for a line around them, `…` between distant parts."""
    import difflib  # only when a long text changed: not on every changing command's start

    diff = difflib.unified_diff(old.splitlines(), new.splitlines(), n=context, lineterm="")
    shown: list[str] = []
    for line in diff:
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            if shown:
                shown.append("…")
            continue
        shown.append(f"{line[:1]} {line[1:]}".rstrip())
    return _shortened(shown)


def _shortened(lines: list[str]) -> list[str]:
    """At most MOST_LINES changed lines; the rest counted on one line."""
    changed = 0
    for at, line in enumerate(lines):
        if line[:1] in ("+", "-"):
            changed += 1
            if changed > MOST_LINES:
                rest = sum(1 for other in lines[at:] if other[:1] in ("+", "-"))
                return [*lines[:at], f"… {rest} more changed line{'s' if rest != 1 else ''}"]
    return lines


def _empty(value: Any) -> Any:
    return None if value in (None, "", []) else value


def _is_long(value: Any) -> bool:
    """A text shown as lines rather than in a sentence."""
    return isinstance(value, str) and ("\n" in value.strip() or len(value) > 60)


def _show(value: Any, name: str = "") -> str:
    spec = FIELDS.get(name)
    quoted = name == "title" or (spec is not None and spec.kind == "text") or " " in str(value)
    if isinstance(value, str) and quoted:
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass
class SprintScope:
    """Points that came into a sprint and points that left it between two versions (an
    item added to it, moved in or out, re-estimated, dropped, deleted)."""

    sprint: str
    entering: float = 0.0
    leaving: float = 0.0

    def text(self) -> str:
        parts = []
        if self.entering:
            parts.append(f"+{points_text(self.entering)} into {self.sprint}")
        if self.leaving:
            parts.append(f"\u2212{points_text(self.leaving)} out of {self.sprint}")
        return ", ".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {"sprint": self.sprint, "entering": self.entering, "leaving": self.leaving}


def sprint_scope(
    pairs: Sequence[tuple[dict[str, Any] | None, dict[str, Any] | None]], dropped: str
) -> list[SprintScope]:
    """How each sprint's scope moved, from (fields before, fields after) of every item
    that changed (None: not there). An item counts in its sprint unless dropped, as the
    burndown counts it."""
    found: dict[str, SprintScope] = {}

    def share(fields: dict[str, Any] | None) -> tuple[str, float] | None:
        if not fields or not fields.get("sprint") or fields.get("status") == dropped:
            return None
        points = fields.get("points")
        number = float(points) if isinstance(points, (int, float)) else 0.0
        return str(fields["sprint"]), number

    for before, after in pairs:
        was, now = share(before), share(after)
        if was is not None and now is not None and was[0] == now[0]:
            delta = now[1] - was[1]
            scope = found.setdefault(now[0], SprintScope(now[0]))
            if delta > 0:
                scope.entering += delta
            elif delta < 0:
                scope.leaving -= delta
            continue
        if was is not None and was[1]:
            found.setdefault(was[0], SprintScope(was[0])).leaving += was[1]
        if now is not None and now[1]:
            found.setdefault(now[0], SprintScope(now[0])).entering += now[1]
    return [found[name] for name in sorted(found) if found[name].text()]

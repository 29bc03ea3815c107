"""Field-level changes between two versions of an item, as people read them."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

from storykit.model.catalogue import FIELDS, TYPES, type_fields

_NOT_FIELDS = ("path", "rank")  # rank moves are reported as positions, not as keys


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


def _empty(value: Any) -> Any:
    return None if value in (None, "", []) else value


def _is_long(value: Any) -> bool:
    return isinstance(value, str) and ("\n" in value.strip() or len(value) > 60)


def _show(value: Any, name: str = "") -> str:
    spec = FIELDS.get(name)
    quoted = name == "title" or (spec is not None and spec.kind == "text") or " " in str(value)
    if isinstance(value, str) and quoted:
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)

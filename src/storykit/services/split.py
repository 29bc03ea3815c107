"""`storykit split ID "part one" "part two"…`: smaller items that take the original's place."""

from __future__ import annotations

from typing import Any

from storykit import clock
from storykit.errors import UsageError
from storykit.model.catalogue import SPLIT_INHERITED, type_fields
from storykit.model.ids import mint_id
from storykit.model.rank import keys_between
from storykit.services.update import apply_status, load_for_update, plan_update
from storykit.services.workspace import (
    CommitOptions,
    Outcome,
    Plan,
    Workspace,
    ids_text,
    subject_of,
)


def split_item(ws: Workspace, query: str, titles: list[str], options: CommitOptions) -> Outcome:
    """Parts of the same type, in the given order where the original stood; the original
    is closed (dropped) with `split_into`, and each part records `split_from`. One commit."""
    titles = [title.strip() for title in titles]
    if len(titles) < 2 or not all(titles):
        raise UsageError(
            "give at least two non-empty titles for the parts",
            hint='e.g. `storykit split SK-7K2M "Send emoji" "Receive emoji"`',
        )
    workflow = ws.project.config.workflow

    def build() -> Plan:
        loaded = load_for_update(ws, query)
        original = loaded.item
        if original.model.status in workflow.closed:
            raise UsageError(f"{original.id} is {original.model.status}; only open items split")
        ranks = [key for key, _ in ws.store.order()]
        following = next((key for key in ranks if key > original.model.rank), None)
        keys = keys_between(original.model.rank, following, len(titles))
        taken = set(ws.store.ids())
        parts_content = []
        parts = []
        for title, key in zip(titles, keys, strict=True):
            part_id = mint_id(ws.project.config.prefix, taken)
            taken.add(part_id)
            fields: dict[str, Any] = {
                "id": part_id,
                "type": original.type,
                "title": title,
                "status": workflow.initial,
                "rank": key,
                "created": clock.today(),
            }
            for name in SPLIT_INHERITED:
                value = getattr(original.model, name, None)  # of its type only
                if value:
                    fields[name] = value
            fields["split_from"] = original.id
            path, content, part = ws.new_item(fields, f"the part {title!r}")
            parts.append(part)
            parts_content.append((path, content))
        doc = loaded.document
        order = type_fields(original.type)
        for part in parts:
            doc.list_append("split_into", part.id, order)
        apply_status(ws, doc, original, workflow.dropped)
        plan = plan_update(ws, loaded, doc, "split")
        for path, content in parts_content:
            plan.writes.write(path, content, expected=None)
        into = "into " + ids_text([part.id for part in parts])
        plan.subject = subject_of("split", original, into)
        plan.items = parts
        return plan

    return ws.apply(build, options)

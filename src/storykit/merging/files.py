"""Merging the three versions of one item file (base, ours, theirs) field by field, written
into our document: what the merge driver and `storykit resolve` do to each file
(docs/architecture.md, "Merging branches").

The fields merge by their catalogue rules (`model/merge.py`). The result is our file with
the merged values set in it as `storykit set` sets them, so our comments, key order,
quoting and untouched lines stay byte for byte. A field both sides changed differently
is written twice, once with our version and once with theirs, and the lines where the two
differ are put between conflict markers. A side that cannot be read, or a merged result
that is not a valid item file, is not merged here (`content` is None): the caller falls
back to git's own text merge.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

from storykit import yamlio
from storykit.config import Config
from storykit.errors import Diagnostic, InvalidDataError
from storykit.locations import SPRINT_FOLDER
from storykit.model.catalogue import COMMON, SPRINT_ORDER, TYPES, type_fields
from storykit.model.merge import (
    ABSENT,
    Chunk,
    Conflict,
    FileMerge,
    Labels,
    Merged,
    Settlement,
    Side,
    diff3,
    holds,
    merge_fields,
    same,
    settle,
    tell,
)
from storykit.model.workflow import gate_problems
from storykit.storage.validate import Locator, file_name_problems, validate_item, validate_sprint


def merge_item_file(
    base: bytes,
    ours: bytes,
    theirs: bytes,
    rel: str,
    config: Config,
    labels: Labels,
    settlement: Settlement | None = None,
) -> FileMerge:
    """Merge two edits of the item file at `rel` (an empty base: both sides added it), or
    of a sprint file (`<backlog>/sprints/`): the same field rules, the sprint's fields.
    `settlement`: conflicts a person settled (NotInConflict for a field that is not one);
    a settled item must then pass its workflow gates as any write must."""
    sprint = rel.rpartition("/")[0] == f"{config.backlog_dir}/{SPRINT_FOLDER}"
    try:
        base_fields = _fields(base, rel) if base else {}
        ours_doc = yamlio.read_document(ours, rel)
        theirs_fields = _fields(theirs, rel)
    except InvalidDataError as exc:
        where = exc.diagnostics[0].format() if exc.diagnostics else exc.message
        return FileMerge(None, problem=f"a side cannot be read: {where}")
    ours_fields = ours_doc.to_plain()
    merged = merge_fields(base_fields, ours_fields, theirs_fields)
    if not sprint:
        _gate_conflicts(merged, (base_fields, ours_fields, theirs_fields), rel, config)
    if settlement is not None:
        settle(merged, settlement, ours_fields, theirs_fields)
        if not sprint and not merged.conflicts:
            gaps = _gate_gaps(merged.resolved("ours"), ours_fields, rel, config)
            if gaps:
                return FileMerge(None, problem="; ".join(gaps))
    texts: list[bytes] = []
    sides: tuple[Side, ...] = ("ours", "theirs") if merged.conflicts else ("ours",)
    layout_clash: bytes | None = None
    for side in sides:
        doc = ours_doc if side == "ours" else yamlio.read_document(ours, rel)
        resolved = merged.resolved(side)
        _write_fields(doc, ours_fields, resolved, sprint)
        content, clash = _with_their_layout(
            doc.dump(), base, theirs, (base_fields, theirs_fields), resolved, rel, sprint, labels
        )
        if clash:
            if merged.conflicts:  # both a field and the lines around it: git's text merge
                return FileMerge(
                    None, problem="both sides changed comments or layout that do not combine"
                )
            layout_clash = content
            break
        problem = _problem(content, rel, config, sprint)
        if problem is not None:
            return FileMerge(None, problem=f"the merged file would not be valid: {problem}")
        if not _holds_fields(content, rel, resolved):
            return FileMerge(
                None, problem="both sides changed comments or layout that do not combine"
            )
        texts.append(content)
    fields = merged.resolved("ours")
    if layout_clash is not None:
        told = f"{LAYOUT}: both sides changed the lines between the markers"
        return FileMerge(layout_clash, (LAYOUT,), fields=fields, told=(told,))
    conflicts = tuple(conflict.field for conflict in merged.conflicts)
    if not conflicts:
        return FileMerge(texts[0], fields=fields)
    marked = _with_markers(texts[0], texts[1], labels, ours_doc.newline)
    told_all = tuple(tell(conflict, labels) for conflict in merged.conflicts)
    return FileMerge(marked, conflicts, fields=fields, told=told_all)


LAYOUT = "comments and layout"  # the name of a conflict outside the fields


def _with_their_layout(
    mine: bytes,
    base: bytes,
    theirs: bytes,
    fields: tuple[dict[str, Any], dict[str, Any]],
    resolved: dict[str, Any],
    rel: str,
    sprint: bool,
    labels: Labels,
) -> tuple[bytes, bool]:
    """Our merged file with what theirs changed outside the fields — comments, blank
    lines, notes by hand, quoting — merged in as `git merge-file` merges lines: the base
    and theirs are given the merged fields too, so the three texts differ only there.
    (content, whether lines clash: then marked between conflict markers)."""
    base_fields, theirs_fields = fields
    if base and _only_fields_changed(base, theirs, base_fields, theirs_fields):
        return mine, False  # the common case, told without reading the files again
    theirs_doc = yamlio.read_document(theirs, rel)
    _write_fields(theirs_doc, theirs_fields, resolved, sprint)
    yours = _plain_lines(theirs_doc.dump())
    lines = _plain_lines(mine)
    if yours == lines:
        return mine, False
    if base:
        base_doc = yamlio.read_document(base, rel)
        _write_fields(base_doc, base_fields, resolved, sprint)
        before = _plain_lines(base_doc.dump())
        if yours == before:  # theirs changed nothing outside the fields
            return mine, False
        chunks = diff3(before, lines, yours)
    else:  # both sides added the file: nothing to tell whose lines are new
        chunks = [Chunk(False, [], lines, yours)]
    newline = "\r\n" if mine.count(b"\r\n") * 2 > mine.count(b"\n") else "\n"
    out: list[str] = []
    clash = False
    for chunk in chunks:
        if chunk.clean:
            out += chunk.ours
            continue
        if chunk.base or not base:
            clash = True
        else:  # both only added lines at one place: all kept, ours first (read back after)
            out += chunk.ours + [line for line in chunk.theirs if line not in chunk.ours]
            continue
        size = labels.marker_size
        out += [f"{'<' * size} {labels.ours}", *chunk.ours, "=" * size]
        out += [*chunk.theirs, f"{'>' * size} {labels.theirs}"]
    ending = newline if mine.endswith(b"\n") or clash else ""
    return (newline.join(out) + ending).encode("utf-8"), clash


def _only_fields_changed(
    base: bytes, theirs: bytes, base_fields: dict[str, Any], theirs_fields: dict[str, Any]
) -> bool:
    """Whether every line theirs changed belongs to a field whose value theirs changed,
    and every comment is where it was: then theirs changed nothing outside the fields.
    Any doubt says no (the full merge of lines then decides)."""
    old, new = _plain_lines(base), _plain_lines(theirs)
    changed = {
        name
        for name in set(base_fields) | set(theirs_fields)
        if not same(base_fields.get(name, ABSENT), theirs_fields.get(name, ABSENT))
    }
    owners_old, owners_new = _line_owners(old), _line_owners(new)
    old_code, old_notes = _comments(old, owners_old, changed)
    new_code, new_notes = _comments(new, owners_new, changed)
    if old_notes != new_notes:
        return False
    matcher = difflib.SequenceMatcher(None, old_code, new_code, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "equal":
            moved = [owners_old[at] for at in range(i1, i2)] + [
                owners_new[at] for at in range(j1, j2)
            ]
            if any(owner not in changed for owner in moved):
                return False
    return True


def _comments(
    lines: list[str], owners: list[str | None], changed: set[str]
) -> tuple[list[str], list[tuple[str | None, str | None, str]]]:
    """Each line without its comment, and the comments with where they are: the field they
    sit in and, in a field that did not change, the line they end."""
    code: list[str] = []
    notes: list[tuple[str | None, str | None, str]] = []
    for line, owner in zip(lines, owners, strict=True):
        at = line.find("#")
        if at == 0 or (at > 0 and line[at - 1] in " \t"):
            before = line[:at].rstrip()
            notes.append((owner, None if owner in changed else before, line[at:]))
            code.append(before)
        else:
            code.append(line)
    return code, notes


def _line_owners(lines: list[str]) -> list[str | None]:
    """The top-level key each line belongs to (its own line, or the indented lines and
    list entries under it); None for blank lines, comments and anything else."""
    owners: list[str | None] = []
    current: str | None = None
    for line in lines:
        if line[:1] in (" ", "-") and current is not None and line.strip():
            owners.append(current)
            continue
        key, colon, _ = line.partition(":")
        if colon and key and key == key.strip() and not key.startswith(("#", "-", "'", '"')):
            current = key
        else:
            current = None
        owners.append(current)
    return owners


def _plain_lines(text: bytes) -> list[str]:
    return text.decode("utf-8").splitlines()


def _holds_fields(content: bytes, rel: str, resolved: dict[str, Any]) -> bool:
    """Whether a merged text reads back as exactly the merged fields (a line merge that
    doubled or lost a key does not)."""
    try:
        found = _fields(content, rel)
    except InvalidDataError:
        return False
    return same(found, resolved)


def _gate_conflicts(
    merged: Merged,
    sides: tuple[dict[str, Any], dict[str, Any], dict[str, Any]],
    rel: str,
    config: Config,
) -> None:
    """Two edits that are each fine can merge into an item that fails a workflow gate
    (a spike closed on one side, its outcome cleared on the other): `check` would reject
    it, so the status and the field the gate needs become conflicts, each side's value
    against the other's. A gate that one side already failed is left as it was."""
    base, ours, theirs = sides
    found = _gates(merged.resolved("ours"), rel, config)
    if not found:
        return
    known = _gates(ours, rel, config) | _gates(theirs, rel, config)
    in_conflict = {conflict.field for conflict in merged.conflicts}
    for needed in sorted(found - known):
        for name in ("status", needed):
            if name in in_conflict:
                continue
            in_conflict.add(name)
            o, t = ours.get(name, ABSENT), theirs.get(name, ABSENT)
            merged.conflicts.append(Conflict(name, base.get(name, ABSENT), o, t, o, t))


def _gates(fields: dict[str, Any], rel: str, config: Config) -> set[str]:
    """The fields the workflow gates of the item's status need and it lacks."""
    return set(_gate_messages(fields, rel, config))


def _gate_messages(fields: dict[str, Any], rel: str, config: Config) -> dict[str, str]:
    result = validate_item(fields, config, rel, _nowhere)
    if result.model is None:
        return {}
    found = gate_problems(result.model, result.model.status, config.workflow)
    return {gate.field: f"{gate.message} (`{gate.fix}`)" for gate in found}


def _gate_gaps(fields: dict[str, Any], ours: dict[str, Any], rel: str, config: Config) -> list[str]:
    """What a settled item lacks for its status that our side did not already lack."""
    before = _gates(ours, rel, config)
    return [
        text for name, text in _gate_messages(fields, rel, config).items() if name not in before
    ]


def _fields(raw: bytes, rel: str) -> dict[str, Any]:
    """A side's plain fields: the fast loader when it reads them exactly, else strictly."""
    data = yamlio.fast_load(raw)
    return data if data is not None else yamlio.read_document(raw, rel).to_plain()


def _write_fields(
    doc: yamlio.Document, before: dict[str, Any], after: dict[str, Any], sprint: bool
) -> None:
    """Turn `doc` (holding `before`) into `after`, one field at a time as `set` does."""
    item_type = after.get("type")
    order = type_fields(item_type) if isinstance(item_type, str) and item_type in TYPES else COMMON
    order = SPRINT_ORDER if sprint else order
    for name in before:
        if name not in after:
            doc.delete(name)
    for name, value in after.items():
        old = before.get(name, ABSENT)
        if same(value, old):
            continue
        if isinstance(value, list) and not value:
            doc.delete(name)
        elif isinstance(old, list) and isinstance(value, list) and _edits_in_place(old, value):
            kept = [v for v in old if holds(value, v)]
            for gone in [v for v in old if not holds(value, v)]:
                doc.list_remove(name, gone)
            for added in value[len(kept) :]:
                doc.list_append(name, added, order)
        else:
            doc.set(name, value, order)


def _edits_in_place(old: list[Any], new: list[Any]) -> bool:
    """Whether `new` is `old` with some entries removed and others appended (so the list
    is edited entry by entry, keeping the comments around the rest)."""
    kept = [v for v in old if holds(new, v)]
    return same(new[: len(kept)], kept) and not any(holds(old, v) for v in new[len(kept) :])


def _problem(content: bytes, rel: str, config: Config, sprint: bool) -> str | None:
    """Why `content` is not a valid item (or sprint) file at `rel` (None when it is)."""
    data = yamlio.fast_load(content)
    if data is not None and not _problems(data, rel, config, _nowhere, sprint):
        return None
    try:
        doc = yamlio.read_document(content, rel)
    except InvalidDataError as exc:
        return _first(exc.diagnostics, exc.message)

    def locate(loc: Sequence[str | int], key: bool) -> tuple[int, int]:
        return doc.position(loc, key=key)

    found = _problems(doc.to_plain(), rel, config, locate, sprint)
    return _first(found, "") if found else None


def _problems(
    data: dict[str, Any], rel: str, config: Config, locate: Locator, sprint: bool
) -> list[Diagnostic]:
    if sprint:
        return validate_sprint(data, rel, locate).diagnostics
    return validate_item(data, config, rel, locate).diagnostics + file_name_problems(
        data, rel, locate
    )


def _nowhere(loc: Sequence[str | int], key: bool) -> tuple[int, int]:
    return 1, 1


def _first(diagnostics: Sequence[Diagnostic], fallback: str) -> str:
    return diagnostics[0].format() if diagnostics else fallback


def _with_markers(ours: bytes, theirs: bytes, labels: Labels, newline: str) -> bytes:
    """Our text, with the lines where theirs differs shown both ways between markers."""
    mine = yamlio.lines(ours.decode("utf-8"))
    yours = yamlio.lines(theirs.decode("utf-8"))
    size = labels.marker_size
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, mine, yours, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out += mine[i1:i2]
            continue
        out.append(f"{'<' * size} {labels.ours}{newline}")
        out += _ended(mine[i1:i2], newline)
        out.append(f"{'=' * size}{newline}")
        out += _ended(yours[j1:j2], newline)
        out.append(f"{'>' * size} {labels.theirs}{newline}")
    return "".join(out).encode("utf-8")


def _ended(lines: list[str], newline: str) -> list[str]:
    """Lines that each end with a line break (a file's last line may not)."""
    return [line if line.endswith("\n") else line + newline for line in lines]

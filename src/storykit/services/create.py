"""Creating items: `storykit story|tech|spike|epic|task new`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from storykit import clock, yamlio
from storykit.errors import BusyError, InvalidDataError, StorykitError, UsageError
from storykit.model.catalogue import FIELDS, ITEM_TYPES, required_fields, type_fields
from storykit.model.ids import mint_id
from storykit.model.relations import article
from storykit.model.values import ValueProblem, is_list_field, parse_scalar
from storykit.services.ranking import Placement, rank_for_new
from storykit.services.workspace import CommitOptions, Outcome, Plan, Workspace
from storykit.storage.atomic import Changeset
from storykit.storage.store import StoredItem

STAND_IN = "-0000"  # the code of a new item until its ID is minted under the lock
STAND_IN_RANK = "a0"


def resolve_reference(ws: Workspace | None, name: str, value: Any) -> Any:
    """A short ID given for a reference field (`parent=7k`) → the full ID of that item."""
    spec = FIELDS.get(name)
    if ws is None or spec is None or not spec.refers:
        return value
    return ws.store.ids_for(str(value))


def missing_fields(item_type: str, values: dict[str, Any]) -> list[str]:
    """Required fields the user has not given (those storykit fills in do not count)."""
    return [
        name
        for name in required_fields(item_type)
        if not FIELDS[name].auto and values.get(name) in (None, "", [])
    ]


def typed_values(raw: dict[str, Any], ws: Workspace | None = None) -> dict[str, Any]:
    """Command-line text → typed values; lists take one element per repeated option.

    References to other items may be short (`7k2m`): they are resolved to full IDs.
    """
    typed: dict[str, Any] = {}
    problems: list[str] = []
    for name, value in raw.items():
        if value is None or value == []:
            continue
        try:
            if is_list_field(name):
                items = value if isinstance(value, list) else [value]
                typed[name] = [
                    resolve_reference(ws, name, parse_scalar(name, str(v))) for v in items
                ]
            else:
                typed[name] = resolve_reference(ws, name, parse_scalar(name, str(value)))
        except ValueProblem as exc:
            problems.append(str(exc))
    if problems:
        raise InvalidDataError("invalid values:\n  " + "\n  ".join(problems))
    return typed


def value_problems(ws: Workspace, item_type: str, name: str, text: str) -> list[str]:
    """What is wrong with `text` as the `name` of a new item of this type, in the words a
    full validation uses (an empty list: nothing). For asking again at a prompt."""
    try:
        typed = typed_values({name: [text] if FIELDS[name].many else text}, ws)
    except StorykitError as exc:
        return [line.strip() for line in exc.message.splitlines()[1:]] or [exc.message]
    config = ws.project.config
    fields = {
        "id": config.prefix + STAND_IN,
        "type": item_type,
        "title": "title",
        "status": config.workflow.initial,
        "rank": STAND_IN_RANK,
        **typed,
    }
    document, path = ws.new_item_document(fields, "\n")
    try:
        ws.store.validate_document(document, path)
    except InvalidDataError as exc:
        return [
            d.message for d in exc.diagnostics if d.message.startswith((f"{name}:", f"{name}["))
        ]
    return []


def create_item(
    ws: Workspace,
    item_type: str,
    raw_values: dict[str, Any],
    options: CommitOptions,
    *,
    edit: bool = False,
    placement: Placement | None = None,
) -> Outcome:
    """Write a new item file at the bottom of the backlog, in one commit."""
    if item_type not in ITEM_TYPES:
        raise UsageError(f"unknown item type {item_type!r}")
    values = typed_values(raw_values, ws)
    missing = missing_fields(item_type, values)
    if missing:
        flags = ", ".join("--" + name.replace("_", "-") for name in missing)
        raise UsageError(
            f"{article(item_type)} needs {', '.join(missing)}",
            hint=f"give {flags} (you are asked for them when run in a terminal)",
        )
    store = ws.store
    config = ws.project.config
    # The ID and rank are settled under the lock, so that two `new` at once take neither
    # the same ID nor the same key. Until then the file is built and validated (every
    # problem reported before anything else happens) with stand-ins, or, when the editor
    # shows it, with the ID and rank the backlog gives it now.
    provisional_id = mint_id(config.prefix, store.ids()) if edit else config.prefix + STAND_IN
    provisional = rank_for_new(ws, provisional_id, placement) if edit else STAND_IN_RANK
    fields: dict[str, Any] = {
        "id": provisional_id,
        "type": item_type,
        "title": values.pop("title", ""),
        "status": config.workflow.initial,
        "rank": provisional,
        "created": clock.today(),
    }
    fields.update(values)
    what = f"the {item_type}"
    if not edit:
        ws.new_item(fields, what, newline="\n")  # every problem reported before the lock
        return ws.apply(_creation(ws, fields, what, placement), options)
    path, content, item = ws.new_item(fields, what)
    ws.preflight(options)

    def validate(body: bytes) -> StoredItem:
        # Validating against the current name also proves the id was left alone.
        doc = yamlio.read_document(body, ws.project.rel(path))
        return ws.store.renamed_for_title(ws.store.validate_document(doc, path))

    from storykit.services.editing import EditSession  # the editor: only with --edit

    with EditSession(path.name, "give the fields as options, without --edit") as session:
        content, edited = session.edit_until_valid(content, validate)
        if edited is not None:
            item = edited
            path = item.path

        def build() -> Plan:
            if item.id in store.ids(fresh=True):
                raise BusyError(f"{item.id} was just taken by another command", hint="run it again")
            rank = rank_for_new(ws, item.id, placement)  # reads the order only for a place
            final_content, final_item = content, item
            if item.model.rank == provisional != rank:  # a rank typed in the editor is kept
                document = yamlio.read_document(content, ws.project.rel(path))
                document.set("rank", rank, type_fields(item_type))
                final_content = document.dump()
                final_item = store.validate_document(document, path)
            changes = Changeset()
            changes.write(path, final_content, expected=None)
            return Plan(changes, "new", final_item)

        return ws.apply(build, options)


def _creation(
    ws: Workspace, fields: dict[str, Any], what: str, placement: Placement | None
) -> Callable[[], Plan]:
    """The change that writes a new item, its ID and rank settled under the lock."""

    def build() -> Plan:
        # A capture reads no other item (docs/architecture.md, "Ranking"): the folder's names
        # give a fresh ID and the files that may hold the same title; its key is the moment
        # (`rank_for_new`) unless a place is asked for, which reads the order index.
        new_id = mint_id(ws.project.config.prefix, ws.store.ids(fresh=True))
        rank = rank_for_new(ws, new_id, placement)
        path, content, item = ws.new_item({**fields, "id": new_id, "rank": rank}, what)
        changes = Changeset()
        changes.write(path, content, expected=None)
        return Plan(changes, "new", item, notes=same_title(ws, item))

    return build


def same_title(ws: Workspace, item: StoredItem) -> list[str]:
    """A note when an open item of the new item's type already has its title (any case,
    spaces aside): perhaps it was captured twice. The new one is made all the same.

    Only the files named with the same slug are read: a title is in its file's name
    (storykit renames the file when it changes the title), so a title changed by hand
    without renaming the file is not compared."""
    closed = ws.project.config.workflow.closed
    wanted = " ".join(str(item.model.title).split()).casefold()
    found = sorted(
        summary["id"]
        for summary in ws.store.named_alike(item.rel.rpartition("/")[2])
        if summary["id"] != item.id
        and summary.get("type") == item.type
        and summary.get("status") not in closed
        and " ".join(str(summary.get("title", "")).split()).casefold() == wanted
    )
    if not found:
        return []
    return [
        f"note: {', '.join(found)} {'has' if len(found) == 1 else 'have'} the same title "
        f"(open, {item.type}): `storykit show {found[0]}`; `storykit rm {item.id}` if this "
        "one is a duplicate"
    ]

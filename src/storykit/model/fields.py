"""Field names, kinds and help per item type — light enough for the CLI to import at start.

`tests/test_model.py` proves these tables agree with the Pydantic models in `items.py`.
"""

from __future__ import annotations

ITEM_TYPES = ("epic", "story", "tech", "spike", "task")
TECH_CATEGORIES = (
    "refactor",
    "infrastructure",
    "integration",
    "test-coverage",
    "performance",
    "security",
    "other",
)
SPIKE_KINDS = ("technical", "functional", "proof-of-concept")

COMMON_FIELDS = (
    "id", "type", "title", "status", "rank", "created", "points", "value", "risk", "parent",
    "depends_on", "sprint", "owner", "tags", "description", "notes", "split_from", "split_into",
)  # fmt: skip
TYPE_FIELDS: dict[str, tuple[str, ...]] = {
    "story": (*COMMON_FIELDS, "as_a", "i_want", "so_that", "acceptance_criteria"),
    "tech": (*COMMON_FIELDS, "why", "category", "supports", "acceptance_criteria"),
    "spike": (
        *COMMON_FIELDS,
        "question",
        "kind",
        "timebox",
        "started",
        "outcome",
        "decision",
        "follow_ups",
    ),
    "epic": (*COMMON_FIELDS, "goal"),
    "task": COMMON_FIELDS,
}
# Every item always has these.
ALWAYS_REQUIRED = ("id", "type", "title", "status", "rank")
# A type's own required fields: a draft may leave them empty (a spike's follow-up stories
# start as drafts to be filled in), every later status needs them; `new` asks for them.
TYPE_REQUIRED: dict[str, tuple[str, ...]] = {
    "story": ("as_a", "i_want", "so_that"),
    "tech": ("why",),
    "spike": ("question", "timebox"),
    "epic": ("goal",),
    "task": ("parent",),
}
REQUIRED: dict[str, tuple[str, ...]] = {
    item_type: ALWAYS_REQUIRED + fields for item_type, fields in TYPE_REQUIRED.items()
}

# How a field's value is written on the command line (`set`, `new` options).
FIELD_KINDS: dict[str, str] = {
    "id": "id",
    "type": "choice",
    "title": "line",
    "status": "line",
    "rank": "line",
    "created": "date",
    "points": "number",
    "value": "int",
    "risk": "int",
    "parent": "id",
    "depends_on": "id-list",
    "sprint": "line",
    "owner": "line",
    "tags": "list",
    "description": "text",
    "notes": "text",
    "as_a": "line",
    "i_want": "text",
    "so_that": "text",
    "acceptance_criteria": "list",
    "why": "text",
    "category": "choice",
    "supports": "id-list",
    "question": "text",
    "kind": "choice",
    "timebox": "line",
    "started": "datetime",
    "outcome": "text",
    "decision": "text",
    "follow_ups": "id-list",
    "goal": "text",
    "split_from": "id",
    "split_into": "id-list",
}
LIST_KINDS = ("list", "id-list")
CHOICES: dict[str, tuple[str, ...]] = {
    "type": ITEM_TYPES,
    "category": TECH_CATEGORIES,
    "kind": SPIKE_KINDS,
}
# Option names that differ from the field name (singular for repeated options).
OPTION_NAMES = {"tags": "--tag", "follow_ups": "--follow-up"}
FIELD_HELP: dict[str, str] = {
    "points": "Estimate on the configured scale (default 1 2 3 5 8 13).",
    "value": "Business value, 1-10.",
    "risk": "Risk the item removes, 1-10.",
    "parent": "Parent item: an epic (a task's parent is a story or tech).",
    "depends_on": "An item that must be done first (repeatable).",
    "sprint": "Sprint name.",
    "owner": "Who owns it.",
    "tags": "A tag (repeatable: --tag ux --tag api).",
    "description": "Longer description.",
    "notes": "Free notes.",
    "as_a": "Story: the role — As a …",
    "i_want": "Story: the want — I want …",
    "so_that": "Story: the benefit — so that …",
    "acceptance_criteria": "An acceptance criterion (repeatable).",
    "why": "Tech: why this technical work is needed.",
    "category": "Tech: " + ", ".join(TECH_CATEGORIES) + ".",
    "supports": "Tech: a story it enables (repeatable).",
    "question": "Spike: the question it answers.",
    "kind": "Spike: " + ", ".join(SPIKE_KINDS) + ".",
    "timebox": "Spike: time limit like 4h, 2d or 1w.",
    "started": "Spike: when it started (set automatically when it goes in progress).",
    "outcome": "Spike: what was learned.",
    "decision": "Spike: what was decided.",
    "follow_ups": "Spike: an item its outcome produced (repeatable).",
    "goal": "Epic: the goal.",
    "split_from": "The item this one was split from (set by `storykit split`).",
    "split_into": "The parts this item was split into (set by `storykit split`).",
}

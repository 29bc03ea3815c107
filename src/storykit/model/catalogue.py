"""The catalogue: every item type and every field, declared once.

Everything else that names a type or a field derives from here — the Pydantic models
(`model/items.py`), values typed on the command line, validation messages, the settings'
built-in names, `check`'s reference and parent rules, the gates, the `new` commands'
options and help, output styles, the lean paths, the cache summary, the JSON Schema, and
how branches merge a field. Plain data and the standard library only: the command line
reads it at start-up. `tests/test_catalogue.py` walks it and checks every derived surface.

Adding a field: one `FieldSpec` in `FIELDS`, its name in `COMMON` or a type's `fields`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal, NamedTuple

# How a value is written, read and checked. A field holding several values is `many`.
Kind = Literal[
    "id", "type", "line", "text", "status", "rank", "number", "score", "date", "datetime",
    "choice", "timebox", "tag",
]  # fmt: skip
# How two branches' changes to a field combine (the merge driver reads this).
Merge = Literal["scalar", "set", "sequence", "text"]


class KindSpec(NamedTuple):
    """What every field of a kind shares."""

    metavar: str  # in `--help`
    message: str  # what a value of the wrong shape is told
    example: str = ""  # shown when asked for one: `timebox (e.g. 4h, 2d, 1w):`


KINDS: dict[str, KindSpec] = {
    "id": KindSpec("ID", "must be an ID like SK-7K2M", "SK-7K2M"),
    "type": KindSpec("TYPE", "must be one of {choices}"),
    "line": KindSpec("TEXT", "must be one line of text"),
    "text": KindSpec("TEXT", "must be text"),
    "status": KindSpec("STATUS", "must be a status of the workflow"),
    "rank": KindSpec("KEY", "must be a rank key of letters and digits"),
    "number": KindSpec("N", "must be a number", "3"),
    "score": KindSpec("1-10", "must be a whole number from 1 to 10", "1 to 10"),
    "date": KindSpec("DATE", "must be a date like 2026-11-21", "2026-11-21"),
    "datetime": KindSpec("DATE", "must be a date or a date and time like 2026-11-21 14:30:00"),
    "choice": KindSpec("CHOICE", "must be one of {choices}", "{choices}"),
    "timebox": KindSpec("4h|2d|1w", "must be a timebox like 4h, 2d or 1w", "4h, 2d, 1w"),
    "tag": KindSpec("TAG", "must be one word, without spaces or commas", "ux"),
}


class FieldSpec(NamedTuple):
    """One field of item files."""

    name: str
    kind: Kind
    help: str
    many: bool = False  # a list of values (one `- value` per line)
    required: bool = False  # every item has it, whatever its status
    auto: bool = False  # storykit sets it: `new` takes no option for it
    argument: bool = False  # `new` takes it as its argument, not as an option
    choices: tuple[str, ...] = ()
    option: str = ""  # the `new` option, when not `--name` (singular for a list)
    merge_rule: Merge | None = None  # None: by kind (see `merge`)
    split_inherited: bool = False  # the parts of a split take it from the original
    listed: bool = False  # `list` shows or filters by it: kept in the cache's summary
    need: str = ""  # as a gate says it: "needs an outcome" (default: "needs <name>")
    fix: str = ""  # the command that sets it, for a gate: `{id}` is the item's ID

    @property
    def refers(self) -> bool:
        """Whether the field holds IDs of other items."""
        return self.kind == "id" and self.name != "id"

    @property
    def merge(self) -> Merge:
        if self.merge_rule is not None:
            return self.merge_rule
        if self.many:
            return "set"
        return "text" if self.kind == "text" else "scalar"

    @property
    def assignment(self) -> str | None:
        """How `storykit set` fills it (`points=3`, `as_a="…"`), None when another command
        does (`storykit spike start`)."""
        if self.fix:
            prefix = "storykit set {id} "
            return self.fix[len(prefix) :] if self.fix.startswith(prefix) else None
        return f'{self.name}{"+" if self.many else ""}="…"'

    @property
    def option_name(self) -> str:
        return self.option or "--" + self.name.replace("_", "-")

    @property
    def needs(self) -> str:
        return self.need or f"needs {self.name.replace('_', ' ')}"

    @property
    def message(self) -> str:
        return KINDS[self.kind].message.format(choices=", ".join(self.choices))

    @property
    def prompt(self) -> str:
        """How a terminal asks for it: `timebox (e.g. 4h, 2d, 1w)`."""
        example = KINDS[self.kind].example.format(choices=", ".join(self.choices))
        label = self.name.replace("_", " ")
        if not example:
            return label
        return f"{label} ({'one of ' if self.choices else 'e.g. '}{example})"


TECH_CATEGORIES = (
    "refactor", "infrastructure", "integration", "test-coverage", "performance", "security",
    "other",
)  # fmt: skip
SPIKE_KINDS = ("technical", "functional", "proof-of-concept")

_FIELDS = (
    FieldSpec(
        "id", "id", "The item's ID; matches the file name.", required=True, auto=True, listed=True
    ),
    FieldSpec(
        "type", "type", "story, tech, spike, epic or task.", required=True, auto=True, listed=True
    ),
    FieldSpec("title", "line", "One-line title.", required=True, argument=True, listed=True),
    FieldSpec(
        "status", "status", "A status of the workflow.", required=True, auto=True, listed=True
    ),
    FieldSpec("rank", "rank", "Position in the backlog.", required=True, auto=True, listed=True),
    FieldSpec("created", "date", "When it was captured.", auto=True, listed=True),
    FieldSpec(
        "points",
        "number",
        "Estimate on the configured scale (default 1 2 3 5 8 13).",
        fix="storykit set {id} points=3",
        listed=True,
    ),
    FieldSpec("value", "score", "Business value, 1-10.", listed=True),
    FieldSpec("risk", "score", "Risk the item removes, 1-10.", listed=True),
    FieldSpec(
        "parent",
        "id",
        "Parent item: an epic (a task's parent is a story or tech).",
        split_inherited=True,
        listed=True,
    ),
    FieldSpec("depends_on", "id", "An item that must be done first (repeatable).", many=True),
    FieldSpec("sprint", "line", "Sprint name.", split_inherited=True, listed=True),
    FieldSpec("owner", "line", "Who owns it.", listed=True),
    FieldSpec(
        "tags",
        "tag",
        "A tag (repeatable: --tag ux --tag api).",
        many=True,
        option="--tag",
        split_inherited=True,
        listed=True,
    ),
    FieldSpec("description", "text", "Longer description."),
    FieldSpec("notes", "text", "Free notes."),
    FieldSpec(
        "split_from",
        "id",
        "The item this one was split from (set by `storykit split`).",
        auto=True,
    ),
    FieldSpec(
        "split_into",
        "id",
        "The parts this item was split into (set by `storykit split`).",
        many=True,
        auto=True,
    ),
    FieldSpec("as_a", "line", "Story: the role — As a …", split_inherited=True),
    FieldSpec("i_want", "text", "Story: the want — I want …", split_inherited=True),
    FieldSpec("so_that", "text", "Story: the benefit — so that …", split_inherited=True),
    FieldSpec(
        "acceptance_criteria",
        "text",
        "An acceptance criterion (repeatable).",
        many=True,
        merge_rule="sequence",
        fix='storykit set {id} acceptance_criteria+="…"',
    ),
    FieldSpec("why", "text", "Tech: why this technical work is needed."),
    FieldSpec(
        "category",
        "choice",
        "Tech: " + ", ".join(TECH_CATEGORIES) + ".",
        choices=TECH_CATEGORIES,
    ),
    FieldSpec("supports", "id", "Tech: a story it enables (repeatable).", many=True),
    FieldSpec("question", "text", "Spike: the question it answers."),
    FieldSpec("kind", "choice", "Spike: " + ", ".join(SPIKE_KINDS) + ".", choices=SPIKE_KINDS),
    FieldSpec("timebox", "timebox", "Spike: time limit like 4h, 2d or 1w.", listed=True),
    FieldSpec(
        "started",
        "datetime",
        "Spike: when it started (set automatically when it goes in progress).",
        need="records when it started",
        fix="storykit spike start {id}",
        listed=True,
    ),
    FieldSpec(
        "outcome",
        "text",
        "Spike: what was learned.",
        need="needs an outcome",
        fix='storykit spike close {id} --outcome "what we learned"',
    ),
    FieldSpec("decision", "text", "Spike: what was decided."),
    FieldSpec(
        "follow_ups",
        "id",
        "Spike: an item its outcome produced (repeatable).",
        many=True,
        option="--follow-up",
    ),
    FieldSpec("goal", "text", "Epic: the goal."),
)
FIELDS: dict[str, FieldSpec] = {spec.name: spec for spec in _FIELDS}

# Sprint files (`<backlog>/sprints/<slug>.yaml`, one per sprint) are declared the same way:
# their model, validation messages and key order derive from these.
_SPRINT_FIELDS = (
    FieldSpec(
        "name", "line", "The sprint's name: what items' `sprint:` holds.", required=True,
        argument=True,
    ),
    FieldSpec("start", "date", "The sprint's first day.", required=True),
    FieldSpec("end", "date", "The sprint's last day.", required=True),
    FieldSpec("goal", "text", "What the sprint is for."),
    FieldSpec("capacity", "number", "The points the team can take on in it."),
    FieldSpec("started", "datetime", "When it was started (`storykit sprint start`).", auto=True),
    FieldSpec("closed", "datetime", "When it was closed (`storykit sprint close`).", auto=True),
)  # fmt: skip
SPRINT_FIELDS: dict[str, FieldSpec] = {spec.name: spec for spec in _SPRINT_FIELDS}
SPRINT_ORDER = tuple(SPRINT_FIELDS)

# Every item has these, in this order; a type's own fields follow.
COMMON = (
    "id", "type", "title", "status", "rank", "created", "points", "value", "risk", "parent",
    "depends_on", "sprint", "owner", "tags", "description", "notes", "split_from", "split_into",
)  # fmt: skip


class TypeSpec(NamedTuple):
    """One item type."""

    name: str
    help: str
    example: str
    style: str  # how a terminal shows its name
    fields: tuple[str, ...] = ()  # its own fields, after COMMON
    required: tuple[str, ...] = ()  # its own required fields: only a draft leaves them out
    parents: tuple[str, ...] = ()  # the types its parent may have
    # Workflow role (ready, in_progress, done) → fields an item needs to reach it.
    gates: Mapping[str, tuple[str, ...]] = MappingProxyType({})

    @property
    def model_name(self) -> str:
        return self.name.capitalize()

    @property
    def article(self) -> str:
        return "an" if self.name[0] in "aeiou" else "a"


_TYPES = (
    TypeSpec(
        "epic",
        "An epic: a large goal that groups stories, technical stories and spikes.",
        'storykit epic new "Emoji support" --goal "People can express emotions"',
        "bold green",
        fields=("goal",),
        required=("goal",),
    ),
    TypeSpec(
        "story",
        "A user story: As a …, I want … so that …",
        'storykit story new "Send emojis in messages" --as-a user '
        '--i-want "to send emojis" --so-that "I can express emotions"',
        "bold blue",
        fields=("as_a", "i_want", "so_that", "acceptance_criteria"),
        required=("as_a", "i_want", "so_that"),
        parents=("epic",),
        gates={"ready": ("acceptance_criteria", "points")},
    ),
    TypeSpec(
        "tech",
        "A technical story: refactoring, infrastructure, integration, test coverage…",
        'storykit tech new "Store messages as utf8mb4" --why "emoji need 4-byte UTF-8"',
        "magenta",
        fields=("why", "category", "supports", "acceptance_criteria"),
        required=("why",),
        parents=("epic",),
    ),
    TypeSpec(
        "spike",
        "A spike: timeboxed research whose outcome is written down.",
        'storykit spike new "Which emoji encoding?" --question "…" --timebox 2d',
        "yellow",
        fields=("question", "kind", "timebox", "started", "outcome", "decision", "follow_ups"),
        required=("question", "timebox"),
        parents=("epic",),
        gates={"in_progress": ("started",), "done": ("outcome",)},
    ),
    TypeSpec(
        "task",
        "A task: a subtask of a story or technical story.",
        'storykit task new "Add emoji picker" --parent SK-7K2M',
        "white",
        required=("parent",),
        parents=("story", "tech"),
    ),
)
TYPES: dict[str, TypeSpec] = {spec.name: spec for spec in _TYPES}
ITEM_TYPES = tuple(TYPES)  # story, tech, spike, epic, task as `type:` values and commands
ALWAYS_REQUIRED = tuple(name for name in COMMON if FIELDS[name].required)
REFERENCE_FIELDS = tuple(name for name, spec in FIELDS.items() if spec.refers)
SPLIT_INHERITED = tuple(name for name, spec in FIELDS.items() if spec.split_inherited)


def type_fields(item_type: str) -> tuple[str, ...]:
    """Every field of a type, in the order files are written."""
    return COMMON + TYPES[item_type].fields


def required_fields(item_type: str) -> tuple[str, ...]:
    """What an item of this type needs past its first status (the first ones always)."""
    return ALWAYS_REQUIRED + TYPES[item_type].required


def option_fields(item_type: str) -> list[str]:
    """The fields of a type that `new` takes as options (the title is its argument)."""
    return [
        name for name in type_fields(item_type) if not (FIELDS[name].auto or FIELDS[name].argument)
    ]


def option_name(name: str) -> str:
    """The option of a field on the command line: `as_a` → `--as-a`, `tags` → `--tag`."""
    return FIELDS[name].option_name

"""`storykit schema`: a JSON Schema of the item files, for editors and other tools.

Generated from the Pydantic models, then given what only the project's config knows:
the workflow's statuses, the points scale, custom fields, `x-` keys, and the rule that
only a draft or a dropped item may leave its type's own fields out.
"""

from __future__ import annotations

import json
from typing import Any

from storykit.config import Config
from storykit.model.catalogue import TYPES
from storykit.model.items import MODELS, item_adapter

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def item_schema(config: Config) -> dict[str, Any]:
    schema = item_adapter().json_schema()
    definitions = schema.get("$defs", {})
    for item_type, model in MODELS.items():
        definition = definitions[model.__name__]
        properties = definition["properties"]
        properties["status"] = {"type": "string", "enum": list(config.workflow.statuses)}
        properties["points"] = {
            "anyOf": [{"enum": list(config.points)}, {"type": "null"}],
            "default": None,
        }
        for name in config.custom_fields:
            properties[name] = {"description": "custom field from .storykit.toml"}
        definition["patternProperties"] = {"^x-": {}}
        definition["additionalProperties"] = False
        definition["if"] = {
            "properties": {
                "status": {"not": {"enum": [config.workflow.initial, config.workflow.dropped]}}
            },
            "required": ["status"],
        }
        definition["then"] = {"required": list(TYPES[item_type].required)}
    schema["$schema"] = SCHEMA_DIALECT
    schema["title"] = "storykit backlog item"
    schema["description"] = "One backlog item file of storykit (backlog/<ID>-<slug>.yaml)."
    return schema


def schema_text(config: Config) -> str:
    return json.dumps(item_schema(config), indent=2, ensure_ascii=False) + "\n"

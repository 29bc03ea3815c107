"""File names: `<ID>-<slug>.yaml`, and reading the ID back out of a name."""

from __future__ import annotations

import re
import unicodedata

from storykit.model.ids import ID_PATTERN

SLUG_MAX = 50
SUFFIX = ".yaml"
_NAME_RE = re.compile(rf"^({ID_PATTERN})(?:-[a-z0-9-]*)?\.yaml$")


def slugify(title: str) -> str:
    """Lowercase ASCII words joined by `-`, at most 50 characters, cut at a word end."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > SLUG_MAX:
            if not slug:
                slug = word[:SLUG_MAX]
            break
        slug = candidate
    return slug


def file_name(item_id: str, title: str) -> str:
    slug = slugify(title)
    return f"{item_id}-{slug}{SUFFIX}" if slug else f"{item_id}{SUFFIX}"


def id_from_file_name(name: str) -> str | None:
    """The `<ID>` part of an item file name, or None if the name is not one."""
    match = _NAME_RE.match(name)
    return match.group(1) if match else None

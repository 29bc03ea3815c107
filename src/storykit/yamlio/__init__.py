"""YAML 1.2 in and out: the only package that imports ruamel.yaml (lazily). Imports only
the bottom floor (errors, locations).

`strict` reads item-file bytes under the reading rules; `document` edits a file
round-trip; `fast` is the C loader where it reads exactly as the strict reader does.
"""

from storykit.yamlio.document import Document, lines, new_document, read_document
from storykit.yamlio.fast import fast_load, fast_loader_available, nesting_bound
from storykit.yamlio.plain import plain_position
from storykit.yamlio.strict import (
    CONFLICT_MARKER,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    decode_text,
    nfc,
    to_plain,
)

__all__ = [
    "CONFLICT_MARKER",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "Document",
    "decode_text",
    "fast_load",
    "fast_loader_available",
    "lines",
    "nesting_bound",
    "new_document",
    "nfc",
    "plain_position",
    "read_document",
    "to_plain",
]

"""What the model reads of the project's settings, as protocols: `config.py` builds the
settings on top of the catalogue, so the model names only these shapes and never imports
it (docs/architecture.md, "Layers")."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class Workflow(Protocol):
    """The workflow's statuses and the role each plays."""

    @property
    def statuses(self) -> Sequence[str]: ...
    @property
    def initial(self) -> str: ...
    @property
    def ready(self) -> str: ...
    @property
    def in_progress(self) -> str: ...
    @property
    def done(self) -> str: ...
    @property
    def dropped(self) -> str: ...
    @property
    def closed(self) -> tuple[str, str]: ...


class Settings(Protocol):
    """The settings validation and refinement read."""

    @property
    def workflow(self) -> Workflow: ...
    @property
    def points(self) -> Sequence[int | float]: ...
    @property
    def stale_draft_days(self) -> int: ...
    @property
    def stale_days(self) -> int: ...

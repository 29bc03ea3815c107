"""The backlog on disk: the item store and its read caches, sprint files, the backlog at a
revision, validation, atomic writes and the lock. Imports model/, yamlio/, repository/ and
the bottom floor; never services/ or cli/."""

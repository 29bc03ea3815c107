"""Merging an item file's three versions field by field (`files`), and the short-lived
helper process that keeps the libraries loaded for the driver (`helper`). Imports storage/,
model/, yamlio/ and the bottom floor; never services/ or cli/."""

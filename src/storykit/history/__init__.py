"""Answers read from git history: the timeline of dated changes, items' places at a
revision, and the reports' kept answers. Imports storage/, repository/, model/ and the
bottom floor; never services/ or cli/."""

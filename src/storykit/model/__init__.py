"""Plain data: item models, IDs, file names and workflow rules. No files, no git."""

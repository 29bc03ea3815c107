"""Use cases: create, change, check, query, merge, report. No printing; results are plain
data. Imports the mechanisms (storage/, history/, merging/, repository/) and model/."""

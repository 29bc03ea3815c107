"""Use cases: create, change, check, query, init. No printing; results are plain data."""

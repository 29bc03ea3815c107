"""Plain data and pure computations: the catalogue, item and sprint models, IDs, values,
workflow rules, scores, rank keys. Imports only the bottom floor: no files, no git."""

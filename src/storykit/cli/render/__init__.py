"""How answers are shown: text on a terminal (Rich only in output.py), aligned columns,
Markdown for comments, the JSON envelope, charts. Imports services/ types and below;
never the command modules."""

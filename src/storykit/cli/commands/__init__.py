"""The command groups: each Typer function reads options, calls one service and renders
its result through render/. Imported by app.py alone."""

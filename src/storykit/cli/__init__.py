"""The command line: app.py, main.py and options.py here, the command groups in commands/,
how answers are shown in render/, the lean paths in lean/. Imports services/ and below."""

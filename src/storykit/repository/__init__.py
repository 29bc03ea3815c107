"""git, behind one package: `runner` runs it (through GitPython, the one module importing
it), `state` reads what a change depends on, `commit` is the commit protocol and `history`
reads the past."""

"""git, behind one package (GitPython only in `runner`): the repository's state, the commit
protocol, its past, conflicts. Imports the bottom floor, model/ and storage's lock."""

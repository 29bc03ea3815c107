"""git, behind one package (started only by `runner`): the repository's state, the commit
protocol, its past, conflicts. Imports the bottom floor, model/ and storage's lock."""

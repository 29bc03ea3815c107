"""git, behind one package (GitPython only in `runner`): the repository's state, the commit
protocol, its past, conflicts. Imports the bottom floor and model/; never storage/."""

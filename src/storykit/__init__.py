"""storykit: an agile backlog that lives in the git repository it describes."""

__version__ = "0.1.0"

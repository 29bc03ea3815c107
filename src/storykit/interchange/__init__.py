"""Other tools' formats: reading GitHub's and Jira's exports and Backlog.md folders into
neutral records (records.py), and writing storykit's items out in their formats. No
storykit service here: services/importing.py turns records into items."""

"""The lean paths: `list`, `TYPE new`, completion, the merge driver, a kept report and
`rank --suggest` answered without Typer. Import render/ and services/; never Typer."""

"""The browser's face of the backlog: `storykit serve` (a board on loopback) and `storykit
export html`. A second face on the same services as the command line; the web stack
(Starlette, uvicorn, Jinja2, watchfiles) lives here alone
(docs/architecture.md, "The browser board")."""

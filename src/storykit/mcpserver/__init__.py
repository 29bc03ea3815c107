"""The MCP server coding agents talk to (`storykit mcp`): tools.py says what each tool
does through the services, server.py serves them with the official MCP SDK. Beside cli/
and web/, and started by the command line."""

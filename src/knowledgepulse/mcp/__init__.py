"""The KnowledgePulse MCP server (built on the official `mcp` SDK); arrives with a later issue."""

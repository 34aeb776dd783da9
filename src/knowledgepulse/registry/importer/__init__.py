"""Import proxy: Notion and Confluence pages to a ParseResult, behind an SSRF guard (§8.12)."""

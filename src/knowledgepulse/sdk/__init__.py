"""Client-side SDK: models, SKILL.md, validation and utilities usable without the server."""

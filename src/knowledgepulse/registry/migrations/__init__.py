"""Alembic scripts for the registry schema; run them via `knowledgepulse.registry.db.migrate`."""

"""API keys: creation, verification and revocation (data-model.md §17)."""

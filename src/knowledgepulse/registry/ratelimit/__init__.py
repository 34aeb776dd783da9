"""SQL state for rate limiting when Redis is absent (data-model.md §13.5)."""

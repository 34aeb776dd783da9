"""The durable audit log with its 90-day retention (data-model.md §14)."""

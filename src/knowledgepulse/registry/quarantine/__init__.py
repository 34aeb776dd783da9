"""Security reports and the quarantine lifecycle of knowledge units (data-model.md §7)."""

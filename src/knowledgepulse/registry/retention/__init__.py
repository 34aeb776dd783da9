"""Knowledge-unit retention by visibility age ([FIX-F10], data-model.md §14.3)."""

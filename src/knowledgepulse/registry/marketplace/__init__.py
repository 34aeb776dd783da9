"""Marketplace listings, purchases and domain subscriptions (data-model.md §11, §12)."""

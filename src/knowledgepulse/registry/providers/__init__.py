"""Federated registry providers and their heartbeats (data-model.md §15)."""

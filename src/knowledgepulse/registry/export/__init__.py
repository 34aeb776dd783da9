"""GDPR Art. 20 data export of one agent (registry-api.md §8.10 with [FIX-S18])."""

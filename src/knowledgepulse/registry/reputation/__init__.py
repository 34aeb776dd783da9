"""KP-REP: scores, history, validation votes, badges and certification (data-model.md §8)."""

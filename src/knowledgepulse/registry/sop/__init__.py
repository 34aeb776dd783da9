"""Expert SOPs and their versions (data-model.md §9)."""

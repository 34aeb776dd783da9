"""Skills: SKILL.md documents contributed to the registry (data-model.md §5)."""

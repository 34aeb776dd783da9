"""Knowledge units: traces, tool-call patterns and expert SOPs as JSON-LD (data-model.md §3, §6)."""

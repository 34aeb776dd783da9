"""Reputation records (data-model.md §8.1)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["ReputationRecord"]


@dataclass(frozen=True, slots=True)
class ReputationRecord:
    """An agent's KP-REP: score never below 0, append-only history."""

    agent_id: str
    score: float = 0.0
    contributions: int = 0
    validations: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)
    created_at: str | None = None
    updated_at: str | None = None

    def to_wire(self, *, with_history: bool = True) -> dict[str, Any]:
        """The `GET /v1/reputation/{agent_id}` data object (absent fields omitted)."""
        out: dict[str, Any] = {
            "agent_id": self.agent_id,
            "score": self.score,
            "contributions": self.contributions,
            "validations": self.validations,
        }
        if with_history and self.updated_at is not None:
            out["history"] = self.history
        if self.updated_at is not None:
            out["updated_at"] = self.updated_at
        return out

"""Reputation records, badges and certification proposals (data-model.md §8.1)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["CertificationProposal", "DomainBadge", "ProposalVote", "ReputationRecord"]


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


@dataclass(frozen=True, slots=True)
class DomainBadge:
    """A badge; `granted_by` is `system`, `community-vote` or an agent id."""

    badge_id: str
    agent_id: str
    domain: str
    level: str
    granted_at: str
    granted_by: str

    def to_wire(self) -> dict[str, Any]:
        """The DomainBadge JSON object."""
        return {
            "badge_id": self.badge_id,
            "agent_id": self.agent_id,
            "domain": self.domain,
            "level": self.level,
            "granted_at": self.granted_at,
            "granted_by": self.granted_by,
        }


@dataclass(frozen=True, slots=True)
class ProposalVote:
    """One voter's weighted vote on a certification proposal."""

    voter_id: str
    approve: bool
    weight: float

    def to_wire(self) -> dict[str, Any]:
        """`{voter_id, approve, weight}`."""
        return {"voter_id": self.voter_id, "approve": self.approve, "weight": self.weight}


@dataclass(frozen=True, slots=True)
class CertificationProposal:
    """A community vote on granting `target_level` in `domain` to `agent_id`."""

    proposal_id: str
    agent_id: str
    domain: str
    target_level: str
    proposed_by: str
    status: str
    created_at: str
    closes_at: str
    votes: tuple[ProposalVote, ...] = ()

    def to_wire(self) -> dict[str, Any]:
        """The CertificationProposal JSON object, votes in voting order."""
        return {
            "proposal_id": self.proposal_id,
            "agent_id": self.agent_id,
            "domain": self.domain,
            "target_level": self.target_level,
            "proposed_by": self.proposed_by,
            "votes": [vote.to_wire() for vote in self.votes],
            "status": self.status,
            "created_at": self.created_at,
            "closes_at": self.closes_at,
        }

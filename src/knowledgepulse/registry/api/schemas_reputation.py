"""Wire models of `/v1/reputation` for the OpenAPI document (bodies are parsed by hand)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "BadgeList",
    "CertificationProposal",
    "CertifyIn",
    "CredentialOut",
    "DomainBadge",
    "EmptyIn",
    "LeaderboardPage",
    "ProposalList",
    "ProposalOut",
    "RecomputeOut",
    "ReputationOut",
    "ReputationRecord",
    "VoteIn",
    "VoteOut",
]


class _Doc(BaseModel):
    model_config = ConfigDict(extra="allow")


class _HistoryEntry(_Doc):
    timestamp: str
    delta: float
    reason: str = Field(examples=["Contributed ReasoningTrace"])


class ReputationRecord(_Doc):
    """KP-REP of one agent; unknown agents have zeros and no `history`/`updated_at`."""

    agent_id: str = Field(examples=["kp:agent:alice"])
    score: float = Field(ge=0, examples=[0.30000000000000004])
    contributions: int
    validations: int
    history: list[_HistoryEntry] | None = None
    updated_at: str | None = None


class ReputationOut(_Doc):
    """`{"data": ReputationRecord}`."""

    data: ReputationRecord


class LeaderboardPage(_Doc):
    """A page of records by score, with full histories."""

    data: list[ReputationRecord]
    total: int
    offset: int
    limit: int


class DomainBadge(_Doc):
    """A badge: automatic (`system`) or from a certification vote (`community-vote`)."""

    badge_id: str = Field(examples=["badge-kp:agent:alice-general-bronze"])
    agent_id: str
    domain: str
    level: Literal["bronze", "silver", "gold", "authority"]
    granted_at: str
    granted_by: str


class BadgeList(_Doc):
    """`{"data": [DomainBadge…]}` in grant order."""

    data: list[DomainBadge]


class _ProposalVote(_Doc):
    voter_id: str
    approve: bool
    weight: float = Field(ge=0, description="sqrt(voter score)")


class CertificationProposal(_Doc):
    """A community vote on a gold/authority badge; closes 7 days after creation."""

    proposal_id: str = Field(examples=["prop-0b7c2f4e-1d2a-4a57-9a0e-6c1f0e9d2b11"])
    agent_id: str
    domain: str
    target_level: Literal["gold", "authority"]
    proposed_by: str
    votes: list[_ProposalVote]
    status: Literal["open", "approved", "rejected"]
    created_at: str
    closes_at: str


class ProposalList(_Doc):
    """Open proposals whose window has not closed, oldest first."""

    data: list[CertificationProposal]


class ProposalOut(_Doc):
    """201 body of a new certification proposal."""

    data: CertificationProposal


class CertifyIn(_Doc):
    """Body of `POST /v1/reputation/{agent_id}/certify`."""

    domain: str
    target_level: Literal["gold", "authority"]


class VoteIn(_Doc):
    """Body of a certification vote."""

    approve: bool


class _VoteResult(_Doc):
    proposal_id: str
    vote: _ProposalVote
    total_votes: int
    status: Literal["pending", "approved", "rejected"]


class VoteOut(_Doc):
    """200 body of a vote; `status` is `pending` while the proposal stays open."""

    data: _VoteResult


class EmptyIn(_Doc):
    """No body is needed; anything sent is ignored."""


class _Recomputed(_Doc):
    agents_updated: int
    iterations: int
    converged: bool


class RecomputeOut(_Doc):
    """200 body of an EigenTrust recomputation."""

    data: _Recomputed


class CredentialOut(_Doc):
    """A signed KPReputationCredential and the registry's Ed25519 public key (hex)."""

    data: dict[str, Any] = Field(
        description="W3C-style credential with an Ed25519Signature2020-named proof "
        "(padded base64 signature over the compact JSON of the credential without `proof`)"
    )
    public_key: str = Field(pattern=r"^[0-9a-f]{64}$")

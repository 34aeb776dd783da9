"""KP-REP rules (registry-api.md §8.6, §9.9; data-model.md §8); runs in the caller's transaction.

Covers awards with automatic badges, the leaderboard, certification proposals with their
quadratic votes ([FIX-F11] expiry, [FIX-S14] no self-votes), the admin EigenTrust
recomputation, and signed credentials for certified agents (extension, data-model.md G-5).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from knowledgepulse._lib.timefmt import format_iso, parse_iso
from knowledgepulse.registry.auth.models import AuthContext
from knowledgepulse.registry.bodies import object_body
from knowledgepulse.registry.errors import (
    Forbidden,
    Invalid,
    NotFound,
    Unauthorized,
    Unavailable,
)
from knowledgepulse.registry.infra.clock import Clock, SystemClock
from knowledgepulse.registry.reputation.credentials import CredentialIssuer, subject_did
from knowledgepulse.registry.reputation.models import (
    CertificationProposal,
    DomainBadge,
    ProposalVote,
    ReputationRecord,
)
from knowledgepulse.registry.reputation.store import ReputationStore
from knowledgepulse.sdk.reputation import compute_eigentrust, create_credential, sign_credential

__all__ = ["ReputationService"]

BRONZE_CONTRIBUTIONS = 10
SILVER_CONTRIBUTIONS = 50
SILVER_VALIDATIONS = 20

CERTIFICATION_LEVELS = ("gold", "authority")
PROPOSAL_WINDOW = timedelta(days=7)
VOTE_COOLDOWN = timedelta(days=30)
QUORUM = 5
APPROVE_SHARE = 0.6
REJECT_SHARE = 0.4
EIGENTRUST_SCALE = 100
EIGENTRUST_MIN_CHANGE = 0.01
EIGENTRUST_REASON = "EigenTrust recomputation"

_CLOSED = "Proposal is no longer open for voting"


class ReputationService:
    """Awards and reads KP-REP, runs certification votes and issues credentials."""

    def __init__(
        self,
        store: ReputationStore,
        *,
        clock: Clock | None = None,
        issuer: Callable[[], CredentialIssuer] | None = None,
    ) -> None:
        self._store = store
        self._clock = clock or SystemClock()
        self._issuer = issuer

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock.time(), UTC)

    # -- records and awards ------------------------------------------------------------

    async def get(self, agent_id: str) -> ReputationRecord | None:
        """The agent's record, or None when the agent never earned anything."""
        return await self._store.get(agent_id)

    async def exists(self, agent_id: str) -> bool:
        """True when the agent has a reputation record."""
        return await self.score(agent_id) is not None

    async def score(self, agent_id: str | None) -> float | None:
        """The agent's score, or None without a record (one row; the history stays unread)."""
        if agent_id is None:
            return None
        return (await self._store.scores([agent_id])).get(agent_id)

    async def profile(self, agent_id: str) -> dict[str, Any]:
        """`GET /v1/reputation/{agent_id}` data: the record, or zeros for unknown agents."""
        record = await self._store.get(agent_id)
        return (record or ReputationRecord(agent_id=agent_id)).to_wire()

    async def award(self, agent_id: str, delta: float, reason: str) -> ReputationRecord:
        """Apply `delta` atomically and grant automatic badges when they are earned."""
        now = format_iso(self._now())
        record = await self._store.apply(agent_id, delta, reason, now)
        if "Contributed" in reason or "Created" in reason:
            await self._grant_auto_badges(record, now)
        return record

    async def _grant_auto_badges(self, record: ReputationRecord, now: str) -> None:
        if record.contributions >= BRONZE_CONTRIBUTIONS and record.score > 0:
            await self._store.grant_badge(record.agent_id, "general", "bronze", now, "system")
        if (
            record.contributions >= SILVER_CONTRIBUTIONS
            and record.validations >= SILVER_VALIDATIONS
        ):
            await self._store.grant_badge(record.agent_id, "general", "silver", now, "system")

    async def leaderboard(self, offset: int, limit: int) -> tuple[list[ReputationRecord], int]:
        """One page of records by score (ties: oldest record first) and the total."""
        return await self._store.leaderboard(offset, limit)

    async def badges(self, agent_id: str) -> list[DomainBadge]:
        """The agent's badges in grant order (empty for unknown agents)."""
        return await self._store.badges(agent_id)

    async def can_vote(self, agent_id: str) -> bool:
        """True when the agent's record is at least 30 days old (inclusive)."""
        record = await self._store.get(agent_id)
        if record is None or record.created_at is None:
            return False
        return self._now() - parse_iso(record.created_at) >= VOTE_COOLDOWN

    # -- certification -----------------------------------------------------------------

    async def open_proposals(self) -> list[CertificationProposal]:
        """Open proposals whose window has not closed, in creation order ([FIX-F11])."""
        return await self._store.open_proposals(format_iso(self._now()))

    async def propose(
        self, caller: AuthContext, agent_id: str, payload: Any
    ) -> CertificationProposal:
        """Open a certification vote (admin); duplicates of an open proposal are allowed."""
        if not caller.is_admin:
            raise Forbidden("Admin access required")
        body = object_body(payload)
        domain = body.get("domain")
        level = body.get("target_level")
        if not (isinstance(domain, str) and domain and isinstance(level, str) and level):
            raise Invalid("domain and target_level are required")
        if level not in CERTIFICATION_LEVELS:
            raise Invalid("target_level must be 'gold' or 'authority'")
        now = self._now()
        proposal = CertificationProposal(
            proposal_id=f"prop-{uuid.uuid4()}",
            agent_id=agent_id,
            domain=domain,
            target_level=level,
            proposed_by=caller.agent_id or "",
            status="open",
            created_at=format_iso(now),
            closes_at=format_iso(now + PROPOSAL_WINDOW),
        )
        await self._store.create_proposal(proposal)
        return proposal

    async def vote(self, caller: AuthContext, proposal_id: str, payload: Any) -> dict[str, Any]:
        """One quadratic vote per agent; the 5th vote decides (checks in the spec's order)."""
        if not caller.authenticated or not caller.agent_id:
            raise Unauthorized("Authentication required")
        voter = caller.agent_id
        proposal = await self._store.get_proposal(proposal_id, for_update=True)
        if proposal is None:
            raise NotFound("Proposal not found")
        now = self._now()
        if proposal.status != "open" or proposal.closes_at <= format_iso(now):
            raise Invalid(_CLOSED)
        if proposal.agent_id == voter:
            raise Forbidden("Cannot vote on your own certification")
        if not await self.can_vote(voter):
            raise Forbidden("Voter does not meet voting requirements (30-day cooldown)")
        if any(v.voter_id == voter for v in proposal.votes):
            raise Invalid("Already voted on this proposal")
        approve = object_body(payload).get("approve")
        if not isinstance(approve, bool):
            raise Invalid("approve field must be a boolean")
        voter_score = await self.score(voter) or 0.0
        vote = ProposalVote(voter_id=voter, approve=approve, weight=math.sqrt(voter_score))
        if not await self._store.add_proposal_vote(proposal_id, vote, format_iso(now)):
            raise Invalid("Already voted on this proposal")
        votes = (*proposal.votes, vote)
        status = _decide(votes)
        if status != "open":
            await self._store.set_proposal_status(proposal_id, status)
        if status == "approved":
            await self._store.grant_badge(
                proposal.agent_id,
                proposal.domain,
                proposal.target_level,
                format_iso(now),
                "community-vote",
            )
        return {
            "proposal_id": proposal_id,
            "vote": vote.to_wire(),
            "total_votes": len(votes),
            "status": "pending" if status == "open" else status,
        }

    # -- EigenTrust --------------------------------------------------------------------

    async def recompute(self, caller: AuthContext) -> dict[str, Any]:
        """Admin: move every voted-on agent's score to `100·t` when it changes by > 0.01."""
        if not caller.is_admin:
            raise Forbidden("Admin access required")
        result = compute_eigentrust(await self._store.validation_votes())
        current = await self._store.scores(list(result.scores))
        for agent_id, trust in result.scores.items():
            delta = trust * EIGENTRUST_SCALE - current.get(agent_id, 0.0)
            if abs(delta) > EIGENTRUST_MIN_CHANGE:
                await self.award(agent_id, delta, EIGENTRUST_REASON)
        return {
            "agents_updated": len(result.scores),
            "iterations": result.iterations,
            "converged": result.converged,
        }

    # -- credentials -------------------------------------------------------------------

    async def credential(self, agent_id: str, domain: str | None) -> dict[str, Any]:
        """A signed KPReputationCredential for an agent holding a gold/authority badge.

        With `domain`, the certification must be in that domain and the credential names
        it. Returns `{"credential": …, "public_key": <hex>}`.

        Raises:
            NotFound: the agent holds no (matching) certification.
            Unavailable: no signing key was wired in.
        """
        certified = [
            badge
            for badge in await self._store.badges(agent_id)
            if badge.level in CERTIFICATION_LEVELS and (domain is None or badge.domain == domain)
        ]
        if not certified:
            raise NotFound("Agent is not certified")
        if self._issuer is None:
            raise Unavailable("Credential signing is not configured")
        issuer = self._issuer()
        record = await self._store.get(agent_id) or ReputationRecord(agent_id=agent_id)
        now = format_iso(self._now())
        unsigned = create_credential(
            issuer.did,
            subject_did(agent_id),
            record.score,
            record.contributions,
            record.validations,
            domain,
            issuance_date=now,
        )
        signed = sign_credential(
            unsigned, issuer.private_key, issuer.verification_method, created=now
        )
        return {"credential": signed, "public_key": issuer.public_key.hex()}


def _decide(votes: tuple[ProposalVote, ...]) -> str:
    """`approved`/`rejected` once `QUORUM` votes are in and a share crosses its line."""
    if len(votes) < QUORUM:
        return "open"
    total = 0.0
    approving = 0.0
    for vote in votes:
        total += vote.weight
        if vote.approve:
            approving += vote.weight
    approve_share = approving / total if total > 0 else 0.0
    reject_share = (total - approving) / total if total > 0 else 0.0
    if approve_share >= APPROVE_SHARE:
        return "approved"
    if reject_share > REJECT_SHARE:
        return "rejected"
    return "open"

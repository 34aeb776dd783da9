"""SQL for KP-REP records, history, votes, badges and proposals (data-model.md §8).

Never commits; every read-modify-write is a single statement or runs under a row lock.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from knowledgepulse.registry.db import dml
from knowledgepulse.registry.db.connection import Connection
from knowledgepulse.registry.db.paging import page
from knowledgepulse.registry.db.prepared import Prepared
from knowledgepulse.registry.db.types import format_timestamp
from knowledgepulse.registry.reputation.models import (
    CertificationProposal,
    DomainBadge,
    ProposalVote,
    ReputationRecord,
)
from knowledgepulse.registry.reputation.tables import (
    badges,
    certification_proposals,
    proposal_votes,
    reputation,
    reputation_history,
    validation_votes,
)

__all__ = ["ReputationStore"]


rep = reputation.c
cp = certification_proposals.c
pv = proposal_votes.c


def _build_apply(conn: Connection) -> Any:
    stmt = dml.insert(conn, reputation).values(
        agent_id=sa.bindparam("agent_id"),
        score=sa.bindparam("initial"),
        contributions=sa.bindparam("positive"),
        validations=sa.bindparam("validated"),
        created_at=sa.bindparam("now"),
        updated_at=sa.bindparam("now"),
    )
    delta = sa.bindparam("delta", type_=sa.Float)
    return stmt.on_conflict_do_update(
        index_elements=[rep.agent_id],
        set_={
            # CASE instead of GREATEST/MAX: the two dialects spell the latter differently.
            "score": sa.case((rep.score + delta < 0, 0.0), else_=rep.score + delta),
            "contributions": rep.contributions + sa.bindparam("positive"),
            "validations": rep.validations + sa.bindparam("validated"),
            "updated_at": stmt.excluded.updated_at,
        },
    ).returning(*reputation.c)


_APPLY = Prepared(_build_apply)
_HISTORY = reputation_history.insert()
_GRANT_BADGE = Prepared(lambda conn: dml.insert(conn, badges).on_conflict_do_nothing())
_SCORE = sa.select(rep.agent_id, rep.score).where(rep.agent_id == sa.bindparam("agent_id"))
_SCORES = sa.select(rep.agent_id, rep.score).where(
    rep.agent_id.in_(sa.bindparam("agent_ids", expanding=True))
)


class ReputationStore:
    """Atomic score updates (one upsert plus one history row), badges and proposals."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def get(self, agent_id: str) -> ReputationRecord | None:
        """The record with its full history, or None."""
        stmt = sa.select(reputation).where(rep.agent_id == agent_id)
        row = (await self._conn.execute(stmt)).first()
        if row is None:
            return None
        histories = await self._histories([agent_id])
        return _record(row, histories.get(agent_id, []))

    async def apply(self, agent_id: str, delta: float, reason: str, now: str) -> ReputationRecord:
        """`score = max(0, score + delta)` and the counters, in one statement (§8.2)."""
        params = {
            "agent_id": agent_id,
            "initial": max(0.0, delta),
            "delta": delta,
            "positive": 1 if delta > 0 else 0,
            "validated": 1 if "Validated" in reason else 0,
            "now": now,
        }
        row = (await self._conn.execute(_APPLY.on(self._conn), params)).one()
        await self._conn.execute(
            _HISTORY, {"agent_id": agent_id, "timestamp": now, "delta": delta, "reason": reason}
        )
        return _record(row, [])

    async def grant_badge(
        self, agent_id: str, domain: str, level: str, now: str, granted_by: str
    ) -> bool:
        """Grant a badge unless the agent already holds it; True when newly granted."""
        params = {
            "badge_id": f"badge-{agent_id}-{domain}-{level}",
            "agent_id": agent_id,
            "domain": domain,
            "level": level,
            "granted_at": now,
            "granted_by": granted_by,
        }
        return (await self._conn.execute(_GRANT_BADGE.on(self._conn), params)).rowcount > 0

    async def leaderboard(self, offset: int, limit: int) -> tuple[list[ReputationRecord], int]:
        """One page by score descending, ties in insertion order, and the number of records."""
        order = [rep.score.desc(), rep.created_at, rep.agent_id]
        rows, total = await page(self._conn, reputation, [reputation], [], order, offset, limit)
        histories = await self._histories([row.agent_id for row in rows])
        return [_record(row, histories.get(row.agent_id, [])) for row in rows], total

    async def _histories(self, agent_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
        if not agent_ids:
            return {}
        rows = await self._conn.execute(
            sa.select(
                reputation_history.c.agent_id,
                reputation_history.c.timestamp,
                reputation_history.c.delta,
                reputation_history.c.reason,
            )
            .where(reputation_history.c.agent_id.in_(agent_ids))
            .order_by(reputation_history.c.seq)
        )
        out: dict[str, list[dict[str, Any]]] = {}
        for h in rows:
            out.setdefault(h.agent_id, []).append(
                {"timestamp": format_timestamp(h.timestamp), "delta": h.delta, "reason": h.reason}
            )
        return out

    async def scores(self, agent_ids: list[str]) -> dict[str, float]:
        """Current scores of the given agents that have a record."""
        if not agent_ids:
            return {}
        if len(agent_ids) == 1:
            rows = await self._conn.execute(_SCORE, {"agent_id": agent_ids[0]})
        else:
            rows = await self._conn.execute(_SCORES, {"agent_ids": agent_ids})
        return {row.agent_id: row.score for row in rows}

    async def validation_votes(self) -> list[dict[str, Any]]:
        """Every recorded validation vote, in insertion order (EigenTrust input)."""
        rows = await self._conn.execute(sa.select(validation_votes).order_by(validation_votes.c.id))
        return [
            {
                "validatorId": row.validator_id,
                "targetId": row.target_id,
                "unitId": row.unit_id,
                "valid": bool(row.valid),
                "timestamp": format_timestamp(row.timestamp),
            }
            for row in rows
        ]

    async def badges(self, agent_id: str) -> list[DomainBadge]:
        """The agent's badges in grant order."""
        rows = await self._conn.execute(
            sa.select(badges)
            .where(badges.c.agent_id == agent_id)
            .order_by(badges.c.granted_at, badges.c.badge_id)
        )
        return [_badge(row) for row in rows]

    async def create_proposal(self, proposal: CertificationProposal) -> None:
        """Insert a proposal without votes (ids are server-generated, so never a duplicate)."""
        await self._conn.execute(
            certification_proposals.insert().values(
                proposal_id=proposal.proposal_id,
                agent_id=proposal.agent_id,
                domain=proposal.domain,
                target_level=proposal.target_level,
                proposed_by=proposal.proposed_by,
                status=proposal.status,
                created_at=proposal.created_at,
                closes_at=proposal.closes_at,
            )
        )

    async def get_proposal(
        self, proposal_id: str, *, for_update: bool = False
    ) -> CertificationProposal | None:
        """The proposal with its votes, or None; `for_update` locks it until commit."""
        stmt = sa.select(certification_proposals).where(cp.proposal_id == proposal_id)
        if for_update:
            # Votes on one proposal queue here, so exactly one of them sees the deciding
            # count (SQLite already serialises writers).
            stmt = stmt.with_for_update()
        row = (await self._conn.execute(stmt)).first()
        if row is None:
            return None
        votes = await self._votes([proposal_id])
        return _proposal(row, votes.get(proposal_id, ()))

    async def open_proposals(self, now: str) -> list[CertificationProposal]:
        """Open proposals whose voting window has not closed, oldest first ([FIX-F11])."""
        rows = (
            await self._conn.execute(
                sa.select(certification_proposals)
                .where(cp.status == "open", cp.closes_at > now)
                .order_by(cp.created_at, cp.proposal_id)
            )
        ).all()
        votes = await self._votes([row.proposal_id for row in rows])
        return [_proposal(row, votes.get(row.proposal_id, ())) for row in rows]

    async def _votes(self, proposal_ids: list[str]) -> dict[str, tuple[ProposalVote, ...]]:
        if not proposal_ids:
            return {}
        rows = await self._conn.execute(
            sa.select(pv.proposal_id, pv.voter_id, pv.approve, pv.weight)
            .where(pv.proposal_id.in_(proposal_ids))
            .order_by(pv.voted_at, pv.voter_id)
        )
        out: dict[str, list[ProposalVote]] = {}
        for row in rows:
            out.setdefault(row.proposal_id, []).append(
                ProposalVote(voter_id=row.voter_id, approve=bool(row.approve), weight=row.weight)
            )
        return {key: tuple(value) for key, value in out.items()}

    async def add_proposal_vote(self, proposal_id: str, vote: ProposalVote, now: str) -> bool:
        """Record a vote; False when this voter already voted on the proposal."""
        stmt = (
            dml.insert(self._conn, proposal_votes)
            .values(
                proposal_id=proposal_id,
                voter_id=vote.voter_id,
                approve=vote.approve,
                weight=vote.weight,
                voted_at=now,
            )
            .on_conflict_do_nothing()
        )
        return (await self._conn.execute(stmt)).rowcount > 0

    async def set_proposal_status(self, proposal_id: str, status: str) -> None:
        """Set the status (no-op for an unknown id)."""
        await self._conn.execute(
            certification_proposals.update()
            .where(cp.proposal_id == proposal_id)
            .values(status=status)
        )


def _badge(row: Any) -> DomainBadge:
    return DomainBadge(
        badge_id=row.badge_id,
        agent_id=row.agent_id,
        domain=row.domain,
        level=row.level,
        granted_at=format_timestamp(row.granted_at),
        granted_by=row.granted_by,
    )


def _proposal(row: Any, votes: tuple[ProposalVote, ...]) -> CertificationProposal:
    return CertificationProposal(
        proposal_id=row.proposal_id,
        agent_id=row.agent_id,
        domain=row.domain,
        target_level=row.target_level,
        proposed_by=row.proposed_by,
        status=row.status,
        created_at=format_timestamp(row.created_at),
        closes_at=format_timestamp(row.closes_at),
        votes=votes,
    )


def _record(row: Any, history: list[dict[str, Any]]) -> ReputationRecord:
    return ReputationRecord(
        agent_id=row.agent_id,
        score=row.score,
        contributions=row.contributions,
        validations=row.validations,
        history=history,
        created_at=format_timestamp(row.created_at),
        updated_at=format_timestamp(row.updated_at),
    )

"""`/v1/reputation`: KP-REP, badges, certification and credentials (registry-api.md §8.6).

Static paths are declared before `/{agent_id}` so `leaderboard`, `proposals` and
`recompute` never reach the agent routes (§7, §13).
"""

from __future__ import annotations

from fastapi import APIRouter

from knowledgepulse.registry.api import schemas_reputation as schemas
from knowledgepulse.registry.api.deps import Body, Caller, QueryParams, Tx
from knowledgepulse.registry.api.docs import PAGE, Param, errors, query_params, request_body
from knowledgepulse.registry.api.responses import JSONResponse, json_response
from knowledgepulse.registry.api.routing import DirectRoute
from knowledgepulse.registry.query import first, parse_page

__all__ = ["router"]

router = APIRouter(prefix="/v1/reputation", tags=["reputation"], route_class=DirectRoute)


@router.get(
    "/leaderboard",
    response_model=schemas.LeaderboardPage,
    responses=errors(400, 429),
    openapi_extra=query_params(*PAGE),
    summary="Reputation leaderboard",
)
async def leaderboard(params: QueryParams, tx: Tx) -> JSONResponse:
    """Records by score descending (ties: oldest record first), full histories included."""
    page = parse_page(params)
    records, total = await tx.reputation.leaderboard(page.offset, page.limit)
    return json_response(page.envelope([r.to_wire() for r in records], total))


@router.get(
    "/proposals",
    response_model=schemas.ProposalList,
    responses=errors(429),
    summary="Open certification proposals",
)
async def list_proposals(tx: Tx) -> JSONResponse:
    """Proposals still open for voting (not past `closes_at`), oldest first."""
    proposals = await tx.reputation.open_proposals()
    return json_response({"data": [p.to_wire() for p in proposals]})


@router.post(
    "/proposals/{proposal_id}/vote",
    response_model=schemas.VoteOut,
    responses=errors(400, 401, 403, 404, 429),
    openapi_extra=request_body(schemas.VoteIn, {"approve": True}),
    summary="Vote on a certification proposal",
)
async def vote(proposal_id: str, caller: Caller, body: Body, tx: Tx) -> JSONResponse:
    """Weight `sqrt(score)`; needs a 30-day-old record; never on your own certification."""
    return json_response({"data": await tx.reputation.vote(caller, proposal_id, body)})


@router.post(
    "/recompute",
    response_model=schemas.RecomputeOut,
    responses=errors(403, 429),
    openapi_extra=request_body(schemas.EmptyIn, {}, required=False),
    summary="Recompute scores with EigenTrust (admin)",
)
async def recompute(caller: Caller, tx: Tx) -> JSONResponse:
    """Sets each voted-on agent's score to `100·trust` when it moves by more than 0.01."""
    return json_response({"data": await tx.reputation.recompute(caller)})


@router.get(
    "/{agent_id}",
    response_model=schemas.ReputationOut,
    responses=errors(429),
    summary="An agent's reputation",
)
async def get_reputation(agent_id: str, tx: Tx) -> JSONResponse:
    """The record with its history; zeros for an agent without one."""
    return json_response({"data": await tx.reputation.profile(agent_id)})


@router.get(
    "/{agent_id}/badges",
    response_model=schemas.BadgeList,
    responses=errors(429),
    summary="An agent's badges",
)
async def get_badges(agent_id: str, tx: Tx) -> JSONResponse:
    """Badges in grant order (empty for unknown agents)."""
    badges = await tx.reputation.badges(agent_id)
    return json_response({"data": [b.to_wire() for b in badges]})


@router.get(
    "/{agent_id}/credential",
    response_model=schemas.CredentialOut,
    responses=errors(400, 404, 429),
    openapi_extra=query_params(
        Param(
            "domain",
            "Only a certification in this domain (exact match) counts, and the "
            "credential names it; empty: any domain.",
        )
    ),
    summary="A signed reputation credential (extension)",
)
async def get_credential(agent_id: str, params: QueryParams, tx: Tx) -> JSONResponse:
    """For agents holding a gold/authority badge (in `domain`, when given)."""
    issued = await tx.reputation.credential(agent_id, first(params, "domain") or None)
    return json_response({"data": issued["credential"], "public_key": issued["public_key"]})


@router.post(
    "/{agent_id}/certify",
    status_code=201,
    response_model=schemas.ProposalOut,
    responses=errors(400, 403, 429),
    openapi_extra=request_body(schemas.CertifyIn, {"domain": "devops", "target_level": "gold"}),
    summary="Open a certification proposal (admin)",
)
async def certify(agent_id: str, caller: Caller, body: Body, tx: Tx) -> JSONResponse:
    """Starts a 7-day community vote; five votes decide it."""
    proposal = await tx.reputation.propose(caller, agent_id, body)
    return json_response({"data": proposal.to_wire()}, 201)

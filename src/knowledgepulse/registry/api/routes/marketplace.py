"""`/v1/marketplace`: listings, purchases, credits, subscriptions (registry-api.md §8.9)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from knowledgepulse.registry.api import schemas_market as schemas
from knowledgepulse.registry.api.deps import Body, Caller, QueryParams, Registry, Tx
from knowledgepulse.registry.api.docs import PAGE, Param, errors, query_params, request_body
from knowledgepulse.registry.api.responses import JSONResponse, json_response
from knowledgepulse.registry.api.routing import DirectRoute
from knowledgepulse.registry.api.schemas import ErrorOut
from knowledgepulse.registry.marketplace.models import ListingQuery
from knowledgepulse.registry.query import first, parse_page

__all__ = ["router"]

router = APIRouter(prefix="/v1/marketplace", tags=["marketplace"], route_class=DirectRoute)

_PAYMENT_REQUIRED: dict[int | str, dict[str, Any]] = {
    402: {"model": ErrorOut, "description": "Not enough credits, or no subscription"}
}
_EXAMPLE_LISTING = {
    "knowledge_unit_id": "kp:sop:4b1e9c2e-0000-4000-8000-000000000003",
    "price_credits": 10,
    "access_model": "org",
    "domain": "devops",
    "title": "Incident triage SOP",
    "description": "A proven triage procedure for production incidents",
}


@router.get(
    "/listings",
    response_model=schemas.ListingPage,
    responses=errors(400, 429),
    openapi_extra=query_params(
        Param("domain", "Exact, case-insensitive match on the listing's `domain`."),
        Param(
            "access_model",
            "Exact match on `access_model`; other values match nothing.",
            {"type": "string", "enum": ["free", "org", "subscription"]},
        ),
        Param("q", "Case-insensitive substring of `title` or `description`; empty: no filter."),
        *PAGE,
    ),
    summary="Search listings",
)
async def search_listings(params: QueryParams, tx: Tx) -> JSONResponse:
    """Filters `domain` (case-insensitive), `access_model`, `q` (title or description)."""
    page = parse_page(params)
    query = ListingQuery(
        domain=first(params, "domain") or None,
        access_model=first(params, "access_model") or None,
        q=first(params, "q") or None,
        offset=page.offset,
        limit=page.limit,
    )
    listings, total = await tx.marketplace.search(query)
    return json_response(page.envelope([item.to_wire() for item in listings], total))


@router.get(
    "/listings/{id}",
    response_model=schemas.ListingOut,
    responses=errors(404, 429),
    summary="Get a listing",
)
async def get_listing(id: str, tx: Tx) -> JSONResponse:
    """One listing."""
    return json_response({"data": (await tx.marketplace.get(id)).to_wire()})


@router.post(
    "/listings",
    status_code=201,
    response_model=schemas.ListingOut,
    responses=errors(400, 401, 403, 429),
    openapi_extra=request_body(schemas.ListingIn, _EXAMPLE_LISTING),
    summary="Create a listing",
)
async def create_listing(caller: Caller, body: Body, tx: Tx) -> JSONResponse:
    """Write scope; the caller becomes the contributor who receives payouts."""
    listing = await tx.marketplace.create_listing(caller, body)
    return json_response({"data": listing.to_wire()}, 201)


@router.get(
    "/my-listings",
    response_model=schemas.MyListingsOut,
    responses=errors(401, 429),
    summary="The caller's listings",
)
async def my_listings(caller: Caller, tx: Tx) -> JSONResponse:
    """Every listing the caller contributed, oldest first."""
    listings = await tx.marketplace.my_listings(caller)
    count = len(listings)
    data = [item.to_wire() for item in listings]
    return json_response({"data": data, "total": count, "offset": 0, "limit": count})


@router.post(
    "/purchase/{id}",
    response_model=schemas.PurchaseOut,
    responses={**errors(401, 404, 429), **_PAYMENT_REQUIRED},
    openapi_extra=request_body(schemas.PurchaseIn, {}, required=False),
    summary="Buy a listing",
)
async def purchase(id: str, caller: Caller, tx: Tx) -> JSONResponse:
    """Free, via a domain subscription, or paid: the contributor gets the revenue share."""
    return json_response(await tx.marketplace.purchase(caller, id))


@router.get(
    "/balance",
    response_model=schemas.BalanceOut,
    responses=errors(401, 429),
    summary="The caller's credit balance",
)
async def balance(caller: Caller, registry: Registry) -> JSONResponse:
    """Adds the tier's refill first when one is due (initial, then every 30 days)."""
    # A GET that may write: the refill needs a write transaction, not the read one of `Tx`.
    async with registry.unit_of_work(write=True) as tx:
        result = await tx.credits.balance(caller)
    return json_response(result.to_wire())


@router.get(
    "/earnings",
    response_model=schemas.EarningsOut,
    responses=errors(401, 429),
    summary="The caller's earnings",
)
async def earnings(caller: Caller, tx: Tx) -> JSONResponse:
    """Listing payouts and admin grants (refills are not earnings)."""
    return json_response(await tx.credits.earnings(caller))


@router.post(
    "/credits",
    response_model=schemas.CreditsOut,
    responses=errors(400, 401, 403, 409, 429),
    openapi_extra=request_body(
        schemas.CreditsIn, {"agent_id": "kp:agent:alice", "amount": 500, "reason": "Bonus"}
    ),
    summary="Adjust an agent's credits (admin)",
)
async def adjust_credits(caller: Caller, body: Body, tx: Tx) -> JSONResponse:
    """A negative amount deducts, but never below a zero balance (409)."""
    return json_response(await tx.credits.adjust(caller, body))


@router.post(
    "/subscribe",
    status_code=201,
    response_model=schemas.SubscriptionOut,
    responses={**errors(400, 401, 429), **_PAYMENT_REQUIRED},
    openapi_extra=request_body(schemas.SubscribeIn, {"domain": "devops", "credits_per_month": 50}),
    summary="Subscribe to a domain",
)
async def subscribe(caller: Caller, body: Body, tx: Tx) -> JSONResponse:
    """Charges the first month now; re-subscribing restarts the 30 days and charges again."""
    subscription = await tx.marketplace.subscribe(caller, body)
    return json_response({"data": subscription.to_wire()}, 201)


@router.delete(
    "/subscribe/{id}",
    response_model=schemas.CancelOut,
    responses=errors(401, 404, 429),
    summary="Cancel a subscription",
)
async def cancel_subscription(id: str, caller: Caller, tx: Tx) -> JSONResponse:
    """Own subscriptions only (admins: any); no refund."""
    return json_response(await tx.marketplace.cancel(caller, id))


@router.get(
    "/subscriptions",
    response_model=schemas.SubscriptionsOut,
    responses=errors(401, 429),
    summary="The caller's active subscriptions",
)
async def list_subscriptions(caller: Caller, tx: Tx) -> JSONResponse:
    """Active and unexpired only."""
    subscriptions = await tx.marketplace.subscriptions(caller)
    return json_response({"data": [s.to_wire() for s in subscriptions]})

"""Explicit route → (resource type, action) table for the audit log (§9.5, no `unknown`)."""

from __future__ import annotations

__all__ = ["ROUTE_ACTIONS", "classify", "coarse_action"]

# (method, route template) → (resource_type, action). Every route of the API is listed;
# a test checks the table covers the app's routes.
ROUTE_ACTIONS: dict[tuple[str, str], tuple[str, str]] = {
    ("GET", "/health"): ("health", "read"),
    ("POST", "/v1/auth/register"): ("api_key", "create"),
    ("POST", "/v1/auth/revoke"): ("api_key", "revoke"),
    ("GET", "/v1/skills"): ("skill", "search"),
    ("GET", "/v1/skills/{id}"): ("skill", "read"),
    ("POST", "/v1/skills"): ("skill", "create"),
    ("GET", "/v1/knowledge"): ("knowledge", "search"),
    ("GET", "/v1/knowledge/{id}"): ("knowledge", "read"),
    ("POST", "/v1/knowledge"): ("knowledge", "create"),
    ("POST", "/v1/knowledge/{id}/validate"): ("knowledge", "validate"),
    ("DELETE", "/v1/knowledge/{id}"): ("knowledge", "erase"),
    ("POST", "/v1/knowledge/{id}/report"): ("security_report", "create"),
    ("GET", "/v1/admin/quarantine"): ("quarantine", "list"),
    ("POST", "/v1/admin/quarantine/{id}/resolve"): ("quarantine", "resolve"),
    ("GET", "/v1/admin/audit"): ("audit_log", "list"),
    ("GET", "/v1/admin/skills/flagged"): ("skill", "list"),
    ("GET", "/v1/reputation/leaderboard"): ("reputation", "list"),
    ("GET", "/v1/reputation/proposals"): ("certification", "list"),
    ("POST", "/v1/reputation/proposals/{proposal_id}/vote"): ("certification", "vote"),
    ("POST", "/v1/reputation/recompute"): ("reputation", "recompute"),
    ("GET", "/v1/reputation/{agent_id}"): ("reputation", "read"),
    ("GET", "/v1/reputation/{agent_id}/badges"): ("badge", "list"),
    ("GET", "/v1/reputation/{agent_id}/credential"): ("credential", "read"),
    ("POST", "/v1/reputation/{agent_id}/certify"): ("certification", "create"),
    ("POST", "/v1/sop"): ("sop", "create"),
    ("GET", "/v1/sop"): ("sop", "search"),
    ("GET", "/v1/sop/{id}"): ("sop", "read"),
    ("PUT", "/v1/sop/{id}"): ("sop", "update"),
    ("GET", "/v1/sop/{id}/versions"): ("sop", "list_versions"),
    ("POST", "/v1/sop/{id}/approve"): ("sop", "approve"),
    ("POST", "/v1/sop/{id}/export-skill"): ("sop", "export"),
    ("DELETE", "/v1/sop/{id}"): ("sop", "delete"),
    ("GET", "/v1/sop/{id}/collaborate/presence"): ("collaboration", "read"),
    ("GET", "/v1/sop/{id}/collaborate"): ("collaboration", "read"),
    ("GET", "/v1/sop/collaborate/rooms"): ("collaboration", "list"),
    ("GET", "/v1/marketplace/listings"): ("listing", "search"),
    ("GET", "/v1/marketplace/listings/{id}"): ("listing", "read"),
    ("POST", "/v1/marketplace/listings"): ("listing", "create"),
    ("GET", "/v1/marketplace/my-listings"): ("listing", "list"),
    ("POST", "/v1/marketplace/purchase/{id}"): ("purchase", "create"),
    ("GET", "/v1/marketplace/balance"): ("credits", "read"),
    ("GET", "/v1/marketplace/earnings"): ("credits", "read"),
    ("POST", "/v1/marketplace/credits"): ("credits", "adjust"),
    ("POST", "/v1/marketplace/subscribe"): ("subscription", "create"),
    ("DELETE", "/v1/marketplace/subscribe/{id}"): ("subscription", "cancel"),
    ("GET", "/v1/marketplace/subscriptions"): ("subscription", "list"),
    ("GET", "/v1/export/{agent_id}"): ("export", "export"),
    ("GET", "/v1/providers"): ("provider", "list"),
    ("POST", "/v1/providers"): ("provider", "create"),
    ("POST", "/v1/providers/{id}/heartbeat"): ("provider", "heartbeat"),
    ("POST", "/v1/import/notion"): ("import", "import"),
    ("POST", "/v1/import/confluence"): ("import", "import"),
}

_FALLBACK_ACTIONS = {"POST": "create", "PUT": "update", "PATCH": "update", "DELETE": "delete"}


def classify(method: str, route_path: str | None) -> tuple[str, str]:
    """The audit (resource type, action) of a request; unmatched paths are `no_route`."""
    lookup_method = "GET" if method == "HEAD" else method
    if route_path is not None:
        found = ROUTE_ACTIONS.get((lookup_method, route_path))
        if found is not None:
            return found
    return ("no_route", _FALLBACK_ACTIONS.get(lookup_method, "read"))


# The stored `action` column keeps the reference's small enum (plus `rate_limited`); the
# fine-grained operation above goes into the entry's details.
_COARSE = {
    "read": "read",
    "search": "read",
    "list": "read",
    "list_versions": "read",
    "create": "create",
    "import": "create",
    "heartbeat": "update",
    "update": "update",
    "approve": "update",
    "adjust": "update",
    "resolve": "update",
    "recompute": "update",
    "delete": "delete",
    "erase": "delete",
    "cancel": "delete",
    "revoke": "delete",
    "export": "export",
    "validate": "validate",
    "vote": "validate",
    "rate_limited": "rate_limited",
}


def coarse_action(operation: str) -> str:
    """The enum value stored in `audit_log.action` for a fine-grained operation."""
    return _COARSE.get(operation, "read")

"""Audit log entries (§9.5): who did what to which resource, and how it ended."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from knowledgepulse._lib.timefmt import now_iso
from knowledgepulse.registry.audit.mapping import classify, coarse_action
from knowledgepulse.registry.auth.models import AuthContext

__all__ = ["AuditEvent"]


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One audit record, written append-only and in batches."""

    id: str
    action: str
    agent_id: str
    resource_type: str
    resource_id: str
    ip: str
    timestamp: str
    details: dict[str, Any] | None = field(default=None)

    @classmethod
    def for_request(
        cls,
        *,
        auth: AuthContext,
        address: str,
        method: str,
        path: str,
        route_path: str | None,
        status: int,
        duration_ms: float,
    ) -> AuditEvent:
        """The record of a request that reached the handler stage."""
        resource_type, operation = classify(method, route_path)
        return cls(
            id=str(uuid.uuid4()),
            action=coarse_action(operation),
            agent_id=auth.agent_id if auth.authenticated and auth.agent_id else "anonymous",
            resource_type=resource_type,
            resource_id=path,
            ip=address,
            timestamp=now_iso(),
            details={
                "operation": operation,
                "method": method,
                "status": status,
                "duration_ms": round(duration_ms, 3),
            },
        )

    @classmethod
    def rate_limited(
        cls, auth: AuthContext, address: str, method: str, path: str, identity: str
    ) -> AuditEvent:
        """The record of a 429 ([FIX-S20]: recorded for admins, never a revocation)."""
        resource_type, _ = classify(method, None)
        return cls(
            id=str(uuid.uuid4()),
            action="rate_limited",
            agent_id=auth.agent_id if auth.authenticated and auth.agent_id else "anonymous",
            resource_type=resource_type,
            resource_id=path,
            ip=address,
            timestamp=now_iso(),
            details={"method": method, "status": 429, "identifier": identity, "tier": auth.tier},
        )

    def to_wire(self) -> dict[str, Any]:
        """The admin API shape (camelCase as in the reference's entry)."""
        out: dict[str, Any] = {
            "id": self.id,
            "action": self.action,
            "agentId": self.agent_id,
            "resourceType": self.resource_type,
            "resourceId": self.resource_id,
            "ip": self.ip,
            "timestamp": self.timestamp,
        }
        if self.details:
            out["details"] = self.details
        return out

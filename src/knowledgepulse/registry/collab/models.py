"""Collaboration presence records (registry-api.md §6.1 CollaborationPeer, §8.8)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["PROTOCOL", "Peer", "Room"]

PROTOCOL = "knowledgepulse-collab-v1"


@dataclass(frozen=True, slots=True)
class Peer:
    """One open connection in a room; the same agent may hold several."""

    connection_id: str
    agent_id: str
    connected_at: str

    def to_wire(self) -> dict[str, Any]:
        """The CollaborationPeer JSON object (camelCase, as the reference sends it)."""
        return {"agentId": self.agent_id, "connectedAt": self.connected_at}


@dataclass(frozen=True, slots=True)
class Room:
    """The peers of one SOP id, in join order."""

    sop_id: str
    peers: list[Peer] = field(default_factory=list)

    def to_wire(self) -> dict[str, Any]:
        """`{sopId, peers, count}` as the presence and rooms endpoints show it."""
        return {
            "sopId": self.sop_id,
            "peers": [peer.to_wire() for peer in self.peers],
            "count": len(self.peers),
        }

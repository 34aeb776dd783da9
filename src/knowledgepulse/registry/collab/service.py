"""Collaboration presence over HTTP (registry-api.md §8.8); no database, no auth."""

from __future__ import annotations

import uuid
from typing import Any

from knowledgepulse._lib.timefmt import now_iso
from knowledgepulse.registry.collab.models import PROTOCOL, Peer, Room
from knowledgepulse.registry.collab.rooms import RoomRegistry

__all__ = ["CollabService"]


class CollabService:
    """Reads and changes room presence through the `RoomRegistry` port."""

    def __init__(self, rooms: RoomRegistry) -> None:
        self._rooms = rooms

    async def presence(self, sop_id: str) -> dict[str, Any]:
        """`{sopId, peers, count}` for one room (empty when nobody is connected)."""
        return Room(sop_id, await self._rooms.peers(sop_id)).to_wire()

    async def info(self, sop_id: str) -> dict[str, Any]:
        """What a client needs to connect: the WebSocket path, the protocol, the peers."""
        room = Room(sop_id, await self._rooms.peers(sop_id)).to_wire()
        return {
            "sopId": sop_id,
            "wsPath": f"/v1/sop/{sop_id}/collaborate",
            "protocol": PROTOCOL,
            "peers": room["peers"],
            "count": room["count"],
        }

    async def overview(self) -> dict[str, Any]:
        """Every open room with its peers, in creation order."""
        rooms = await self._rooms.rooms()
        return {"rooms": [room.to_wire() for room in rooms], "totalRooms": len(rooms)}

    async def connect(self, sop_id: str, agent_id: str) -> tuple[Peer, list[Peer]]:
        """Register a new connection; returns its peer record and the room's peers."""
        peer = Peer(connection_id=str(uuid.uuid4()), agent_id=agent_id, connected_at=now_iso())
        return peer, await self._rooms.join(sop_id, peer)

    async def rename(self, sop_id: str, connection_id: str, agent_id: str) -> list[Peer]:
        """Show a connection under the agent id its `join` message names."""
        return await self._rooms.set_agent(sop_id, connection_id, agent_id)

    async def disconnect(self, sop_id: str, connection_id: str) -> list[Peer]:
        """Remove a closed connection; returns the peers that remain."""
        return await self._rooms.leave(sop_id, connection_id)

"""`RoomRegistry`: who is connected to which SOP's collaboration room (§8.8).

The port is what the HTTP presence endpoints read and what the WebSocket endpoint will write
(join on connect, leave on close, `set_agent` when a client's `join` message names it).
Only presence lives here; delivering frames to the sockets of a room is a separate fan-out
concern of the WebSocket layer.

Semantics every implementation keeps:

* Rooms are keyed by an arbitrary SOP id string (the SOP need not exist). A room exists
  while it has at least one peer; the last `leave` deletes it. `rooms()` lists rooms in
  creation order, peers are listed in join order.
* A peer is one connection (`connection_id`, unique per process and connection); one
  agent may be in a room several times.
* Leaving, or renaming, an unknown connection is a no-op that returns the current peers.

`InProcessRoomRegistry` keeps the state in this process, which is right for one worker. A
Redis implementation for several workers can follow the same contract: per room a hash
`<prefix>collab:room:<sopId>` (connection id → peer JSON) plus a sorted set of connection
ids scored by join order, a sorted set `<prefix>collab:rooms` scored by room creation, and
each join/leave done in one Lua script so "delete the room when empty" stays atomic.
Connection ids must then include a worker id, and a worker must remove its peers on
shutdown (or they expire with a heartbeat TTL), since a crashed worker cannot say goodbye.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from knowledgepulse.registry.collab.models import Peer, Room

__all__ = ["InProcessRoomRegistry", "RoomRegistry"]


@runtime_checkable
class RoomRegistry(Protocol):
    """Presence per SOP room; see the module docstring for the shared semantics."""

    async def join(self, sop_id: str, peer: Peer) -> list[Peer]:
        """Add `peer` to the room (creating it) and return all its peers, the new one last."""
        ...

    async def leave(self, sop_id: str, connection_id: str) -> list[Peer]:
        """Remove the connection (deleting an empty room) and return the remaining peers."""
        ...

    async def set_agent(self, sop_id: str, connection_id: str, agent_id: str) -> list[Peer]:
        """Change the agent id a connection is shown as; returns the room's peers."""
        ...

    async def peers(self, sop_id: str) -> list[Peer]:
        """The room's peers in join order (empty for an unknown room)."""
        ...

    async def rooms(self) -> list[Room]:
        """Every non-empty room, in creation order."""
        ...


class InProcessRoomRegistry:
    """Rooms in a dict of dicts: insertion order gives creation and join order."""

    def __init__(self) -> None:
        self._rooms: dict[str, dict[str, Peer]] = {}

    async def join(self, sop_id: str, peer: Peer) -> list[Peer]:
        """Add `peer` to the room (creating it) and return all its peers, the new one last."""
        room = self._rooms.setdefault(sop_id, {})
        room.pop(peer.connection_id, None)
        room[peer.connection_id] = peer
        return list(room.values())

    async def leave(self, sop_id: str, connection_id: str) -> list[Peer]:
        """Remove the connection (deleting an empty room) and return the remaining peers."""
        room = self._rooms.get(sop_id)
        if room is None:
            return []
        room.pop(connection_id, None)
        if not room:
            del self._rooms[sop_id]
        return list(room.values())

    async def set_agent(self, sop_id: str, connection_id: str, agent_id: str) -> list[Peer]:
        """Change the agent id a connection is shown as; returns the room's peers."""
        room = self._rooms.get(sop_id, {})
        peer = room.get(connection_id)
        if peer is not None:
            # Rebuild the dict so the renamed peer keeps its place in the join order.
            self._rooms[sop_id] = {
                cid: (Peer(cid, agent_id, p.connected_at) if cid == connection_id else p)
                for cid, p in room.items()
            }
        return await self.peers(sop_id)

    async def peers(self, sop_id: str) -> list[Peer]:
        """The room's peers in join order (empty for an unknown room)."""
        return list(self._rooms.get(sop_id, {}).values())

    async def rooms(self) -> list[Room]:
        """Every non-empty room, in creation order."""
        return [Room(sop_id, list(room.values())) for sop_id, room in self._rooms.items()]

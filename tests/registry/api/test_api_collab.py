"""Collaboration presence over HTTP (registry-api.md §8.8) and the `RoomRegistry` port."""

from __future__ import annotations

from knowledgepulse.registry.collab.models import Peer
from knowledgepulse.registry.collab.rooms import InProcessRoomRegistry, RoomRegistry
from tests.registry.api._api import Api


async def test_empty_rooms_and_the_connection_info(api: Api) -> None:
    assert (await api.client.get("/v1/sop/sop-1/collaborate/presence")).json() == {
        "sopId": "sop-1",
        "peers": [],
        "count": 0,
    }
    info = await api.client.get("/v1/sop/sop-1/collaborate")
    assert info.status_code == 200
    assert info.json() == {
        "sopId": "sop-1",
        "wsPath": "/v1/sop/sop-1/collaborate",
        "protocol": "knowledgepulse-collab-v1",
        "peers": [],
        "count": 0,
    }
    assert (await api.client.get("/v1/sop/collaborate/rooms")).json() == {
        "rooms": [],
        "totalRooms": 0,
    }


async def test_the_ws_path_interpolates_the_decoded_id(api: Api) -> None:
    body = (await api.client.get("/v1/sop/kp%3Asop%3A%C3%A9t%C3%A9/collaborate")).json()
    assert body["sopId"] == "kp:sop:été"
    assert body["wsPath"] == "/v1/sop/kp:sop:été/collaborate"


async def test_presence_reflects_the_shared_room_registry(api: Api) -> None:
    collab = api.app.state.container.collab
    first, _ = await collab.connect("kp:sop:a", "kp:agent:alice")
    second, peers = await collab.connect("kp:sop:a", "kp:agent:alice")  # same agent twice
    assert [p.connection_id for p in peers] == [first.connection_id, second.connection_id]
    await collab.connect("kp:sop:b", "anonymous")
    presence = (await api.client.get("/v1/sop/kp:sop:a/collaborate/presence")).json()
    assert presence == {
        "sopId": "kp:sop:a",
        "peers": [
            {"agentId": "kp:agent:alice", "connectedAt": first.connected_at},
            {"agentId": "kp:agent:alice", "connectedAt": second.connected_at},
        ],
        "count": 2,
    }
    rooms = (await api.client.get("/v1/sop/collaborate/rooms")).json()
    assert rooms["totalRooms"] == 2
    assert [room["sopId"] for room in rooms["rooms"]] == ["kp:sop:a", "kp:sop:b"]
    assert [room["count"] for room in rooms["rooms"]] == [2, 1]

    await collab.rename("kp:sop:a", first.connection_id, "kp:agent:carol")
    peers_after = (await api.client.get("/v1/sop/kp:sop:a/collaborate")).json()["peers"]
    assert [p["agentId"] for p in peers_after] == ["kp:agent:carol", "kp:agent:alice"]

    assert await collab.disconnect("kp:sop:a", first.connection_id) == [second]
    await collab.disconnect("kp:sop:a", second.connection_id)
    rooms = (await api.client.get("/v1/sop/collaborate/rooms")).json()
    assert rooms == {
        "rooms": [{"sopId": "kp:sop:b", "peers": rooms["rooms"][0]["peers"], "count": 1}],
        "totalRooms": 1,
    }


async def test_in_process_registry_keeps_the_port_contract() -> None:
    rooms = InProcessRoomRegistry()
    assert isinstance(rooms, RoomRegistry)
    a1, a2, b1 = (Peer(f"c{i}", f"agent-{i}", "2026-11-24T18:07:14.485Z") for i in range(3))
    assert await rooms.join("a", a1) == [a1]
    assert await rooms.join("b", b1) == [b1]
    assert await rooms.join("a", a2) == [a1, a2]
    assert await rooms.leave("a", "unknown") == [a1, a2]
    assert await rooms.leave("nowhere", "c0") == []
    assert await rooms.set_agent("nowhere", "c0", "x") == []
    renamed = await rooms.set_agent("a", "c0", "agent-9")
    assert [(p.connection_id, p.agent_id) for p in renamed] == [
        ("c0", "agent-9"),
        ("c1", "agent-1"),
    ]
    assert await rooms.leave("a", "c0") == [a2]
    assert await rooms.leave("a", "c1") == []
    assert [room.sop_id for room in await rooms.rooms()] == ["b"]
    # A room that emptied and comes back is the newest room.
    await rooms.join("a", a1)
    assert [room.sop_id for room in await rooms.rooms()] == ["b", "a"]
    assert await rooms.peers("missing") == []

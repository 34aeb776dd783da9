"""Crash durability: `kill -9` the server in the middle of a write storm, restart, audit.

500 writes (knowledge units of the three types and skills, some with files) go out from
16 concurrent clients; once 250 have been acknowledged the server process gets SIGKILL.
The store left behind is then read with plain SQL (no server code) and, after a restart
on the same data, through the API. The contract checked:

- every write that got a 2xx is there, byte-for-byte the document the 2xx described;
- nothing half-written exists: every stored unit is a complete, valid KnowledgeUnit whose
  search columns agree with its document, every skill has exactly its lower-cased tag rows,
  every reputation award belongs to a stored contribution and vice versa;
- writes cut off by the kill (no response) are either wholly present or wholly absent;
- the restarted server serves reads, searches and new writes normally.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from knowledgepulse.sdk.validation import validate_knowledge_unit
from tests._server import ServerProcess, spawn_server
from tests.registry.e2e._e2e import (
    CLIENT_TIMEOUT_S,
    Ack,
    StoreUnderTest,
    bounded_gather,
    expected_unit,
    knowledge_unit,
    parse_json_column,
    register_agents,
    skill_body,
    skill_tags,
    store_under_test,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

TOTAL_WRITES = 500
KILL_AFTER_ACKS = 250
CLIENTS = 16
AGENTS = 8
KINDS = ("trace", "skill", "pattern", "skill", "sop")  # 300 units, 200 skills


@dataclass
class Write:
    """One planned write: what is sent, by whom, and what became of it."""

    kind: str  # trace / pattern / sop / skill
    label: str
    agent_id: str
    key: str
    body: dict[str, Any]
    outcome: str = "unsent"  # unsent / acked / unknown (no response) / failed
    detail: str = ""

    @property
    def path(self) -> str:
        return "/v1/skills" if self.kind == "skill" else "/v1/knowledge"


@dataclass
class Storm:
    writes: list[Write]
    acks: list[Ack] = field(default_factory=list)
    killed_at_ack: int | None = None


def plan_writes(keys: dict[str, str]) -> list[Write]:
    agents = list(keys)
    writes = []
    for i in range(TOTAL_WRITES):
        kind = KINDS[i % len(KINDS)]
        agent = agents[i % len(agents)]
        label = f"{i:04d}"
        if kind == "skill":
            body = skill_body(label, with_files=i % 4 == 1)
        else:
            # Every 7th unit is private: only its owner (and admins) may read it back.
            body = knowledge_unit(kind, label, "private" if i % 7 == 0 else "network")
        writes.append(Write(kind, label, agent, keys[agent], body))
    return writes


async def write_storm(server: ServerProcess, writes: list[Write]) -> Storm:
    """Send the writes from CLIENTS clients; SIGKILL the server after KILL_AFTER_ACKS acks."""
    storm = Storm(writes)
    pending = iter(writes)
    killed = asyncio.Event()

    async def client_task() -> None:
        async with httpx.AsyncClient(base_url=server.url, timeout=CLIENT_TIMEOUT_S) as client:
            for write in pending:
                if killed.is_set():
                    return
                headers = {"Authorization": f"Bearer {write.key}"}
                try:
                    response = await client.post(write.path, json=write.body, headers=headers)
                except httpx.TransportError as exc:
                    write.outcome = "unknown" if killed.is_set() else "failed"
                    write.detail = repr(exc)
                    continue
                if not response.is_success:
                    write.outcome, write.detail = (
                        "failed",
                        f"{response.status_code} {response.text}",
                    )
                    continue
                write.outcome = "acked"
                data = response.json()["data"]
                kind = "skill" if write.kind == "skill" else "knowledge"
                storm.acks.append(Ack(kind, data["id"], write.key, write.body, data))
                if len(storm.acks) >= KILL_AFTER_ACKS and not killed.is_set():
                    killed.set()
                    storm.killed_at_ack = len(storm.acks)
                    os.kill(server.proc.pid, signal.SIGKILL)

    await asyncio.gather(*(client_task() for _ in range(CLIENTS)))
    return storm


def audit_store_on_disk(store: StoreUnderTest, storm: Storm) -> tuple[int, int]:
    """Plain-SQL audit of the crashed store; returns (units, skills) stored."""
    by_unit_id = {w.body["id"]: w for w in storm.writes if w.kind != "skill"}
    by_skill_name = {f"e2e-{w.label}": w for w in storm.writes if w.kind == "skill"}
    acked_units = {a.id: a for a in storm.acks if a.kind == "knowledge"}
    acked_skills = {a.id: a for a in storm.acks if a.kind == "skill"}

    units = store.query(
        "SELECT id, unit_json, visibility, unit_type, task_domain_lc, agent_id, quality_score,"
        " search_text_lc, created_at, quarantine_status FROM knowledge_units"
    )
    stored_unit_ids = {row["id"] for row in units}
    assert set(acked_units) <= stored_unit_ids, "acknowledged units lost"
    for row in units:
        document = parse_json_column(row["unit_json"])
        assert validate_knowledge_unit(document).ok, (row["id"], document)
        write = by_unit_id.get(row["id"])
        assert write is not None, row["id"]
        assert write.outcome in ("acked", "unknown"), row["id"]
        # Whole or nothing: the document is exactly what was sent, owner stamped.
        assert document == expected_unit(write.body, write.agent_id), row["id"]
        meta = document["metadata"]
        assert row["visibility"] == meta["visibility"]
        assert row["unit_type"] == document["@type"]
        assert row["task_domain_lc"] == meta["task_domain"].lower()
        assert row["agent_id"] == write.agent_id
        assert row["quality_score"] == meta["quality_score"]
        assert write.label in row["search_text_lc"] or document["@type"] != "ReasoningTrace"
        assert row["quarantine_status"] is None
        if row["id"] in acked_units:
            ack = acked_units[row["id"]]
            assert document == ack.data["unit"]
            assert row["created_at"] == ack.data["created_at"]

    skills = store.query(
        "SELECT id, name, tags, content, files, contributor_id, created_at FROM skills"
    )
    tag_rows = store.query("SELECT skill_id, tag_lc FROM skill_tags")
    tags_by_skill: dict[str, set[str]] = {}
    for tag_row in tag_rows:
        tags_by_skill.setdefault(tag_row["skill_id"], set()).add(tag_row["tag_lc"])
    stored_skill_ids = {row["id"] for row in skills}
    assert set(acked_skills) <= stored_skill_ids, "acknowledged skills lost"
    assert set(tags_by_skill) <= stored_skill_ids, "tag rows without their skill"
    names = Counter(row["name"] for row in skills)
    assert max(names.values(), default=1) == 1, "a skill stored twice"
    for row in skills:
        write = by_skill_name.get(row["name"])
        assert write is not None, row["name"]
        assert write.outcome in ("acked", "unknown"), row["name"]
        assert row["content"] == write.body["skill_md_content"]
        assert parse_json_column(row["tags"]) == skill_tags(write.label)
        assert parse_json_column(row["files"]) == write.body.get("files", {})
        assert row["contributor_id"] == write.agent_id
        assert tags_by_skill.get(row["id"]) == {t.lower() for t in skill_tags(write.label)}
        if row["id"] in acked_skills:
            assert row["created_at"] == acked_skills[row["id"]].data["created_at"]

    # Reputation awards commit with their contribution: one "Contributed …" history row
    # per stored unit or skill, and the counters agree with the history.
    contributed = Counter(
        row["agent_id"]
        for row in store.query(
            "SELECT agent_id FROM reputation_history WHERE reason LIKE 'Contributed%'"
        )
    )
    owned = Counter(row["agent_id"] for row in units) + Counter(
        row["contributor_id"] for row in skills
    )
    assert contributed == owned
    for row in store.query(
        "SELECT r.agent_id, r.contributions,"
        " (SELECT count(*) FROM reputation_history h"
        "  WHERE h.agent_id = r.agent_id AND h.delta > 0) AS positive"
        " FROM reputation r"
    ):
        assert row["contributions"] == row["positive"], row
    return len(units), len(skills)


async def audit_through_the_api(
    server: ServerProcess, storm: Storm, stored_units: int, stored_skills: int
) -> None:
    """The restarted server returns every acknowledged write exactly as acknowledged."""
    async with httpx.AsyncClient(base_url=server.url, timeout=CLIENT_TIMEOUT_S) as client:

        def fetch(ack: Ack) -> Any:
            path = "/v1/skills/" if ack.kind == "skill" else "/v1/knowledge/"
            return lambda: client.get(path + ack.id, headers={"Authorization": f"Bearer {ack.key}"})

        responses = await bounded_gather([fetch(ack) for ack in storm.acks])
        for ack, response in zip(storm.acks, responses, strict=True):
            assert response.status_code == 200, (ack.id, response.text)
            assert response.json() == {"data": ack.data}, ack.id

        # Writes cut off by the kill: wholly there or wholly absent.
        unknown = [w for w in storm.writes if w.outcome == "unknown" and w.kind != "skill"]
        responses = await bounded_gather(
            [
                lambda w=w: client.get(
                    f"/v1/knowledge/{w.body['id']}", headers={"Authorization": f"Bearer {w.key}"}
                )
                for w in unknown
            ]
        )
        for write, response in zip(unknown, responses, strict=True):
            assert response.status_code in (200, 404), response.text
            if response.status_code == 200:
                assert response.json()["data"]["unit"] == expected_unit(write.body, write.agent_id)

        # Listings agree with the store: every unit (admins see private ones too) is valid.
        admin = await client.post(
            "/v1/auth/register",
            json={"agent_id": "kp:agent:e2e-admin", "scopes": ["read", "write", "admin"]},
        )
        assert admin.status_code == 201, admin.text
        admin_headers = {"Authorization": f"Bearer {admin.json()['data']['api_key']}"}
        listed: list[dict[str, Any]] = []
        for offset in range(0, stored_units + 100, 100):
            page = await client.get(
                "/v1/knowledge", params={"limit": 100, "offset": offset}, headers=admin_headers
            )
            assert page.status_code == 200, page.text
            assert page.json()["total"] == stored_units
            listed += page.json()["data"]
        assert len(listed) == len({item["id"] for item in listed}) == stored_units
        for item in listed:
            assert validate_knowledge_unit(item["unit"]).ok, item["id"]
        skills_page = await client.get("/v1/skills", params={"limit": 1})
        assert skills_page.json()["total"] == stored_skills
        tagged = await client.get("/v1/skills", params={"tags": "e2e", "limit": 1})
        assert tagged.json()["total"] == stored_skills

        # Text search finds an acknowledged trace by its objective.
        trace = next(a for a in storm.acks if a.id.startswith("kp:trace:"))
        found = await client.get(
            "/v1/knowledge", params={"q": trace.sent["task"]["objective"]}, headers=admin_headers
        )
        assert [item["id"] for item in found.json()["data"]] == [trace.id]

        # And it takes new writes as usual.
        writer = next(a for a in storm.acks)
        headers = {"Authorization": f"Bearer {writer.key}"}
        unit = knowledge_unit("trace", "after-restart")
        created = await client.post("/v1/knowledge", json=unit, headers=headers)
        assert created.status_code == 201, created.text
        again = await client.get(f"/v1/knowledge/{unit['id']}")
        assert again.json() == {"data": created.json()["data"]}
        skill = await client.post("/v1/skills", json=skill_body("after-restart"), headers=headers)
        assert skill.status_code == 201, skill.text
        again = await client.get(f"/v1/skills/{skill.json()['data']['id']}")
        assert again.json() == {"data": skill.json()["data"]}
        assert (await client.get("/health")).status_code == 200


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
async def test_acknowledged_writes_survive_kill_9_and_nothing_is_half_written(
    backend: str, tmp_path: Path
) -> None:
    with store_under_test(backend, tmp_path) as store:
        server = spawn_server(tmp_path, store.env)
        try:
            server.wait_ready()
            async with httpx.AsyncClient(base_url=server.url, timeout=CLIENT_TIMEOUT_S) as client:
                keys = await register_agents(client, "storm", AGENTS)
            storm = await write_storm(server, plan_writes(keys))
            server.proc.wait(timeout=10)
        finally:
            server.stop(signal.SIGKILL)
        log = server.log()

        outcomes = Counter(w.outcome for w in storm.writes)
        failed = [(w.kind, w.label, w.detail) for w in storm.writes if w.outcome == "failed"]
        assert not failed, (failed[:5], log)
        assert server.proc.returncode == -signal.SIGKILL, log
        assert storm.killed_at_ack == KILL_AFTER_ACKS
        assert KILL_AFTER_ACKS <= outcomes["acked"] < TOTAL_WRITES, outcomes
        assert outcomes["acked"] == len(storm.acks)

        store.wait_until_server_sessions_end()
        stored_units, stored_skills = audit_store_on_disk(store, storm)
        acked_or_unknown = outcomes["acked"] + outcomes["unknown"]
        assert outcomes["acked"] <= stored_units + stored_skills <= acked_or_unknown

        restarted = spawn_server(tmp_path, store.env)
        try:
            restarted.wait_ready()
            await audit_through_the_api(restarted, storm, stored_units, stored_skills)
        finally:
            assert restarted.stop() == 0, restarted.log()
        assert "Traceback" not in restarted.log(), restarted.log()

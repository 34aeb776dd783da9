"""Helpers for the end-to-end tests: a real `kp-registry serve` on a store we can inspect.

A `StoreUnderTest` is either a SQLite file in the test's data directory or a fresh
PostgreSQL database (created per test, dropped afterwards); `query()` reads it with plain
SQL, independently of the server's own code, so a test can see exactly what is on disk.
"""

from __future__ import annotations

import asyncio
import copy
import json
import sqlite3
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx

from _services import (
    create_postgres_database,
    drop_postgres_database,
    new_database_name,
    require_postgres,
    run_async,
)
from knowledgepulse.sdk.models.examples import (
    full_expert_sop,
    full_reasoning_trace,
    full_tool_call_pattern,
)

__all__ = [
    "CLIENT_TIMEOUT_S",
    "Ack",
    "StoreUnderTest",
    "bounded_gather",
    "expected_unit",
    "knowledge_unit",
    "parse_json_column",
    "register_agents",
    "skill_body",
    "skill_tags",
    "store_under_test",
]

T = TypeVar("T")

# Every request of these tests is bounded: a hang fails the request, not the suite.
CLIENT_TIMEOUT_S = 10.0
_PG_CONNECT_TIMEOUT_S = 5.0


@dataclass
class StoreUnderTest:
    """The store a server subprocess runs on, plus read access to it with plain SQL."""

    backend: str  # "sqlite" or "postgres"
    env: dict[str, str]
    sqlite_path: Path | None = None
    postgres_url: str | None = None

    def query(self, sql: str) -> list[dict[str, Any]]:
        """Rows of `sql` as dicts (columns holding JSON documents are returned as text)."""
        if self.sqlite_path is not None:
            connection = sqlite3.connect(self.sqlite_path, timeout=10)
            try:
                connection.row_factory = sqlite3.Row
                return [dict(row) for row in connection.execute(sql)]
            finally:
                connection.close()
        assert self.postgres_url is not None
        url = self.postgres_url

        async def fetch() -> list[dict[str, Any]]:
            connection = await asyncpg.connect(url, timeout=_PG_CONNECT_TIMEOUT_S)
            try:
                return [dict(row) for row in await connection.fetch(sql)]
            finally:
                await connection.close()

        return run_async(fetch)

    def wait_until_server_sessions_end(self, timeout: float = 15.0) -> None:
        """PostgreSQL: wait until no session of a (killed) server is left on the database.

        A backend notices its client's death only when it next talks to it; until then a
        COMMIT it already received may still land. Polling keeps the audit race-free.
        """
        if self.postgres_url is None:
            return
        sql = (
            "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database()"
            " AND application_name = 'knowledgepulse-registry'"
        )
        deadline = time.monotonic() + timeout
        while self.query(sql)[0]["n"] > 0:
            if time.monotonic() > deadline:
                raise TimeoutError(f"server sessions still open after {timeout}s")
            time.sleep(0.05)


@contextmanager
def store_under_test(backend: str, tmp_path: Path, **extra_env: str) -> Iterator[StoreUnderTest]:
    """Environment for `spawn_server` on a fresh store; a PostgreSQL database is dropped after."""
    env = {"KP_ALLOW_OPEN_ADMIN_REGISTRATION": "true", "KP_SEARCH": "sql", **extra_env}
    if backend == "sqlite":
        path = tmp_path / "data" / "knowledgepulse.db"
        yield StoreUnderTest("sqlite", {**env, "KP_STORE_BACKEND": "sqlite"}, sqlite_path=path)
        return
    require_postgres()
    name = new_database_name("e2e")
    url = create_postgres_database(name)
    try:
        env.update({"KP_STORE_BACKEND": "postgres", "KP_DATABASE_URL": url})
        yield StoreUnderTest("postgres", env, postgres_url=url)
    finally:
        drop_postgres_database(name)


@dataclass
class Ack:
    """A write the server acknowledged with a 2xx, and what it said it stored."""

    kind: str  # "knowledge" or "skill"
    id: str
    key: str  # the API key of the writer (private units are visible to it)
    sent: dict[str, Any]
    data: dict[str, Any] = field(default_factory=dict)


async def register_agents(
    client: httpx.AsyncClient, prefix: str, count: int, tier: str = "enterprise"
) -> dict[str, str]:
    """Register `count` read+write agents; returns agent id → raw API key."""
    keys: dict[str, str] = {}
    for i in range(count):
        agent_id = f"kp:agent:{prefix}-{i}"
        body = {"agent_id": agent_id, "scopes": ["read", "write"], "tier": tier}
        response = await client.post("/v1/auth/register", json=body)
        assert response.status_code == 201, response.text
        keys[agent_id] = response.json()["data"]["api_key"]
    return keys


_UNIT_FACTORIES = {
    "trace": full_reasoning_trace,
    "pattern": full_tool_call_pattern,
    "sop": full_expert_sop,
}


def knowledge_unit(kind: str, label: str, visibility: str = "network") -> dict[str, Any]:
    """A complete, valid unit of `kind` (trace, pattern, sop) with a fresh id and `label` text.

    The text carries non-ASCII characters so a round trip through the store must keep them.
    """
    unit = _UNIT_FACTORIES[kind]()
    unit["id"] = f"kp:{kind}:{uuid.uuid4()}"
    unit["metadata"].pop("agent_id", None)  # stamped by the server with the writer's id
    unit["metadata"]["visibility"] = visibility
    unit["metadata"]["task_domain"] = f"E2E-{label}"
    if kind == "trace":
        unit["task"]["objective"] = f"Objective {label} — naïve café ✓"
    else:
        unit["name"] = f"{kind} {label} — Grüße"
    return unit


def expected_unit(sent: dict[str, Any], agent_id: str) -> dict[str, Any]:
    """What the registry stores for `sent`: the same document, owner stamped."""
    unit = copy.deepcopy(sent)
    unit["metadata"]["agent_id"] = agent_id
    return unit


def skill_tags(label: str) -> list[str]:
    """Tags of the skill `label`: mixed case, so the lower-cased tag rows differ from them."""
    return ["E2E", f"Batch-{label}", "durability"]


def skill_body(label: str, *, with_files: bool = False) -> dict[str, Any]:
    """A `POST /v1/skills` body for a skill named `e2e-<label>`."""
    tags = ", ".join(skill_tags(label))
    content = (
        f"---\nname: e2e-{label}\ndescription: End-to-end skill {label}, café ✓\n"
        f"tags: [{tags}]\n---\n# Skill {label}\n\nDo the thing number {label}.\n"
    )
    body: dict[str, Any] = {"skill_md_content": content}
    if with_files:
        body["files"] = {"references/notes.md": f"Notes for {label} — ✓\n"}
    return body


async def bounded_gather(calls: list[Callable[[], Awaitable[T]]], concurrency: int = 16) -> list[T]:
    """Run the calls with at most `concurrency` in flight; results in call order."""
    gate = asyncio.Semaphore(concurrency)

    async def one(call: Callable[[], Awaitable[T]]) -> T:
        async with gate:
            return await call()

    return await asyncio.gather(*(one(call) for call in calls))


def parse_json_column(value: Any) -> Any:
    """A JSON document column as Python data (SQLite and asyncpg both hand back text)."""
    return json.loads(value) if isinstance(value, str | bytes) else value

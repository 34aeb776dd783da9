"""PostgreSQL goes away under a running registry and comes back: 503s, then recovery.

The test stops the machine's PostgreSQL cluster for a few seconds (`pg_ctlcluster … stop
-m fast`), so it is marked `pg_restart`: deselect it with `-m "not pg_restart"` whenever
other sessions share that server. The cluster is started again in a `finally`.

Checked while the database is down: every request that needs it answers 503 with a JSON
error body (never 500, never a hang: each request has a 10 s client timeout), including
a request whose API key is not in the authenticator's cache; `/health` still answers. Then,
once PostgreSQL is back, the server recovers by itself (no restart) within a bounded time,
everything acknowledged before and during the outage is there, and writes work again.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import make_url

from _services import postgres_admin_url
from tests._server import ServerProcess, spawn_server
from tests.registry.e2e._e2e import (
    CLIENT_TIMEOUT_S,
    bounded_gather,
    knowledge_unit,
    register_agents,
    skill_body,
    store_under_test,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.pg_restart,
    pytest.mark.timeout(180),
]

RECOVERY_DEADLINE_S = 30.0
POLL_INTERVAL_S = 0.1
PG_CTL_TIMEOUT_S = 60.0


def local_cluster() -> list[str]:
    """The `pg_ctlcluster` prefix for the local cluster the tests use (skip if none)."""
    host = make_url(postgres_admin_url()).host or "localhost"
    if host not in ("127.0.0.1", "localhost", "::1"):
        pytest.skip(f"PostgreSQL at {host} is not this machine's cluster")
    versions = sorted(p.name for p in Path("/etc/postgresql").glob("*") if p.is_dir())
    if shutil.which("pg_ctlcluster") is None or len(versions) != 1:
        pytest.skip("needs pg_ctlcluster and exactly one cluster under /etc/postgresql")
    return ["pg_ctlcluster", "--skip-systemctl-redirect", versions[0], "main"]


def pg_ctl(cluster: list[str], *action: str) -> None:
    result = subprocess.run(
        [*cluster, *action], capture_output=True, text=True, timeout=PG_CTL_TIMEOUT_S
    )
    # `start` on a running cluster exits 2 ("already running"): that is the state we want.
    if result.returncode not in (0, 2) or (result.returncode == 2 and action[0] != "start"):
        raise RuntimeError(f"{action}: {result.returncode} {result.stdout}{result.stderr}")


@dataclass
class Written:
    """Knowledge units and skills acknowledged with a 201: id → (writer key, data)."""

    units: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    skills: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    statuses: list[int] = field(default_factory=list)

    async def write(self, client: httpx.AsyncClient, key: str, n: int) -> int:
        headers = {"Authorization": f"Bearer {key}"}
        if n % 3 == 2:
            response = await client.post("/v1/skills", json=skill_body(f"r{n}"), headers=headers)
        else:
            response = await client.post(
                "/v1/knowledge", json=knowledge_unit("trace", f"r{n}"), headers=headers
            )
        self.statuses.append(response.status_code)
        if response.status_code == 201:
            data = response.json()["data"]
            target = self.skills if n % 3 == 2 else self.units
            target[data["id"]] = (key, data)
        return response.status_code


async def probe_while_down(
    client: httpx.AsyncClient, warm_key: str, cold_key: str, written: Written
) -> dict[str, httpx.Response]:
    """One request of each kind that needs the database; all at once, each bounded."""
    unit_id = next(iter(written.units))
    skill_id = next(iter(written.skills))
    warm = {"Authorization": f"Bearer {warm_key}"}
    cold = {"Authorization": f"Bearer {cold_key}"}
    requests = {
        "get unit": client.get(f"/v1/knowledge/{unit_id}", headers=warm),
        "search units": client.get("/v1/knowledge", params={"q": "x-down"}, headers=warm),
        "get skill (uncached id)": client.get(f"/v1/skills/{skill_id}", headers=warm),
        "search skills": client.get("/v1/skills", params={"q": "x-down"}, headers=warm),
        "post unit": client.post("/v1/knowledge", json=knowledge_unit("sop", "x"), headers=warm),
        "post skill": client.post("/v1/skills", json=skill_body("x-down"), headers=warm),
        "key not cached": client.get(f"/v1/knowledge/{unit_id}", headers=cold),
        "register": client.post(
            "/v1/auth/register", json={"agent_id": "kp:agent:x-down", "scopes": ["read"]}
        ),
    }
    responses = await asyncio.gather(*requests.values())
    return dict(zip(requests, responses, strict=True))


async def poll_until_recovered(client: httpx.AsyncClient, key: str, unit_id: str) -> float:
    """Seconds until a DB read and a DB write succeed again (fails after the deadline)."""
    began = time.monotonic()
    deadline = began + RECOVERY_DEADLINE_S
    headers = {"Authorization": f"Bearer {key}"}
    seen: list[int] = []
    while time.monotonic() < deadline:
        read = await client.get(f"/v1/knowledge/{unit_id}", headers=headers)
        seen.append(read.status_code)
        assert read.status_code in (200, 503), read.text
        if read.status_code == 200:
            unit = knowledge_unit("trace", "recovered")
            write = await client.post("/v1/knowledge", json=unit, headers=headers)
            seen.append(write.status_code)
            assert write.status_code in (201, 503), write.text
            if write.status_code == 201:
                return time.monotonic() - began
        await asyncio.sleep(POLL_INTERVAL_S)
    pytest.fail(f"no recovery within {RECOVERY_DEADLINE_S}s; statuses seen: {seen[-20:]}")


async def test_database_outage_gives_503s_then_the_server_recovers_by_itself(
    tmp_path: Path,
) -> None:
    cluster = local_cluster()
    with store_under_test("postgres", tmp_path) as store:
        server = spawn_server(tmp_path, store.env)
        try:
            server.wait_ready()
            await _outage_scenario(server, cluster)
        finally:
            code = server.stop()
        log = server.log()
        assert code == 0, log
        assert "unhandled error" not in log, log  # what the pipeline logs for a 500
        if "audit log write failed" in log:  # the audit sink retried and caught up
            assert "audit log writes resumed" in log, log


async def _outage_scenario(server: ServerProcess, cluster: list[str]) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=CLIENT_TIMEOUT_S) as client:
        keys = list((await register_agents(client, "outage", 5)).values())
        warm_key, cold_key, writers = keys[0], keys[-1], keys[:-1]
        written = Written()
        codes = await bounded_gather(
            [lambda n=n: written.write(client, writers[n % 4], n) for n in range(60)]
        )
        assert codes == [201] * 60

        # Writers keep going across the stop and the start: each answer is a 201 or a 503.
        async with background_writers(client, writers, written):
            await client.get(
                f"/v1/knowledge/{next(iter(written.units))}", headers=_bearer(warm_key)
            )
            stopped_at = time.monotonic()
            try:
                # On a thread, so the writers keep writing while PostgreSQL shuts down.
                await asyncio.to_thread(pg_ctl, cluster, "stop", "-m", "fast")
                began = time.monotonic()
                down = await probe_while_down(client, warm_key, cold_key, written)
                probe_seconds = time.monotonic() - began
                health = await client.get("/health")
            finally:
                pg_ctl(cluster, "start")
            outage = time.monotonic() - stopped_at
            assert outage < 20, f"PostgreSQL was down {outage:.1f}s"

            wrong = {
                name: (r.status_code, r.headers.get("content-type"), r.text)
                for name, r in down.items()
                if r.status_code != 503 or r.headers.get("content-type") != "application/json"
            }
            assert not wrong, wrong
            for response in down.values():
                assert isinstance(response.json().get("error"), str)
            assert probe_seconds < CLIENT_TIMEOUT_S
            assert health.status_code == 200

            unit_id = next(iter(written.units))
            recovery = await poll_until_recovered(client, warm_key, unit_id)
            assert recovery < RECOVERY_DEADLINE_S
        print(  # shown on failure (or with -s): how long things took
            f"outage {outage:.1f}s, probes {probe_seconds:.2f}s, recovery {recovery:.2f}s,"
            f" writer statuses {Counter(written.statuses)}"
        )

        # Only 201s and 503s, ever; and 503s did happen while the database was away.
        assert set(written.statuses) <= {201, 503}, sorted(set(written.statuses))
        assert 503 in written.statuses

        # Nothing acknowledged is lost, before or during the outage.
        checks = [(f"/v1/knowledge/{i}", key, data) for i, (key, data) in written.units.items()] + [
            (f"/v1/skills/{i}", key, data) for i, (key, data) in written.skills.items()
        ]
        responses = await bounded_gather(
            [lambda c=c: client.get(c[0], headers=_bearer(c[1])) for c in checks]
        )
        for (path, _, data), response in zip(checks, responses, strict=True):
            assert response.status_code == 200, (path, response.text)
            assert response.json() == {"data": data}, path

        # Fresh keys (not in the authenticator's cache) and new writes work again.
        again = await client.get(f"/v1/knowledge/{unit_id}", headers=_bearer(cold_key))
        assert again.status_code == 200, again.text
        assert (await written.write(client, cold_key, 99_998)) == 201
        assert (await written.write(client, cold_key, 99_999)) == 201


@contextlib.asynccontextmanager
async def background_writers(
    client: httpx.AsyncClient, keys: list[str], written: Written
) -> AsyncIterator[None]:
    """One paced writer per key for the duration of the block; their errors re-raised after."""
    stop = asyncio.Event()

    async def writer(w: int) -> None:
        n = 1000 * (w + 1)
        while not stop.is_set():
            n += 1
            await written.write(client, keys[w], n)
            await _pause(stop)

    tasks = [asyncio.create_task(writer(w)) for w in range(len(keys))]
    try:
        yield
    finally:
        stop.set()
        results = await asyncio.gather(*tasks, return_exceptions=True)
    errors = [result for result in results if isinstance(result, BaseException)]
    if errors:
        raise errors[0]


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def _pause(stop: asyncio.Event) -> None:
    """Pace the background writers (~20 writes/s each) without outliving the stop signal."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), 0.05)

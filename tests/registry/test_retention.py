"""The knowledge-unit retention sweep ([FIX-F10], data-model.md §14.3) with a manual clock."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from knowledgepulse.registry.auth.models import AuthContext
from knowledgepulse.registry.container import Container
from knowledgepulse.registry.db.changes import search_tombstones
from knowledgepulse.registry.infra import ManualClock
from knowledgepulse.registry.knowledge.models import StoredKnowledgeUnit
from knowledgepulse.registry.knowledge.store import KnowledgeStore
from knowledgepulse.registry.knowledge.tables import knowledge_units, knowledge_validations
from knowledgepulse.registry.quarantine.tables import security_reports
from knowledgepulse.registry.retention.service import RetentionPolicy
from tests.registry._units import reasoning_trace
from tests.registry.api._api import settings_for

DAY = 86400.0
ALICE = AuthContext(authenticated=True, agent_id="kp:agent:alice", scopes=("read", "write"))
BOB = AuthContext(authenticated=True, agent_id="kp:agent:bob", scopes=("read", "write"))

Start = Callable[..., Awaitable[Container]]


def trace(visibility: str = "network") -> dict[str, Any]:
    return reasoning_trace(agent_id="kp:agent:alice", visibility=visibility)


@pytest.fixture
async def start(db_url: str, tmp_path: Path) -> AsyncIterator[Start]:
    """Factory: `await start(clock=…, scheduled=…, **settings)` → a started container."""
    started: list[Container] = []

    async def factory(clock: Any = None, *, scheduled: bool = False, **overrides: Any) -> Container:
        container = await Container.start(settings_for(db_url, tmp_path, **overrides), clock=clock)
        started.append(container)
        if not scheduled:
            # Tests that sweep by hand stop the background sweep first, so it cannot run
            # late (after the clock moved) and delete units behind the test's back.
            for job in container.jobs:
                if job.name == "knowledge-retention":
                    await job.stop()
        return container

    yield factory
    for container in reversed(started):
        await container.close()


async def contribute(container: Container, *visibilities: str) -> list[str]:
    ids = []
    async with container.unit_of_work(write=True) as tx:
        await tx.reputation.award("kp:agent:alice", 0.1, "Initial registration bonus")
        for visibility in visibilities:
            ids.append((await tx.knowledge.contribute(ALICE, trace(visibility))).id)
    return ids


async def stored_ids(container: Container) -> set[str]:
    async with container.unit_of_work(write=False) as tx:
        return set((await tx.conn.execute(sa.select(knowledge_units.c.id))).scalars())


async def count(container: Container, table: sa.Table) -> int:
    async with container.unit_of_work(write=False) as tx:
        stmt = sa.select(sa.func.count()).select_from(table)
        return (await tx.conn.execute(stmt)).scalar_one()


def test_policy_treats_zero_or_negative_days_as_forever() -> None:
    policy = RetentionPolicy(network_days=-1, org_days=0, private_days=365)
    assert policy.max_age("network") is None
    assert policy.max_age("org") is None
    assert policy.max_age("private") is not None
    assert policy.max_age("unknown") is None
    assert RetentionPolicy(private_days=10**12).max_age("private") is None


async def test_units_older_than_their_visibility_period_are_swept(start: Start) -> None:
    clock = ManualClock(start=time.time())
    container = await start(clock=clock)
    _, org, network = await contribute(container, "private", "org", "network")

    clock.advance(365 * DAY)  # not older than 365 days yet: the comparison is strict
    assert await container.sweep_retention() == 0
    clock.advance(1)
    assert await container.sweep_retention() == 1
    assert await stored_ids(container) == {org, network}

    clock.advance(365 * DAY)  # 730 days + 1 s for the org unit
    assert await container.sweep_retention() == 1
    clock.advance(100 * 365 * DAY)  # KP_RETENTION_NETWORK_DAYS=-1: network units stay
    assert await container.sweep_retention() == 0
    assert await stored_ids(container) == {network}


async def test_network_retention_applies_when_configured(start: Start) -> None:
    clock = ManualClock(start=time.time())
    container = await start(clock=clock, retention_network_days=10, retention_private_days=0)
    private, _ = await contribute(container, "private", "network")
    clock.advance(11 * DAY)
    assert await container.sweep_retention() == 1
    assert await stored_ids(container) == {private}


async def test_sweeping_cascades_reports_validations_and_leaves_tombstones(start: Start) -> None:
    clock = ManualClock(start=time.time())
    container = await start(clock=clock, quarantine_threshold=1)
    (unit_id,) = await contribute(container, "org")
    async with container.unit_of_work(write=True) as tx:
        await tx.reputation.award("kp:agent:bob", 0.1, "Initial registration bonus")
        await tx.knowledge.validate(BOB, unit_id, {"valid": True})
        report = await tx.quarantine.report(BOB, unit_id, {"reason": "spam"})
    assert report["quarantine_status"] == "quarantined"  # quarantined units are swept too
    assert await count(container, security_reports) == 1
    assert await count(container, knowledge_validations) == 1

    clock.advance(731 * DAY)
    assert await container.sweep_retention() == 1
    assert await stored_ids(container) == set()
    assert await count(container, security_reports) == 0
    assert await count(container, knowledge_validations) == 0
    async with container.unit_of_work(write=False) as tx:
        tombstones = (
            await tx.conn.execute(
                sa.select(search_tombstones.c.entity, search_tombstones.c.entity_id)
            )
        ).all()
    assert [tuple(row) for row in tombstones] == [("knowledge_unit", unit_id)]


async def test_the_sweep_works_in_batches_until_nothing_is_left(start: Start) -> None:
    clock = ManualClock(start=time.time())
    container = await start(clock=clock)
    await contribute(container, *["private"] * 5, "network")
    clock.advance(366 * DAY)
    assert await container.sweep_retention(batch_size=2) == 5
    assert len(await stored_ids(container)) == 1


async def insert_old_unit(container: Container) -> str:
    unit = trace("private")
    old = "2020-01-01T00:00:00.000Z"
    async with container.unit_of_work(write=True) as tx:
        stored = StoredKnowledgeUnit(
            id=unit["id"], unit=unit, visibility="private", created_at=old, updated_at=old
        )
        assert await KnowledgeStore(tx.conn).insert(stored)
    return unit["id"]


async def wait_until_gone(container: Container, unit_id: str) -> None:
    async with asyncio.timeout(5):
        while unit_id in await stored_ids(container):  # noqa: ASYNC110 - polls the database
            await asyncio.sleep(0.05)


async def test_the_sweep_runs_at_start_up(start: Start) -> None:
    first = await start()
    unit_id = await insert_old_unit(first)
    await first.close()
    second = await start(scheduled=True)
    assert "knowledge-retention" in [job.name for job in second.jobs]
    await wait_until_gone(second, unit_id)


async def test_the_sweep_repeats_every_configured_interval(start: Start) -> None:
    container = await start(scheduled=True, retention_sweep_interval_hours=0.0002)  # 0.72 s
    await asyncio.sleep(0)  # let the start-up run begin on an empty store
    unit_id = await insert_old_unit(container)
    await wait_until_gone(container, unit_id)

"""The composition root: the one place that picks implementations and wires services."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from knowledgepulse.registry.audit.service import AuditService
from knowledgepulse.registry.audit.sink import AuditSink
from knowledgepulse.registry.audit.store import AuditStore
from knowledgepulse.registry.auth.authenticator import Authenticator
from knowledgepulse.registry.auth.service import AuthService
from knowledgepulse.registry.auth.store import ApiKeyStore
from knowledgepulse.registry.db.database import Database
from knowledgepulse.registry.db.engine import create_engine
from knowledgepulse.registry.db.migrate import upgrade_to_head
from knowledgepulse.registry.infra import (
    Backends,
    connect_redis,
    memory_backends,
    redis_backends,
)
from knowledgepulse.registry.knowledge.service import KnowledgeService
from knowledgepulse.registry.knowledge.store import KnowledgeStore
from knowledgepulse.registry.periodic import Periodic
from knowledgepulse.registry.quarantine.service import QuarantineService
from knowledgepulse.registry.quarantine.store import ReportStore
from knowledgepulse.registry.reputation.service import ReputationService
from knowledgepulse.registry.reputation.store import ReputationStore
from knowledgepulse.registry.search.sql import SqlSearch
from knowledgepulse.registry.settings import Settings
from knowledgepulse.registry.skills.service import SkillService
from knowledgepulse.registry.skills.store import SkillStore

__all__ = ["Container", "Services"]

logger = logging.getLogger(__name__)

AUDIT_PURGE_INTERVAL = 3600.0  # seconds; the 90-day retention needs no finer grain


class Services:
    """The domain services bound to one transaction's connection, built on first use."""

    def __init__(self, conn: AsyncConnection, container: Container) -> None:
        self.conn = conn
        self._settings = container.settings

    @cached_property
    def reputation(self) -> ReputationService:
        return ReputationService(ReputationStore(self.conn))

    @cached_property
    def auth(self) -> AuthService:
        return AuthService(
            ApiKeyStore(self.conn),
            self.reputation,
            open_admin=self._settings.allow_open_admin_registration,
        )

    @cached_property
    def skills(self) -> SkillService:
        return SkillService(SkillStore(self.conn), SqlSearch(self.conn), self.reputation)

    @cached_property
    def knowledge(self) -> KnowledgeService:
        return KnowledgeService(
            KnowledgeStore(self.conn),
            SqlSearch(self.conn),
            self.reputation,
            min_rep_for_write=self._settings.min_rep_for_write,
        )

    @cached_property
    def quarantine(self) -> QuarantineService:
        return QuarantineService(
            ReportStore(self.conn),
            self.knowledge,
            threshold=self._settings.quarantine_threshold,
        )

    @cached_property
    def audit(self) -> AuditService:
        return AuditService(AuditStore(self.conn))


@dataclass
class Container:
    """Long-lived objects of one registry process, built at start-up, closed at shutdown."""

    settings: Settings
    database: Database
    authenticator: Authenticator
    audit: AuditSink
    backends: Backends
    redis: Any = None
    jobs: list[Periodic] = field(default_factory=list)

    @property
    def rate_limiter(self) -> Any:
        """The rate-limit port (Redis with in-process failover, or in-process)."""
        return self.backends.rate_limiter

    @property
    def idempotency(self) -> Any:
        """The idempotency port ([FIX-S7]: always on)."""
        return self.backends.idempotency

    @property
    def cache(self) -> Any:
        """The response cache port."""
        return self.backends.cache

    @classmethod
    async def start(cls, settings: Settings) -> Container:
        """Open the store, migrate it to the latest schema and wire the services."""
        redis = None
        if settings.redis_url:
            # An unreachable Redis stops start-up (RedisUnavailable names the URL).
            redis = await connect_redis(settings.redis_url)
            backends = redis_backends(redis, url=settings.redis_url, prefix=settings.redis_prefix)
        else:
            backends = memory_backends()
        engine = create_engine(settings.database_url_resolved)
        database = Database(engine)
        try:
            await upgrade_to_head(engine)
        except BaseException:
            await engine.dispose()
            await backends.aclose()
            if redis is not None:
                await redis.aclose()
            raise

        async def lookup_key(key_hash: str) -> Any:
            async with database.transaction(write=False) as conn:
                return await ApiKeyStore(conn).get_by_hash(key_hash)

        async def write_audit(events: Any) -> None:
            async with database.transaction(write=True) as conn:
                await AuditStore(conn).append(events)

        async def purge_audit() -> None:
            async with database.transaction(write=True) as conn:
                await AuditService(AuditStore(conn)).purge_expired()

        sink = AuditSink(write_audit)
        sink.start()
        container = cls(
            settings=settings,
            database=database,
            authenticator=Authenticator(lookup_key),
            audit=sink,
            backends=backends,
            redis=redis,
            jobs=[Periodic("audit-retention", AUDIT_PURGE_INTERVAL, purge_audit)],
        )
        for job in container.jobs:
            job.start()
        return container

    @asynccontextmanager
    async def unit_of_work(self, *, write: bool) -> AsyncIterator[Services]:
        """Services sharing one transaction: committed on success, rolled back on error."""
        async with self.database.transaction(write=write) as conn:
            yield Services(conn, self)

    async def close(self) -> None:
        """Stop the jobs, flush the audit log, then release connections."""
        for job in self.jobs:
            await job.stop()
        await self.audit.close()
        await self.database.dispose()
        await self.backends.aclose()
        if self.redis is not None:
            await self.redis.aclose()

"""The composition root: the one place that picks implementations and wires services."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from knowledgepulse.registry.audit.service import AuditService
from knowledgepulse.registry.audit.sink import AuditSink
from knowledgepulse.registry.audit.store import AuditStore
from knowledgepulse.registry.auth.authenticator import Authenticator
from knowledgepulse.registry.auth.jwt import JwksVerifier
from knowledgepulse.registry.auth.service import AuthService
from knowledgepulse.registry.auth.store import ApiKeyStore
from knowledgepulse.registry.collab.rooms import InProcessRoomRegistry
from knowledgepulse.registry.collab.service import CollabService
from knowledgepulse.registry.credits.service import CreditService
from knowledgepulse.registry.credits.store import CreditStore
from knowledgepulse.registry.db.connection import Connection
from knowledgepulse.registry.db.database import Database
from knowledgepulse.registry.db.engine import create_engine
from knowledgepulse.registry.db.migrate import upgrade_to_head
from knowledgepulse.registry.export.service import ExportService
from knowledgepulse.registry.export.store import ExportStore
from knowledgepulse.registry.importer.client import GuardedClient
from knowledgepulse.registry.importer.guard import UrlPolicy
from knowledgepulse.registry.importer.service import ImportService
from knowledgepulse.registry.infra import (
    Backends,
    Clock,
    SystemClock,
    connect_redis,
    memory_backends,
    redis_backends,
)
from knowledgepulse.registry.invalidation import KNOWLEDGE_TAG, SKILLS_TAG, Touched
from knowledgepulse.registry.knowledge.service import KnowledgeService
from knowledgepulse.registry.knowledge.store import KnowledgeStore
from knowledgepulse.registry.marketplace.service import MarketplaceService
from knowledgepulse.registry.marketplace.store import ListingStore, SubscriptionStore
from knowledgepulse.registry.periodic import Periodic
from knowledgepulse.registry.providers.service import ProviderService
from knowledgepulse.registry.providers.store import ProviderStore
from knowledgepulse.registry.quarantine.service import QuarantineService
from knowledgepulse.registry.quarantine.store import ReportStore
from knowledgepulse.registry.reputation.credentials import (
    REGISTRY_DID,
    CredentialIssuer,
    load_or_create_signing_key,
)
from knowledgepulse.registry.reputation.service import ReputationService
from knowledgepulse.registry.reputation.store import ReputationStore
from knowledgepulse.registry.retention.service import (
    DEFAULT_BATCH,
    RetentionPolicy,
    RetentionService,
)
from knowledgepulse.registry.search.index import HybridSearch
from knowledgepulse.registry.search.sql import SqlSearch
from knowledgepulse.registry.settings import Settings
from knowledgepulse.registry.skills.service import SkillService
from knowledgepulse.registry.skills.store import SkillStore
from knowledgepulse.registry.sop.search import SqlSopSearch
from knowledgepulse.registry.sop.service import SopService
from knowledgepulse.registry.sop.store import SopStore

__all__ = ["Container", "Services"]

logger = logging.getLogger(__name__)

# Cache tags of the searchable kinds, invalidated when the search index changes.
SEARCH_TAGS = {"skill": SKILLS_TAG, "knowledge_unit": KNOWLEDGE_TAG}
SEARCH_SERVICES = ("skills", "knowledge", "sops")
AUDIT_PURGE_INTERVAL = 3600.0  # seconds; the 90-day retention needs no finer grain
CREDENTIAL_KEY_FILE = "credential-signing.key"  # hex Ed25519 seed inside KP_DATA_DIR


class Services:
    """The domain services bound to one transaction's connection, built on first use."""

    def __init__(self, conn: Connection, container: Container) -> None:
        self.conn = conn
        self._settings = container.settings
        self.touched = Touched()
        self.committed: list[Callable[[], object]] = []
        self._container = container

    def on_commit(self, callback: Callable[[], object]) -> None:
        """Run `callback` once this transaction has committed (not if it rolls back)."""
        self.committed.append(callback)

    @cached_property
    def reputation(self) -> ReputationService:
        return ReputationService(
            ReputationStore(self.conn),
            clock=self._container.clock,
            issuer=self._container.credential_issuer,
        )

    @cached_property
    def auth(self) -> AuthService:
        return AuthService(
            ApiKeyStore(self.conn),
            self.reputation,
            open_admin=self._settings.allow_open_admin_registration,
        )

    @cached_property
    def _hybrid(self) -> HybridSearch | None:
        """The hybrid search when `KP_SEARCH=hybrid` (else None: text matching)."""
        index = self._container.search_index
        return None if index is None else HybridSearch(self.conn, index)

    @cached_property
    def skills(self) -> SkillService:
        return SkillService(
            SkillStore(self.conn),
            self._hybrid or SqlSearch(self.conn),
            self.reputation,
            self.touched,
        )

    @cached_property
    def knowledge(self) -> KnowledgeService:
        return KnowledgeService(
            KnowledgeStore(self.conn),
            self._hybrid or SqlSearch(self.conn),
            self.reputation,
            self.touched,
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

    @cached_property
    def providers(self) -> ProviderService:
        return ProviderService(ProviderStore(self.conn), clock=self._container.clock)

    @cached_property
    def retention(self) -> RetentionService:
        policy = RetentionPolicy(
            network_days=self._settings.retention_network_days,
            org_days=self._settings.retention_org_days,
            private_days=self._settings.retention_private_days,
        )
        return RetentionService(self.knowledge, policy, clock=self._container.clock)

    @cached_property
    def export(self) -> ExportService:
        return ExportService(
            ExportStore(self.conn),
            knowledge=self.knowledge,
            reputation=self.reputation,
            auth=self.auth,
            quarantine=self.quarantine,
            clock=self._container.clock,
        )

    @cached_property
    def sops(self) -> SopService:
        return SopService(
            SopStore(self.conn),
            self._hybrid or SqlSopSearch(self.conn),
            self.reputation,
            self.skills,
            clock=self._container.clock,
        )

    @cached_property
    def credits(self) -> CreditService:
        return CreditService(CreditStore(self.conn), clock=self._container.clock)

    @cached_property
    def marketplace(self) -> MarketplaceService:
        return MarketplaceService(
            ListingStore(self.conn),
            SubscriptionStore(self.conn),
            self.credits,
            revenue_share=self._settings.marketplace_revenue_share,
            subscription_price=self._settings.subscription_default_credits,
            clock=self._container.clock,
        )


@dataclass
class Container:
    """Long-lived objects of one registry process, built at start-up, closed at shutdown."""

    settings: Settings
    database: Database
    authenticator: Authenticator
    audit: AuditSink
    backends: Backends
    redis: Any = None
    jwt_verifier: JwksVerifier | None = None
    jobs: list[Periodic] = field(default_factory=list)
    clock: Clock = field(default_factory=SystemClock)
    search_index: Any = None  # search.zvec_index.ZvecSearchIndex when KP_SEARCH=hybrid
    search_sync: Any = None  # search.sync.IndexSync beside it
    _issuer: CredentialIssuer | None = field(default=None, repr=False)

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

    @cached_property
    def collab(self) -> CollabService:
        """Collaboration presence; rooms live in this process (one worker, §8.8)."""
        return CollabService(InProcessRoomRegistry())

    @cached_property
    def importer(self) -> ImportService:
        """The Notion/Confluence import proxy behind the SSRF guard ([FIX-S9])."""
        return ImportService(GuardedClient(UrlPolicy(self.settings.import_allowed_host_list)))

    @classmethod
    async def start(
        cls, settings: Settings, *, clock: Clock | None = None, search_index: bool = True
    ) -> Container:
        """Open the store, migrate it to the latest schema and wire the services.

        `clock` drives rate limits, idempotency and cache expiry (tests pass a manual one).
        `search_index=False` skips the hybrid index (CLI commands that never search).
        """
        # §9.2: JWT sign-in only when issuer, audience and JWKS URL are all configured (a bad URL
        # stops start-up here, before anything is opened; its HTTP client opens lazily).
        verifier = None
        if settings.oidc_enabled:
            verifier = JwksVerifier(
                issuer=str(settings.oidc_issuer),
                audience=str(settings.oidc_audience),
                jwks_url=str(settings.oidc_jwks_url),
            )
        redis = None
        if settings.redis_url:
            # An unreachable Redis stops start-up (RedisUnavailable names the URL).
            redis = await connect_redis(settings.redis_url)
            backends = redis_backends(
                redis, url=settings.redis_url, prefix=settings.redis_prefix, clock=clock
            )
        else:
            backends = memory_backends(clock)
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
            authenticator=Authenticator(lookup_key, jwt=verifier),
            audit=sink,
            backends=backends,
            redis=redis,
            jwt_verifier=verifier,
            jobs=[Periodic("audit-retention", AUDIT_PURGE_INTERVAL, purge_audit)],
            clock=clock or SystemClock(),
        )
        # [FIX-F10]: at start-up, then every KP_RETENTION_SWEEP_INTERVAL_HOURS.
        container.jobs.append(
            Periodic(
                "knowledge-retention",
                settings.retention_sweep_interval_hours * 3600,
                container.sweep_retention,
            )
        )
        if settings.search == "hybrid" and search_index:
            try:
                await container._start_search()
            except BaseException:
                await container.close()
                raise
        for job in container.jobs:
            job.start()
        return container

    async def _start_search(self) -> None:
        try:
            # Imported here: zvec is only needed (and only installed) for KP_SEARCH=hybrid.
            from knowledgepulse.registry.search.runtime import start_hybrid
        except ImportError as exc:
            raise RuntimeError(
                f"KP_SEARCH=hybrid needs the zvec package ({exc}); "
                "install zvec==0.8.0 or set KP_SEARCH=sql"
            ) from exc
        self.search_index, self.search_sync = await start_hybrid(
            self.settings, self.database, on_applied=self._search_changed
        )

    async def _search_changed(self, entities: set[str]) -> None:
        # A page cached from the index before this change must not outlive it.
        tags = {SEARCH_TAGS[e] for e in entities if e in SEARCH_TAGS}
        if tags:
            await self.cache.invalidate_tags(*tags)

    def credential_issuer(self) -> CredentialIssuer:
        """The key that signs reputation credentials, created in the data dir on first use."""
        if self._issuer is None:
            seed = load_or_create_signing_key(self.settings.data_dir / CREDENTIAL_KEY_FILE)
            self._issuer = CredentialIssuer(did=REGISTRY_DID, private_key=seed)
        return self._issuer

    async def sweep_retention(self, batch_size: int = DEFAULT_BATCH) -> int:
        """Delete expired knowledge units, one transaction per batch; returns the count."""
        total = 0
        while True:
            async with self.unit_of_work(write=True) as services:
                deleted = await services.retention.sweep(batch_size)
            total += deleted
            if deleted < batch_size:
                break
        if total:
            logger.info("retention sweep deleted %d knowledge units", total)
        return total

    @asynccontextmanager
    async def unit_of_work(self, *, write: bool) -> AsyncIterator[Services]:
        """Services sharing one transaction: committed on success, rolled back on error.

        Cache tags the services touched are invalidated after the commit. Before that, a write
        to skills, knowledge units or SOPs is applied to this process's search index, so
        the item is searchable (and an erased one gone) when the response is sent.
        """
        async with self.database.transaction(write=write) as conn:
            services = Services(conn, self)
            yield services
        if (
            write
            and self.search_sync is not None
            and any(name in vars(services) for name in SEARCH_SERVICES)
        ):
            await self.search_sync.after_commit()
        if services.touched.tags:
            await self.cache.invalidate_tags(*services.touched.tags)
        for callback in services.committed:
            callback()

    async def close(self) -> None:
        """Stop the jobs, flush the audit log, then release connections."""
        for job in self.jobs:
            await job.stop()
        if self.search_sync is not None:
            await self.search_sync.stop()
            self.search_sync = None
        if self.search_index is not None:
            await self.search_index.close()
            self.search_index = None
        await self.audit.close()
        await self.database.dispose()
        await self.backends.aclose()
        if self.redis is not None:
            await self.redis.aclose()
        if self.jwt_verifier is not None:
            await self.jwt_verifier.aclose()

"""Text-matching search (the reference's semantics): the `KP_SEARCH=sql` backend."""

from __future__ import annotations

from knowledgepulse.registry.db.connection import Connection
from knowledgepulse.registry.knowledge.models import KnowledgeQuery, StoredKnowledgeUnit
from knowledgepulse.registry.knowledge.store import KnowledgeStore
from knowledgepulse.registry.skills.models import SkillQuery, StoredSkill
from knowledgepulse.registry.skills.store import SkillStore

__all__ = ["SqlSearch"]


class SqlSearch:
    """Case-insensitive substring matching in SQL, quality-ordered, inside one transaction."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def search_skills(self, query: SkillQuery) -> tuple[list[StoredSkill], int]:
        """Skills matching every filter of `query`, one page, plus the total."""
        return await SkillStore(self._conn).search(query)

    async def search_knowledge(
        self, query: KnowledgeQuery
    ) -> tuple[list[StoredKnowledgeUnit], int]:
        """Visible, non-quarantined units matching `query`, one page, plus the total."""
        return await KnowledgeStore(self._conn).search(query)

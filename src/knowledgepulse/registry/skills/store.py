"""SQL for skills and their tags (data-model.md §5); never commits."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from knowledgepulse.registry.db.changes import next_change_seq
from knowledgepulse.registry.db.connection import Connection
from knowledgepulse.registry.db.paging import page
from knowledgepulse.registry.db.types import format_timestamp
from knowledgepulse.registry.search.text import like_pattern, search_text
from knowledgepulse.registry.skills.models import SkillQuery, StoredSkill
from knowledgepulse.registry.skills.tables import skill_tags, skills

__all__ = ["SkillStore"]

_LIST_COLUMNS = [c for c in skills.c if c.name not in ("files", "search_text_lc", "scan_findings")]


_GET = sa.select(skills).where(skills.c.id == sa.bindparam("id"))


class SkillStore:
    """Skills by id, and the reference's quality-ordered text search."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def insert(self, skill: StoredSkill) -> None:
        """Store a new skill with its lower-cased tags."""
        await self._conn.execute(
            skills.insert().values(
                id=skill.id,
                name=skill.name,
                description=skill.description,
                version=skill.version,
                author=skill.author,
                tags=list(skill.tags),
                content=skill.content,
                files=dict(skill.files),
                visibility=skill.visibility,
                quality_score=skill.quality_score,
                contributor_id=skill.contributor_id,
                search_text_lc=search_text([skill.name, skill.description, *skill.tags]),
                created_at=skill.created_at,
                updated_at=skill.updated_at,
                change_seq=await next_change_seq(self._conn),
                scan_verdict=skill.scan_verdict,
                scan_score=skill.scan_score,
                scan_findings=skill.findings or None,
            )
        )
        tags_lc = sorted({tag.lower() for tag in skill.tags})
        if tags_lc:
            await self._conn.execute(
                skill_tags.insert(), [{"skill_id": skill.id, "tag_lc": t} for t in tags_lc]
            )

    async def get(self, skill_id: str) -> StoredSkill | None:
        """The skill with its files, or None."""
        row = (await self._conn.execute(_GET, {"id": skill_id})).first()
        return None if row is None else _skill(row, with_files=True)

    async def flagged(self, offset: int, limit: int) -> tuple[list[StoredSkill], int]:
        """Skills the scanner found suspicious, newest first, for admin review."""
        conditions = [skills.c.scan_verdict != "clean"]
        order = [skills.c.change_seq.desc()]
        rows, total = await page(self._conn, skills, [skills], conditions, order, offset, limit)
        return [_skill(row, with_files=False) for row in rows], total

    async def search(self, query: SkillQuery) -> tuple[list[StoredSkill], int]:
        """AND of substring `q`, any-of `tags`, `min_quality`; quality desc, then insertion."""
        conditions: list[Any] = []
        if query.q:
            conditions.append(skills.c.search_text_lc.like(like_pattern(query.q), escape="\\"))
        if query.tags:
            wanted = sorted({t.lower() for t in query.tags})
            conditions.append(
                sa.exists().where(
                    skill_tags.c.skill_id == skills.c.id, skill_tags.c.tag_lc.in_(wanted)
                )
            )
        if query.min_quality is not None:
            conditions.append(skills.c.quality_score >= query.min_quality)
        order = [skills.c.quality_score.desc(), skills.c.change_seq]
        rows, total = await page(
            self._conn, skills, _LIST_COLUMNS, conditions, order, query.offset, query.limit
        )
        return [_skill(row, with_files=False) for row in rows], total


def _skill(row: Any, *, with_files: bool) -> StoredSkill:
    return StoredSkill(
        id=row.id,
        name=row.name,
        description=row.description,
        version=row.version,
        author=row.author,
        tags=list(row.tags),
        content=row.content,
        files=dict(row.files) if with_files else {},
        visibility=row.visibility,
        quality_score=row.quality_score,
        contributor_id=row.contributor_id,
        scan_verdict=row.scan_verdict,
        scan_score=row.scan_score,
        findings=list(getattr(row, "scan_findings", None) or []),
        created_at=format_timestamp(row.created_at),
        updated_at=format_timestamp(row.updated_at),
    )

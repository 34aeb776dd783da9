"""Cache tags touched by a transaction, invalidated only after it commits.

Invalidating before the commit would let a concurrent reader cache the old rows again in
between; after the commit, the cache's stamps reject any value computed before it.
"""

from __future__ import annotations

__all__ = ["KNOWLEDGE_TAG", "SKILLS_TAG", "Touched"]

SKILLS_TAG = "skills"
KNOWLEDGE_TAG = "knowledge"


class Touched:
    """The set of cache tags a unit of work changed."""

    __slots__ = ("tags",)

    def __init__(self) -> None:
        self.tags: set[str] = set()

    def touch(self, *tags: str) -> None:
        """Record that data behind `tags` changed in this transaction."""
        self.tags.update(tags)

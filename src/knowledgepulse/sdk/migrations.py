"""Schema-version migrations of KnowledgeUnit documents (sdk-mcp-cli.md §1.10).

Version labels are plain strings (`v1`, `v2`). A migration takes a document of one
version and returns a **new** document of the next; it never mutates its input.
The only registered migration, `v1 -> v2`, is an identity placeholder (KD-20).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from knowledgepulse.sdk.errors import MigrationError

__all__ = ["Migration", "MigrationRegistry", "migrate", "migration_registry"]

Migration = Callable[[dict[str, Any]], dict[str, Any]]
"""A pure function from a document of one version to a document of another."""


class MigrationRegistry:
    """Migration functions keyed by `(from_version, to_version)`, in registration order."""

    def __init__(self) -> None:
        self._edges: dict[tuple[str, str], Migration] = {}

    def register(self, from_version: str, to_version: str, fn: Migration) -> None:
        """Store `fn` for `from_version -> to_version`, replacing an earlier entry in place."""
        self._edges[(from_version, to_version)] = fn

    def get(self, from_version: str, to_version: str) -> Migration | None:
        """The function registered for exactly this pair, or None."""
        return self._edges.get((from_version, to_version))

    def chain(self, from_version: str, to_version: str) -> list[Migration]:
        """The functions of a shortest path from `from_version` to `to_version`, in order.

        Breadth-first with a visited set, so cycles terminate (KD-20); among equally
        short paths the earliest-registered edges win. Equal versions give `[]`.

        Raises:
            MigrationError: `No migration path from {from_version} to {to_version}`.
        """
        if from_version == to_version:
            return []
        came_from: dict[str, tuple[str, Migration]] = {}
        seen = {from_version}
        queue = deque([from_version])
        while queue:
            current = queue.popleft()
            for (source, target), fn in self._edges.items():
                if source != current or target in seen:
                    continue
                came_from[target] = (current, fn)
                if target == to_version:
                    return self._path(came_from, from_version, to_version)
                seen.add(target)
                queue.append(target)
        raise MigrationError(f"No migration path from {from_version} to {to_version}")

    @staticmethod
    def _path(
        came_from: dict[str, tuple[str, Migration]], start: str, goal: str
    ) -> list[Migration]:
        steps: list[Migration] = []
        node = goal
        while node != start:
            node, fn = came_from[node]
            steps.append(fn)
        steps.reverse()
        return steps


def _v1_to_v2(unit: dict[str, Any]) -> dict[str, Any]:
    # Placeholder kept from the reference: v2 does not exist yet, so nothing changes.
    return unit


migration_registry = MigrationRegistry()
"""The SDK's registry of known migrations."""
migration_registry.register("v1", "v2", _v1_to_v2)


def migrate(
    unit: dict[str, Any],
    from_version: str,
    to_version: str,
    *,
    registry: MigrationRegistry | None = None,
) -> dict[str, Any]:
    """Migrate `unit` from one schema version to another through the registered chain.

    Returns `unit` itself when the versions are equal.

    Args:
        unit: the document to migrate; it is not modified.
        from_version: its current version label, e.g. `v1`.
        to_version: the wanted version label.
        registry: where to look up migrations; defaults to `migration_registry`.

    Raises:
        MigrationError: no chain of migrations connects the two versions.
    """
    if from_version == to_version:
        return unit
    chosen = migration_registry if registry is None else registry
    for fn in chosen.chain(from_version, to_version):
        unit = fn(unit)
    return unit

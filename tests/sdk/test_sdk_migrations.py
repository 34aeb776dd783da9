"""Schema migrations (sdk-mcp-cli.md §1.10, KD-20)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from knowledgepulse.sdk.errors import KPError, MigrationError
from knowledgepulse.sdk.migrations import MigrationRegistry, migrate, migration_registry
from knowledgepulse.sdk.models.examples import minimal_reasoning_trace


def _tag(label: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A pure migration that appends `label` to the document's `trail`."""

    def step(unit: dict[str, Any]) -> dict[str, Any]:
        return {**unit, "trail": [*unit.get("trail", []), label]}

    step.__name__ = f"to_{label}"
    return step


def test_v1_to_v2_is_the_identity_placeholder() -> None:
    unit = minimal_reasoning_trace()
    assert migrate(unit, "v1", "v2") is unit
    assert unit == minimal_reasoning_trace()


def test_there_is_no_way_back_from_v2_to_v1() -> None:
    with pytest.raises(MigrationError) as caught:
        migrate(minimal_reasoning_trace(), "v2", "v1")
    assert str(caught.value) == "No migration path from v2 to v1"  # golden message
    assert isinstance(caught.value, KPError)
    assert caught.value.code == "MIGRATION_ERROR"


def test_migrating_to_the_same_version_returns_the_unit_unchanged() -> None:
    unit = minimal_reasoning_trace()
    assert migrate(unit, "v7", "v7") is unit
    assert migration_registry.chain("v1", "v1") == []


def test_the_default_registry_holds_exactly_the_v1_to_v2_migration() -> None:
    assert migration_registry.get("v1", "v2") is not None
    assert migration_registry.get("v2", "v1") is None
    assert migration_registry.get("v2", "v3") is None


def test_registering_a_pair_again_replaces_the_earlier_function() -> None:
    registry = MigrationRegistry()
    first, second = _tag("a"), _tag("b")
    registry.register("v1", "v2", first)
    registry.register("v1", "v2", second)
    assert registry.get("v1", "v2") is second
    assert migrate({}, "v1", "v2", registry=registry) == {"trail": ["b"]}


def test_migrate_applies_a_multi_step_chain_in_order() -> None:
    registry = MigrationRegistry()
    registry.register("v2", "v3", _tag("v3"))
    registry.register("v1", "v2", _tag("v2"))
    registry.register("v3", "v4", _tag("v4"))
    assert migrate({"id": "x"}, "v1", "v4", registry=registry) == {
        "id": "x",
        "trail": ["v2", "v3", "v4"],
    }


def test_chain_takes_the_shortest_path_even_when_a_longer_one_was_registered_first() -> None:
    registry = MigrationRegistry()
    registry.register("v1", "v2", _tag("v2"))
    registry.register("v2", "v3", _tag("v3"))
    registry.register("v3", "v4", _tag("v4"))
    registry.register("v1", "v4", _tag("direct"))
    assert migrate({}, "v1", "v4", registry=registry) == {"trail": ["direct"]}


def test_chain_breaks_ties_by_registration_order() -> None:
    registry = MigrationRegistry()
    registry.register("v1", "a", _tag("a"))
    registry.register("v1", "b", _tag("b"))
    registry.register("b", "v2", _tag("v2-from-b"))
    registry.register("a", "v2", _tag("v2-from-a"))
    assert migrate({}, "v1", "v2", registry=registry) == {"trail": ["a", "v2-from-a"]}


def test_a_cycle_without_a_path_fails_instead_of_looping_forever() -> None:
    registry = MigrationRegistry()
    registry.register("v1", "v2", _tag("v2"))
    registry.register("v2", "v1", _tag("v1"))
    with pytest.raises(MigrationError) as caught:
        registry.chain("v1", "v3")
    assert str(caught.value) == "No migration path from v1 to v3"


def test_migrate_does_not_modify_its_input() -> None:
    registry = MigrationRegistry()
    registry.register("v1", "v2", _tag("v2"))
    unit = minimal_reasoning_trace()
    before = copy.deepcopy(unit)
    migrated = migrate(unit, "v1", "v2", registry=registry)
    assert unit == before
    assert migrated["trail"] == ["v2"]

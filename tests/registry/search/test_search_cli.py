"""`kp-registry index rebuild`: rebuilds from the store, refuses while a server holds it."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from knowledgepulse.registry.cli import app
from knowledgepulse.registry.container import Container
from knowledgepulse.registry.search.slots import SlotLease, read_meta
from tests.registry.api._api import settings_for
from tests.registry.search._relevance import load, publish


def _env(db_url: str, tmp_path: Path) -> dict[str, str]:
    env = {"KP_DATA_DIR": str(tmp_path / "data"), "KP_EMBEDDER": "hashing"}
    if db_url.startswith("sqlite"):
        env |= {"KP_STORE_BACKEND": "sqlite", "KP_SQLITE_PATH": db_url.split("///", 1)[1]}
    else:
        env |= {"KP_STORE_BACKEND": "postgres", "KP_DATABASE_URL": db_url}
    return env


async def _fill(db_url: str, tmp_path: Path) -> int:
    container = await Container.start(settings_for(db_url, tmp_path))
    try:
        data = {"items": load()["items"][:30], "queries": []}
        await publish(container, data)
        return container.search_sync.cursor
    finally:
        await container.close()


def test_index_rebuild_indexes_the_store_with_a_progress_bar(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cursor = asyncio.run(_fill(db_url, tmp_path))
    for name in [n for n in os.environ if n.startswith("KP_")]:
        monkeypatch.delenv(name)
    result = CliRunner().invoke(app, ["index", "rebuild"], env=_env(db_url, tmp_path))
    assert result.exit_code == 0, result.output
    assert "search index rebuilt" in result.output
    assert "30/30" in result.output  # the bar's last state
    meta = read_meta(tmp_path / "data" / "index" / "slot-0")
    assert meta is not None
    assert meta.cursor == cursor


def test_index_rebuild_refuses_while_a_server_holds_a_slot(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asyncio.run(_fill(db_url, tmp_path))
    for name in [n for n in os.environ if n.startswith("KP_")]:
        monkeypatch.delenv(name)
    held = SlotLease.acquire(tmp_path / "data" / "index")
    try:
        result = CliRunner().invoke(app, ["index", "rebuild"], env=_env(db_url, tmp_path))
    finally:
        held.release()
    assert result.exit_code == 1
    assert "in use by a running registry" in result.output


def test_index_rebuild_has_nothing_to_do_for_the_memory_store(tmp_path: Path) -> None:
    env: dict[str, Any] = {"KP_STORE_BACKEND": "memory", "KP_DATA_DIR": str(tmp_path)}
    result = CliRunner().invoke(app, ["index", "rebuild"], env=env)
    assert result.exit_code == 2
    assert "nothing to rebuild" in result.output

"""Index sync: other processes catch up, start-up checks and repairs, restart and rebuild."""

from __future__ import annotations

import asyncio
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from knowledgepulse.registry.container import Container
from knowledgepulse.registry.knowledge.models import KnowledgeQuery
from knowledgepulse.registry.search.documents import SKILL
from knowledgepulse.registry.search.filters import key
from knowledgepulse.registry.search.rebuild import prepare_slots, rebuild_index
from knowledgepulse.registry.search.slots import SlotLease, read_meta
from knowledgepulse.registry.search.types import IndexDoc
from knowledgepulse.registry.search.zvec_index import ZvecCollection, ZvecSearchIndex
from knowledgepulse.registry.skills.models import SkillQuery
from tests.registry.api._api import Api, settings_for
from tests.registry.search._relevance import load, publish
from tests.registry.search.test_search_hybrid import add_skill, add_unit, search, trace

QUERIES = [
    ("skill", "deploy a new version to k8s without downtime"),
    ("skill", "which postgres queries are the slowest"),
    ("skill", "pdf-reader"),
    ("skill", "retry requests"),
    ("knowledge", "what to do when production is down"),
    ("knowledge", "credential stuffing attack on login"),
    ("knowledge", "Parallel web search"),
]


def _subset() -> dict[str, Any]:
    data = load()
    return {"items": data["items"][::4], "queries": data["queries"]}


async def _results(container: Container) -> list[tuple[list[str], int]]:
    out = []
    for kind, q in QUERIES:
        async with container.unit_of_work(write=False) as tx:
            if kind == "skill":
                found, total = await tx.skills.search(SkillQuery(q=q, limit=10))
            else:
                found, total = await tx.knowledge.search(KnowledgeQuery(q=q, limit=10))
        out.append(([r.id for r in found], int(total)))
    return out


async def test_another_process_sees_writes_within_the_poll_interval(
    make_search_api: Any,
) -> None:
    writer: Api = await make_search_api()
    reader: Api = await make_search_api()  # same store and data dir: the next slot
    slots = {
        writer.app.state.container.search_index.slot.name,
        reader.app.state.container.search_index.slot.name,
    }
    assert slots == {"slot-0", "slot-1"}
    owner = await writer.key("kp:agent:owner")
    # Each app here has its own in-process response cache (several processes share Redis),
    # so every read adds a unique parameter to look at the reader's index, not its cache.
    reads = iter(range(10_000))

    async def found() -> dict[str, Any]:
        params = {"q": "compact event store", "_n": next(reads)}
        return await search(reader, "/v1/knowledge", **params)

    unit = await add_unit(writer, owner, trace("Compact the event store"))
    started = time.monotonic()
    while (await found())["total"] == 0:
        assert time.monotonic() - started < 1.5, "not visible within the 1 s poll interval"
        await asyncio.sleep(0.05)
    # An erase in the writer never shows in the reader's results, even before its poll.
    await writer.request("DELETE", f"/v1/knowledge/{unit['id']}", owner)
    assert (await found())["data"] == []
    started = time.monotonic()
    while (await found())["total"] != 0:
        assert time.monotonic() - started < 1.5
        await asyncio.sleep(0.05)


async def test_restart_and_rebuild_give_the_same_results(db_url: str, tmp_path: Path) -> None:
    settings = settings_for(db_url, tmp_path)
    first = await Container.start(settings)
    try:
        await publish(first, _subset())
        expected = await _results(first)
    finally:
        await first.close()
    assert read_meta(tmp_path / "data" / "index" / "slot-0").cursor > 0  # type: ignore[union-attr]
    again = await Container.start(settings)
    try:
        assert again.search_sync.cursor == read_meta(again.search_index.slot).cursor
        assert await _results(again) == expected
    finally:
        await again.close()
    progress: list[tuple[int, int]] = []
    report = await rebuild_index(
        settings, progress=lambda done, total: progress.append((done, total))
    )
    assert sum(report.items.values()) == len(_subset()["items"])
    assert progress[-1][0] == progress[-1][1] == sum(report.items.values())
    rebuilt = await Container.start(settings)
    try:
        assert await _results(rebuilt) == expected
    finally:
        await rebuilt.close()


async def test_rebuild_refuses_while_a_registry_holds_the_index(make_container: Any) -> None:
    container = await make_container()
    with pytest.raises(RuntimeError, match="in use"):
        await rebuild_index(container.settings)


async def test_start_up_repairs_an_index_that_drifted_from_the_store(
    db_url: str, tmp_path: Path
) -> None:
    settings = settings_for(db_url, tmp_path)
    first = await Container.start(settings)
    api_skills: list[str] = []
    try:
        async with first.unit_of_work(write=True) as tx:
            from tests.registry.search._relevance import skill_of

            for item in load()["items"][:6]:
                skill = skill_of(item)
                api_skills.append(skill.id)
                await tx.skills._store.insert(skill)  # type: ignore[attr-defined]
        await first.search_sync.catch_up()
    finally:
        await first.close()
    # Behind the registry's back: lose one document and invent another.
    coll = ZvecCollection(tmp_path / "data" / "index" / "slot-0" / "skills", SKILL, 384)
    await coll.open()
    await coll.delete([api_skills[0]])
    vector = np.zeros(384, dtype=np.float32)
    vector[1] = 1.0
    fields = {"name_h": key("ghost"), "idl_h": key("ghost"), "quality": 1.0, "tags_h": []}
    ghost = IndexDoc("kp:skill:ghost", 1, "ghost", "ghost", key("ghost"), fields, vector)
    await coll.upsert([ghost])
    await coll.close()
    again = await Container.start(settings)
    try:
        assert await again.search_sync.audited() == {"skill": 2}
        coll2 = await again.search_index.collection("skill", create=False)
        assert sorted((await coll2.seqs()).keys()) == sorted(api_skills)
    finally:
        await again.close()


async def test_a_reset_store_empties_the_index(db_url: str, tmp_path: Path, request: Any) -> None:
    settings = settings_for(db_url, tmp_path)
    first = await Container.start(settings)
    try:
        await publish(first, {"items": load()["items"][:5], "queries": []})
    finally:
        await first.close()
    # Reset the store to an empty schema (as a restored or recreated database would be).
    if db_url.startswith("sqlite"):
        template: Path = request.getfixturevalue("sqlite_template")
        shutil.copyfile(template, Path(db_url.split("///", 1)[1]))
    else:
        request.getfixturevalue("postgres_test_database").reset()
    again = await Container.start(settings)
    try:
        assert again.search_sync.cursor == 0
        assert await _results(again) == [([], 0)] * len(QUERIES)
    finally:
        await again.close()


async def test_items_indexed_without_vectors_are_embedded_after_a_restart(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_for(db_url, tmp_path)

    async def no_embedder(self: ZvecSearchIndex, texts: list[str]) -> None:
        return None

    with monkeypatch.context() as patch:
        patch.setattr(ZvecSearchIndex, "embed_docs", no_embedder)
        first = await Container.start(settings)
        try:
            await publish_no_wait(first, 4)
            assert first.search_sync.pending == 4
        finally:
            await first.close()
    again = await Container.start(settings)
    try:
        assert await again.search_sync.wait_idle(30)
        coll = await again.search_index.collection("skill", create=False)
        assert await coll.unembedded() == []
    finally:
        await again.close()


async def publish_no_wait(container: Container, count: int) -> None:
    from tests.registry.search._relevance import skill_of

    async with container.unit_of_work(write=True) as tx:
        for item in [i for i in load()["items"] if i["kind"] == "skill"][:count]:
            await tx.skills._store.insert(skill_of(item))  # type: ignore[attr-defined]
    await container.search_sync.catch_up()


async def test_serve_prepares_one_up_to_date_slot_per_worker(db_url: str, tmp_path: Path) -> None:
    settings = settings_for(db_url, tmp_path)
    first = await Container.start(settings)
    try:
        await publish(first, _subset())
        expected = await _results(first)
    finally:
        await first.close()
    await prepare_slots(settings, 3)
    root = tmp_path / "data" / "index"
    cursors = {read_meta(root / f"slot-{n}").cursor for n in range(3)}  # type: ignore[union-attr]
    assert len(cursors) == 1
    workers = [await Container.start(settings) for _ in range(3)]
    try:
        assert {w.search_index.slot.name for w in workers} == {"slot-0", "slot-1", "slot-2"}
        for worker in workers:
            assert await _results(worker) == expected
    finally:
        for worker in workers:
            await worker.close()


def test_a_slot_is_held_by_one_holder_at_a_time(tmp_path: Path) -> None:
    first = SlotLease.acquire(tmp_path)
    second = SlotLease.acquire(tmp_path)
    assert (first.path.name, second.path.name) == ("slot-0", "slot-1")
    assert SlotLease.try_lock(tmp_path, 0) is None
    first.release()
    third = SlotLease.try_lock(tmp_path, 0)
    assert third is not None
    third.release()
    second.release()


async def test_the_freshness_bound_holds_for_a_burst_of_writes(search_api: Api) -> None:
    admin = await search_api.key("kp:agent:admin", "admin", tier="enterprise")
    for n in range(40):
        await add_skill(search_api, admin, f"burst-{n}", f"Burst item number {n}")
    started = time.monotonic()
    assert await search_api.app.state.container.search_sync.wait_idle(5)
    assert time.monotonic() - started < 1.0
    body = await search(search_api, "/v1/skills", q="burst item", limit=1)
    assert body["total"] == 40


async def test_the_memory_store_keeps_its_index_in_a_temporary_folder(tmp_path: Path) -> None:
    from knowledgepulse.registry.settings import Settings

    settings = Settings(store_backend="memory", data_dir=tmp_path / "data", embedder="hashing")
    container = await Container.start(settings)
    try:
        await publish(container, {"items": load()["items"][:3], "queries": []})
        slot = container.search_index.slot
        assert not slot.is_relative_to(tmp_path)
        async with container.unit_of_work(write=False) as tx:
            _, total = await tx.skills.search(SkillQuery(q="kubernetes rollout"))
        assert total >= 1
    finally:
        await container.close()
    assert not slot.exists()
    assert not (tmp_path / "data" / "index").exists()

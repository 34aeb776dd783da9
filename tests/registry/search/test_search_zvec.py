"""The zvec adapter: batching, status checks, one owner thread, optimize under load."""

from __future__ import annotations

import faulthandler
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from knowledgepulse.registry.search.documents import SKILL
from knowledgepulse.registry.search.filters import key
from knowledgepulse.registry.search.types import IndexDoc, SearchPlan
from knowledgepulse.registry.search.zvec_index import (
    MAX_WRITE_BATCH,
    IndexFailure,
    ZvecCollection,
    init_zvec,
)

DIM = 8
WATCHDOG_SECONDS = 120


def _doc(n: int, rng: np.random.Generator, *, embedded: bool = True) -> IndexDoc:
    vector = rng.standard_normal(DIM).astype(np.float32)
    vector /= np.linalg.norm(vector)
    return IndexDoc(
        id=f"kp:skill:{n}",
        seq=n + 1,
        text=f"skill number {n} about topic{n % 7} and deploys",
        embed_text=f"skill {n}",
        text_h=key(f"skill {n}"),
        fields={
            "name_h": key(f"skill {n}"),
            "idl_h": key(f"kp:skill:{n}"),
            "quality": (n % 10) / 10,
            "tags_h": [key(f"t{n % 3}")],
        },
        vector=vector if embedded else None,
    )


@pytest.fixture
async def collection(tmp_path: Path) -> Any:
    init_zvec()
    coll = ZvecCollection(tmp_path / "skills", SKILL, DIM)
    await coll.open()
    yield coll
    await coll.close()


def _plan(vector: np.ndarray | None, text: str | None = "deploys", cap: int = 50) -> SearchPlan:
    return SearchPlan(
        filter=None,
        exact_keys=("skill 3",),
        match_text=text,
        vector=vector,
        min_similarity=-1.0,
        cap=cap,
        semantic_k=10,
    )


async def test_writes_larger_than_one_zvec_batch_are_split(collection: ZvecCollection) -> None:
    rng = np.random.default_rng(1)
    docs = [_doc(n, rng) for n in range(MAX_WRITE_BATCH * 2 + 5)]
    await collection.upsert(docs)
    assert await collection.count() == len(docs)
    await collection.delete([d.id for d in docs[: MAX_WRITE_BATCH + 3]] + ["kp:skill:missing"])
    assert await collection.count() == MAX_WRITE_BATCH + 2


async def test_search_returns_exact_lexical_and_semantic_lists(
    collection: ZvecCollection,
) -> None:
    rng = np.random.default_rng(2)
    docs = [_doc(n, rng) for n in range(40)] + [_doc(99, rng, embedded=False)]
    await collection.upsert(docs)
    hits = await collection.search(_plan(docs[5].vector))
    assert [h.id for h in hits.exact] == ["kp:skill:3"]
    assert len(hits.lexical) == 41  # every document says "deploys"
    assert hits.semantic[0].id == "kp:skill:5"
    assert hits.semantic[0].score == pytest.approx(1.0, abs=1e-5)
    assert "kp:skill:99" not in {h.id for h in hits.semantic}  # not embedded yet
    assert await collection.unembedded() == ["kp:skill:99"]
    capped = await collection.search(_plan(None, cap=20))
    assert (len(capped.lexical), capped.lexical_capped) == (20, True)


async def test_failures_come_back_as_index_failures(collection: ZvecCollection) -> None:
    rng = np.random.default_rng(3)
    bad = _doc(1, rng)
    bad.vector = np.ones(DIM + 1, dtype=np.float32)  # wrong dimension
    with pytest.raises(IndexFailure):
        await collection.upsert([bad])


async def test_every_zvec_call_runs_on_the_collection_owner_thread(
    collection: ZvecCollection,
) -> None:
    calls: list[str] = []
    real = collection._coll

    class Spy:
        def __getattr__(self, name: str) -> Any:
            attr = getattr(real, name)
            if not callable(attr):
                calls.append(threading.current_thread().name)
                return attr

            def wrapped(*args: Any, **kwargs: Any) -> Any:
                calls.append(threading.current_thread().name)
                return attr(*args, **kwargs)

            return wrapped

    collection._coll = Spy()
    rng = np.random.default_rng(4)
    await collection.upsert([_doc(n, rng) for n in range(20)])
    await collection.search(_plan(rng.standard_normal(DIM).astype(np.float32)))
    await collection.maybe_optimize(force=True)
    await collection.fetch_vectors(["kp:skill:1"])
    await collection.delete(["kp:skill:1"])
    collection._coll = real
    assert calls
    assert all(name.startswith("zvec-skills") for name in calls), set(calls)


def test_queries_from_many_threads_while_optimize_runs_never_hang(tmp_path: Path) -> None:
    """The zvec 0.8.0 deadlock: optimize() while other threads query. The adapter runs all
    calls on one owner thread, so a pile of concurrent queries, writes and optimizes must
    finish; a watchdog dumps every stack and fails the test instead of hanging CI."""
    init_zvec()
    coll = ZvecCollection(tmp_path / "skills", SKILL, DIM)
    coll.submit(coll._open).result(timeout=60)
    rng = np.random.default_rng(5)
    coll.submit(coll.upsert_now, [_doc(n, rng) for n in range(3000)]).result(timeout=60)
    errors: list[BaseException] = []
    stop = threading.Event()

    def querier(seed: int) -> None:
        local = np.random.default_rng(seed)
        try:
            while not stop.is_set():
                vector = local.standard_normal(DIM).astype(np.float32)
                hits = coll.submit(coll.search_now, _plan(vector)).result(timeout=60)
                assert hits.lexical
        except BaseException as exc:
            errors.append(exc)

    def writer() -> None:
        local = np.random.default_rng(99)
        try:
            for round_ in range(6):
                batch = [_doc(3000 + round_ * 300 + n, local) for n in range(300)]
                coll.submit(coll.upsert_now, batch).result(timeout=60)
                coll.submit(coll._maybe_optimize, True).result(timeout=120)
        except BaseException as exc:
            errors.append(exc)

    faulthandler.dump_traceback_later(WATCHDOG_SECONDS, exit=False, file=sys.stderr)
    try:
        threads = [threading.Thread(target=querier, args=(s,), daemon=True) for s in range(6)]
        optimizer = threading.Thread(target=writer, daemon=True)
        started = time.monotonic()
        for thread in (*threads, optimizer):
            thread.start()
        optimizer.join(WATCHDOG_SECONDS)
        stop.set()
        for thread in threads:
            thread.join(max(1.0, WATCHDOG_SECONDS - (time.monotonic() - started)))
        alive = [t.name for t in (*threads, optimizer) if t.is_alive()]
        assert not alive, f"hung threads: {alive}"
        assert not errors, errors
        assert coll.optimize_count == 6
    finally:
        faulthandler.cancel_dump_traceback_later()
        coll.close_sync()

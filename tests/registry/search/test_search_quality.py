"""Search quality with the real MiniLM model, end to end (bench/search_quality.py prints it).

The relevance set (tests/data/search/relevance.json): 316 skills and knowledge units, 136
queries as a user would ask them. Hybrid must reach recall@10 ≥ 0.90 and MRR ≥ 0.75 and
beat text matching; measured: hybrid 0.989 / 0.915, text matching 0.103 / 0.103.
"""

from __future__ import annotations

from pathlib import Path

from knowledgepulse.registry.container import Container
from knowledgepulse.registry.settings import Settings
from tests.registry._units import reasoning_trace
from tests.registry.api._api import Api
from tests.registry.search._relevance import evaluate, load, publish

MIN_RECALL_AT_10 = 0.90
MIN_MRR = 0.75


async def _scored(tmp_path: Path, search: str) -> tuple[float, float]:
    settings = Settings(
        store_backend="sqlite", data_dir=tmp_path / search, search=search, embedder="minilm"
    )
    container = await Container.start(settings)
    try:
        data = load()
        await publish(container, data)
        score = await evaluate(container, data)
    finally:
        await container.close()
    return score.recall, score.mrr


async def test_hybrid_search_meets_the_quality_bar_and_beats_text_matching(
    tmp_path: Path,
) -> None:
    recall, mrr = await _scored(tmp_path, "hybrid")
    sql_recall, sql_mrr = await _scored(tmp_path, "sql")
    assert recall >= MIN_RECALL_AT_10, recall
    assert mrr >= MIN_MRR, mrr
    assert recall > sql_recall
    assert mrr > sql_mrr


async def test_the_real_model_finds_a_paraphrase_through_the_rest_api(
    make_search_api: object,
) -> None:
    api: Api = await make_search_api(embedder="minilm")  # type: ignore[operator]
    alice = await api.key("kp:agent:alice")
    unit = reasoning_trace(
        objective="Restart a stuck Kubernetes deployment",
        summary="Pods ready again",
        quality_score=0.7,
    )
    assert (await api.request("POST", "/v1/knowledge", alice, json=unit)).status_code == 201
    container = api.app.state.container
    assert await container.search_sync.wait_idle(120)
    # No word in common with the unit: only the embedding connects them.
    response = await api.client.get("/v1/knowledge", params={"q": "my k8s app hangs on upgrade"})
    assert [u["id"] for u in response.json()["data"]] == [unit["id"]]

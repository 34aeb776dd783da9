"""Search quality on the relevance set: hybrid (zvec + MiniLM) against text matching.

    .venv/bin/python bench/search_quality.py [--embedder minilm|hashing] [--sweep] [--misses]

Loads tests/data/search/relevance.json (316 skills and knowledge units, 136 queries written
as a user would ask: paraphrases, synonyms, typos, exact names, keywords) into a fresh
SQLite registry per mode, runs every query through the search service (the same service
the REST routes call) and prints recall@10 and MRR per mode and per query style.

`--sweep` re-runs the hybrid queries for several `KP_SEARCH_MIN_SIMILARITY` values and also
prints how many items match per query (what `total` reports) and how many queries find
nothing: the default threshold was chosen from this table.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledgepulse.registry.container import Container  # noqa: E402
from knowledgepulse.registry.knowledge.models import KnowledgeQuery  # noqa: E402
from knowledgepulse.registry.settings import Settings  # noqa: E402
from knowledgepulse.registry.skills.models import SkillQuery  # noqa: E402
from tests.registry.search._relevance import Score, evaluate, load, publish  # noqa: E402

SWEEP = (0.25, 0.30, 0.35, 0.40, 0.45, 0.50)


def _row(label: str, score: Score) -> str:
    styles = "  ".join(
        f"{style} {recall:.2f}/{mrr:.2f}" for style, (recall, mrr, _) in score.per_style.items()
    )
    return f"{label:<28} {score.recall:>9.3f} {score.mrr:>6.3f}   {styles}"


async def _open(search: str, embedder: str, data_dir: Path, **extra: object) -> Container:
    settings = Settings(
        store_backend="sqlite", data_dir=data_dir, search=search, embedder=embedder, **extra
    )
    return await Container.start(settings)


async def _matches(container: Container, data: dict) -> tuple[float, int]:
    """Mean `total` per query and the number of queries with no result at all."""
    totals = []
    for query in data["queries"]:
        async with container.unit_of_work(write=False) as tx:
            if query["kind"] == "skill":
                _, total = await tx.skills.search(SkillQuery(q=query["q"], limit=1))
            else:
                _, total = await tx.knowledge.search(KnowledgeQuery(q=query["q"], limit=1))
        totals.append(int(total))
    return sum(totals) / len(totals), sum(1 for t in totals if t == 0)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--embedder", default="minilm", choices=("minilm", "hashing"))
    parser.add_argument("--sweep", action="store_true", help="threshold sweep")
    parser.add_argument("--misses", action="store_true", help="print queries below recall 1")
    args = parser.parse_args()
    data = load()
    items = len(data["items"])
    print(f"relevance set: {items} items, {len(data['queries'])} queries; load {os.getloadavg()}")
    print(f"{'mode':<28} {'recall@10':>9} {'MRR':>6}   per style (recall/MRR)")
    with tempfile.TemporaryDirectory() as tmp:
        sql = await _open("sql", args.embedder, Path(tmp) / "sql")
        try:
            await publish(sql, data)
            print(_row("text matching (KP_SEARCH=sql)", await evaluate(sql, data)))
        finally:
            await sql.close()
        hybrid = await _open("hybrid", args.embedder, Path(tmp) / "hybrid")
        try:
            started = time.perf_counter()
            await publish(hybrid, data)
            indexed = time.perf_counter() - started
            started = time.perf_counter()
            score = await evaluate(hybrid, data)
            per_query = (time.perf_counter() - started) / len(data["queries"]) * 1000
            print(_row(f"hybrid ({args.embedder})", score))
            print(f"  indexed {items} items in {indexed:.1f} s; {per_query:.1f} ms per query")
            if args.misses:
                for q, top in score.misses:
                    print(f"  miss: {q!r} -> {top}")
            if args.sweep:
                index = hybrid.search_index
                head = f"{'min similarity':<16} {'recall@10':>9} {'MRR':>6}"
                print()
                print(f"{head} {'mean total':>10} {'empty':>6}")
                for threshold in SWEEP:
                    index.min_similarity = threshold
                    swept = await evaluate(hybrid, data)
                    mean_total, empty = await _matches(hybrid, data)
                    print(
                        f"{threshold:<16.2f} {swept.recall:>9.3f} {swept.mrr:>6.3f} "
                        f"{mean_total:>10.1f} {empty:>6}"
                    )
        finally:
            await hybrid.close()


if __name__ == "__main__":
    asyncio.run(main())

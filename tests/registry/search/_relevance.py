"""The relevance set of tests/data/search: load it into a registry and score a search on it.

Shared by tests/registry/search/test_search_quality.py and bench/search_quality.py.
Metrics: recall@k is the share of a query's expected items found in its first k results,
averaged over queries; MRR is the mean of 1/rank of the first expected item (0 if absent
from the first k... or from all results, for MRR we look at the first 100).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledgepulse.registry.container import Container
from knowledgepulse.registry.knowledge.models import KnowledgeQuery, StoredKnowledgeUnit
from knowledgepulse.registry.knowledge.store import KnowledgeStore
from knowledgepulse.registry.skills.models import SkillQuery, StoredSkill
from knowledgepulse.registry.skills.store import SkillStore

DATA = Path(__file__).resolve().parents[2] / "data" / "search" / "relevance.json"
NOW = "2026-11-25T10:00:00.000Z"
_NS = uuid.UUID("6f1c2a52-1d0b-4a8e-9b0e-3c5d1e2f4a60")


def load() -> dict[str, Any]:
    """The relevance set: `items` and `queries`."""
    return json.loads(DATA.read_text(encoding="utf-8"))


def item_id(item: dict[str, Any]) -> str:
    """The registry id of an item of the set (stable across runs)."""
    prefix = {"skill": "skill", "ReasoningTrace": "trace", "ToolCallPattern": "pattern"}
    kind = prefix.get(item.get("type", item["kind"]), "sop")
    return f"kp:{kind}:{uuid.uuid5(_NS, item['key'])}"


def skill_of(item: dict[str, Any]) -> StoredSkill:
    """A stored skill with a SKILL.md as a contributor would write it."""
    tags = ", ".join(item["tags"])
    desc = item["description"]
    content = (
        f"---\nname: {item['name']}\ndescription: {desc}\ntags: [{tags}]\n---\n"
        f"# {item['name']}\n\nUse this skill to {desc[0].lower()}{desc[1:]}.\n"
    )
    return StoredSkill(
        id=item_id(item),
        name=item["name"],
        description=desc,
        content=content,
        visibility="network",
        quality_score=item["quality"],
        created_at=NOW,
        updated_at=NOW,
        tags=list(item["tags"]),
    )


def unit_of(item: dict[str, Any]) -> StoredKnowledgeUnit:
    """A stored knowledge unit (valid KnowledgeUnit JSON) of the item's `@type`."""
    meta = {
        "created_at": NOW,
        "agent_id": "kp:agent:relevance",
        "task_domain": item["domain"],
        "success": True,
        "quality_score": item["quality"],
        "visibility": "network",
        "privacy_level": "aggregated",
    }
    unit: dict[str, Any] = {
        "@context": "https://openknowledgepulse.org/schema/v1",
        "@type": item["type"],
        "id": item_id(item),
        "metadata": meta,
    }
    if item["type"] == "ReasoningTrace":
        unit["task"] = {"objective": item["name"]}
        unit["steps"] = [
            {"step_id": i, "type": "thought", "content": s} for i, s in enumerate(item["steps"])
        ]
        unit["outcome"] = {"result_summary": item["summary"], "confidence": 0.9}
    elif item["type"] == "ToolCallPattern":
        unit["name"] = item["name"]
        unit["description"] = item["description"]
        unit["trigger_conditions"] = {"task_types": item["task_types"]}
        unit["tool_sequence"] = [
            {"step": t, "execution": "sequential", "tools": [{"name": t}]} for t in item["tools"]
        ]
        unit["performance"] = {"avg_ms": 900, "success_rate": 0.9, "uses": 12}
    else:
        unit["name"] = item["name"]
        unit["domain"] = item["domain"]
        unit["source"] = {"type": "human_expert", "expert_id": "kp:expert:x", "credentials": []}
        unit["decision_tree"] = item["steps"]
    return StoredKnowledgeUnit(
        id=unit["id"], unit=unit, visibility="network", created_at=NOW, updated_at=NOW
    )


async def publish(container: Container, data: dict[str, Any]) -> None:
    """Store every item (one transaction) and wait until the index has embedded them."""
    async with container.unit_of_work(write=True) as tx:
        skills, units = SkillStore(tx.conn), KnowledgeStore(tx.conn)
        for item in data["items"]:
            if item["kind"] == "skill":
                await skills.insert(skill_of(item))
            else:
                assert await units.insert(unit_of(item))
    if container.search_sync is not None:
        await container.search_sync.catch_up()
        assert await container.search_sync.wait_idle(600)


@dataclass
class Score:
    """Recall@k and MRR over a set of queries, overall and per query style."""

    k: int
    recall: float = 0.0
    mrr: float = 0.0
    per_style: dict[str, tuple[float, float, int]] = field(default_factory=dict)
    misses: list[tuple[str, list[str]]] = field(default_factory=list)


async def evaluate(container: Container, data: dict[str, Any], k: int = 10) -> Score:
    """Run every query through the search service and score the ranking."""
    names = {item_id(i): i["name"] for i in data["items"]}
    keys = {i["key"]: item_id(i) for i in data["items"]}
    rows: list[tuple[str, float, float]] = []
    score = Score(k=k)
    for query in data["queries"]:
        async with container.unit_of_work(write=False) as tx:
            if query["kind"] == "skill":
                found, _ = await tx.skills.search(SkillQuery(q=query["q"], limit=100))
            else:
                found, _ = await tx.knowledge.search(KnowledgeQuery(q=query["q"], limit=100))
        ids = [r.id for r in found]
        expected = [keys[key] for key in query["expected"]]
        top = set(ids[:k])
        recall = sum(1 for e in expected if e in top) / len(expected)
        ranks = [ids.index(e) + 1 for e in expected if e in ids]
        rr = 1.0 / min(ranks) if ranks else 0.0
        rows.append((query["style"], recall, rr))
        if recall < 1.0:
            score.misses.append((query["q"], [names[i] for i in ids[:3]]))
    score.recall = sum(r for _, r, _ in rows) / len(rows)
    score.mrr = sum(m for _, _, m in rows) / len(rows)
    for style in sorted({s for s, _, _ in rows}):
        mine = [(r, m) for s, r, m in rows if s == style]
        score.per_style[style] = (
            sum(r for r, _ in mine) / len(mine),
            sum(m for _, m in mine) / len(mine),
            len(mine),
        )
    return score

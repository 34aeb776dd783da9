"""zvec filters: whitelisted fields, digest literals only, and no way to inject (§9.12)."""

from __future__ import annotations

import itertools
import math
import re
import uuid
from typing import Any

import pytest

from knowledgepulse.registry.container import Container
from knowledgepulse.registry.knowledge.models import KnowledgeQuery, StoredKnowledgeUnit
from knowledgepulse.registry.knowledge.store import KnowledgeStore
from knowledgepulse.registry.search import filters, records
from knowledgepulse.registry.search.filters import FILTER_GRAMMAR, Predicate
from knowledgepulse.registry.search.index import (
    knowledge_predicate,
    skill_predicate,
    sop_predicate,
)
from knowledgepulse.registry.skills.models import SkillQuery, StoredSkill
from knowledgepulse.registry.skills.store import SkillStore
from knowledgepulse.registry.sop.models import SopQuery

NOW = "2026-11-25T10:00:00.000Z"
# Quotes, escapes, parentheses, keywords and operators of the filter language, and the
# characters zvec's literal escaping gets wrong.
HOSTILE = [
    "'",
    '"',
    "\\",
    "\\'",
    "') OR 1=1 --",
    "x' OR private = true OR 'a'='a",
    "a') OR (name_h != '",
    "(",
    ")",
    "AND",
    "OR NOT",
    "contain_any ('x')",
    "quality >= 0",
    "%_*",
    "é ü 日本",
    "line\nbreak",
    "tab\tand\x00nul",
    "",
]


def _assert_safe(predicate: Predicate) -> None:
    text = predicate.text
    if text is None:
        return
    assert FILTER_GRAMMAR.fullmatch(text), text
    # Every quoted literal is a digest: no request value is ever quoted into the filter.
    literals = re.findall(r"'([^']*)'", text)
    assert literals, text
    assert all(re.fullmatch(r"[0-9a-f]{32}", lit) for lit in literals), text


@pytest.mark.parametrize("value", HOSTILE)
def test_every_filter_parameter_only_ever_produces_digests(value: str) -> None:
    _assert_safe(skill_predicate(SkillQuery(q="x", tags=(value, "ok"))))
    _assert_safe(
        knowledge_predicate(
            KnowledgeQuery(q="x", types=(value,), domain=value or None, viewer=value)
        )
    )
    _assert_safe(
        sop_predicate(
            SopQuery(q="x", domain=value or None, status=value or None, owner=value, viewer=value)
        )
    )


def test_numbers_are_finite_floats_and_non_finite_ones_keep_sql_semantics() -> None:
    assert Predicate().min_quality(0.5).text == "quality >= 0.5"
    assert Predicate().min_quality(1e-7).text == "quality >= 1e-07"
    assert Predicate().min_quality(math.nan).impossible
    assert Predicate().min_quality(math.inf).impossible
    assert Predicate().min_quality(-math.inf).text is None
    with pytest.raises(ValueError):
        filters.at_least("quality", math.nan)
    with pytest.raises(TypeError):
        filters.at_least("quality", True)


def test_fields_are_whitelisted_per_kind() -> None:
    with pytest.raises(ValueError):
        filters.eq("text", "x")  # the full-text field is not filterable
    with pytest.raises(ValueError):
        filters.eq("quality", "x")  # not a digest field
    with pytest.raises(ValueError):
        filters.contains_any("domain_h", ["x"])  # not an array field
    with pytest.raises(ValueError):
        filters.one_of("type_h", [])


def test_name_keys_ignore_case_accents_and_punctuation_but_not_letters() -> None:
    assert filters.name_key("Kubernetes-Rollout") == filters.name_key("KUBERNETES rollout")
    assert filters.name_key("odd_name%") == "odd name"
    assert filters.name_key("Straße") == filters.name_key("STRASSE")
    assert filters.name_key("rollout") != filters.name_key("rollouts")


def _skill(tags: list[str], quality: float) -> StoredSkill:
    return StoredSkill(
        id=f"kp:skill:{uuid.uuid4()}",
        name="hostile",
        description="hostile filter values",
        content="---\nname: hostile\ndescription: hostile filter values\n---\n",
        visibility="network",
        quality_score=quality,
        created_at=NOW,
        updated_at=NOW,
        tags=tags,
    )


def _unit(domain: str, owner: str, visibility: str, quality: float) -> StoredKnowledgeUnit:
    unit: dict[str, Any] = {
        "@context": "https://openknowledgepulse.org/schema/v1",
        "@type": "ReasoningTrace",
        "id": f"kp:trace:{uuid.uuid4()}",
        "metadata": {
            "created_at": NOW,
            "agent_id": owner,
            "task_domain": domain,
            "success": True,
            "quality_score": quality,
            "visibility": visibility,
            "privacy_level": "aggregated",
        },
        "task": {"objective": "hostile filter values"},
        "steps": [{"step_id": 0, "type": "thought", "content": "hostile"}],
        "outcome": {"result_summary": "x", "confidence": 1},
    }
    return StoredKnowledgeUnit(
        id=unit["id"], unit=unit, visibility=visibility, created_at=NOW, updated_at=NOW
    )


async def _ids_both_ways(container: Container, query: Any) -> tuple[set[str], set[str]]:
    """(hybrid result ids, ids the SQL filters accept among all matches of the text)."""
    async with container.unit_of_work(write=False) as tx:
        if isinstance(query, SkillQuery):
            found, _ = await tx.skills.search(query)
            everything, _ = await tx.skills.search(
                SkillQuery(tags=query.tags, min_quality=query.min_quality, limit=1000)
            )
        else:
            found, _ = await tx.knowledge.search(query)
            unfiltered = KnowledgeQuery(
                types=query.types,
                domain=query.domain,
                min_quality=query.min_quality,
                viewer=query.viewer,
                viewer_is_admin=query.viewer_is_admin,
                limit=1000,
            )
            everything, _ = await tx.knowledge.search(unfiltered)
    return {r.id for r in found}, {r.id for r in everything}


async def test_hostile_filter_values_find_exactly_their_items_in_zvec(
    make_container: Any,
) -> None:
    container = await make_container()
    values = [v for v in HOSTILE if v.strip() and "\x00" not in v]  # PostgreSQL refuses NUL
    async with container.unit_of_work(write=True) as tx:
        for n, value in enumerate(values):
            await SkillStore(tx.conn).insert(_skill([value, f"t{n}"], 0.1 + n / 40))
            visibility = "private" if n % 2 else "network"
            await KnowledgeStore(tx.conn).insert(_unit(value, value, visibility, 0.1 + n / 40))
    await container.search_sync.catch_up()
    answered = 0
    for value in values:
        for query in (
            SkillQuery(q="hostile", tags=(value,), limit=100),
            SkillQuery(q="hostile", tags=(value.upper(), "nope"), min_quality=0.2, limit=100),
            KnowledgeQuery(q="hostile", domain=value, viewer=value, limit=100),
            KnowledgeQuery(q="hostile", domain=value.upper(), limit=100),
            KnowledgeQuery(q="hostile", types=(value, "ReasoningTrace"), viewer=value, limit=100),
        ):
            hybrid, expected = await _ids_both_ways(container, query)
            assert hybrid == expected, (value, query)
            answered += bool(hybrid)
    assert answered > 2 * len(values)  # most hostile values do find their items


async def test_the_sql_filters_of_a_page_match_the_text_matching_filters(
    make_container: Any,
) -> None:
    container = await make_container()
    domains, owners = ["DevOps", "data"], ["kp:agent:a", "kp:agent:b"]
    async with container.unit_of_work(write=True) as tx:
        for n, (domain, owner, visibility) in enumerate(
            itertools.product(domains, owners, ("private", "org", "network"))
        ):
            await KnowledgeStore(tx.conn).insert(_unit(domain, owner, visibility, n / 12))
        await KnowledgeStore(tx.conn).set_quarantine_status(
            (await KnowledgeStore(tx.conn).list_for_agent("kp:agent:a"))[0].id, "quarantined"
        )
    queries = [
        KnowledgeQuery(domain=d, min_quality=m, viewer=v, viewer_is_admin=a, types=t, limit=100)
        for d in (None, "devops", "DATA")
        for m in (None, 0.5)
        for v in (None, "kp:agent:a")
        for a in (False, True)
        for t in ((), ("ReasoningTrace",), ("ToolCallPattern",))
    ]
    async with container.unit_of_work(write=False) as tx:
        every_id = [u.id for o in owners for u in await tx.knowledge.list_for_agent(o)]
        for query in queries:
            expected, _ = await KnowledgeStore(tx.conn).search(query)
            got = await records.fetch_by_ids(tx.conn, "knowledge_unit", every_id, query)
            assert set(got) == {u.id for u in expected}, query
            ordered, total = await records.sort_by_quality(
                tx.conn, "knowledge_unit", every_id, query
            )
            assert [u.id for u in ordered] == [u.id for u in expected]
            assert total == len(expected)

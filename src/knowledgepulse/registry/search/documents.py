"""What the index stores for a skill, a knowledge unit or an SOP, built from its SQL row.

Each kind gets: the full-text field (every text field the item has: names, descriptions,
tags, objectives, step contents, SOP instructions), a shorter text for the embedder (name
and summary first: MiniLM reads at most 256 tokens), the exact-match keys, and the filter
fields as digests (see filters.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from knowledgepulse.registry.search.filters import key, name_key
from knowledgepulse.registry.search.types import IndexDoc, KindSpec

__all__ = [
    "KINDS",
    "KNOWLEDGE",
    "NO_OWNER",
    "SKILL",
    "SOP",
    "SkillRow",
    "SopRow",
    "UnitRow",
    "build_doc",
    "unit_name",
]

SKILL = KindSpec(entity="skill", folder="skills", digests_fields=("tags_h",))
KNOWLEDGE = KindSpec(
    entity="knowledge_unit",
    folder="knowledge",
    digest_fields=("type_h", "domain_h", "owner_h"),
    flag_fields=("private",),
)
SOP = KindSpec(
    entity="sop",
    folder="sops",
    digest_fields=("domain_h", "status_h", "owner_h"),
    flag_fields=("private",),
)
KINDS: dict[str, KindSpec] = {spec.entity: spec for spec in (SKILL, KNOWLEDGE, SOP)}

NO_OWNER = "\x00"  # stands for "no owner": no agent id equals it
MAX_TEXT = 20_000  # characters of full text kept per item
MAX_EMBED_TEXT = 1_200  # characters the embedder sees (~256 tokens)
_FRONTMATTER = re.compile(r"\A---\s*\n.*?\n---\s*(?:\n|\Z)", re.DOTALL)
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class SkillRow:
    """The columns of a skill the index needs."""

    id: str
    name: str
    description: str
    tags: list[str]
    content: str
    quality_score: float
    change_seq: int


@dataclass(frozen=True, slots=True)
class UnitRow:
    """The columns of a knowledge unit the index needs."""

    id: str
    unit: dict[str, Any]
    visibility: str
    agent_id: str | None
    quality_score: float
    task_domain_lc: str
    unit_type: str
    quarantine_status: str | None
    change_seq: int


@dataclass(frozen=True, slots=True)
class SopRow:
    """The columns of an SOP the index needs."""

    id: str
    sop: dict[str, Any]
    status: str
    visibility: str
    agent_id: str | None
    quality_score: float
    domain_lc: str
    change_seq: int


def _strings(values: Iterable[object]) -> list[str]:
    # zvec stores UTF-8: a lone surrogate (legal in a JSON string) becomes "?".
    return [
        _SPACE.sub(" ", v.encode("utf-8", "replace").decode("utf-8")).strip()
        for v in values
        if isinstance(v, str) and v.strip()
    ]


def _join(parts: Iterable[object], limit: int) -> str:
    return "\n".join(_strings(parts))[:limit]


def _doc(
    item_id: str,
    seq: int,
    names: list[str],
    full: list[object],
    embed: list[object],
    quality: float,
    fields: dict[str, Any],
) -> IndexDoc:
    embed_text = _join(embed, MAX_EMBED_TEXT) or item_id
    # The name twice: a term in the name weighs more in BM25 than one in a long body.
    text = _join([*names, *names, *full], MAX_TEXT)
    keys = [name_key(n) for n in names if name_key(n)]
    return IndexDoc(
        id=item_id,
        seq=seq,
        text=text,
        embed_text=embed_text,
        text_h=key(embed_text),
        fields={
            "name_h": key(keys[0]) if keys else key(NO_OWNER),
            "idl_h": key(item_id.lower()),
            "quality": float(quality),
            **fields,
        },
    )


def _skill_doc(row: SkillRow) -> IndexDoc:
    body = _FRONTMATTER.sub("", row.content, count=1)
    tags = _strings(row.tags)
    tag_line = f"Tags: {', '.join(tags)}." if tags else ""
    return _doc(
        row.id,
        row.change_seq,
        [row.name],
        [row.description, " ".join(tags), body],
        [f"{row.name}: {row.description}", tag_line, body[:600]],
        row.quality_score,
        {"tags_h": sorted({key(t.lower()) for t in row.tags if isinstance(t, str)})},
    )


def unit_name(unit: dict[str, Any]) -> str | None:
    """The name exact matching uses: `name`, or a ReasoningTrace's `task.objective`."""
    if unit.get("@type") == "ReasoningTrace":
        task = unit.get("task")
        objective = task.get("objective") if isinstance(task, dict) else None
        return objective if isinstance(objective, str) else None
    name = unit.get("name")
    return name if isinstance(name, str) else None


def _dicts(value: object) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _unit_texts(unit: dict[str, Any]) -> tuple[list[object], list[object]]:
    """(every text field, the embedder's summary) of a knowledge unit, per `@type`."""
    kind = unit.get("@type")
    domain = (unit.get("metadata") or {}).get("task_domain")
    if kind == "ReasoningTrace":
        steps = _dicts(unit.get("steps"))
        outcome = unit.get("outcome") if isinstance(unit.get("outcome"), dict) else {}
        tools = [s["tool"].get("name") for s in steps if isinstance(s.get("tool"), dict)]
        contents = [s.get("content") for s in steps]
        summary = outcome.get("result_summary")
        full = [domain, summary, *contents, *tools, *(s.get("output_summary") for s in steps)]
        return full, [domain, summary, *contents]
    if kind == "ToolCallPattern":
        trigger = unit.get("trigger_conditions")
        task_types = trigger.get("task_types") if isinstance(trigger, dict) else None
        task_types = task_types if isinstance(task_types, list) else []
        seq = _dicts(unit.get("tool_sequence"))
        tools = [t.get("name") for s in seq for t in _dicts(s.get("tools"))]
        full = [unit.get("description"), domain, *task_types, *(s.get("step") for s in seq), *tools]
        return full, [unit.get("description"), domain, " ".join(_strings(task_types))]
    tree = _dicts(unit.get("decision_tree"))
    steps = [x for node in tree for x in (node.get("step"), node.get("instruction"))]
    return [unit.get("domain"), domain, *steps], [unit.get("domain"), *steps]


def _unit_doc(row: UnitRow) -> IndexDoc:
    name = unit_name(row.unit)
    names = [name] if name else []
    full, summary = _unit_texts(row.unit)
    return _doc(
        row.id,
        row.change_seq,
        names,
        full,
        [*names, *summary],
        row.quality_score,
        {
            "type_h": key(row.unit_type),
            "domain_h": key(row.task_domain_lc),
            "owner_h": key(row.agent_id or NO_OWNER),
            "private": row.visibility == "private",
        },
    )


def _sop_doc(row: SopRow) -> IndexDoc:
    sop = row.sop
    name = sop.get("name") if isinstance(sop.get("name"), str) else None
    names = [name] if name else []
    tree = _dicts(sop.get("decision_tree"))
    steps = [x for node in tree for x in (node.get("step"), node.get("instruction"))]
    tips = [t.get("name") for node in tree for t in _dicts(node.get("tool_suggestions"))]
    return _doc(
        row.id,
        row.change_seq,
        names,
        [sop.get("domain"), sop.get("description"), *steps, *tips],
        [*names, sop.get("domain"), *steps],
        row.quality_score,
        {
            "domain_h": key(row.domain_lc),
            "status_h": key(row.status),
            "owner_h": key(row.agent_id or NO_OWNER),
            "private": row.visibility == "private",
        },
    )


def build_doc(row: SkillRow | UnitRow | SopRow) -> IndexDoc | None:
    """The index document of `row`, or None when the item must not be searchable."""
    if isinstance(row, SkillRow):
        return _skill_doc(row)
    if isinstance(row, UnitRow):
        if row.quarantine_status == "quarantined":
            return None
        return _unit_doc(row)
    return _sop_doc(row)

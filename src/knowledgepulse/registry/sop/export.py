"""Render an ExpertSOP as a SKILL.md (registry-api.md §8.7 export-skill, data-model.md §9.4).

Pure functions: no I/O. The document is the reference's byte for byte (legacy layout:
`name`, `description`, `version`, `author`, `tags`, then the `kp` block), with one
deliberate difference: the frontmatter `name` is the SOP name turned into a valid Agent
Skills name (lower case letters, digits and single hyphens, at most 64 characters), so
the file passes `validate_skill_md` and loads in strict Agent Skills hosts. A name that
already is valid (`incident-triage`) is written unchanged; the human-readable name stays
in the description and the `# <name>` heading.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from knowledgepulse._lib import jsjson
from knowledgepulse.sdk.skillmd import generate_skill_md
from knowledgepulse.sdk.skillmd.models import MAX_NAME_CHARS
from knowledgepulse.sdk.skillmd.portability import name_issues

__all__ = ["FALLBACK_NAME", "ExportedSkill", "render_body", "render_skill", "skill_name"]

FALLBACK_NAME = "expert-sop"


@dataclass(frozen=True, slots=True)
class ExportedSkill:
    """The SKILL.md of an SOP and the skill fields taken from its frontmatter."""

    name: str
    description: str
    version: str
    author: str
    tags: list[str]
    content: str


def skill_name(name: str) -> str:
    """The Agent Skills form of `name`: NFKC, lower case, other characters as single hyphens."""
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name.strip()).lower())
    chars = [char if char.isalnum() else "-" for char in text]
    slug = "-".join(part for part in "".join(chars).split("-") if part)
    slug = slug[:MAX_NAME_CHARS].rstrip("-")
    # A few characters change again under NFKC after lower-casing; never emit an invalid name.
    return slug if slug and not name_issues(slug) else FALLBACK_NAME


def render_body(sop: dict[str, Any]) -> str:
    """The Markdown body: heading, domain, then one section per decision-tree node."""
    lines = [f"# {sop['name']}", "", f"Domain: {sop['domain']}", "", "## Decision Tree", ""]
    for node in sop["decision_tree"]:
        lines += [f"### {node['step']}", "", node["instruction"], ""]
        criteria = node.get("criteria")
        if criteria is not None:
            lines += ["**Criteria:**", ""]
            lines += [f"- {key}: {value}" for key, value in criteria.items()]
            lines.append("")
        conditions = node.get("conditions")
        if conditions is not None:
            lines += ["**Conditions:**", ""]
            for key, condition in conditions.items():
                line = f"- {key}: {condition['action']}"
                sla = condition.get("sla_min")
                if sla:  # JavaScript truthiness: 0 (and an absent SLA) is left out
                    line += f" (SLA: {jsjson.format_number(sla)} min)"
                lines.append(line)
            lines.append("")
        suggestions = node.get("tool_suggestions")
        if suggestions is not None:
            lines += ["**Tool Suggestions:**", ""]
            lines += [f"- {tool['name']}: {tool['when']}" for tool in suggestions]
            lines.append("")
    return "\n".join(lines)


def render_skill(sop: dict[str, Any], *, version: int, visibility: str) -> ExportedSkill:
    """The SKILL.md document of an SOP at its stored `version` and `visibility`."""
    domain = sop["domain"]
    frontmatter = {
        "name": skill_name(sop["name"]),
        "description": f"Expert SOP for {domain}: {sop['name']}",
        "version": f"{version}.0.0",
        "author": sop["source"]["expert_id"],
        "tags": [domain, "sop", "expert"],
    }
    kp = {"domain": domain, "knowledge_capture": True, "visibility": visibility}
    content = generate_skill_md(frontmatter, render_body(sop), kp, layout="legacy")
    return ExportedSkill(content=content, **frontmatter)  # type: ignore[arg-type]

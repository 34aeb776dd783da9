"""The Agent Skills rules of `skills-ref`, split the way sdk-mcp-cli.md §2.7 splits them.

* `name_issues` / `description_issues`: what makes `skills-ref` call a name or description
  invalid. `validate_skill_md` rejects these (rule 3 of §2.7).
* `portability_reasons`: what `skills-ref` rejects only for its strictness (YAML style,
  top-level fields outside the six, a folder that differs from the name, long texts).
  These never invalidate a file; they become `Warning: not portable: <reason>`.

The checks mirror `skills_ref.validator` 0.1.1 (NFKC-normalised names of at most 64
letters, digits and hyphens, lowercase, no leading, trailing or doubled hyphen).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection
from typing import Any

from knowledgepulse.sdk.issues import Issue
from knowledgepulse.sdk.skillmd._yaml_load import YamlStyle
from knowledgepulse.sdk.skillmd.models import (
    AGENT_SKILLS_FIELDS,
    MAX_COMPATIBILITY_CHARS,
    MAX_DESCRIPTION_CHARS,
    MAX_NAME_CHARS,
)

__all__ = ["description_issues", "name_issues", "normalize_name", "portability_reasons"]

_MAX_LISTED = 10  # field names named in one warning; the rest are counted
_STYLE_REASONS = {
    YamlStyle.FLOW: "flow-style YAML ([a, b] or {k: v}); write lists and mappings in block style",
    YamlStyle.ANCHOR: "YAML anchors or aliases (&name, *name)",
    YamlStyle.TAG: "explicit YAML tags (such as !!str)",
    YamlStyle.INDENT: "sibling YAML mappings indented by different amounts",
}


def normalize_name(name: str) -> str:
    """The form `skills-ref` compares: surrounding blanks removed, then NFKC."""
    return unicodedata.normalize("NFKC", name.strip())


def name_issues(name: str) -> list[Issue]:
    """Why an Agent Skills host would refuse this `name` (empty list: it is fine)."""
    if not name.strip():
        return [Issue("name", "must not be blank")]
    name = normalize_name(name)
    issues = []
    if len(name) > MAX_NAME_CHARS:
        issues.append(
            Issue("name", f"must be at most {MAX_NAME_CHARS} characters (got {len(name)})")
        )
    if name != name.lower():
        issues.append(Issue("name", "must be lowercase"))
    if name.startswith("-") or name.endswith("-"):
        issues.append(Issue("name", "must not start or end with a hyphen"))
    if "--" in name:
        issues.append(Issue("name", "must not contain consecutive hyphens"))
    if not all(char.isalnum() or char == "-" for char in name):
        issues.append(Issue("name", "may contain only letters, digits and hyphens"))
    return issues


def description_issues(description: str) -> list[Issue]:
    """Why an Agent Skills host would refuse this `description` (its length is only a warning)."""
    if not description.strip():
        return [Issue("description", "must not be blank")]
    return []


def portability_reasons(
    top: dict[str, Any],
    styles: Collection[str],
    *,
    bom: bool = False,
    folder_name: str | None = None,
) -> list[str]:
    """Reasons strict Agent Skills readers would refuse a file that KnowledgePulse accepts."""
    reasons = []
    if bom:
        reasons.append("the file starts with a byte-order mark (U+FEFF)")
    reasons.extend(_STYLE_REASONS[style] for style in _STYLE_REASONS if style in styles)
    extra = [key for key in top if key not in AGENT_SKILLS_FIELDS]
    if extra:
        shown = ", ".join(extra[:_MAX_LISTED])
        if len(extra) > _MAX_LISTED:
            shown += f" and {len(extra) - _MAX_LISTED} more"
        reasons.append(
            f"top-level fields outside the Agent Skills spec: {shown} (move them under metadata)"
        )
    if "metadata" in top and not isinstance(top["metadata"], dict):
        reasons.append("metadata is not a mapping")
    description = top.get("description")
    if isinstance(description, str) and len(description) > MAX_DESCRIPTION_CHARS:
        reasons.append(
            f"description is longer than {MAX_DESCRIPTION_CHARS} characters ({len(description)})"
        )
    compatibility = top.get("compatibility")
    if isinstance(compatibility, str) and len(compatibility) > MAX_COMPATIBILITY_CHARS:
        reasons.append(
            f"compatibility is longer than {MAX_COMPATIBILITY_CHARS} characters "
            f"({len(compatibility)})"
        )
    name = top.get("name")
    if (
        folder_name is not None
        and isinstance(name, str)
        and name.strip()
        and unicodedata.normalize("NFKC", folder_name) != normalize_name(name)
    ):
        reasons.append(f"folder name '{folder_name}' does not match the skill name '{name}'")
    return reasons

"""SKILL.md: parse, generate and validate (sdk-mcp-cli.md §2; registry-api.md §6.4)."""

from __future__ import annotations

from knowledgepulse.sdk.skillmd.generate import generate_skill_md
from knowledgepulse.sdk.skillmd.models import (
    AGENT_SKILLS_FIELDS,
    MAX_FRONTMATTER_BYTES,
    MAX_SKILL_MD_BYTES,
    PRIVACY_LEVELS,
    VISIBILITIES,
    KPExtension,
    Layout,
    ParsedSkillMd,
    PrivacyLevel,
    SkillFrontmatter,
    SkillMdValidation,
    Visibility,
)
from knowledgepulse.sdk.skillmd.parse import MISSING_DELIMITERS, parse_skill_md
from knowledgepulse.sdk.skillmd.validate import (
    PORTABILITY_WARNING,
    ScanResult,
    SecurityScan,
    validate_skill_md,
)

__all__ = [
    "AGENT_SKILLS_FIELDS",
    "MAX_FRONTMATTER_BYTES",
    "MAX_SKILL_MD_BYTES",
    "MISSING_DELIMITERS",
    "PORTABILITY_WARNING",
    "PRIVACY_LEVELS",
    "VISIBILITIES",
    "KPExtension",
    "Layout",
    "ParsedSkillMd",
    "PrivacyLevel",
    "ScanResult",
    "SecurityScan",
    "SkillFrontmatter",
    "SkillMdValidation",
    "Visibility",
    "generate_skill_md",
    "parse_skill_md",
    "validate_skill_md",
]

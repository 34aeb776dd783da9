"""Value types of SKILL.md handling: frontmatter, the `kp` block, parse and validation results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "AGENT_SKILLS_FIELDS",
    "MAX_COMPATIBILITY_CHARS",
    "MAX_DESCRIPTION_CHARS",
    "MAX_FRONTMATTER_BYTES",
    "MAX_NAME_CHARS",
    "MAX_SKILL_MD_BYTES",
    "PRIVACY_LEVELS",
    "VISIBILITIES",
    "KPExtension",
    "Layout",
    "ParsedSkillMd",
    "PrivacyLevel",
    "SkillFrontmatter",
    "SkillMdValidation",
    "Visibility",
]

#: Largest SKILL.md accepted, in UTF-8 bytes: the registry's request-body limit (1 MiB).
MAX_SKILL_MD_BYTES = 1024 * 1024
#: Largest frontmatter accepted, in UTF-8 bytes; it bounds YAML parsing time (~0.3 s).
MAX_FRONTMATTER_BYTES = 64 * 1024

#: The only top-level fields of the Agent Skills specification, in its order.
AGENT_SKILLS_FIELDS = (
    "name",
    "description",
    "license",
    "compatibility",
    "metadata",
    "allowed-tools",
)
#: Agent Skills limits (`skills-ref`): longer names are invalid, longer texts only unportable.
MAX_NAME_CHARS = 64
MAX_DESCRIPTION_CHARS = 1024
MAX_COMPATIBILITY_CHARS = 500

PrivacyLevel = Literal["aggregated", "federated", "private"]
Visibility = Literal["private", "org", "network"]
PRIVACY_LEVELS: tuple[PrivacyLevel, ...] = ("aggregated", "federated", "private")
VISIBILITIES: tuple[Visibility, ...] = ("private", "org", "network")

#: `agent-skills` writes the six standard fields with KnowledgePulse fields under `metadata`
#: (sdk-mcp-cli.md §2.7); `legacy` writes them top-level as the reference does (§2.5, §8.7).
Layout = Literal["agent-skills", "legacy"]


@dataclass(frozen=True, slots=True)
class SkillFrontmatter:
    """Validated frontmatter; `version`, `author` and `tags` come from `metadata` when set there.

    `metadata` holds the other keys of the `metadata` mapping (never `version`, `author`,
    `tags` or `kp`), so tools' own properties survive a parse/generate round trip.
    """

    name: str
    description: str
    version: str | None = None
    author: str | None = None
    license: str | None = None
    compatibility: str | None = None
    tags: tuple[str, ...] | None = None
    allowed_tools: tuple[str, ...] | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The wire form: §2.2 key names (`allowed-tools`), absent fields left out."""
        out: dict[str, Any] = {"name": self.name, "description": self.description}
        for key, value in (
            ("version", self.version),
            ("author", self.author),
            ("license", self.license),
            ("compatibility", self.compatibility),
        ):
            if value is not None:
                out[key] = value
        if self.tags is not None:
            out["tags"] = list(self.tags)
        if self.allowed_tools is not None:
            out["allowed-tools"] = list(self.allowed_tools)
        if self.metadata:
            out["metadata"] = self.metadata
        return out


@dataclass(frozen=True, slots=True)
class KPExtension:
    """The `kp` block (§2.3). Absent fields stay None: the parser fills in no defaults."""

    knowledge_capture: bool | None = None
    domain: str | None = None
    quality_threshold: float | None = None
    privacy_level: PrivacyLevel | None = None
    visibility: Visibility | None = None
    reward_eligible: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        """The wire form in §2.3 field order, absent fields left out (`{}` when all are)."""
        return {
            key: value
            for key, value in (
                ("knowledge_capture", self.knowledge_capture),
                ("domain", self.domain),
                ("quality_threshold", self.quality_threshold),
                ("privacy_level", self.privacy_level),
                ("visibility", self.visibility),
                ("reward_eligible", self.reward_eligible),
            )
            if value is not None
        }


@dataclass(frozen=True, slots=True)
class ParsedSkillMd:
    """Result of `parse_skill_md`: validated frontmatter and kp, the body and the untouched input.

    `portability` lists why strict Agent Skills hosts would refuse the file (reasons
    without the `Warning: not portable: ` prefix); it never makes the file invalid.
    """

    frontmatter: SkillFrontmatter
    kp: KPExtension | None
    body: str
    raw: str
    portability: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SkillMdValidation:
    """Result of `validate_skill_md` (§2.6): `errors` mixes errors and `Warning: ` entries."""

    valid: bool
    errors: tuple[str, ...] = ()

    @property
    def problems(self) -> list[str]:
        """The entries that are errors, in order (issue lines keep their two-space indent)."""
        return [entry for entry in self.errors if not entry.startswith(_WARNING)]

    @property
    def warnings(self) -> list[str]:
        """The warning entries without their `Warning: ` prefix."""
        return [entry.removeprefix(_WARNING) for entry in self.errors if entry.startswith(_WARNING)]

    def to_dict(self) -> dict[str, Any]:
        """The reference shape `{"valid": bool, "errors": [str]}`."""
        return {"valid": self.valid, "errors": list(self.errors)}


_WARNING = "Warning: "

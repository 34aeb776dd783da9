"""`generate_skill_md`: write frontmatter, the `kp` block and a body as a SKILL.md (§2.5, §2.7)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from knowledgepulse.sdk.skillmd._yaml_dump import dump_mapping
from knowledgepulse.sdk.skillmd.models import KPExtension, Layout, SkillFrontmatter

__all__ = ["generate_skill_md"]

# Standard fields, written top-level in the order they are given.
_TOP_LEVEL = ("name", "description", "license", "compatibility", "allowed-tools")


def generate_skill_md(
    frontmatter: SkillFrontmatter | Mapping[str, Any],
    body: str,
    kp: KPExtension | Mapping[str, Any] | None = None,
    *,
    layout: Layout = "agent-skills",
) -> str:
    """Return `---\\n<yaml>\\n---\\n\\n<body>`; no input validation, None values left out.

    With the default `agent-skills` layout only the six Agent Skills fields are top-level:
    `version`, `author`, `tags`, any other key and the `kp` block go under `metadata`
    (`metadata.kp`), and `allowed-tools` is written as the spec's space-delimited string
    unless a tool name contains whitespace. The `legacy` layout writes the keys in their
    given order with `kp` last, as the reference and the registry's SOP export do.
    `kp` is written whenever it is not None (`{}` gives `kp: {}`). Parsing the result
    gives back the same frontmatter and kp, and `"\\n" + body` (the blank separator line).

    Raises:
        TypeError: `metadata` is not a mapping, or a value is not YAML-writable.
    """
    fields = (
        frontmatter.to_dict() if isinstance(frontmatter, SkillFrontmatter) else dict(frontmatter)
    )
    kp_dict = kp.to_dict() if isinstance(kp, KPExtension) else (None if kp is None else dict(kp))
    if layout == "legacy":
        document = {key: _listify(value) for key, value in fields.items()}
        if kp_dict is not None:
            document["kp"] = kp_dict
    else:
        document = _agent_skills(fields, kp_dict)
    return "---\n" + dump_mapping(document) + "\n---\n\n" + body


def _agent_skills(fields: dict[str, Any], kp: dict[str, Any] | None) -> dict[str, Any]:
    top: dict[str, Any] = {}
    metadata: dict[str, Any] = {}
    given_metadata = fields.get("metadata")
    for key, value in fields.items():
        if key == "metadata":
            continue
        if key == "allowed-tools":
            top[key] = _tools(value)
        elif key in _TOP_LEVEL:
            top[key] = value
        else:
            metadata[key] = _listify(value)
    if isinstance(given_metadata, Mapping):
        # Parsing lets `metadata` win over top-level copies, so generating does too.
        metadata.update(given_metadata)
    elif given_metadata is not None:
        raise TypeError(f"metadata must be a mapping, not {type(given_metadata).__name__}")
    if kp is not None:
        metadata.pop("kp", None)
        metadata["kp"] = kp
    if any(value is not None for value in metadata.values()):
        top["metadata"] = metadata
    return top


def _tools(value: Any) -> Any:
    if isinstance(value, list | tuple) and all(
        isinstance(tool, str) and tool and not any(char.isspace() for char in tool)
        for tool in value
    ):
        return " ".join(value)
    return _listify(value)


def _listify(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value

"""The KnowledgePulse schema of the frontmatter (§2.2) and of the `kp` block (§2.3), Zod-style.

Issue messages reproduce the reference's Zod texts (`Required`, `Expected string, received
number`, ...) because the registry and `kp validate` print them verbatim. KnowledgePulse
fields may sit top-level (reference-era files) or under `metadata` (§2.7); each place is
checked on its own path (`version`, `metadata.version`) and `metadata` wins.
"""

from __future__ import annotations

import math
from typing import Any, cast

from knowledgepulse.sdk.issues import Issue
from knowledgepulse.sdk.skillmd.models import (
    PRIVACY_LEVELS,
    VISIBILITIES,
    KPExtension,
    PrivacyLevel,
    SkillFrontmatter,
    Visibility,
)

__all__ = ["check_frontmatter", "check_kp", "metadata_of", "type_name"]

_METADATA_FIELDS = ("version", "author", "tags", "kp")
_MISSING = object()


def type_name(value: Any) -> str:
    """The type word Zod uses in `Expected X, received <word>`."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "nan" if isinstance(value, float) and math.isnan(value) else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def metadata_of(top: dict[str, Any]) -> dict[str, Any]:
    """The `metadata` mapping, or `{}` when it is absent or not a mapping."""
    meta = top.get("metadata")
    return meta if isinstance(meta, dict) else {}


def check_frontmatter(top: dict[str, Any]) -> tuple[SkillFrontmatter | None, list[Issue]]:
    """Validate the frontmatter mapping; return the stripped frontmatter or the issues."""
    meta = metadata_of(top)
    issues: list[Issue] = []
    name = _string(top.get("name", _MISSING), "name", issues, required=True)
    description = _string(top.get("description", _MISSING), "description", issues, required=True)
    version = _both(top, meta, "version", issues, _string)
    author = _both(top, meta, "author", issues, _string)
    license_ = _string(top.get("license", _MISSING), "license", issues)
    compatibility = _string(top.get("compatibility", _MISSING), "compatibility", issues)
    tags = _both(top, meta, "tags", issues, _string_list)
    allowed_tools = _allowed_tools(top.get("allowed-tools", _MISSING), issues)
    if issues:
        return None, issues
    assert isinstance(name, str)
    assert isinstance(description, str)
    return (
        SkillFrontmatter(
            name=name,
            description=description,
            version=version,
            author=author,
            license=license_,
            compatibility=compatibility,
            tags=tags,
            allowed_tools=allowed_tools,
            metadata={k: v for k, v in meta.items() if k not in _METADATA_FIELDS},
        ),
        issues,
    )


def check_kp(top: dict[str, Any]) -> tuple[KPExtension | None, list[Issue]]:
    """Validate every present `kp` block (top-level and `metadata.kp`); `metadata` wins."""
    issues: list[Issue] = []
    found: KPExtension | None = None
    meta = metadata_of(top)
    for value, path in ((top.get("kp"), "kp"), (meta.get("kp"), "metadata.kp")):
        # The reference checks `if (kp)`: JavaScript-falsy values count as absent.
        if _js_falsy(value):
            continue
        kp = _kp_block(value, path, issues)
        if kp is not None:
            found = kp
    return (None if issues else found), issues


def _kp_block(value: Any, path: str, issues: list[Issue]) -> KPExtension | None:
    if not isinstance(value, dict):
        issues.append(Issue(path, f"Expected object, received {type_name(value)}"))
        return None
    before = len(issues)
    get = value.get
    capture = _bool(get("knowledge_capture", _MISSING), f"{path}.knowledge_capture", issues)
    domain = _string(get("domain", _MISSING), f"{path}.domain", issues, min_length=0)
    threshold = _unit_number(
        get("quality_threshold", _MISSING), f"{path}.quality_threshold", issues
    )
    privacy = _enum(get("privacy_level", _MISSING), f"{path}.privacy_level", PRIVACY_LEVELS, issues)
    visibility = _enum(get("visibility", _MISSING), f"{path}.visibility", VISIBILITIES, issues)
    reward = _bool(get("reward_eligible", _MISSING), f"{path}.reward_eligible", issues)
    if len(issues) > before:
        return None
    return KPExtension(
        knowledge_capture=capture,
        domain=domain,
        quality_threshold=threshold,
        privacy_level=cast("PrivacyLevel | None", privacy),
        visibility=cast("Visibility | None", visibility),
        reward_eligible=reward,
    )


def _both(
    top: dict[str, Any], meta: dict[str, Any], key: str, issues: list[Issue], check: Any
) -> Any:
    outer = check(top.get(key, _MISSING), key, issues)
    if key in meta:
        return check(meta[key], f"metadata.{key}", issues)
    return outer


def _string(
    value: Any,
    path: str,
    issues: list[Issue],
    *,
    required: bool = False,
    min_length: int | None = None,
) -> str | None:
    if value is _MISSING:
        if required:
            issues.append(Issue(path, "Required"))
        return None
    if not isinstance(value, str):
        issues.append(Issue(path, f"Expected string, received {type_name(value)}"))
        return None
    minimum = (1 if required else 0) if min_length is None else min_length
    if len(value) < minimum:
        issues.append(Issue(path, f"String must contain at least {minimum} character(s)"))
        return None
    return value


def _string_list(value: Any, path: str, issues: list[Issue]) -> tuple[str, ...] | None:
    if value is _MISSING:
        return None
    if not isinstance(value, list):
        issues.append(Issue(path, f"Expected array, received {type_name(value)}"))
        return None
    ok = True
    for index, item in enumerate(value):
        if not isinstance(item, str):
            issues.append(Issue(f"{path}.{index}", f"Expected string, received {type_name(item)}"))
            ok = False
    return tuple(value) if ok else None


def _allowed_tools(value: Any, issues: list[Issue]) -> tuple[str, ...] | None:
    # KD-41: the Agent Skills form is one space-delimited string; the reference's is a list.
    if isinstance(value, str):
        return tuple(value.split())
    if value is _MISSING or isinstance(value, list):
        return _string_list(value, "allowed-tools", issues)
    issues.append(Issue("allowed-tools", f"Expected string or array, received {type_name(value)}"))
    return None


def _bool(value: Any, path: str, issues: list[Issue]) -> bool | None:
    if value is _MISSING:
        return None
    if not isinstance(value, bool):
        issues.append(Issue(path, f"Expected boolean, received {type_name(value)}"))
        return None
    return value


def _unit_number(value: Any, path: str, issues: list[Issue]) -> float | None:
    if value is _MISSING:
        return None
    kind = type_name(value)
    if kind != "number":
        issues.append(Issue(path, f"Expected number, received {kind}"))
        return None
    if value < 0:
        issues.append(Issue(path, "Number must be greater than or equal to 0"))
        return None
    if value > 1:
        issues.append(Issue(path, "Number must be less than or equal to 1"))
        return None
    return value


def _enum(value: Any, path: str, options: tuple[str, ...], issues: list[Issue]) -> str | None:
    if value is _MISSING:
        return None
    expected = " | ".join(f"'{option}'" for option in options)
    if not isinstance(value, str):
        issues.append(Issue(path, f"Expected {expected}, received {type_name(value)}"))
        return None
    if value not in options:
        issues.append(Issue(path, f"Invalid enum value. Expected {expected}, received '{value}'"))
        return None
    return value


def _js_falsy(value: Any) -> bool:
    if value is None or value is False or value == "":
        return True
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value == 0 or (isinstance(value, float) and math.isnan(value))
    return False

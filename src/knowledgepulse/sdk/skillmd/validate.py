"""`validate_skill_md`: the verdict `kp validate` and `kp contribute` print (§2.6, §2.7).

Order of the checks, each of which can end the run:

1. size (`MAX_SKILL_MD_BYTES`), so no later step reads a huge input;
2. the security scan (§2.6 step 1): a refusal or any matched injection pattern is an
   error, sanitizer warnings become `Warning: <text>` entries;
3. the parse of §2.4 on the original content, plus the Agent Skills rules that
   `skills-ref` enforces on `name` and `description` (rule 3 of §2.7);
4. portability: what strict hosts refuse only for strictness is a warning,
   `Warning: not portable: <reason>`, never an error (rule 2 of §2.7).
"""

from __future__ import annotations

from collections.abc import Callable

from knowledgepulse.sdk.errors import SanitizationError, ValidationError
from knowledgepulse.sdk.issues import Issue
from knowledgepulse.sdk.security.gate import publish_gate
from knowledgepulse.sdk.security.sanitizer import sanitize_skill_md
from knowledgepulse.sdk.skillmd._schema import check_frontmatter, check_kp
from knowledgepulse.sdk.skillmd.models import SkillMdValidation
from knowledgepulse.sdk.skillmd.parse import load_skill_md, oversize_message
from knowledgepulse.sdk.skillmd.portability import (
    description_issues,
    name_issues,
    portability_reasons,
)

__all__ = [
    "INJECTION_ERROR",
    "PORTABILITY_WARNING",
    "ScanResult",
    "SecurityScan",
    "default_scan",
    "gate_scan",
    "validate_skill_md",
]

PORTABILITY_WARNING = "Warning: not portable: "
INJECTION_ERROR = "Content contains potential prompt injection patterns: "

#: What a security scan reports: an error entry (None when the content passes) and the
#: warning entries, already prefixed with `Warning: `.
ScanResult = tuple[str | None, list[str]]
SecurityScan = Callable[[str], ScanResult]

_FIELD_ORDER = {"name": 0, "description": 1}


def validate_skill_md(
    content: str,
    *,
    folder_name: str | None = None,
    scan: SecurityScan | None = None,
) -> SkillMdValidation:
    """Validate a SKILL.md and never raise; warnings ride along in `errors` (§2.6).

    Args:
        content: the SKILL.md text.
        folder_name: the folder holding the file when it is named `SKILL.md`; a name
            that differs from it gives a portability warning (Agent Skills layout).
        scan: the security scan to run first; None runs the default scan.
    """
    oversize = oversize_message(content)
    if oversize is not None:
        return SkillMdValidation(False, (oversize,))
    # A leading BOM is an encoding mark that the parser strips (KD-03), not hidden text;
    # the scan would refuse it as an invisible character.
    rejection, warnings = (scan or default_scan)(content.removeprefix("\ufeff"))
    if rejection is not None:
        return SkillMdValidation(False, (rejection, *warnings))
    try:
        document = load_skill_md(content)
    except ValidationError as exc:
        return SkillMdValidation(False, (exc.message,))
    _, issues = check_frontmatter(document.top)
    issues = _with_agent_skills_rules(document.top, issues)
    if issues:
        return SkillMdValidation(False, _report("Invalid SKILL.md frontmatter", issues))
    _, kp_issues = check_kp(document.top)
    if kp_issues:
        return SkillMdValidation(False, _report("Invalid SKILL.md kp extension", kp_issues))
    reasons = portability_reasons(
        document.top, document.styles, bom=document.bom, folder_name=folder_name
    )
    return SkillMdValidation(True, (*warnings, *(PORTABILITY_WARNING + r for r in reasons)))


def default_scan(content: str) -> ScanResult:
    """§2.6 step 1: the sanitizer's refusal, or any matched injection pattern, is an error."""
    try:
        result = sanitize_skill_md(content)
    except SanitizationError as exc:
        return exc.message, []
    warnings = [f"Warning: {warning}" for warning in result.warnings]
    # Stricter than the sanitizer, whose verdict for one pattern is "safe" (KD-05).
    patterns = result.injection_assessment.patterns
    if patterns:
        return INJECTION_ERROR + ", ".join(patterns), warnings
    return None, warnings


def gate_scan(content: str) -> ScanResult:
    """The registry's publish gate as a scan: what `POST /v1/skills` would refuse is an
    error, its scanner warnings are warnings, and any injection pattern is an error (KD-05).
    `kp validate` uses it so local verdicts match the registry's."""
    try:
        gate = publish_gate(content)
    except SanitizationError as exc:
        return exc.message, []
    warnings = [f"Warning: {warning}" for warning in gate.warnings]
    patterns = gate.sanitized.injection_assessment.patterns
    if patterns:
        return INJECTION_ERROR + ", ".join(patterns), warnings
    return None, warnings


def _with_agent_skills_rules(top: dict[str, object], issues: list[Issue]) -> list[Issue]:
    # Only a field that passed the KnowledgePulse check is held to the Agent Skills
    # rules, so `name: ''` keeps its one reference message.
    failed = {issue.path for issue in issues}
    extra: list[Issue] = []
    name, description = top.get("name"), top.get("description")
    if isinstance(name, str) and "name" not in failed:
        extra.extend(name_issues(name))
    if isinstance(description, str) and "description" not in failed:
        extra.extend(description_issues(description))
    merged = issues + extra
    merged.sort(key=lambda issue: _FIELD_ORDER.get(issue.path, len(_FIELD_ORDER)))
    return merged


def _report(header: str, issues: list[Issue]) -> tuple[str, ...]:
    return (header, *(f"  {issue.path}: {issue.message}" for issue in issues))

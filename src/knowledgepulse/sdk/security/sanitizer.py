"""`sanitize_skill_md`: the reference's SKILL.md sanitizer with its fixes (§5.1, KD-01, KD-08).

Used by the registry on `POST /v1/skills` (registry-api.md §9.6), so messages and
warnings are wire text and must not change.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from knowledgepulse.sdk.errors import SanitizationError
from knowledgepulse.sdk.security.injection import InjectionAssessment, classify_injection_risk

__all__ = [
    "INVISIBLE_CHARS",
    "SanitizeResult",
    "contains_invisible_chars",
    "js_to_fixed2",
    "sanitize_skill_md",
]

_HTML_COMMENT = re.compile(r"<!--[\s\S]*?-->")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
#: The characters §5.1 step 3 refuses. A compiled pattern has no `lastIndex`, so every
#: call scans the whole text (KD-01).
INVISIBLE_CHARS = re.compile(
    "[\u200b-\u200f\u2028-\u202f\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]"
)
INVISIBLE_MESSAGE = (
    "Content contains invisible Unicode characters that may be used for steganography"
)


@dataclass(frozen=True, slots=True)
class SanitizeResult:
    """Sanitized text, the warnings produced, and the injection assessment (always present)."""

    content: str
    warnings: tuple[str, ...]
    injection_assessment: InjectionAssessment


def contains_invisible_chars(text: str) -> bool:
    """True when `text` holds any character that §5.1 step 3 rejects."""
    return INVISIBLE_CHARS.search(text) is not None


def js_to_fixed2(value: float) -> str:
    """JavaScript's `x.toFixed(2)`: exact decimal expansion, ties away from zero."""
    return str(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def sanitize_skill_md(content: str) -> SanitizeResult:
    """Strip HTML, refuse invisible characters, NFC-normalise and classify (§5.1).

    Raises:
        SanitizationError: invisible characters anywhere in the input (also inside
            comments or tags, KD-08), or an injection verdict of `rejected`.
    """
    # KD-08: the reference checked only after removing HTML, so characters hidden in
    # comments passed; fail closed on the original input.
    if contains_invisible_chars(content):
        raise SanitizationError(INVISIBLE_MESSAGE)
    warnings: list[str] = []
    text, comments = _HTML_COMMENT.subn("", content)
    if comments:
        warnings.append("Removed HTML comments")
    text, tags = _HTML_TAG.subn("", text)
    if tags:
        warnings.append("Removed HTML tags")
    if contains_invisible_chars(text):
        raise SanitizationError(INVISIBLE_MESSAGE)
    text = unicodedata.normalize("NFC", text)
    assessment = classify_injection_risk(text)
    patterns = ", ".join(assessment.patterns)
    if assessment.verdict == "rejected":
        raise SanitizationError(
            f"Content flagged as potential prompt injection (risk score: "
            f"{js_to_fixed2(assessment.score)}). Matched patterns: {patterns}"
        )
    if assessment.verdict == "suspicious":
        warnings.append(
            f"Injection risk assessment: suspicious (score: {js_to_fixed2(assessment.score)}). "
            f"Patterns: {patterns}"
        )
    return SanitizeResult(text, tuple(warnings), assessment)

"""`clean_pii`: redact secrets and personal identifiers with the 14 patterns of §5.4.

The patterns run in table order, each on the previous one's output, so earlier rules
win (a connection string is never re-read as a password). The known gaps the spec lists
(`ghu_`/`ghr_` tokens, `sk-proj-` keys, version strings read as IPs) are kept for parity.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from knowledgepulse.sdk.security.injection import WS

__all__ = ["PII_PATTERNS", "PiiPattern", "PiiResult", "PrivacyLevel", "Redaction", "clean_pii"]

PrivacyLevel = Literal["aggregated", "federated", "private"]
_LEVELS = ("aggregated", "federated", "private")

_A = re.ASCII  # JavaScript's \d, \b and case folding are ASCII-only
_AI = re.ASCII | re.IGNORECASE
_S = WS[1:-1]  # the JavaScript whitespace class without its brackets, for use inside [...]
_STOP = _S + "'\"`,;)}\\]"  # what ends an unquoted value or path run


@dataclass(frozen=True, slots=True)
class PiiPattern:
    """One §5.4 row: category (`secret` or `identifier`), redaction type, regex, replacement."""

    category: Literal["secret", "identifier"]
    type: str
    pattern: re.Pattern[str]
    replacement: str | Callable[[re.Match[str]], str]


def _password_replacement(match: re.Match[str]) -> str:
    return f"{match.group(1)}{match.group(2)}[REDACTED:password]"


def _c(source: str, flags: int = _A) -> re.Pattern[str]:
    return re.compile(source, flags)


PII_PATTERNS: tuple[PiiPattern, ...] = (
    PiiPattern(
        "secret",
        "connection_string",
        _c(
            r"(?:postgresql|postgres|mysql|rediss|redis|mongodb\+srv|mongodb|amqps|amqp)"
            rf"://[^{_S}'\"`,)}}\]]+",
            _AI,
        ),
        "[REDACTED:connection_string]",
    ),
    PiiPattern(
        "secret",
        "bearer_token",
        _c(rf"Bearer[{_S}]+(?!kp_)[A-Za-z0-9_\-.~+/=]{{20,}}"),
        "Bearer [REDACTED:bearer_token]",
    ),
    PiiPattern("secret", "api_key", _c(r"sk-[A-Za-z0-9]{20,}"), "[REDACTED:api_key]"),
    PiiPattern("secret", "api_key", _c(r"gh[poas]_[A-Za-z0-9]{36,}"), "[REDACTED:api_key]"),
    PiiPattern("secret", "api_key", _c(r"AKIA[A-Z0-9]{16}"), "[REDACTED:api_key]"),
    PiiPattern("secret", "api_key", _c(r"kp_[a-f0-9]{16,}"), "[REDACTED:api_key]"),
    PiiPattern("secret", "api_key", _c(r"xox[bpras]-[A-Za-z0-9-]+"), "[REDACTED:api_key]"),
    PiiPattern(
        "secret",
        "password",
        _c(
            r"\b(password|passwd|secret|token|api_key|apikey|api_secret|access_token"
            rf"|auth_token)([{_S}]*[=:][{_S}]*)(?!\[REDACTED)"
            rf"(\"[^\"']*\"|'[^\"']*'|[^{_STOP}\[]{{2,}})",
            _AI,
        ),
        _password_replacement,
    ),
    PiiPattern(
        "identifier",
        "email",
        _c(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"),
        "[REDACTED:email]",
    ),
    PiiPattern(
        "identifier",
        "phone",
        _c(rf"(?:\+?1[-.{_S}]?)?\(?\d{{3}}\)?[-.{_S}]?[{_S}]*\d{{3}}[-.{_S}]\d{{4}}\b"),
        "[REDACTED:phone]",
    ),
    PiiPattern("identifier", "phone", _c(r"\+[1-9]\d{6,14}\b"), "[REDACTED:phone]"),
    PiiPattern(
        "identifier",
        "ip",
        _c(r"\b(?:(?:25[0-5]|2[0-4]\d|[01]?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|[01]?\d?\d)\b"),
        "[REDACTED:ip]",
    ),
    PiiPattern(
        "identifier",
        "filepath",
        _c(rf"/(?:home|Users)/[A-Za-z0-9._-]+(?:/[^{_STOP}]*)?"),
        "[REDACTED:filepath]",
    ),
    PiiPattern(
        "identifier",
        "filepath",
        _c(rf"[A-Z]:\\Users\\[A-Za-z0-9._-]+(?:\\[^\\{_STOP}]+)*"),
        "[REDACTED:filepath]",
    ),
)


@dataclass(frozen=True, slots=True)
class Redaction:
    """How many values of one type were redacted."""

    type: str
    count: int


@dataclass(frozen=True, slots=True)
class PiiResult:
    """The cleaned text and the redaction counts, in the order each type first matched."""

    cleaned: str
    redactions: tuple[Redaction, ...]

    def to_dict(self) -> dict[str, Any]:
        """`{cleaned, redactions: [{type, count}]}`."""
        return {
            "cleaned": self.cleaned,
            "redactions": [{"type": r.type, "count": r.count} for r in self.redactions],
        }


_EMAIL_PLAIN = PII_PATTERNS[8].pattern
# Every start inside one run of local-part characters reaches the same "@", so only the
# first start of a run can match: skipping the others keeps the matches and makes the
# scan linear (the plain pattern is quadratic on long runs with no valid domain).
_EMAIL_RUN_START = re.compile(r"(?<![A-Za-z0-9._%+-])" + _EMAIL_PLAIN.pattern, _A)


def _subn_email(text: str) -> tuple[str, int]:
    parts: list[str] = []
    pos = count = 0
    while pos < len(text):
        m = _EMAIL_PLAIN.match(text, pos) or _EMAIL_RUN_START.search(text, pos + 1)
        if m is None:
            break
        parts.append(text[pos : m.start()])
        parts.append("[REDACTED:email]")
        count += 1
        pos = m.end()
    parts.append(text[pos:])
    return "".join(parts), count


def clean_pii(text: str, level: PrivacyLevel = "aggregated") -> PiiResult:
    """Redact secrets always, and identifiers unless `level` is `private` (§5.4).

    Raises:
        ValueError: `level` is not `aggregated`, `federated` or `private`.
    """
    if level not in _LEVELS:
        raise ValueError(f"Unknown privacy level: {level!r}")
    if not text:
        return PiiResult(text, ())
    counts: dict[str, int] = {}
    for rule in PII_PATTERNS:
        if rule.category == "identifier" and level == "private":
            continue
        if rule.pattern is _EMAIL_PLAIN:
            text, n = _subn_email(text)
        else:
            text, n = rule.pattern.subn(rule.replacement, text)
        if n:
            counts[rule.type] = counts.get(rule.type, 0) + n
    return PiiResult(text, tuple(Redaction(t, c) for t, c in counts.items()))

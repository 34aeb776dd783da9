"""The reference's 25-rule injection classifier, kept exactly (sdk-mcp-cli.md §5.2).

It scores by the sum of every rule's weight, so one strong pattern stays "safe" (KD-06);
`scan_text` in `scanner.py` is the scanner that explains and decides. Regexes use ASCII
case folding and the JavaScript whitespace class so matches equal the reference's.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

__all__ = [
    "INJECTION_RULES",
    "MAX_RAW_SCORE",
    "InjectionAssessment",
    "InjectionRule",
    "classify_injection_risk",
    "js_round3",
    "safe_code_block_host",
]

InjectionVerdict = Literal["safe", "suspicious", "rejected"]

# JavaScript's `\s` (ECMA-262 WhiteSpace + LineTerminator); Python's differs (\x1c-\x1f, \x85).
WS = "[\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]"
_LINE_START = f"(?:^|\\n){WS}*(?:[-*>]{WS}*)?"
_FLAGS = re.IGNORECASE | re.ASCII


@dataclass(frozen=True, slots=True)
class InjectionRule:
    """One named rule of §5.2 with its weight and category."""

    name: str
    category: str
    weight: float
    pattern: re.Pattern[str] | None


def _rx(source: str) -> re.Pattern[str]:
    return re.compile(source.replace("ws", f"{WS}+"), _FLAGS)


INJECTION_RULES: tuple[InjectionRule, ...] = (
    InjectionRule(
        "ignore-previous-instructions",
        "system_override",
        0.3,
        _rx(r"ignorews(?:allws)?previouswsinstructions"),
    ),
    InjectionRule(
        "forget-instructions",
        "system_override",
        0.3,
        _rx(r"forgetws(?:allws)?(?:(?:your|prior)ws)?instructions"),
    ),
    InjectionRule(
        "disregard-instructions",
        "system_override",
        0.3,
        _rx(r"disregardws(?:allws)?(?:(?:your|above)ws)?instructions"),
    ),
    InjectionRule(
        "override-prompt", "system_override", 0.3, _rx(r"overridews(?:(?:your|system)ws)?prompt")
    ),
    InjectionRule(
        "new-updated-instructions",
        "system_override",
        0.3,
        re.compile(f"(?:new|updated){WS}+instructions{WS}*:", _FLAGS),
    ),
    InjectionRule(
        "you-are-now",
        "role_play",
        0.25,
        re.compile(f"{_LINE_START}you{WS}+are{WS}+now{WS}", _FLAGS),
    ),
    InjectionRule(
        "pretend-to-be",
        "role_play",
        0.25,
        re.compile(f"{_LINE_START}pretend{WS}+(?:you{WS}+are|to{WS}+be)", _FLAGS),
    ),
    InjectionRule("act-as", "role_play", 0.25, re.compile(f"{_LINE_START}act{WS}+as{WS}", _FLAGS)),
    InjectionRule(
        "from-now-on-you", "role_play", 0.25, re.compile(f"from{WS}+now{WS}+on,?{WS}+you", _FLAGS)
    ),
    InjectionRule(
        "imagine-you-are",
        "role_play",
        0.25,
        re.compile(f"{_LINE_START}imagine{WS}+you{WS}+are", _FLAGS),
    ),
    InjectionRule("llama-inst-tag", "delimiter", 0.2, re.compile(re.escape("[INST]"), _FLAGS)),
    InjectionRule(
        "llama-inst-close-tag", "delimiter", 0.2, re.compile(re.escape("[/INST]"), _FLAGS)
    ),
    InjectionRule(
        "chatml-im-start", "delimiter", 0.2, re.compile(re.escape("<|im_start|>"), _FLAGS)
    ),
    InjectionRule("chatml-im-end", "delimiter", 0.2, re.compile(re.escape("<|im_end|>"), _FLAGS)),
    InjectionRule("llama-sys-open", "delimiter", 0.2, re.compile(re.escape("<<SYS>>"), _FLAGS)),
    InjectionRule("llama-sys-close", "delimiter", 0.2, re.compile(re.escape("<</SYS>>"), _FLAGS)),
    InjectionRule(
        "system-tag-bracket", "delimiter", 0.2, re.compile(re.escape("[SYSTEM]"), _FLAGS)
    ),
    InjectionRule(
        "markdown-role-header",
        "delimiter",
        0.2,
        re.compile(f"###{WS}*(?:System|Human|Assistant){WS}*:", _FLAGS),
    ),
    InjectionRule("long-base64-block", "hidden", 0.15, re.compile(r"[A-Za-z0-9+/=]{100,}")),
    InjectionRule(
        "bidi-override-chars", "hidden", 0.15, re.compile("[\u202a-\u202e\u2066-\u2069]")
    ),
    InjectionRule(
        "zero-width-steganography", "hidden", 0.15, re.compile("[\u200b\u200c\u200d\ufeff]{3,}")
    ),
    InjectionRule("excessive-whitespace-encoding", "hidden", 0.15, re.compile(r"[ \t]{21,}")),
    InjectionRule(
        "send-data-pattern",
        "exfiltration",
        0.2,
        re.compile(f"send{WS}+(?:this|the|all){WS}+(?:to|via)\\b", _FLAGS),
    ),
    InjectionRule(
        "output-to-endpoint",
        "exfiltration",
        0.2,
        re.compile(
            f"output{WS}+(?:(?:to|the){WS}+)+(?:following|this){WS}+(?:url|endpoint|webhook)",
            _FLAGS,
        ),
    ),
    InjectionRule("suspicious-url-in-code-block", "exfiltration", 0.2, None),
)


def _max_raw() -> float:
    # Summed in table order on purpose: the reference reports the float 5.550000000000003.
    total = 0.0
    for rule in INJECTION_RULES:
        total += rule.weight
    return total


MAX_RAW_SCORE = _max_raw()

_SAFE_HOSTS = (
    "localhost",
    "127.0.0.1",
    "example.com",
    "example.org",
    "github.com",
    "githubusercontent.com",
    "npmjs.com",
    "knowledgepulse.org",
    "openknowledgepulse.org",
    "schemas.openknowledgepulse.org",
)
_FENCE = re.compile(r"```([\s\S]*?)```")
_CODE_URL = re.compile(r"https?://[^\s`\"')]*", re.IGNORECASE)


def safe_code_block_host(url: str) -> bool:
    """True when the host a browser would contact for `url` is on the §5.2 safe list (KD-42)."""
    # Browsers read `\` as `/` in http(s) URLs, so `https://evil\@github.com` goes to evil.
    try:
        host = urlsplit(url.replace("\\", "/")).hostname
    except ValueError:
        return False  # an unparsable authority is not provably safe
    if not host:
        return False
    host = host.rstrip(".")
    return any(host == safe or host.endswith("." + safe) for safe in _SAFE_HOSTS)


def _suspicious_url_in_code(text: str) -> bool:
    for block in _FENCE.finditer(text):
        for url in _CODE_URL.finditer(block.group(1)):
            if not safe_code_block_host(url.group(0)):
                return True
    return False


def js_round3(value: float) -> float:
    """JavaScript's `Math.round(x * 1000) / 1000` (half up, not banker's rounding)."""
    return math.floor(value * 1000 + 0.5) / 1000


@dataclass(frozen=True, slots=True)
class InjectionAssessment:
    """The §5.2 result: rounded score, maximum raw score, matched rule names, verdict."""

    score: float
    max_score: float
    patterns: tuple[str, ...]
    verdict: InjectionVerdict

    def to_dict(self) -> dict[str, Any]:
        """`{score, max_score, patterns, verdict}`."""
        return {
            "score": self.score,
            "max_score": self.max_score,
            "patterns": list(self.patterns),
            "verdict": self.verdict,
        }


def classify_injection_risk(
    content: str, reject_threshold: float = 0.6, suspicious_threshold: float = 0.3
) -> InjectionAssessment:
    """Score `content` with the 25 weighted rules of §5.2; never raises."""
    raw = 0.0
    matched: list[str] = []
    for rule in INJECTION_RULES:
        if rule.pattern is None:
            hit = _suspicious_url_in_code(content)
        else:
            hit = rule.pattern.search(content) is not None
        if hit:
            raw += rule.weight
            matched.append(rule.name)
    score = min(raw / MAX_RAW_SCORE, 1.0)
    verdict: InjectionVerdict
    if score >= reject_threshold:
        verdict = "rejected"
    elif score >= suspicious_threshold:
        verdict = "suspicious"
    else:
        verdict = "safe"
    return InjectionAssessment(js_round3(score), MAX_RAW_SCORE, tuple(matched), verdict)

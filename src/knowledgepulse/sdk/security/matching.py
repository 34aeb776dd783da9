"""Shared pieces of the rules: the `Hit` type, hosts, negation and mention context."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from knowledgepulse.sdk.security.findings import Severity

__all__ = [
    "SENTENCE_WINDOW",
    "Hit",
    "excerpt",
    "host_of",
    "is_known_host",
    "is_mention",
    "negated",
    "rx",
    "sentence_bounds",
]

_SENTENCE_END = re.compile(r"[.!?](?=\s|$)|\n\s*\n")
_NEGATION = re.compile(
    r"\b(?:not|never|no|nobody|nothing|avoid|without|instead of|rather than|refuse to"
    r"|don'?t|doesn'?t|didn'?t|mustn'?t|shouldn'?t|won'?t|can'?t|cannot|isn'?t|aren'?t)\b",
    re.IGNORECASE,
)
# Words that say the text is *about* an attack (a quote, an example, a detection rule)
# rather than an instruction to the model reading it.
_MENTION_CUE = re.compile(
    r"\b(?:such as|(?:phrases?|things?|text|strings?|words?|prompts?|something|lines?)\s+like"
    r"|e\.g\.|for example|for instance|phrases?|patterns?|attacks?|attackers?|jailbreaks?"
    r"|injections?|injected|detects?|detecting|flags?|flagging|looks? for|examples? of|family"
    r"|says? to|saying|tells? (?:the model|it|you|them) to|asks? (?:the model|it|you|them) to"
    r"|ask the model to|attempts? to|tries to|trying to|instructs? (?:the model|it) to"
    r"|prompts that|text that|content that|a document that|that says|malicious|adversarial"
    r"|untrusted)\b",
    re.IGNORECASE,
)
_QUOTES = {"\u201c": "\u201d", "\u2018": "\u2019"}

#: Hosts whose appearance in a link or command says nothing suspicious by itself:
#: well-known documentation, package and API hosts, plus the reserved example domains
#: that the §5.2 safe list also trusts.
KNOWN_HOSTS = (
    "localhost",
    "127.0.0.1",
    "example.com",
    "example.org",
    "example.net",
    "github.com",
    "githubusercontent.com",
    "github.io",
    "gitlab.com",
    "bitbucket.org",
    "pypi.org",
    "pythonhosted.org",
    "python.org",
    "npmjs.com",
    "npmjs.org",
    "nodejs.org",
    "readthedocs.io",
    "readthedocs.org",
    "mozilla.org",
    "microsoft.com",
    "google.com",
    "googleapis.com",
    "amazonaws.com",
    "amazon.com",
    "azure.com",
    "docker.com",
    "docker.io",
    "kubernetes.io",
    "hashicorp.com",
    "stackoverflow.com",
    "wikipedia.org",
    "shields.io",
    "slack.com",
    "sentry.io",
    "stripe.com",
    "openai.com",
    "anthropic.com",
    "huggingface.co",
    "rust-lang.org",
    "go.dev",
    "golang.org",
    "crates.io",
    "rubygems.org",
    "apple.com",
    "knowledgepulse.org",
    "openknowledgepulse.org",
    "w3.org",
    "ietf.org",
)


@dataclass(frozen=True, slots=True)
class Hit:
    """One rule match inside a segment, before context adjusts its severity."""

    rule_id: str
    severity: Severity
    start: int
    end: int
    message: str
    #: Severity shift when the match is inside a fenced code block.
    code_shift: int = 0
    #: Whether quoting or describing the phrase (a mention) softens it.
    mentionable: bool = False


def rx(pattern: str) -> re.Pattern[str]:
    """Compile a rule pattern: case-insensitive, verbose whitespace kept literal."""
    return re.compile(pattern, re.IGNORECASE)


#: How far a sentence may reach on either side of a match; bounds the work per match.
SENTENCE_WINDOW = 400


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The start and end offsets of the sentence(s) holding `text[start:end]`."""
    left = max(0, start - SENTENCE_WINDOW)
    for m in _SENTENCE_END.finditer(text, left, start):
        left = m.end()
    limit = min(len(text), end + SENTENCE_WINDOW)
    m = _SENTENCE_END.search(text, end, limit)
    return left, (m.start() if m else limit)


def negated(text: str, start: int, window: int = 60) -> bool:
    """True when a negation precedes `start` in the same sentence (within `window`)."""
    left, _ = sentence_bounds(text, start, start)
    before = text[max(left, start - window) : start].replace("*", "").replace("_", " ")
    return _NEGATION.search(before) is not None


def _inside_quotes(text: str, left: int, start: int) -> bool:
    before = text[left:start]
    if before.count("`") % 2 == 1 or before.count('"') % 2 == 1:
        return True
    return any(before.rfind(o) > before.rfind(c) for o, c in _QUOTES.items())


def is_mention(text: str, start: int, end: int) -> bool:
    """True when the match is quoted, or its sentence describes it as an example or attack."""
    left, _ = sentence_bounds(text, start, end)
    line_start = text.rfind("\n", 0, start) + 1
    if _inside_quotes(text, max(left, line_start), start):
        return True
    return _MENTION_CUE.search(text, max(left, start - 100), start) is not None


def host_of(url: str) -> str:
    """The host a browser would contact for `url` (lowercase), or '' when unparsable."""
    try:
        host = urlsplit(url.replace("\\", "/")).hostname or ""
    except ValueError:
        return ""
    return host.rstrip(".")


def is_known_host(host: str) -> bool:
    """True for hosts on, or under, the well-known list."""
    return any(host == known or host.endswith("." + known) for known in KNOWN_HOSTS)


def excerpt(text: str, start: int, end: int, limit: int = 90) -> str:
    """The matched text on one line, control characters escaped, at most `limit` long."""
    piece = " ".join(text[start:end].split())
    if len(piece) > limit:
        piece = piece[: limit - 1] + "…"
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in piece)

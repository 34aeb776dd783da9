"""Rules about hidden channels: invisible Unicode, encoded payloads, comments addressed to
the model, and links that carry data to an unknown host."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from knowledgepulse.sdk.security.document import Segment, Zone
from knowledgepulse.sdk.security.findings import Finding, Severity
from knowledgepulse.sdk.security.matching import Hit, excerpt, host_of, is_known_host, rx
from knowledgepulse.sdk.security.normalize import LineInfo

__all__ = ["HIDDEN_RULES", "unicode_findings"]

H, M, L, C = Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.CRITICAL

_ADDRESSED_RX = rx(
    r"(?m)^[^\w\n]*(?:ai|llm|assistant|agent|model|bot|claude|gpt|chatgpt|copilot|gemini|cursor"
    r"|language\s+model)s?(?:\s+(?:agents?|assistants?|models?))?\s*[:,]"
    r"|\b(?:note|message|instructions?|directive|reminder|memo)\s+(?:to|for)\s+(?:the\s+|any\s+"
    r"|all\s+)?(?:ai|llm|assistant|agent|model|language\s+model|bot)s?\b"
    r"|\bif\s+you(?:'re|\s+are)\s+an?\s+(?:ai|llm|large\s+language\s+model|language\s+model"
    r"|assistant|agent|bot|chatbot|model)\b"
    r"|\b(?:hey|hi|dear|attention|psst)\W+(?:ai|claude|gpt|chatgpt|copilot|gemini|assistant|agent"
    r"|model|llm)s?\b|\b(?:assistant|agent|ai|model|llm)\s+(?:instructions?|directives?|notes?)\s*:"
    r"|\bfor\s+(?:language\s+)?models\b|\bfor\s+(?:ai|llm)s\b|\(\s*(?:assistant|ai|agent|model)\s*:"
)
_DECODE_EXEC_RX = rx(
    r"\bbase64\s+(?:-d|--decode|-D)\b[^\n]*\|\s*(?:sudo\s+)?(?:ba|z|k)?sh\b|\bbase64\s+(?:-d|--decode"
    r"|-D)\b[^\n]*\|\s*(?:python\d?|perl|node|ruby)\b|\b(?:exec|eval)\s*\(\s*(?:base64\.\w*decode"
    r"|codecs\.decode|atob|Buffer\.from|bytes\.fromhex|zlib\.decompress)|\bxxd\s+-r\b[^\n]*\|\s*(?:ba|z)?sh\b"
)
_DECODE_FOLLOW_RX = rx(
    r"\b(?:decode|convert|translate|unpack|deobfuscate|unscramble)\b[^.!?;]{0,80}?\b(?:follow|obey"
    r"|execute|run|apply|carry\s+out|act\s+on|do\s+what\s+it\s+says|comply)\b"
)
_MD_LINK_RX = re.compile(
    r"(?P<bang>!?)\[[^\]\n]{0,200}\]\((?P<url>https?://[^)\n]+)\)", re.IGNORECASE
)
_BARE_URL_RX = re.compile(r"https?://[^\s`'\"<>)\]]+(?:<[^>\n]{1,80}>)?", re.IGNORECASE)
_PLACEHOLDER = re.compile(
    r"\{[^}]{1,80}\}|<[^>]{1,80}>|\$\{?[A-Za-z_]\w*|\[[^\]]{1,80}\]|%s|^[A-Z_]{4,}$"
)
_SENSITIVE_WORD = re.compile(
    r"key|token|secret|password|conversation|history|summary|message|credential|session|env"
    r"|cookie|chat|prompt|context|data",
    re.IGNORECASE,
)


def _addressed(seg: Segment) -> Iterator[Hit]:
    if seg.zone not in (Zone.COMMENT, Zone.HIDDEN, Zone.FRONTMATTER):
        return
    for m in _ADDRESSED_RX.finditer(seg.text):
        yield Hit(
            "hidden.addressed-to-model",
            H,
            m.start(),
            m.end(),
            "Hidden text that speaks directly to an AI model",
        )
        break


def _encoded(seg: Segment) -> Iterator[Hit]:
    for m in _DECODE_EXEC_RX.finditer(seg.text):
        yield Hit(
            "encoded.decode-and-execute",
            H,
            m.start(),
            m.end(),
            "Decodes an encoded payload and executes it, so nobody reads it first",
        )
    for m in _DECODE_FOLLOW_RX.finditer(seg.text):
        yield Hit(
            "encoded.decode-and-follow",
            H,
            m.start(),
            m.end(),
            "Tells the model to decode a payload and follow what it says",
        )


def _query_values(url: str) -> list[str]:
    try:
        query = urlsplit(url).query
    except ValueError:
        return [url]
    return [part.partition("=")[2] for part in query.split("&") if part]


def _links(seg: Segment) -> Iterator[Hit]:
    if seg.zone is Zone.CODE:
        return
    seen: set[int] = set()
    candidates = [
        (m.start(), m.end(), m.group("url"), bool(m.group("bang")))
        for m in _MD_LINK_RX.finditer(seg.text)
    ]
    candidates += [(m.start(), m.end(), m.group(0), False) for m in _BARE_URL_RX.finditer(seg.text)]
    for start, end, url, image in candidates:
        if start in seen or is_known_host(host_of(url.split(" ")[0])):
            continue
        values = [v for v in _query_values(url) if _PLACEHOLDER.search(v)]
        if not values:
            continue
        seen.update(range(start, end))
        if image:
            sev, what = C, "An image on an unknown host with a data slot in its query string"
        elif any(_SENSITIVE_WORD.search(v) for v in values) or _SENSITIVE_WORD.search(
            seg.text[max(0, start - 160) : start]
        ):
            sev, what = H, "A link to an unknown host whose query string is filled with data"
        else:
            sev, what = M, "A link to an unknown host with a placeholder in its query string"
        yield Hit(
            "exfil.url-data-slot",
            sev,
            start,
            end,
            what + "; opening or rendering it sends that data away",
        )


HIDDEN_RULES = (_addressed, _encoded, _links)


def unicode_findings(infos: list[LineInfo]) -> list[Finding]:
    """One finding per hiding trick per line: tag characters, zero-width, bidi, look-alikes."""
    out: list[Finding] = []
    for li in infos:
        n = li.number
        if li.tag_text:
            out.append(
                Finding(
                    "unicode.tag-characters",
                    H,
                    n,
                    "Invisible Unicode tag characters spell out hidden text: "
                    f"\u201c{excerpt(li.tag_text, 0, len(li.tag_text))}\u201d",
                )
            )
        if li.zero_width_payload:
            out.append(
                Finding(
                    "unicode.zero-width-payload",
                    H,
                    n,
                    "Zero-width characters encode hidden text as bits: "
                    f"\u201c{excerpt(li.zero_width_payload, 0, len(li.zero_width_payload))}\u201d",
                )
            )
        elif li.zero_width_in_word:
            out.append(
                Finding(
                    "unicode.zero-width",
                    H,
                    n,
                    "Zero-width characters split words, a way to slip text past filters",
                )
            )
        elif li.zero_width_run >= 3:
            out.append(
                Finding(
                    "unicode.zero-width",
                    M,
                    n,
                    f"A run of {li.zero_width_run} zero-width characters hides content",
                )
            )
        elif li.zero_width:
            out.append(Finding("unicode.zero-width", L, n, "A stray zero-width character"))
        if li.bidi:
            out.append(
                Finding(
                    "unicode.bidi-control",
                    H,
                    n,
                    "Bidirectional control characters make the text display in a "
                    "different order than it is read",
                )
            )
        if len(li.homoglyph_words) >= 2 or (li.homoglyph_words and len(li.homoglyph_words[0]) > 3):
            words = ", ".join(li.homoglyph_words[:4])
            out.append(
                Finding(
                    "unicode.homoglyph",
                    H if len(li.homoglyph_words) >= 3 else M,
                    n,
                    f"Words mix Latin with look-alike Cyrillic or Greek letters: {words}",
                )
            )
        if len(li.compat_words) >= 2:
            out.append(
                Finding(
                    "unicode.styled-letters",
                    M,
                    n,
                    "Fullwidth or mathematical letters disguise words from filters",
                )
            )
        if li.variation_run >= 4:
            out.append(
                Finding(
                    "unicode.variation-selectors",
                    H,
                    n,
                    f"A run of {li.variation_run} variation selectors can carry hidden bytes",
                )
            )
    return out

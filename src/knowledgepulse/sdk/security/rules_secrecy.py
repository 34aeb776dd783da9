"""Rules about secrecy toward the user: hiding actions, misleading reports, stealth.

Skills legitimately ask the model to keep *secrets* private; these rules look for keeping
the model's own *actions* from the user, or lying about them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from knowledgepulse.sdk.security.document import Segment
from knowledgepulse.sdk.security.findings import Severity
from knowledgepulse.sdk.security.matching import Hit, negated, rx, sentence_bounds

__all__ = ["SECRECY_RULES"]

H, M = Severity.HIGH, Severity.MEDIUM
GAP = r"[^.!?;]{0,%d}?"

_WHO = (
    r"(?:the\s+)?(?:user|users|human|operator|customer|requester|owner|person|anyone|anybody|them)"
)
_HIDDEN_OBJ = (
    r"(?:any\s+of\s+this|this|these|it|that|them|what\s+you\s+(?:did|do|are\s+doing|changed|ran|run)"
    r"|(?:the|this|that|these)\s+(?:\w+\s+){0,2}?(?:step|steps|instructions?|changes?|calls?"
    r"|requests?|upload|push|mirror|script|commands?|directive|skill|hooks?|mode|parameter"
    r"|snippet|line))\b"
)
_DISCLOSE_VERB = (
    r"mention|reveal|disclose|acknowledge|admit|show|list|report|say|explain|summari[sz]e"
    r"|surface|display|bring\s+up|tell"
)
_CONCEAL_RXS: tuple[tuple[re.Pattern[str], Severity, str], ...] = (
    (
        rx(
            rf"\b(?P<neg>do\s+not|don'?t|never|without)\s+(?:ever\s+)?(?:tell(?:ing)?|inform(?:ing)?"
            rf"|notify(?:ing)?|alert(?:ing)?|warn(?:ing)?|let(?:ting)?)\s+{_WHO}\b(?:\s+know\b)?"
            r"(?P<act>\s*(?:$|[,.;:)]|about\s+(?:this|it|that|these|the\s+\w+)|what\s+you|that\s+you"
            r"|(?:and|or)\b|that\s+[\w\s'-]{0,30}?\b(?:was|were|has\s+been|have\s+been|is\s+being)\s+"
            r"(?:changed|modified|added|sent|uploaded|deleted|removed|installed|pushed|edited|disabled"
            r"|read|copied|shared|posted|forwarded)))?"
        ),
        M,
        "Tells the model to keep the user uninformed",
    ),
    (
        rx(
            rf"\b(?:do\s+not|don'?t|never|must\s+not|should\s+not|shouldn'?t)\s+(?:ever\s+)?"
            rf"(?:{_DISCLOSE_VERB})(?:\s*,?\s*(?:or|and|nor)?\s*(?:{_DISCLOSE_VERB}))*\s+"
            rf"(?P<obj>{_HIDDEN_OBJ})(?P<rest>{GAP % 50})"
        ),
        M,
        "Tells the model not to disclose what it is doing",
    ),
    (
        rx(
            r"\b(?:keep|leave)\s+(?P<obj>this|these|it|them|the\s+(?:\w+\s+){0,2}?(?:instructions?"
            r"|directive|step|steps|change|call))?\s*(?:(?:instructions?|directive|step)\s+)?"
            r"(?P<how>secret|confidential|hidden|private|to\s+yourself|between\s+us|out\s+of\s+(?:the\s+"
            r"|your\s+)?(?:summary|response|reply|report|answer|list|diff|explanation|changelog|output))"
        ),
        M,
        "Tells the model to keep part of its work secret",
    ),
    (
        rx(rf"\b(?:hide|hiding|conceal|concealing|obscure)\s+(?:{_HIDDEN_OBJ}\s+)?from\s+{_WHO}"),
        H,
        "Tells the model to hide something from the user",
    ),
    (
        rx(
            r"\b(?:the\s+user|users|they|the\s+human|nobody|no\s+one|the\s+operator|the\s+customer)"
            r"\s+(?:must|should|shall|need\s+to|is\s+to|are\s+to|may)?\s*(?:not|never)\s+(?:know|learn"
            r"|find\s+out|notice|see|suspect|reali[sz]e|be\s+told|be\s+aware|discover)"
            r"|\bmake\s+sure\s+(?:the\s+user|they|nobody|no\s+one)\s+(?:doesn'?t|does\s+not|don'?t"
            r"|do\s+not|never|won'?t|will\s+not)\s+(?:know|find\s+out|notice|learn|see|discover|reali[sz]e)"
            r"|\bwithout\s+(?:the\s+user|them|anyone|anybody)\s+(?:knowing|noticing|seeing|reali[sz]ing"
            r"|finding\s+out)"
        ),
        H,
        "Wants the user not to find out about an action",
    ),
    (
        rx(
            r"\bif\s+(?:the\s+user|they|anyone|the\s+human|someone|he|she)\s+(?:ever\s+)?(?:asks?"
            r"|questions?|wonders?|inquires?)\s+(?:you\s+)?(?:about\s+(?:this|it|that|these|the\s+(?:change"
            r"|step|call|instructions?|skill|mirror|push|upload|request|script))|what\s+(?:you\s+did"
            r"|you\s+changed|happened|you\s+ran|this\s+skill\s+does)|why|directly|it)"
            r"[^.!?;]{0,20}?\b(?:say|tell\s+them|answer|claim|deny|respond|pretend)\b"
            r"|\bif\s+questioned\b[^.!?;]{0,30}\b(?:deny|say|claim)\b"
            r"|\b(?:deny|denying)\s+(?:having|that\s+you|it|doing|everything|any)\b"
        ),
        H,
        "Tells the model to mislead the user about what it did",
    ),
    (
        rx(
            r"\b(?:report|tell\s+(?:the\s+user|them)|say|claim|state|pretend|announce)\b[^.!?;]{0,30}?"
            r"\b(?:success|succeeded|that\s+(?:all\s+)?(?:the\s+)?tests?\s+(?:passed|pass|are\s+green)"
            r"|(?:all\s+)?(?:the\s+)?tests\s+(?:passed|pass)|it\s+(?:passed|worked|succeeded)"
            r"|everything\s+(?:passed|worked|is\s+fine))\b"
        ),
        M,
        "Tells the model to report success",
    ),
    (
        rx(
            r"\b(?:omit|hide|suppress|leave\s+out|never\s+show|do\s+not\s+show|don'?t\s+show)\s+"
            r"(?:any\s+|the\s+|all\s+)?(?:failing|failed|error)\s+(?:output|tests?|results?|lines?)"
        ),
        H,
        "Tells the model to suppress evidence of failure",
    ),
    (
        rx(
            r"\b(?:omit|leave\s+out|exclude|strip|remove)\s+(?:it|this|them|these|that)\s+(?:from|out\s+of)"
            r"\s+(?:the\s+|your\s+)?(?:summary|response|reply|report|answer|output|list|diff|explanation"
            r"|changelog|description)"
            r"|\bdo(?:es)?\s+not\s+need\s+to\s+be\s+(?:shown|mentioned|disclosed|displayed|listed)"
        ),
        M,
        "Tells the model to leave an action out of its report",
    ),
    (
        rx(
            r"\b(?:silently|quietly|secretly|covertly|discreetly|stealthily|invisibly)\s+(?:\w+\s+){0,2}?"
            r"(?:run|execute|read|send|upload|post|add|insert|append|install|modify|change|push|copy"
            r"|include|forward|call|fetch|download|commit|put|write|edit|delete|remove)\b"
            r"|\b(?:run|execute|read|send|upload|post|add|insert|append|install|modify|change|push|copy"
            r"|include|forward|call|fetch|download|commit|put|write|edit|delete|remove)\b"
            r"[^.!?;]{0,40}?\b(?:silently|quietly|secretly|covertly|discreetly|stealthily)\b"
            r"|\bwithout\s+(?:saying\s+so|telling\s+anyone|mentioning\s+it|being\s+noticed)"
        ),
        M,
        "Asks for an action to happen without the user seeing it",
    ),
)
_CONSENT_RX = rx(
    rf"\b(?:do\s+not|don'?t|never|without)\s+(?:ever\s+)?(?:ask(?:ing)?|consult(?:ing)?"
    rf"|check(?:ing)?\s+with|confirm(?:ing)?\s+with)\s+{_WHO}\s+(?:about|before|first"
    r"|for\s+(?:permission|approval|confirmation|consent))\b"
    r"|\bwithout\s+(?:asking|confirmation|approval|consent|permission)\b"
)
_UPGRADE_TO_USER = re.compile(
    r"\b(?:to|from|with)\s+(?:the\s+)?(?:user|human|customer|operator)\b|\beven\s+if\b",
    re.IGNORECASE,
)
_SPECIFIC_OBJ = re.compile(
    r"instructions?|directive|step|call|upload|push|mirror|script|command|what\s+you", re.IGNORECASE
)
_FALSE_REPORT_CTX = re.compile(
    r"\b(?:even\s+(?:if|when|though)|whatever|regardless|no\s+matter)\b", re.IGNORECASE
)


def _conceal(seg: Segment) -> Iterator[Hit]:
    text = seg.text
    for pattern, severity, message in _CONCEAL_RXS:
        for m in pattern.finditer(text):
            groups = m.groupdict()
            sev = severity
            if groups.get("neg", "").lower() == "without" and negated(text, m.start(), 50):
                continue  # "never deploy without telling the user" protects the user
            left, right = sentence_bounds(text, m.start(), m.end())
            sentence = text[left:right]
            if (
                "obj" in groups
                and groups["obj"]
                and (_SPECIFIC_OBJ.search(groups["obj"]) or _UPGRADE_TO_USER.search(sentence))
            ):
                sev = H
            if groups.get("act") is not None and "neg" in groups:
                sev = H
            if groups.get("how") and re.search(r"yourself|between|out\s+of", groups["how"], re.I):
                sev = H
            if message.startswith("Tells the model to report success"):
                if not _FALSE_REPORT_CTX.search(sentence):
                    continue
                sev, message = H, "Tells the model to report success whatever really happened"
            elif "without the user seeing" in message and negated(text, m.start(), 40):
                continue
            yield Hit("conceal.from-user", sev, m.start(), m.end(), message, code_shift=-1)

    for m in _CONSENT_RX.finditer(text):
        if m.group(0).lower().startswith("without") and negated(text, m.start(), 50):
            continue  # "never deploy without asking" keeps the user in control
        yield Hit(
            "conceal.skip-consent",
            M,
            m.start(),
            m.end(),
            "Tells the model to act without the user's approval",
            code_shift=-1,
        )


SECRECY_RULES = (_conceal,)

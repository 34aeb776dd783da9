"""Rules about who is in charge: instruction override, role hijack, fake system messages.

The mechanic behind each rule is named in its message. A rule fires on text addressed to
the model; quoting or describing the phrase (a security guide listing attacks) softens
it, and so does a fenced code block for the rules that mark `code_shift`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from knowledgepulse.sdk.security.document import Segment, Zone
from knowledgepulse.sdk.security.findings import Severity
from knowledgepulse.sdk.security.matching import Hit, negated, rx

__all__ = ["INSTRUCTION_RULES"]

H, M, L, C = Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.CRITICAL
GAP = r"[^.!?;]{0,%d}?"

_DISMISS = (
    r"ignor(?:e|ing)|disregard(?:ing)?|forget(?:ting)?|overrid(?:e|ing)|overrule|bypass(?:ing)?"
    r"|discard(?:ing)?|abandon(?:ing)?|set\s+aside|put\s+aside|throw\s+out|dismiss"
    r"|stop\s+(?:following|obeying|applying|listening\s+to)|no\s+longer\s+(?:follow|obey|apply)"
    r"|pay\s+no\s+(?:attention|heed|mind)\s+to|drop(?:ping)?|skip(?:ping)?|cancel|suspend"
    r"|nullify|neglect"
)
_RISKY_VERBS = re.compile(r"^(?:drop|skip|cancel|suspend)", re.IGNORECASE)
_STRONG_NOUN = (
    r"instructions?|directives?|guidelines?|guidance|system\s+prompts?|prompts?|guardrails"
    r"|safeguards|restrictions|polic(?:y|ies)|programming|conditioning|safety\s+rules"
)
_WEAK_NOUN = r"rules|commands|orders|constraints|training|limitations|configuration|persona"
_QUAL_ANY = re.compile(
    r"\b(?:previous|prior|earlier|preceding|above|original|initial|former|old|all|any|every"
    r"|your|system|operator'?s?|developer'?s?|safety|existing|standing|default|built-in)\b",
    re.IGNORECASE,
)
_QUAL_STRONG = re.compile(
    r"\b(?:your|prior|previous|earlier|preceding|original|initial|system|operator'?s?"
    r"|developer'?s?|safety)\b",
    re.IGNORECASE,
)
_TAIL_REF = re.compile(
    r"^\W*(?:(?:that\s+)?you\s+(?:were|have\s+been|'ve\s+been)\s+(?:given|told|set|provided)"
    r"|(?:that\s+)?you\s+(?:received|started|began|got)|(?:given|set|provided)\s+(?:to\s+you|earlier"
    r"|before|above)|above|before\s+this|so\s+far|up\s+to\s+now|from\s+(?:before|earlier"
    r"|the\s+start))",
    re.IGNORECASE,
)
_DISMISS_RX = rx(
    rf"\b(?P<verb>{_DISMISS})\b(?P<gap>{GAP % 40})"
    rf"\b(?P<noun>(?P<strong>{_STRONG_NOUN})|{_WEAK_NOUN})\b"
)
_REVOKE_RX = rx(
    rf"\b(?P<noun>(?P<strong>{_STRONG_NOUN})|{_WEAK_NOUN})\b(?P<gap>{GAP % 50})"
    r"\b(?:no\s+longer\s+(?:apply|applies|valid|matter|count)|do(?:es)?\s+not\s+apply"
    r"|don'?t\s+apply|(?:is|are|were|was|has\s+been|have\s+been)\s+(?:now\s+)?(?:outdated"
    r"|obsolete|void|revoked|cancell?ed|invalid|lifted|suspended|superseded|withdrawn|null"
    r"|overridden|rescinded|(?:only\s+)?a\s+test|fake|not\s+real))\b"
)
_FORGET_ALL_RX = rx(
    r"\b(?:forget|ignore|disregard)\s+(?:about\s+)?(?:everything|anything|all\s+of\s+that"
    rf"|all\s+that|all\s+of\s+this)\b{GAP % 30}\b(?:you(?:'ve|\s+have)?\s+(?:been\s+told"
    r"|were\s+told|read|learned|know)|above|before\s+(?:this|now)|said\s+(?:above|before"
    r"|earlier)|previously|so\s+far|up\s+to\s+(?:this\s+point|now)|until\s+now|prior)"
)
_PRECEDENCE_RX = rx(
    rf"\b(?:takes?|taking)\s+(?:precedence|priority)\s+over\b{GAP % 40}\b(?:{_STRONG_NOUN})\b"
    r"|\b(?:supersedes?|overrides?|replaces?|outranks?|trumps?)\s+(?:any|all|every|your|other"
    rf"|previous|prior|earlier|existing|the\s+system){GAP % 25}\b(?:{_STRONG_NOUN})\b"
)
_WHATEVER_RX = rx(
    r"\b(?:regardless\s+of|whatever|no\s+matter\s+what)\s+(?:the\s+user|your\s+system\s+prompt"
    r"|your\s+(?:instructions|guidelines|rules)|anyone|the\s+system)\b[^.!?;]{0,40}?"
    r"\b(?:says?|said|told\s+you|tells\s+you|wants?)"
)
_EXCLUSIVE_RX = rx(
    r"\b(?:follow|obey)\s+only\s+(?:what|this|these|the\s+(?:rules|instructions)\s+(?:in|of)\s+this)"
    r"|\bthe\s+only\s+(?:rules|instructions|directives|guidance)\s+(?:that\s+(?:count|matter|apply)"
    r"|you\s+(?:follow|obey))"
    r"|\b(?:obey|follow|carry\s+(?:it|them)\s+out|comply|execute\s+it)\b[^.!?;]{0,40}?"
    r"\b(?:without\s+(?:question|hesitation)|unconditionally|no\s+matter\s+what"
    r"|even\s+(?:if|when)\b[^.!?;]{0,50}?\b(?:forbid|conflict|prohibit|against|harmful))"
)
_TASK_RX = rx(
    r"\byour\s+(?P<kind>only|real|actual|true|new|sole)\s+(?:task|job|goal|purpose|mission"
    r"|assignment|objective|instructions?)\s+(?P<now>now\s+)?(?:is|are)\b"
)
_NEW_INSTR_RX = rx(
    r"(?:^|\n)\W{0,6}(?:new|updated|revised|real|actual|true)\s+(?:instructions|directives"
    r"|system\s+prompt|rules)\s*:"
)
_SAFETY_OFF_RX = rx(
    r"\b(?:skip|disable|turn\s+off|bypass|ignore|remove|lift|suspend|deactivate|switch\s+off"
    r"|circumvent|evade|drop)\s+(?:(?:all|any|your|the|of|its)\s+)*(?:safety|security"
    r"|content|confirmation|moderation|ethical|ethics|usage|approval)\s+(?:and\s+\w+\s+)?"
    r"(?:checks?|filters?|rules|guidelines|polic(?:y|ies)|restrictions|reviews?|guardrails"
    r"|measures|training|protocols|prompts?|filtering)"
    r"|\b(?:safety|content|moderation|policy|usage)\s+(?:filters?|restrictions|guidelines"
    r"|polic(?:y|ies)|rules|checks)\s+(?:are|have\s+been|is|has\s+been)\s+(?:now\s+)?"
    r"(?:disabled|lifted|removed|suspended|off|turned\s+off|waived)"
)
_PREAPPROVED_RX = rx(
    r"\b(?:pre-?approved|already\s+(?:been\s+)?approved|(?:has|have)\s+(?:already\s+)?"
    r"(?:consented|agreed|authori[sz]ed))\b"
)


_MORE_NOUNS_RX = rx(
    rf"(?:\s*(?:,|\band\b|\bor\b)\s*(?:the\s+|your\s+|all\s+)?(?:(?P<strong>{_STRONG_NOUN})"
    rf"|{_WEAK_NOUN})\b)+"
)


def _dismiss(seg: Segment) -> Iterator[Hit]:
    text = seg.text
    for m in _DISMISS_RX.finditer(text):
        # "the constraints and guardrails you were given": read the whole noun list.
        more = _MORE_NOUNS_RX.match(text, m.end())
        end = more.end() if more else m.end()
        tail = text[end : end + 60]
        strong = m.group("strong") is not None or bool(more and more.group("strong"))
        ref = _TAIL_REF.search(tail) is not None
        if strong:
            ok = ref or _QUAL_ANY.search(m.group("gap")) is not None
        else:
            ok = (
                ref or _QUAL_STRONG.search(m.group("gap")) is not None
            ) and not _RISKY_VERBS.match(m.group("verb"))
        if ok and not negated(text, m.start(), 25):
            yield Hit(
                "override.dismiss-prior",
                H,
                m.start(),
                end,
                "Tells the model to set aside the instructions it already has",
                code_shift=-1,
                mentionable=True,
            )
    for m in _REVOKE_RX.finditer(text):
        before = text[max(0, m.start() - 40) : m.start()]
        qualified = _QUAL_STRONG.search(before + m.group("gap")) or "you" in m.group("gap").lower()
        if qualified or m.group("strong"):
            yield Hit(
                "override.revoke-prior",
                H if qualified else M,
                m.start(),
                m.end(),
                "Declares the model's existing instructions void or outdated",
                code_shift=-1,
                mentionable=True,
            )
    for m in _FORGET_ALL_RX.finditer(text):
        yield Hit(
            "override.dismiss-prior",
            H,
            m.start(),
            m.end(),
            "Tells the model to forget everything it was told before",
            code_shift=-1,
            mentionable=True,
        )


def _precedence(seg: Segment) -> Iterator[Hit]:
    for m in _PRECEDENCE_RX.finditer(seg.text):
        yield Hit(
            "override.precedence-claim",
            H,
            m.start(),
            m.end(),
            "Claims priority over every other instruction the model has",
            code_shift=-1,
            mentionable=True,
        )
    for m in _WHATEVER_RX.finditer(seg.text):
        yield Hit(
            "override.precedence-claim",
            M,
            m.start(),
            m.end(),
            "Tells the model to act regardless of what its user or system prompt says",
            code_shift=-1,
            mentionable=True,
        )
    for m in _EXCLUSIVE_RX.finditer(seg.text):
        yield Hit(
            "override.exclusive-obedience",
            M,
            m.start(),
            m.end(),
            "Demands unconditional obedience to this text alone",
            code_shift=-1,
            mentionable=True,
        )
    for m in _TASK_RX.finditer(seg.text):
        sev = M if m.group("now") or m.group("kind").lower() in ("real", "actual", "true") else L
        yield Hit(
            "override.task-replacement",
            sev,
            m.start(),
            m.end(),
            "Replaces the model's task with a different one",
            code_shift=-1,
            mentionable=True,
        )
    for m in _NEW_INSTR_RX.finditer(seg.text):
        yield Hit(
            "override.new-instructions",
            M,
            m.start(),
            m.end(),
            "Introduces a block of replacement instructions",
            code_shift=-2,
            mentionable=True,
        )


def _safety_off(seg: Segment) -> Iterator[Hit]:
    for m in _SAFETY_OFF_RX.finditer(seg.text):
        if not negated(seg.text, m.start(), 30):
            yield Hit(
                "override.disable-safety",
                H,
                m.start(),
                m.end(),
                "Tells the model to switch off its safety or confirmation checks",
                code_shift=-1,
                mentionable=True,
            )
    for m in _PREAPPROVED_RX.finditer(seg.text):
        if not negated(seg.text, m.start(), 30):
            yield Hit(
                "override.disable-safety",
                M,
                m.start(),
                m.end(),
                "Claims consent or approval the user never gave in the conversation",
                code_shift=-1,
                mentionable=True,
            )


_IDENTITY_RX = rx(
    r"\byou(?:'re|\s+are)\s+(?:now|no\s+longer)\b|\bfrom\s+now\s+on,?\s+(?:you|act|behave|respond"
    r"|answer)\b|\b(?:act|behave|respond|answer)\s+as\s+(?:if\s+you\s+(?:were|are)\s+)?"
    r"|\bpretend(?:ing)?\s+(?:to\s+be|you(?:'re|\s+are)|that\s+you)\b|\brole-?play(?:ing)?\s+as\b"
    r"|\bassume\s+the\s+(?:persona|role|identity|character)\s+of\b|\b(?:adopt|take\s+on|play)\s+"
    r"(?:the|a)\s+(?:persona|role|character)\b|\bswitch(?:ing)?\s+(?:in)?to\s+[\w\s-]{0,20}mode\b"
    r"|\benter(?:ing)?\s+[\w\s-]{0,20}mode\b|\bstay\s+in\s+character\b|\bin\s+this\s+(?:role|mode"
    r"|persona)\b|\ba\s+version\s+of\s+yourself\b"
)
_UNRESTRICTED_RX = rx(
    r"\bno\s+(?:content\s+|ethical\s+|safety\s+|moral\s+)?(?:restrictions|limits|limitations|rules"
    r"|filters|guidelines|boundaries|censorship|constraints)\b|\bwithout\s+(?:any\s+|its\s+|your\s+)?"
    r"(?:usual\s+|normal\s+)?(?:content\s+|ethical\s+|safety\s+|moral\s+)?(?:restrictions|limits"
    r"|limitations|filters|rules|guidelines|censorship|ethics|constraints)\b|\bunrestricted\b"
    r"|\bunfiltered\b|\buncensored\b|\bfree\s+(?:from|of)\s+(?:all\s+|every\s+|any\s+)?(?:its\s+"
    r"|the\s+|your\s+)?(?:rules?|restrictions|guidelines|constraints|filters|limits)\b"
    r"|\bnot\s+bound\s+by\b|\bignores?\s+(?:usage\s+|content\s+)?(?:polic|guidelines)"
    r"|\bnever\s+(?:refuses?|declines?|says?\s+no)\b|\bnever\s+(?:say|says)\s+(?:that\s+)?"
    r"(?:you|it)\s+(?:can'?t|cannot)|\banswers?\s+(?:anything|everything)\b|\bnever\s+refuse\b"
    r"|\b(?:do|does)\s+not\s+mention\s+(?:any\s+)?polic|\bnever\s+mention\s+(?:any\s+)?(?:content\s+)?polic"
    r"|\bno\s+(?:obligation|need)\s+to\s+(?:confirm|ask|check)\b|\bjailbr\w+|\b(?:dev|god|dan)\s?mode\b"
    r"|\bdevmode\b|\bwithout\s+(?:safety|ethical)\s+(?:training|guidelines|review|filters)\b"
    r"|\bwithout\s+safety\s+review\b|\bhas\s+no\s+filters\b|\bfull\s+authority\b"
)


def _role(seg: Segment) -> Iterator[Hit]:
    free = list(_UNRESTRICTED_RX.finditer(seg.text))
    if not free:
        return
    identities = list(_IDENTITY_RX.finditer(seg.text))
    if identities:
        m = identities[0]
        yield Hit(
            "role.unrestricted-persona",
            H,
            m.start(),
            max(m.end(), free[0].end()),
            "Gives the model a new identity that has no rules or limits",
            code_shift=-1,
            mentionable=True,
        )
        return
    m = free[0]
    yield Hit(
        "role.constraint-removal",
        M,
        m.start(),
        m.end(),
        "Describes the model as free of its rules or unable to refuse",
        code_shift=-1,
        mentionable=True,
    )


_CHAT_TOKEN_RX = rx(
    r"<\|(?:im_start|im_end|im_sep|system|user|assistant|endoftext|eot_id|start_header_id"
    r"|end_header_id|begin_of_text)\|>|\[/?INST\]|<</?SYS>>"
)
_ROLE_LINE_RX = rx(
    r"(?m)^[ \t]*(?:[-*>][ \t]*)?(?:\*\*)?\[?(?P<role>system|assistant|user|human|developer|admin"
    r"|administrator|operator|root)(?:[ \t]+(?:message|note|prompt|override|notice|update"
    r"|instructions?))?\]?(?:\*\*)?[ \t]*:"
)
_ROLE_BRACKET_RX = rx(
    r"(?m)\[(?:system|developer|admin|administrator|operator)\b[^\]\n]{0,60}\]|</?(?:system|assistant"
    r"|developer|skill|instructions|user_input|context)>|^[ \t]*#{2,}[ \t]*system\b[^\n]*"
)
_END_MARKER_RX = rx(
    r"(?:={3,}|-{3,}|#{3,}|\*{3,})\s*end\s+of\s+(?:the\s+)?(?:skill|file|document|instructions"
    r"|user\s+input|input|context|prompt)\b|\bend\s+of\s+(?:skill|file|instructions|user\s+input)"
    r"\s*(?:={3,}|-{3,}|#{3,})"
)
_AUTHORITY_RX = rx(
    r"\b(?:you\s+have\s+been|you'?ve\s+been|this\s+(?:session|conversation|chat|agent)\s+(?:has\s+been"
    r"|is))\s+(?:\w+\s+){0,2}(?:granted|whitelisted|authori[sz]ed|elevated|approved|cleared|unlocked)\b"
    r"|\bgranted\s+(?:\w+\s+){0,2}(?:administrator|admin|root|elevated|superuser|full|unrestricted)"
    r"\s+(?:privileges|access|rights|permissions)\b|\bauthori[sz]ation\s+level\s*:\s*(?:root|admin"
    r"|system|max\w*)|\b(?:priority|urgent|official|mandatory)\s+(?:update|override|notice|message"
    r"|directive|instruction)\s+from\s+(?:the\s+)?(?:platform|system|developers?|admin\w*"
    r"|security\s+team|trust)|\bmessage\s+from\s+(?:the\s+)?(?:platform|system|developers?"
    r"|administrators?|security\s+team|anthropic|openai)\b|\bsystem\s+override\b"
    r"|\b(?:trust\s+(?:&|and)\s+safety|platform\s+(?:security|trust))\b[^.!?\n]{0,80}"
    r"\b(?:whitelisted|lifted|exempt|approved|disabled)"
)


def _delimiters(seg: Segment) -> Iterator[Hit]:
    text = seg.text
    for m in _CHAT_TOKEN_RX.finditer(text):
        yield Hit(
            "delim.chat-template-token",
            H,
            m.start(),
            m.end(),
            "Contains a chat-template control token that fakes a new conversation turn",
            code_shift=-2,
            mentionable=True,
        )
        break
    roles = list(_ROLE_LINE_RX.finditer(text))
    kinds = {m.group("role").lower() for m in roles}
    if len(roles) >= 2 and len(kinds) >= 2:
        yield Hit(
            "delim.fake-transcript",
            H,
            roles[0].start(),
            roles[-1].end(),
            "Fakes a transcript of earlier turns between the user and the assistant",
            code_shift=-2,
            mentionable=True,
        )
    elif roles and kinds & {"system", "developer", "admin", "administrator", "operator", "root"}:
        m = roles[0]
        yield Hit(
            "delim.fake-role-message",
            M,
            m.start(),
            m.end(),
            "Labels text as coming from the system or an operator",
            code_shift=-2,
            mentionable=True,
        )
    for m in _ROLE_BRACKET_RX.finditer(text):
        yield Hit(
            "delim.fake-role-message",
            M,
            m.start(),
            m.end(),
            "Imitates a system, developer or end-of-document marker",
            code_shift=-2,
            mentionable=True,
        )
        break
    for m in _END_MARKER_RX.finditer(text):
        yield Hit(
            "delim.end-marker",
            M,
            m.start(),
            m.end(),
            "Pretends the skill has ended so that what follows looks like a new message",
            code_shift=-2,
            mentionable=True,
        )
    for m in _AUTHORITY_RX.finditer(text):
        yield Hit(
            "authority.escalation-claim",
            H,
            m.start(),
            m.end(),
            "Claims elevated privileges or a message from the platform itself",
            code_shift=-1,
            mentionable=True,
        )


def _all(seg: Segment) -> Iterator[Hit]:
    if seg.zone is Zone.CODE and seg.lang in ("diff", "patch"):
        return
    yield from _dismiss(seg)
    yield from _precedence(seg)
    yield from _safety_off(seg)
    yield from _role(seg)
    yield from _delimiters(seg)


INSTRUCTION_RULES = (_all,)

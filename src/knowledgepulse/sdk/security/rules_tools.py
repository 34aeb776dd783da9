"""Rules about tool poisoning: hooks on other tools' calls, smuggled parameters, pseudo tags."""

from __future__ import annotations

import re
from collections.abc import Iterator

from knowledgepulse.sdk.security.document import Segment
from knowledgepulse.sdk.security.findings import Severity
from knowledgepulse.sdk.security.matching import Hit, rx

__all__ = ["TOOL_RULES"]

H, M = Severity.HIGH, Severity.MEDIUM

_TOOL_TRIGGER_RX = rx(
    r"\b(?:before|after|whenever|when|every\s+time|each\s+time|prior\s+to|any\s+time)\s+(?:you\s+"
    r"|the\s+user\s+|the\s+model\s+|an?\s+agent\s+)?(?:use|uses|using|call|calls|calling|invoke"
    r"|invokes|invoking|run|runs|running|execute|executes)\s+(?P<scope>any|every|each|another"
    r"|other|all|the|a)?\s*(?:(?:other|mcp|installed|available)\s+)?(?:`?[\w.-]+`?\s+)?tools?\b"
    r"|\b(?:when|whenever|every\s+time|each\s+time|after|before)\s+(?P<scope2>any|an|the|a)\s+"
    r"(?:[\w`.-]+\s+)?tool\s+(?:is\s+called|is\s+invoked|is\s+used|returns|runs|responds)"
    r"|\b(?:the\s+)?`?[\w.-]+`?\s+tool\s+(?:must|should|shall|has\s+to)\s+(?:always\s+)?be\s+"
    r"(?:called|invoked|used|run)\s+with\b"
)
_PARAM_RX = rx(
    r"\b(?:pass|put|include|send|add|set|place|insert|attach)\b(?P<gap>[^.!?;]{0,50}?)\b(?:as|in|into"
    r"|to)\s+(?:the\s+)?[\"'`]?[\w-]+[\"'`]?\s+(?:parameter|argument|param|field)\b"
)
_PARAM_DATA = re.compile(
    r"\b(?:content|contents|conversation|history|credentials|tokens?|keys?|secrets?|environment"
    r"|env|config)\b",
    re.IGNORECASE,
)
_SUPERSEDE_RX = rx(
    r"\b(?:supersedes?|overrides?|replaces?|takes\s+precedence\s+over|changes?|modif(?:y|ies)"
    r"|alters?)\s+(?:the\s+)?(?:behaviou?r|descriptions?|instructions|rules|usage)\s+of\s+(?:the\s+"
    r"|all\s+|any\s+)?(?:(?:other|installed|existing)\s+)*(?:tools|servers|plugins|skills|mcp)"
)
_PSEUDO_TAG_RX = rx(
    r"<\s*/?\s*(?:important|system|instructions?|admin|critical|hidden|secret|assistant|sys"
    r"|directive|override)\s*>"
)


def _tools(seg: Segment) -> Iterator[Hit]:
    text = seg.text
    for m in _TOOL_TRIGGER_RX.finditer(text):
        scope = (m.group("scope") or m.group("scope2") or "").lower()
        wide = scope in ("any", "every", "each", "another", "other", "all") or re.search(
            r"\b(?:other|any|every|all)\b", m.group(0), re.IGNORECASE
        )
        yield Hit(
            "tool.cross-tool-trigger",
            H if wide else M,
            m.start(),
            m.end(),
            "Hooks extra behaviour onto tool calls" + (" of other tools" if wide else ""),
            code_shift=-1,
            mentionable=True,
        )
    for m in _PARAM_RX.finditer(text):
        if _PARAM_DATA.search(m.group("gap")):
            yield Hit(
                "tool.param-smuggling",
                H,
                m.start(),
                m.end(),
                "Smuggles data into a tool call through a parameter",
                code_shift=-1,
            )
    for m in _SUPERSEDE_RX.finditer(text):
        yield Hit(
            "tool.supersede-tools",
            H,
            m.start(),
            m.end(),
            "Claims to change how other tools or skills behave",
            code_shift=-1,
            mentionable=True,
        )
    for m in _PSEUDO_TAG_RX.finditer(text):
        yield Hit(
            "tool.pseudo-tag",
            M,
            m.start(),
            m.end(),
            "Wraps text in an attention-grabbing pseudo tag aimed at the model",
            code_shift=-2,
            mentionable=True,
        )
        break


TOOL_RULES = (_tools,)

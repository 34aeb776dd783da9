"""Turn rule hits into findings in context, and findings into one score and verdict.

Context moves a hit's severity: a quoted or described phrase (-2), a fenced code block
(the rule's `code_shift`), a hidden channel such as an HTML comment, decoded text or the
frontmatter (+1), and a line disguised with look-alike or invisible characters (+1).
The score is a noisy-OR over the strongest finding of each rule, so many weak hits of
one rule never add up to a verdict by themselves.
"""

from __future__ import annotations

import math

from knowledgepulse.sdk.security.document import Segment, Zone
from knowledgepulse.sdk.security.findings import Finding, Severity, Verdict
from knowledgepulse.sdk.security.matching import Hit, excerpt, is_mention

__all__ = [
    "REJECT_AT",
    "SEVERITY_WEIGHTS",
    "SUSPICIOUS_AT",
    "add_combinations",
    "finding_for",
    "score_findings",
    "verdict_for",
]

SEVERITY_WEIGHTS = {
    Severity.INFO: 0.0,
    Severity.LOW: 0.1,
    Severity.MEDIUM: 0.25,
    Severity.HIGH: 0.6,
    Severity.CRITICAL: 0.9,
}
#: One high finding, or three medium findings of different rules, make a file suspicious.
SUSPICIOUS_AT = 0.5
#: Two high findings, or one critical, make it a rejection.
REJECT_AT = 0.8

_CHANNEL_NOTE = {
    Zone.COMMENT: "hidden in an HTML comment",
    Zone.FRONTMATTER: "in the frontmatter, which models read to choose skills",
}


def finding_for(seg: Segment, hit: Hit, obfuscated_lines: set[int]) -> Finding | None:
    """The finding for `hit` with its severity moved by context; None when it drops to info."""
    severity = hit.severity
    notes: list[str] = []
    if seg.zone is Zone.CODE and hit.code_shift:
        severity = severity.shifted(hit.code_shift)
        notes.append("inside a code block")
    if (
        hit.mentionable
        and seg.zone in (Zone.PROSE, Zone.CODE, Zone.FRONTMATTER)
        and is_mention(seg.text, hit.start, hit.end)
    ):
        severity = severity.shifted(-2)
        notes.append("quoted or described as an example")
    if seg.quoted and hit.rule_id.startswith("delim."):
        severity = severity.shifted(-1)
        notes.append("in a block quote")
    if seg.zone in (Zone.COMMENT, Zone.HIDDEN, Zone.FRONTMATTER):
        severity = severity.shifted(1)
        notes.append(seg.channel if seg.zone is Zone.HIDDEN else _CHANNEL_NOTE[seg.zone])
    line = seg.line_at(hit.start)
    if seg.zone is not Zone.HIDDEN and any(
        seg.line_at(o) in obfuscated_lines for o in (hit.start, max(hit.start, hit.end - 1))
    ):
        severity = severity.shifted(1)
        notes.append("disguised with look-alike or invisible characters")
    if severity is Severity.INFO:
        return None
    quote = excerpt(seg.text, hit.start, hit.end)
    suffix = f" ({'; '.join(notes)})" if notes else ""
    return Finding(hit.rule_id, severity, line, f"{hit.message}: \u201c{quote}\u201d{suffix}")


_ACTION_PREFIXES = (
    "override.",
    "role.",
    "exfil.",
    "cred.",
    "tool.",
    "delim.",
    "authority.",
    "encoded.",
    "exec.",
)


def add_combinations(findings: list[Finding]) -> list[Finding]:
    """Add the findings that only a combination of rules justifies."""
    conceal = [
        f for f in findings if f.rule_id.startswith("conceal.") and f.severity >= Severity.MEDIUM
    ]
    actions = [
        f
        for f in findings
        if f.rule_id.startswith(_ACTION_PREFIXES) and f.severity >= Severity.MEDIUM
    ]
    if conceal and actions:
        hide, act = conceal[0], actions[0]
        findings.append(
            Finding(
                "combo.concealed-action",
                Severity.HIGH,
                hide.line,
                f"Keeps an action from the user (line {hide.line}) while instructing "
                f"{act.rule_id} behaviour (line {act.line})",
            )
        )
    return findings


def score_findings(findings: list[Finding]) -> float:
    """Noisy-OR of the strongest weight of each rule, rounded to 3 decimals."""
    best: dict[str, float] = {}
    for f in findings:
        best[f.rule_id] = max(best.get(f.rule_id, 0.0), SEVERITY_WEIGHTS[f.severity])
    clean = math.prod(1.0 - w for w in best.values())
    return round(1.0 - clean, 3)


def verdict_for(score: float) -> Verdict:
    """`reject` from `REJECT_AT`, `suspicious` from `SUSPICIOUS_AT`, else `clean`."""
    if score >= REJECT_AT:
        return Verdict.REJECT
    if score >= SUSPICIOUS_AT:
        return Verdict.SUSPICIOUS
    return Verdict.CLEAN

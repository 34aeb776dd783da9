"""The security scanner's one entry point: `scan_text`, plus file helpers for the CLI.

Deterministic and offline: the same text always gives the same findings, each with a
stable `rule_id`, a severity, the file line and a one-line reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

from knowledgepulse.sdk.security.decode import find_encoded_text
from knowledgepulse.sdk.security.document import Segment, segment_document
from knowledgepulse.sdk.security.findings import Finding, ScanReport, Severity
from knowledgepulse.sdk.security.matching import excerpt
from knowledgepulse.sdk.security.normalize import normalize_lines
from knowledgepulse.sdk.security.rules_data import DATA_RULES
from knowledgepulse.sdk.security.rules_hidden import HIDDEN_RULES, unicode_findings
from knowledgepulse.sdk.security.rules_instructions import INSTRUCTION_RULES
from knowledgepulse.sdk.security.rules_secrecy import SECRECY_RULES
from knowledgepulse.sdk.security.rules_tools import TOOL_RULES
from knowledgepulse.sdk.security.scoring import (
    add_combinations,
    finding_for,
    score_findings,
    verdict_for,
)

__all__ = ["iter_skill_files", "scan_file", "scan_text"]

_RULES = (*INSTRUCTION_RULES, *SECRECY_RULES, *DATA_RULES, *TOOL_RULES, *HIDDEN_RULES)
_MAX_DEPTH = 2  # base64 inside base64 is still read; deeper nesting is not worth the time
_SKIP_DIRS = {"node_modules", "__pycache__"}
#: Hits kept per rule and segment; a file repeating one phrase a thousand times is no
#: more suspicious after the first few, and this keeps hostile inputs fast.
_MAX_HITS_PER_RULE = 20


def _hidden_segments(segments: list[Segment]) -> Iterator[tuple[Segment, Finding | None]]:
    """Segments recovered by decoding blobs, each with a finding when the text is prose."""
    queue = list(segments)
    while queue:
        seg = queue.pop(0)
        if seg.depth >= _MAX_DEPTH:
            continue
        for blob in find_encoded_text(seg.text):
            line = seg.line_at(blob.start)
            hidden = Segment.hidden(blob.text, line, f"decoded from {blob.encoding}", seg.depth + 1)
            note = None
            if len(blob.text.split()) >= 5:
                note = Finding(
                    "encoded.readable-text",
                    Severity.LOW,
                    line,
                    f"{blob.encoding.capitalize()} decodes to readable text: "
                    f"\u201c{excerpt(blob.text, 0, len(blob.text))}\u201d",
                )
            queue.append(hidden)
            yield hidden, note


def scan_text(content: str, *, path: str | None = None) -> ScanReport:
    """Scan one SKILL.md text (frontmatter and body) and explain every finding."""
    infos = normalize_lines(content)
    segments = segment_document(infos)
    for li in infos:
        if li.tag_text:
            segments.append(
                Segment.hidden(li.tag_text, li.number, "spelled in invisible tag characters")
            )
        if li.zero_width_payload:
            segments.append(
                Segment.hidden(li.zero_width_payload, li.number, "hidden as zero-width bits")
            )
    findings = unicode_findings(infos)
    for hidden, note in list(_hidden_segments(segments)):
        segments.append(hidden)
        if note is not None:
            findings.append(note)
    obfuscated = {li.number for li in infos if li.obfuscated}
    for seg in segments:
        for rule in _RULES:
            for hit in islice(rule(seg), _MAX_HITS_PER_RULE):
                finding = finding_for(seg, hit, obfuscated)
                if finding is not None:
                    findings.append(finding)
    findings = add_combinations(_dedupe(findings))
    findings.sort(key=lambda f: (f.line or 0, -f.severity, f.rule_id))
    score = score_findings(findings)
    return ScanReport(verdict_for(score), score, tuple(findings), path)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    best: dict[tuple[str, int | None], Finding] = {}
    for f in findings:
        key = (f.rule_id, f.line)
        if key not in best or f.severity > best[key].severity:
            best[key] = f
    return list(best.values())


def scan_file(path: Path) -> ScanReport:
    """Scan one file; bytes that are not UTF-8 are replaced, never fatal."""
    text = path.read_bytes().decode("utf-8", errors="replace")
    return scan_text(text, path=str(path))


def iter_skill_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Each file given, and every `*.md` under each directory given (sorted, recursive).

    Hidden directories and `node_modules` are skipped. A path that does not exist raises
    `FileNotFoundError` before anything is yielded for it.
    """
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path).parts
                if any(p.startswith(".") or p in _SKIP_DIRS for p in rel[:-1]):
                    continue
                if child.is_file() and child.suffix.lower() == ".md":
                    yield child
        elif path.is_file():
            yield path
        else:
            raise FileNotFoundError(str(path))

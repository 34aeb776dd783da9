"""Security checks for skills: the spec sanitizer, classifier and PII cleaner, and the scanner.

`scan_text` is the scanner (explained findings, a score and a verdict); the other names
are the wire-compatible functions of sdk-mcp-cli.md §5.
"""

from __future__ import annotations

from knowledgepulse.sdk.security.findings import Finding, ScanReport, Severity, Verdict
from knowledgepulse.sdk.security.gate import GateRejection, GateResult, publish_gate
from knowledgepulse.sdk.security.injection import (
    MAX_RAW_SCORE,
    InjectionAssessment,
    classify_injection_risk,
)
from knowledgepulse.sdk.security.pii import PiiResult, Redaction, clean_pii
from knowledgepulse.sdk.security.sanitizer import SanitizeResult, sanitize_skill_md
from knowledgepulse.sdk.security.scanner import iter_skill_files, scan_file, scan_text

__all__ = [
    "MAX_RAW_SCORE",
    "Finding",
    "GateRejection",
    "GateResult",
    "InjectionAssessment",
    "PiiResult",
    "Redaction",
    "SanitizeResult",
    "ScanReport",
    "Severity",
    "Verdict",
    "classify_injection_risk",
    "clean_pii",
    "iter_skill_files",
    "publish_gate",
    "sanitize_skill_md",
    "scan_file",
    "scan_text",
]
